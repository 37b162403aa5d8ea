// The copy pod against the real test cluster: kwok runs it, the real garbage collector deletes
// it with its session Lease.

#include "cluster.hpp"

#include "common/session/copy_target.hpp"
#include "common/session/scale_down.hpp"
#include "common/session/target.hpp"

#include <set>

using namespace mirrord;
using namespace mirrord::testing;

namespace {

session::ResolvedTarget resolve(kube::Client& client, const std::string& namespace_,
                                config::TargetKind kind = config::TargetKind::deployment,
                                const std::string& name = "consumer") {
    config::Target target;
    target.kind = kind;
    target.name = name;
    target.container = "app";
    auto resolved = session::resolve_target(client, target, namespace_);
    REQUIRE(resolved);
    return std::move(*resolved);
}

const kube::ResourceKind endpoint_slice =
    kube::custom_resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice");

// A bare pod `name` with `labels` (container "app"); returns it once kwok runs it with an IP.
// `spec` adds to the pod's spec.
json create_running_pod(kube::Client& client, const std::string& namespace_,
                        const std::string& name, const json& labels,
                        const json& spec = json::object()) {
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", namespace_}, {"labels", labels}}},
                {"spec",
                 {{"containers", json::array({{{"name", "app"}, {"image", "example/web:1"}}})}}}};
    pod["spec"].update(spec);
    auto created = client.create(kube::kinds::pod.collection(namespace_), pod);
    if (!created)
        FAIL("creating pod " << name << ": " << created.error().message());
    auto path = kube::kinds::pod.object(namespace_, name);
    json current;
    bool running = wait_until(30s, [&] {
        auto fresh = client.get(path);
        if (fresh)
            current = std::move(*fresh);
        return current["status"].value("phase", "") == "Running" &&
               !current["status"].value("podIP", "").empty();
    });
    if (!running)
        FAIL("pod " << name << " not Running with an IP in 30 s: " << current["status"].dump());
    return current;
}

// The names of the pods in the EndpointSlices of Service `service`.
std::set<std::string> endpoint_pods(kube::Client& client, const std::string& namespace_,
                                    const std::string& service) {
    kube::ListOptions options;
    options.label_selector = "kubernetes.io/service-name=" + service;
    auto slices = client.list(endpoint_slice.collection(namespace_), options);
    if (!slices)
        FAIL("listing the EndpointSlices of " << service << ": " << slices.error().message());
    std::set<std::string> names;
    for (const auto& slice : (*slices)["items"])
        for (const auto& endpoint : slice.value("endpoints", json::array()))
            names.insert(endpoint.value("targetRef", json::object()).value("name", ""));
    return names;
}

const kube::ResourceKind priority_class = kube::custom_resource(
    "scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", /*namespaced=*/false);

// PriorityClass `name` with `value` (cluster-scoped: the test's namespace name keeps it unique).
json priority_class_object(const std::string& name, int value) {
    return {{"apiVersion", "scheduling.k8s.io/v1"},
            {"kind", "PriorityClass"},
            {"metadata", {{"name", name}}},
            {"value", value}};
}

// Deletes a cluster-scoped object at the end of the scope.
struct DeleteAtEnd {
    kube::Client& client;
    std::string path;
    ~DeleteAtEnd() { (void)client.remove(path); }
};

} // namespace

