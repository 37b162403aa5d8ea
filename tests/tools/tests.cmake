# Test helper programs that unit tests run as children.
add_executable(signal_recorder ${CMAKE_CURRENT_LIST_DIR}/signal_recorder.cpp)
add_dependencies(unit_tests signal_recorder)
target_compile_definitions(unit_tests PRIVATE SIGNAL_RECORDER="$<TARGET_FILE:signal_recorder>")
# forkpty() for the terminal Ctrl+C test.
target_link_libraries(unit_tests PRIVATE util)
