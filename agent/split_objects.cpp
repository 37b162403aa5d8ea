#include "agent/split_objects.hpp"

#include <fmt/format.h>

#include "common/kube/json_fields.hpp"
#include "common/kube/status_error.hpp"

namespace mirrord::agent {

kube::ResourceKind kafka_topics_consumer_kind(const std::string& group) {
    return kube::custom_resource(group, "v1alpha", "mirrordkafkatopicsconsumers",
                                 "MirrordKafkaTopicsConsumer");
}

kube::ResourceKind kafka_client_config_kind(const std::string& group) {
    return kube::custom_resource(group, "v1alpha", "mirrordkafkaclientconfigs",
                                 "MirrordKafkaClientConfig");
}

namespace {

constexpr const char* install_hint = "run `mirrord operator setup | kubectl apply -f -`";

// A list of a CRD's objects answers 404 only when the CRD is not installed (a namespace without
// objects, even one that does not exist, lists as empty).
Error crd_missing(const kube::ResourceKind& kind) {
    return fail("the {} CRD is not installed; {}", kind.kind, install_hint);
}

// The 403 as the apiserver worded it, and the shipped Role that grants it.
Error with_role_hint(Error error, const char* role) {
    if (!kube::is_forbidden(error))
        return error;
    return Error(fmt::format("{} (the {} Role of `mirrord operator setup` grants this)",
                             error.message(), role),
                 error.http_status(), error.reason());
}

} // namespace

Result<json> KubeSplitObjects::topics_consumers(const std::string& namespace_) {
    const auto& kind = consumers_;
    auto list = client_.list(kind.collection(namespace_));
    if (!list && kube::is_not_found(list.error()))
        return crd_missing(kind);
    if (!list)
        return with_role_hint(std::move(list).error(), "mirrord-developer")
            .wrap(fmt::format("listing MirrordKafkaTopicsConsumers in {}", namespace_));
    return list;
}

Result<std::optional<json>> KubeSplitObjects::client_config(const std::string& namespace_,
                                                            const std::string& name) {
    const auto& kind = configs_;
    auto object = client_.get_optional(kind.object(namespace_, name));
    if (!object)
        return with_role_hint(std::move(object).error(), "mirrord-kafka-config-reader")
            .wrap(fmt::format("reading MirrordKafkaClientConfig {}/{}", namespace_, name));
    // get answers 404 for a missing CRD too: tell the two apart by listing.
    if (!*object) {
        auto names = client_config_names(namespace_);
        if (!names)
            return std::move(names).error();
    }
    return object;
}

Result<std::vector<std::string>> KubeSplitObjects::client_config_names(
    const std::string& namespace_) {
    const auto& kind = configs_;
    auto list = client_.list(kind.collection(namespace_));
    if (!list && kube::is_not_found(list.error()))
        return crd_missing(kind);
    if (!list)
        return with_role_hint(std::move(list).error(), "mirrord-kafka-config-reader")
            .wrap(fmt::format("listing MirrordKafkaClientConfigs in {}", namespace_));
    std::vector<std::string> names;
    for (const auto& item : kube::array_member(*list, "items"))
        names.push_back(kube::string_member(kube::object_member(item, "metadata"), "name"));
    return names;
}

Result<std::optional<json>> KubeSplitObjects::secret(const std::string& namespace_,
                                                     const std::string& name) {
    auto object = client_.get_optional(kube::kinds::secret.object(namespace_, name));
    if (!object)
        return with_role_hint(std::move(object).error(), "mirrord-kafka-config-reader");
    return object;
}

} // namespace mirrord::agent
