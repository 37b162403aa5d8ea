// resolve_split_plan against the real apiserver, as user `dev` bound to the Roles that
// `mirrord operator setup` ships: the guide's CRs resolve, and each missing object or right is an
// error naming it. CRs live in each test's own namespaces; the CRDs are shared and stay.

#include "split_cluster.hpp"

#include "agent/client_config.hpp"
#include "agent/split_config.hpp"
#include "agent/split_objects.hpp"
#include "common/core/log.hpp"
#include "common/session/target.hpp"

using namespace mirrord;
using namespace mirrord::testing;

namespace {

const kube::ResourceKind consumers = agent::kafka_topics_consumer_kind();
const kube::ResourceKind client_configs = agent::kafka_client_config_kind();

json property(const std::string& name, json value) { return {{"name", name}, {"value", value}}; }

void create_client_config(kube::Client& admin, const std::string& namespace_,
                          const std::string& name, json spec) {
    auto created = admin.create(client_configs.collection(namespace_),
                                {{"apiVersion", "queues.mirrord.metalbear.co/v1alpha"},
                                 {"kind", "MirrordKafkaClientConfig"},
                                 {"metadata", {{"name", name}}},
                                 {"spec", std::move(spec)}});
    INFO((created ? "" : created.error().message()));
    REQUIRE(created);
}

// The guide's kafka-consumer-topics for deployment `consumer`, container "app".
void create_topics_consumer(kube::Client& admin, const std::string& namespace_,
                            const std::string& client_config) {
    auto source = [](const char* variable) {
        return json{{"directEnvVar", {{"container", "app"}, {"variable", variable}}}};
    };
    json topic = {{"id", "test_topic"},
                  {"clientConfig", client_config},
                  {"nameSources", {source("KAFKA_TOPIC")}},
                  {"groupIdSources", {source("KAFKA_GROUP_ID")}}};
    auto created = admin.create(consumers.collection(namespace_),
                                {{"apiVersion", "queues.mirrord.metalbear.co/v1alpha"},
                                 {"kind", "MirrordKafkaTopicsConsumer"},
                                 {"metadata", {{"name", "kafka-consumer-topics"}}},
                                 {"spec",
                                  {{"consumerApiVersion", "apps/v1"},
                                   {"consumerKind", "Deployment"},
                                   {"consumerName", "consumer"},
                                   {"topics", {topic}}}}});
    INFO((created ? "" : created.error().message()));
    REQUIRE(created);
}

config::Target consumer_target() {
    config::Target target;
    target.kind = config::TargetKind::deployment;
    target.name = "consumer";
    target.container = "app";
    return target;
}

const std::map<std::string, std::string> container_env = {{"KAFKA_TOPIC", "test-topic"},
                                                          {"KAFKA_GROUP_ID", "test-group"}};

} // namespace

