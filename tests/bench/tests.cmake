# The queue-splitting benchmark driven by scripts/bench-split (not a test: it needs the testenv
# broker and runs for minutes). Build it with `ninja -C build bench_split`.
add_executable(bench_split EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/bench_split.cpp)
target_link_libraries(bench_split PRIVATE mirrord_agent)
