#pragma once
// Header-only (the integration glob compiles only *_test.cpp). What the tunnel integration
// tests share: a pod kwok runs (its ports forward to 127.0.0.1:18080), a collector for the
// errors a listener reports, and a PortForwarder for a kubeconfig.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/kube/rest_client.hpp"
#include "common/kube/resources.hpp"
#include "common/tunnel/listener.hpp"
#include "common/tunnel/port_forward.hpp"
#include "tests/integration/kube/testenv.hpp"

namespace mirrord::tunnel_test {

// kwok forwards every pod port here (testenv/config/kwok-extra.yaml).
inline constexpr std::uint16_t kwok_forward_port = 18080;

// Collects what a listener reports, from the loop thread.
struct Reports {
    std::mutex mutex;
    std::vector<std::string> messages;
    tunnel::ErrorHandler handler() {
        return [this](const std::string& message) {
            std::lock_guard lock(mutex);
            messages.push_back(message);
        };
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mutex);
        return messages;
    }
};

// A bare pod that kwok runs; returns once it is Running.
inline void create_running_pod(kube::Client& client, const std::string& namespace_,
                               const std::string& name) {
    kube::json port = {{"name", "http"}, {"containerPort", 8080}};
    kube::json container = {
        {"name", "app"}, {"image", "example/echo:1"}, {"ports", kube::json::array({port})}};
    kube::json pod = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
                      {"spec", {{"containers", kube::json::array({container})}}}};
    auto created = client.create(kube::kinds::pod.collection(namespace_), pod);
    INFO((created ? "" : created.error().message()));
    REQUIRE(created);
    REQUIRE(testing::wait_until(std::chrono::seconds(30), [&] {
        auto current = client.get(kube::kinds::pod.object(namespace_, name));
        return current && (*current)["status"].value("phase", "") == "Running";
    }));
}

// A Service `name` selecting app=<pod>, port 9092 -> targetPort "http" (the pod's 8080).
inline void create_service(kube::Client& client, const std::string& namespace_,
                           const std::string& name, const std::string& pod) {
    kube::json service = {
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", {{"name", name}}},
        {"spec",
         {{"selector", {{"app", pod}}},
          {"ports", kube::json::array(
                        {{{"name", "client"}, {"port", 9092}, {"targetPort", "http"}}})}}}};
    auto created = client.create(kube::kinds::service.collection(namespace_), service);
    INFO((created ? "" : created.error().message()));
    REQUIRE(created);
}

// A PortForwarder with the connection and credentials of `kubeconfig`.
inline std::shared_ptr<tunnel::PortForwarder> forwarder_for(const std::string& kubeconfig) {
    kube::KubeOptions options;
    options.kubeconfig = kubeconfig;
    auto connection = kube::resolve_connection(options);
    INFO((connection ? "" : connection.error().message()));
    REQUIRE(connection);
    auto forwarder = tunnel::PortForwarder::create(*connection);
    INFO((forwarder ? "" : forwarder.error().message()));
    REQUIRE(forwarder);
    return *forwarder;
}

// A listener named "echo:8080" whose connections port-forward to `endpoints`.
inline std::unique_ptr<tunnel::TunnelListener>
listen_forwarding(tunnel::EventLoop& loop, const std::shared_ptr<tunnel::PortForwarder>& to,
                  std::vector<tunnel::PodPort> endpoints, Reports& reports) {
    tunnel::ListenerOptions options;
    options.name = "echo:8080";
    auto listener = tunnel::TunnelListener::start(loop, to->connector(std::move(endpoints)),
                                                  options, reports.handler());
    REQUIRE(listener);
    return std::move(*listener);
}

} // namespace mirrord::tunnel_test