TEST_CASE("resolve_split_plan as dev with the shipped Roles", "[split]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace config(*admin, "mirrord-it-cfg");
    TestNamespace target(*admin, "mirrord-it-split");
    apply_setup(config.name());
    apply_developer_role(target.name());
    create_deployment(*admin, target.name(), "consumer", 1);
    REQUIRE(admin->create(kube::kinds::secret.collection(config.name()),
                          {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", {{"name", "kafka-credentials"}}},
                           {"stringData", {{"sasl.password", "it-secret-password-1"}}}}));
    create_client_config(*admin, config.name(), "root",
                         {{"loadFromSecret", config.name() + "/kafka-credentials"},
                          {"properties",
                           {property("bootstrap.servers", "127.0.0.1:19092"),
                            property("security.protocol", "SASL_PLAINTEXT"),
                            property("group.id", "not-ours")}}});
    create_client_config(*admin, config.name(), "base-config",
                         {{"parent", "root"},
                          {"properties", {property("security.protocol", nullptr),
                                          property("client.id", "it")}}});
    create_topics_consumer(*admin, target.name(), "base-config");

    auto dev = connect(dev_kubeconfig(), target.name());
    // RBAC bindings reach the apiserver's authorizer through an informer: poll, not sleep.
    REQUIRE(wait_until(10s, [&] {
        return dev->list(consumers.collection(target.name())).ok() &&
               dev->list(client_configs.collection(config.name())).ok();
    }));
    auto resolved = session::resolve_target(*dev, consumer_target(), target.name());
    INFO((resolved ? "" : resolved.error().message()));
    REQUIRE(resolved);

    SECTION("the plan has topic, group, and the chain's properties with the Secret's") {
        auto plan = agent::resolve_split_plan(*dev, *resolved, container_env, "test_topic",
                                              config.name());
        INFO((plan ? "" : plan.error().message()));
        REQUIRE(plan);
        CHECK(plan->consumer_resource == "kafka-consumer-topics");
        CHECK(plan->original_topic == "test-topic");
        CHECK(plan->topic_env_var == "KAFKA_TOPIC");
        CHECK(plan->group_id == "test-group");
        CHECK(plan->client_config_namespace == config.name());
        // The null stored by the apiserver removed the parent's security.protocol.
        CHECK(plan->properties == std::map<std::string, std::string>{
                                      {"bootstrap.servers", "127.0.0.1:19092"},
                                      {"client.id", "it"},
                                      {"sasl.password", "it-secret-password-1"}});
        CHECK(plan->secret_properties == std::set<std::string>{"sasl.password"});
        CHECK(log::redact("it-secret-password-1") == "********");
    }

    SECTION("an unknown topic id lists the ids") {
        auto plan = agent::resolve_split_plan(*dev, *resolved, container_env, "other",
                                              config.name());
        REQUIRE_FALSE(plan);
        CHECK(plan.error().message() == "topic id other not in kafka-consumer-topics; ids: "
                                        "test_topic");
    }

    SECTION("a client config namespace without it names the configs there") {
        // The consumer in a second target namespace names a config that does not exist.
        TestNamespace other(*admin, "mirrord-it-split");
        apply_developer_role(other.name());
        create_deployment(*admin, other.name(), "consumer", 1);
        create_topics_consumer(*admin, other.name(), "absent-config");
        REQUIRE(wait_until(10s, [&] {
            return dev->list(consumers.collection(other.name())).ok();
        }));
        auto other_target = session::resolve_target(*dev, consumer_target(), other.name());
        REQUIRE(other_target);
        auto plan = agent::resolve_split_plan(*dev, *other_target, container_env, "test_topic",
                                              config.name());
        REQUIRE_FALSE(plan);
        CHECK_THAT(plan.error().message(),
                   Catch::EndsWith("MirrordKafkaClientConfig " + config.name() +
                                   "/absent-config not found; found: base-config, root"));
    }

    SECTION("a missing Secret is named; the value of a present one never is") {
        create_client_config(*admin, config.name(), "broken",
                             {{"loadFromSecret", config.name() + "/gone"},
                              {"properties", json::array()}});
        agent::KubeSplitObjects objects(*dev);
        auto properties = agent::resolve_client_config(objects, config.name(), "broken");
        REQUIRE_FALSE(properties);
        CHECK(properties.error().message() ==
              "MirrordKafkaClientConfig " + config.name() + "/broken: Secret " + config.name() +
                  "/gone (spec.loadFromSecret) not found");
    }

    SECTION("without the config namespace's Role, a 403 names verb, resource and the Role") {
        TestNamespace bare(*admin, "mirrord-it-cfg");
        create_client_config(*admin, bare.name(), "base-config",
                             {{"properties", {property("bootstrap.servers", "127.0.0.1:19092")}}});
        auto plan = agent::resolve_split_plan(*dev, *resolved, container_env, "test_topic",
                                              bare.name());
        REQUIRE_FALSE(plan);
        CHECK_THAT(plan.error().message(),
                   Catch::Contains("reading MirrordKafkaClientConfig " + bare.name() +
                                   "/base-config") &&
                       Catch::Contains("403 Forbidden") &&
                       Catch::Contains("cannot get resource \"mirrordkafkaclientconfigs\"") &&
                       Catch::Contains("the mirrord-kafka-config-reader Role of `mirrord "
                                       "operator setup` grants this"));
    }

    SECTION("without the target namespace's Role, listing consumers is a 403 naming the Role") {
        TestNamespace bare(*admin, "mirrord-it-split");
        agent::KubeSplitObjects objects(*dev);
        auto list = objects.topics_consumers(bare.name());
        REQUIRE_FALSE(list);
        CHECK_THAT(list.error().message(),
                   Catch::StartsWith("listing MirrordKafkaTopicsConsumers in " + bare.name()) &&
                       Catch::Contains("cannot list resource \"mirrordkafkatopicsconsumers\"") &&
                       Catch::Contains("the mirrord-developer Role"));
    }
}

TEST_CASE("split config CRDs not installed", "[split]") {
    auto admin = connect(admin_kubeconfig());
    TestNamespace target(*admin, "mirrord-it-split");

    SECTION("listing consumers of an uninstalled group says how to install the CRDs") {
        // The real CRDs stay installed (others use them): a group nobody installs answers the
        // same 404.
        agent::KubeSplitObjects objects(*admin, "absent.mirrord.test");
        auto list = objects.topics_consumers(target.name());
        REQUIRE_FALSE(list);
        CHECK(list.error().message() == "the MirrordKafkaTopicsConsumer CRD is not installed; "
                                        "run `mirrord operator setup | kubectl apply -f -`");
        auto config = objects.client_config(target.name(), "base-config");
        REQUIRE_FALSE(config);
        CHECK(config.error().message() == "the MirrordKafkaClientConfig CRD is not installed; "
                                          "run `mirrord operator setup | kubectl apply -f -`");
    }
}
