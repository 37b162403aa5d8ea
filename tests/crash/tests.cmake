# copy_target + scale_down on the real test cluster (issue 6): the end-to-end scenario of
# approach 1 and the crash tests. They need `scripts/testenv up`; label e2e:
#   ctest --test-dir build -L e2e -R crash --output-on-failure
# Each test deploys examples/kafka-debug into its own namespace with its own topic and group.
set(MIRRORD_CRASH_DIR ${CMAKE_CURRENT_LIST_DIR})

foreach(case
        "e2e copy_scaledown:e2e_copy_scaledown_test.py:300"
        "exec SIGKILL rounds:sigkill_rounds_test.py:900"
        "exec and guardian killed:both_killed_test.py:400"
        "second session refused:second_session_test.py:300"
        "exec signals:signals_test.py:400"
        "guardian credentials:guardian_credentials_test.py:300")
    string(REPLACE ":" ";" parts "${case}")
    list(GET parts 0 name)
    list(GET parts 1 script)
    list(GET parts 2 timeout)
    add_test(NAME "crash: ${name}"
             COMMAND python3 ${MIRRORD_CRASH_DIR}/${script} $<TARGET_FILE:mirrord>)
    # Serial: the restore deadlines are wall-clock, and 2 cores shared with the cluster.
    set_tests_properties("crash: ${name}" PROPERTIES LABELS e2e TIMEOUT ${timeout}
                         RESOURCE_LOCK mirrord_crash)
endforeach()