TEST_CASE("create_copy_pod on a real cluster", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    auto workload = create_deployment(*admin, ns.name(), "consumer", 1);
    auto lease = create_session(*admin, ns.name(), "consumer");
    auto resolved = resolve(*admin, ns.name());
    REQUIRE_FALSE(resolved.from_template); // the live pod is copied
    config::CopyTargetConfig copy;
    copy.enabled = true;
    auto pod = session::build_copy_pod(resolved, copy, "busybox:1", lease.record().id,
                                       lease.owner_reference());
    std::vector<std::string> progress;
    auto created = session::create_copy_pod(
        *admin, pod, 30s, [&](const std::string& line) { progress.push_back(line); }, {});
    REQUIRE(created);
    auto name = pod["metadata"].value("name", "");
    auto pod_path = kube::kinds::pod.object(ns.name(), name);

    SECTION("the copy runs, owned by the session Lease, outside the workload's selector") {
        CHECK((*created)["status"]["phase"] == "Running");
        const auto& owners = (*created)["metadata"]["ownerReferences"];
        REQUIRE(owners.size() == 1);
        CHECK(owners[0]["kind"] == "Lease");
        CHECK(owners[0]["uid"] == lease.record().uid);
        CHECK(owners[0]["controller"] == true);
        // No ReplicaSet adopts it and scale_down does not wait for it.
        session::ScaleTarget target{kube::kinds::deployment, ns.name(), "consumer"};
        CHECK(*session::count_workload_pods(*admin, target, workload) == 1);
    }
    SECTION("deleting the Lease makes the garbage collector delete the copy") {
        REQUIRE(session::delete_lease(*admin, ns.name(), lease.record().id));
        CHECK(wait_until(30s, [&] {
            auto current = admin->get_optional(pod_path);
            return current && !current->has_value();
        }));
    }
    SECTION("delete_copy_pods names what it deleted, and nothing the second time") {
        auto deleted = session::delete_copy_pods(*admin, ns.name(), lease.record().id);
        REQUIRE(deleted);
        CHECK(*deleted == std::vector<std::string>{name});
        auto again = session::delete_copy_pods(*admin, ns.name(), lease.record().id);
        REQUIRE(again);
        CHECK(again->empty());
    }
}

TEST_CASE("create_copy_pod that cannot start", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 1);
    auto lease = create_session(*admin, ns.name(), "consumer");
    auto pod = session::build_copy_pod(resolve(*admin, ns.name()), {}, "busybox:1",
                                       lease.record().id, lease.owner_reference());
    // No node matches, so the scheduler leaves it Pending with a FailedScheduling event.
    pod["spec"]["nodeSelector"] = {{"mirrord.dev/no-such-node", "true"}};

    SECTION("times out with the pod's conditions and events, and deletes the pod") {
        auto created = session::create_copy_pod(*admin, pod, 3s, {}, {});
        REQUIRE_FALSE(created);
        CHECK_THAT(created.error().message(),
                   Catch::Contains("not Running after 3 s (agent.startup_timeout)") &&
                       Catch::Contains("Unschedulable"));
        auto name = pod["metadata"].value("name", "");
        CHECK(wait_until(10s, [&] {
            auto current = admin->get_optional(kube::kinds::pod.object(ns.name(), name));
            return current && !current->has_value();
        }));
    }
}

TEST_CASE("create_copy_pod of a pod that has had an ephemeral container added", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    create_deployment(*admin, ns.name(), "consumer", 1);
    auto lease = create_session(*admin, ns.name(), "consumer");
    kube::ListOptions options;
    options.label_selector = "app=consumer";
    auto pods = admin->list(kube::kinds::pod.collection(ns.name()), options);
    REQUIRE(pods);
    REQUIRE((*pods)["items"].size() == 1);
    auto original = (*pods)["items"][0]["metadata"].value("name", "");
    // As `kubectl debug` does: only this subresource can add one, and a pod spec that has one
    // cannot be created.
    auto debugged = admin->json_patch(
        kube::kinds::pod.subresource(ns.name(), original, "ephemeralcontainers"),
        json::array({{{"op", "add"},
                      {"path", "/spec/ephemeralContainers"},
                      {"value", json::array({{{"name", "debugger"},
                                              {"image", "busybox:1"},
                                              {"stdin", true},
                                              {"targetContainerName", "app"}}})}}}));
    REQUIRE(debugged);

    SECTION("the copy is created without it, and runs") {
        session::ResolvedTarget resolved;
        // The target resolves to the debugged live pod once the watch cache has the change.
        REQUIRE(wait_until(10s, [&] {
            resolved = resolve(*admin, ns.name());
            return !resolved.from_template && resolved.pod["spec"].contains("ephemeralContainers");
        }));
        auto pod = session::build_copy_pod(resolved, {}, "busybox:1", lease.record().id,
                                           lease.owner_reference());
        auto created = session::create_copy_pod(*admin, pod, 30s, {}, {});
        REQUIRE(created);
        CHECK((*created)["status"]["phase"] == "Running");
        CHECK_FALSE((*created)["spec"].contains("ephemeralContainers"));
        CHECK((*created)["spec"]["containers"].size() == 1);
    }
}

