#pragma once
// A namespace of its own for one integration test, shared by every integration test (one
// definition in the one test binary). Header-only: tests/CMakeLists.txt compiles only
// *_test.cpp.

#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::testing {

// A fresh namespace "<prefix>-<8 random hex digits>", created at construction (failing the test
// when it cannot be) and deleted in the background, without waiting, at the end of the scope.
class TestNamespace {
public:
    explicit TestNamespace(kube::Client& client, const std::string& prefix = "mirrord-it")
        : client_(client) {
        std::random_device random;
        name_ = fmt::format("{}-{:08x}", prefix, random());
        nlohmann::json object = {
            {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name_}}}};
        auto created = client_.create(kube::kinds::namespace_.collection(""), object);
        if (!created)
            FAIL("creating namespace " << name_ << ": " << created.error().message());
    }
    ~TestNamespace() { (void)client_.remove(kube::kinds::namespace_.object("", name_)); }
    TestNamespace(const TestNamespace&) = delete;
    TestNamespace& operator=(const TestNamespace&) = delete;

    const std::string& name() const { return name_; }

private:
    kube::Client& client_;
    std::string name_;
};

} // namespace mirrord::testing
