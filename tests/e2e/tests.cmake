# End-to-end tests: whole `mirrord` scenarios against the real cluster of scripts/testenv
# (testenv/README.md). They carry the ctest label `e2e`: ctest -L e2e. Each file is one ctest
# entry; it gets the binary under test as its first argument and works in its own namespaces.
set(MIRRORD_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})

#   env          exec -- env: kubelet-style resolution, feature.env by config and flags, errors
#   env_command  mirrord env: sh/dotenv/json, secret redaction, read-only
#   process      exit statuses, signals (kill and Ctrl+C on a pty), nested guard
#   output       no secret or token at -vv/-vvv, JSON progress
#   terminal     after Ready! the terminal is the app's: a prompt stays, typed input reaches it (tmux)
foreach(case env env_command process output terminal)
    add_test(NAME "e2e: exec ${case}"
             COMMAND python3 ${MIRRORD_E2E_DIR}/exec/${case}_test.py $<TARGET_FILE:mirrord> -v)
    set_tests_properties("e2e: exec ${case}" PROPERTIES LABELS e2e TIMEOUT 300)
endforeach()

# Queue splitting (issue 10, mirror mode), against the real broker too:
#   split    three overlapping sessions over 1,000 messages, a hard-coded group with latest, a
#            session joining at 200 msg/s, the leader SIGKILLed, nothing left behind
#   errors   bad inputs (regex, steal, topic id, client config cycle, secret, broker), RBAC
foreach(case split errors)
    add_test(NAME "e2e: split ${case}"
             COMMAND python3 ${MIRRORD_E2E_DIR}/split/${case}_test.py $<TARGET_FILE:mirrord> -v)
    set_tests_properties("e2e: split ${case}" PROPERTIES LABELS e2e TIMEOUT 600)
endforeach()

# The Kafka connection into the local process (issue 11): the sample consumer deployed with the
# broker's in-cluster address, tunnelled through pods/portforward (env only, copy + scale_down,
# the headless pod name, the endpoint pod deleted mid-stream, the apiserver restarted, a split
# session whose client config names the in-cluster bootstrap), an HTTP Service, no ready
# endpoint, a dev user without pods/portforward.
add_test(NAME "e2e: tunnel"
         COMMAND python3 ${MIRRORD_E2E_DIR}/tunnel/tunnel_test.py $<TARGET_FILE:mirrord> -v)
set_tests_properties("e2e: tunnel" PROPERTIES LABELS e2e TIMEOUT 600)