TEST_CASE("create_copy_pod of a pod target behind a Service", "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    const json selector = {{"app", "web"}, {"tier", "frontend"}};
    create_running_pod(*admin, ns.name(), "web",
                       {{"app", "web"}, {"tier", "frontend"}, {"team", "payments"}});
    json service = {{"apiVersion", "v1"},
                    {"kind", "Service"},
                    {"metadata", {{"name", "web"}, {"namespace", ns.name()}}},
                    {"spec",
                     {{"selector", selector},
                      {"ports", json::array({{{"port", 80}, {"targetPort", 8080}}})}}}};
    REQUIRE(admin->create(kube::kinds::service.collection(ns.name()), service));
    // The kube-controller-manager's EndpointSlice controller puts the original in the slice.
    REQUIRE(wait_until(30s, [&] { return endpoint_pods(*admin, ns.name(), "web").count("web"); }));
    auto lease = create_session(*admin, ns.name(), "web");
    auto resolved = resolve(*admin, ns.name(), config::TargetKind::pod, "web");
    auto pod = session::build_copy_pod(resolved, {}, "busybox:1", lease.record().id,
                                       lease.owner_reference());
    auto created = session::create_copy_pod(*admin, pod, 30s, {}, {});
    REQUIRE(created);
    auto copy = (*created)["metadata"].value("name", "");
    const auto& labels = (*created)["metadata"]["labels"];

    SECTION("the copy's labels do not match the Service's selector; other labels stay") {
        CHECK_FALSE(labels.contains("app"));
        CHECK_FALSE(labels.contains("tier"));
        CHECK(labels["team"] == "payments");
        CHECK(labels[session::copy_of_label] == "pod.web");
    }
    SECTION("the copy never appears in the Service's EndpointSlices") {
        REQUIRE_FALSE((*created)["status"].value("podIP", "").empty()); // it could be listed
        // A pod the Service does select, created after the copy runs: once the controller has
        // put it in the slice, it has seen the running copy too, so absence then is a verdict.
        create_running_pod(*admin, ns.name(), "web-later", selector);
        bool later_listed = wait_until(30s, [&] {
            auto names = endpoint_pods(*admin, ns.name(), "web");
            CHECK(names.count(copy) == 0);
            return names.count("web-later") == 1;
        });
        CHECK(later_listed);
        CHECK(endpoint_pods(*admin, ns.name(), "web").count(copy) == 0);
    }
}

TEST_CASE("create_copy_pod of a pod whose PriorityClass has changed since it started",
          "[session]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace ns(*admin);
    const auto& name = ns.name();
    REQUIRE(admin->create(priority_class.collection(""), priority_class_object(name, 1000)));
    DeleteAtEnd cleanup{*admin, priority_class.object("", name)};
    create_running_pod(*admin, ns.name(), "web", {{"app", "web"}}, {{"priorityClassName", name}});
    // A PriorityClass's value is immutable: it changes by deleting and creating it again.
    REQUIRE(admin->remove(priority_class.object("", name)));
    REQUIRE(wait_until(10s, [&] {
        return admin->create(priority_class.collection(""), priority_class_object(name, 2000)).ok();
    }));
    // Admission reads PriorityClasses from an informer: wait until a new pod gets the new value.
    int probe = 0;
    REQUIRE(wait_until(10s, [&] {
        json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", {{"name", fmt::format("probe-{}", probe++)}}},
                    {"spec",
                     {{"priorityClassName", name},
                      {"containers", json::array({{{"name", "app"}, {"image", "x:1"}}})}}}};
        auto created = admin->create(kube::kinds::pod.collection(ns.name()), pod);
        return created && (*created)["spec"].value("priority", 0) == 2000;
    }));
    auto lease = create_session(*admin, ns.name(), "web");
    auto resolved = resolve(*admin, ns.name(), config::TargetKind::pod, "web");
    REQUIRE(resolved.pod["spec"].value("priority", 0) == 1000);

    SECTION("the copy is admitted with the class's current priority, and runs") {
        auto pod = session::build_copy_pod(resolved, {}, "busybox:1", lease.record().id,
                                           lease.owner_reference());
        auto created = session::create_copy_pod(*admin, pod, 30s, {}, {});
        INFO((created ? "" : created.error().message()));
        REQUIRE(created);
        CHECK((*created)["spec"]["priority"] == 2000);
        CHECK((*created)["status"]["phase"] == "Running");
    }
}
