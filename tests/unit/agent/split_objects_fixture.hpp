#pragma once
// Canned cluster objects for split-config tests: the SplitObjects a real apiserver would answer,
// built from JSON in the test (no network). Header-only: tests/CMakeLists.txt compiles only
// *_test.cpp.

#include <map>
#include <string>
#include <utility>

#include "agent/split_config.hpp"
#include "common/kube/base64.hpp"

namespace mirrord::testing {

using nlohmann::json;

class CannedSplitObjects final : public agent::SplitObjects {
public:
    // Adds a MirrordKafkaTopicsConsumer to `namespace_`.
    void add_consumer(const std::string& namespace_, json consumer) {
        consumers_[namespace_].push_back(std::move(consumer));
    }
    // Adds a MirrordKafkaClientConfig `name` with `spec`.
    void add_client_config(const std::string& namespace_, const std::string& name, json spec) {
        configs_[{namespace_, name}] = {
            {"apiVersion", "queues.mirrord.metalbear.co/v1alpha"},
            {"kind", "MirrordKafkaClientConfig"},
            {"metadata", {{"name", name}, {"namespace", namespace_}}},
            {"spec", std::move(spec)}};
    }
    // Adds a Secret whose data are `values`, base64-encoded as the apiserver returns them.
    void add_secret(const std::string& namespace_, const std::string& name,
                    const std::map<std::string, std::string>& values) {
        json data = json::object();
        for (const auto& [key, value] : values)
            data[key] = kube::base64_encode(value);
        secrets_[{namespace_, name}] = {{"metadata", {{"name", name}}}, {"data", data}};
    }
    // The next topics_consumers() call fails with `error` (a missing CRD, a 403).
    void fail_consumers(Error error) { consumers_error_ = std::move(error); }

    Result<json> topics_consumers(const std::string& namespace_) override {
        if (consumers_error_)
            return *consumers_error_;
        json items = json::array();
        for (const auto& consumer : consumers_[namespace_])
            items.push_back(consumer);
        return json{{"kind", "MirrordKafkaTopicsConsumerList"}, {"items", items}};
    }
    Result<std::optional<json>> client_config(const std::string& namespace_,
                                              const std::string& name) override {
        auto found = configs_.find({namespace_, name});
        if (found == configs_.end())
            return std::optional<json>{};
        return std::optional<json>{found->second};
    }
    Result<std::vector<std::string>> client_config_names(const std::string& namespace_) override {
        std::vector<std::string> names;
        for (const auto& [key, object] : configs_)
            if (key.first == namespace_)
                names.push_back(key.second);
        return names;
    }
    Result<std::optional<json>> secret(const std::string& namespace_,
                                       const std::string& name) override {
        auto found = secrets_.find({namespace_, name});
        if (found == secrets_.end())
            return std::optional<json>{};
        return std::optional<json>{found->second};
    }

private:
    using Key = std::pair<std::string, std::string>;
    std::map<std::string, std::vector<json>> consumers_;
    std::map<Key, json> configs_;
    std::map<Key, json> secrets_;
    std::optional<Error> consumers_error_;
};

} // namespace mirrord::testing
