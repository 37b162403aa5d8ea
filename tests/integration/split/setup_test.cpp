// `mirrord operator setup | kubectl apply -f -` on the real apiserver: the guide's command line
// applies, applying again changes nothing, --namespace moves the client-config RBAC, and the
// guide's two CRs apply as they are.

#include "split_cluster.hpp"

using namespace mirrord;
using namespace mirrord::testing;

TEST_CASE("operator setup applied with kubectl", "[split]") {
    auto admin = connect(admin_kubeconfig());

    SECTION("the guide's command line applies, and applying again changes nothing") {
        std::string line = std::string("'") + MIRRORD_BINARY +
                           "' operator setup --accept-tos --license-key x --kafka-splitting "
                           "| kubectl apply -n mirrord -f -"; // not default: see apply_setup
        auto first = run_shell(admin_kubeconfig(), line);
        INFO(first.out << first.err);
        REQUIRE(first.exit_code == 0);
        CHECK_THAT(first.err, Catch::Contains("--kafka-splitting are ignored"));
        CHECK_THAT(first.out, Catch::Contains("mirrordkafkaclientconfigs.queues.mirrord."
                                              "metalbear.co"));
        CHECK_THAT(first.out, Catch::Contains("role.rbac.authorization.k8s.io/"
                                              "mirrord-kafka-config-reader"));
        auto again = run_shell(admin_kubeconfig(), line);
        INFO(again.out << again.err);
        REQUIRE(again.exit_code == 0);
        // One line per object (2 CRDs, the namespace, 2 Roles, 2 RoleBindings), each unchanged.
        size_t lines = 0, unchanged = 0;
        std::istringstream out(again.out);
        for (std::string entry; std::getline(out, entry);) {
            ++lines;
            unchanged += entry.ends_with(" unchanged");
        }
        CHECK(lines == 7);
        CHECK(unchanged == lines);
        auto role = admin->get(kube::custom_resource("rbac.authorization.k8s.io", "v1", "roles")
                                   .object("mirrord", "mirrord-kafka-config-reader"));
        REQUIRE(role);
        CHECK((*role)["rules"][0]["resources"][0] == "mirrordkafkaclientconfigs");
    }

    SECTION("--namespace puts the client-config Role and binding in that namespace") {
        TestNamespace config(*admin, "mirrord-it-cfg");
        apply_setup(config.name());
        auto rbac = [&](const char* plural, const char* name) {
            return admin->get_optional(kube::custom_resource("rbac.authorization.k8s.io", "v1",
                                                             plural)
                                           .object(config.name(), name));
        };
        auto role = rbac("roles", "mirrord-kafka-config-reader");
        REQUIRE(role);
        CHECK(role->has_value());
        auto binding = rbac("rolebindings", "mirrord-kafka-config-reader-dev");
        REQUIRE(binding);
        CHECK(binding->has_value());
        auto ns = admin->get(kube::kinds::namespace_.object("", config.name()));
        REQUIRE(ns);
        CHECK((*ns)["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "mirrord");
    }

    SECTION("the guide's client config and topics consumer apply as they are") {
        apply_setup();
        TestNamespace target(*admin, "mirrord-it-split");
        // The client config names namespace mirrord (shared): checked by the server, not stored.
        auto file = source_path("examples/kafka-debug/k8s/kafka-client-config.yaml");
        auto config =
            run_shell(admin_kubeconfig(), "kubectl apply --dry-run=server -f '" + file + "'");
        INFO(config.out << config.err);
        CHECK(config.exit_code == 0);
        // "created" on a fresh cluster, "configured"/"unchanged" once examples/ deployed it.
        CHECK_THAT(config.out, Catch::Matches(".*/base-config (created|configured|unchanged) "
                                              "\\(server dry run\\)\\s*"));
        auto consumer = run_shell(
            admin_kubeconfig(),
            "kubectl apply -n '" + target.name() + "' -f '" +
                source_path("examples/kafka-debug/k8s/kafka-topics-consumer.yaml") + "'");
        INFO(consumer.out << consumer.err);
        CHECK(consumer.exit_code == 0);
        auto stored = admin->get(
            kube::custom_resource("queues.mirrord.metalbear.co", "v1alpha",
                                  "mirrordkafkatopicsconsumers")
                .object(target.name(), "kafka-consumer-topics"));
        REQUIRE(stored);
        CHECK((*stored)["spec"]["topics"][0]["id"] == "test_topic");
    }

    SECTION("the schema refuses a topic without groupIdSources or applicationIdSources") {
        apply_setup();
        TestNamespace target(*admin, "mirrord-it-split");
        auto applied = run_shell(admin_kubeconfig(),
                                 "kubectl apply -n '" + target.name() + "' -f - <<'EOF'\n"
                                 "apiVersion: queues.mirrord.metalbear.co/v1alpha\n"
                                 "kind: MirrordKafkaTopicsConsumer\n"
                                 "metadata: {name: no-group}\n"
                                 "spec:\n"
                                 "  consumerApiVersion: apps/v1\n"
                                 "  consumerKind: Deployment\n"
                                 "  consumerName: x\n"
                                 "  topics:\n"
                                 "  - id: t\n"
                                 "    clientConfig: base-config\n"
                                 "    nameSources: [{directEnvVar: {container: c, variable: V}}]\n"
                                 "EOF");
        CHECK(applied.exit_code != 0);
        CHECK_THAT(applied.err, Catch::Contains("spec.topics[0].groupIdSources: Required value"));
    }
}
