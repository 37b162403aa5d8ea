#pragma once
// SplitObjects read from the apiserver with the developer's credentials. Failures are worded for
// the user: a missing CRD says how to install it, a 403 keeps the apiserver's message (it names
// the user, verb, resource and namespace) and says which shipped Role grants it.

#include "agent/split_config.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::agent {

// The API group of the CRDs in configs/crds.
inline constexpr const char* kafka_crd_group = "queues.mirrord.metalbear.co";

// The CRDs of configs/crds, in `group` (another group only in tests: one that is not installed).
kube::ResourceKind kafka_topics_consumer_kind(const std::string& group = kafka_crd_group);
kube::ResourceKind kafka_client_config_kind(const std::string& group = kafka_crd_group);

class KubeSplitObjects final : public SplitObjects {
public:
    explicit KubeSplitObjects(kube::Client& client, const std::string& group = kafka_crd_group)
        : client_(client), consumers_(kafka_topics_consumer_kind(group)),
          configs_(kafka_client_config_kind(group)) {}
    Result<json> topics_consumers(const std::string& namespace_) override;
    Result<std::optional<json>> client_config(const std::string& namespace_,
                                              const std::string& name) override;
    Result<std::vector<std::string>> client_config_names(const std::string& namespace_) override;
    Result<std::optional<json>> secret(const std::string& namespace_,
                                       const std::string& name) override;

private:
    kube::Client& client_;
    kube::ResourceKind consumers_, configs_;
};

} // namespace mirrord::agent
