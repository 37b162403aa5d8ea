#pragma once
// SplitObjects read from the apiserver with the developer's credentials. Failures are worded for
// the user: a missing CRD says how to install it, a 403 keeps the apiserver's message (it names
// the user, verb, resource and namespace) and says which shipped Role grants it.

#include "agent/split_config.hpp"
#include "common/kube/resources.hpp"
#include "common/kube/rest_client.hpp"

namespace mirrord::agent {

// The CRDs of configs/crds.
namespace kinds {
extern const kube::ResourceKind kafka_topics_consumer;
extern const kube::ResourceKind kafka_client_config;
} // namespace kinds

class KubeSplitObjects final : public SplitObjects {
public:
    explicit KubeSplitObjects(kube::Client& client) : client_(client) {}
    Result<json> topics_consumers(const std::string& namespace_) override;
    Result<std::optional<json>> client_config(const std::string& namespace_,
                                              const std::string& name) override;
    Result<std::vector<std::string>> client_config_names(const std::string& namespace_) override;
    Result<std::optional<json>> secret(const std::string& namespace_,
                                       const std::string& name) override;

private:
    kube::Client& client_;
};

} // namespace mirrord::agent
