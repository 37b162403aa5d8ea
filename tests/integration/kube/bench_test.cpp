// Hidden benchmark for scripts/bench-kube (tag [.bench]: not run by ctest or a plain run).
// Issues BENCH_REQUESTS sequential GETs of BENCH_PATH through one Client and prints
// "requests=N seconds=S rps=R" on stdout. BENCH_QPS sets the client-side limit (default: off,
// so the number measures the transport; the CLI default is 50 QPS / burst 100).

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>

#include "tests/integration/kube/testenv.hpp"

using namespace mirrord;

TEST_CASE("kube client sequential GET benchmark", "[.bench]") {
    const char* path = std::getenv("BENCH_PATH");
    REQUIRE(path != nullptr);
    const int requests = std::atoi(std::getenv("BENCH_REQUESTS") ? std::getenv("BENCH_REQUESTS") : "200");
    const char* qps = std::getenv("BENCH_QPS");
    kube::KubeOptions options;
    auto connection = kube::resolve_connection(options);
    REQUIRE(connection);
    kube::ClientOptions client_options;
    client_options.qps = qps != nullptr ? std::atof(qps) : 0;
    auto client = kube::Client::create(*connection, client_options);
    REQUIRE(client);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < requests; ++i)
        REQUIRE((*client)->get(path));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << fmt::format("requests={} seconds={:.3f} rps={:.1f}\n", requests, seconds,
                             requests / seconds);
}
