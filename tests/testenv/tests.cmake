# Tests of the real test environment (testenv/README.md). They need `scripts/testenv up`; they
# carry the ctest label `testenv`: ctest -L testenv.
set(MIRRORD_TESTENV_DIR ${CMAKE_CURRENT_LIST_DIR})

add_executable(testenv_tests ${CMAKE_CURRENT_SOURCE_DIR}/unit/main.cpp
               ${MIRRORD_TESTENV_DIR}/kafka_test.cpp)
target_link_libraries(testenv_tests PRIVATE mirrord_kafka Catch2::Catch2)
catch_discover_tests(testenv_tests TEST_PREFIX "testenv: " PROPERTIES LABELS testenv TIMEOUT 120)

# Kubernetes-side checks, one ctest entry per unittest class of cluster_test.py.
foreach(case Version Deployment PodRunner Rbac ClientCert Script)
    add_test(NAME "testenv: ${case}"
             COMMAND python3 ${MIRRORD_TESTENV_DIR}/cluster_test.py -v ${case}Test)
    set_tests_properties("testenv: ${case}" PROPERTIES LABELS testenv TIMEOUT 180)
endforeach()

# The in-cluster Kafka (broker advertising kafka-0.kafka.default.svc.cluster.local, reachable only
# through pods/portforward), one ctest entry per class of cluster_kafka_test.py. Read-only.
foreach(case AdvertisedName PortForward EndpointSlice)
    add_test(NAME "testenv: ClusterKafka ${case}"
             COMMAND python3 ${MIRRORD_TESTENV_DIR}/cluster_kafka_test.py -v ${case}Test)
    set_tests_properties("testenv: ClusterKafka ${case}" PROPERTIES LABELS testenv TIMEOUT 120)
endforeach()
