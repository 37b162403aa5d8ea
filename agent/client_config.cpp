#include "agent/client_config.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "common/core/log.hpp"
#include "common/core/strings.hpp"
#include "common/kube/base64.hpp"
#include "common/kube/json_fields.hpp"

namespace mirrord::agent {
namespace {

// One level of the parent chain, child first.
struct Level {
    std::string name;
    json spec;
};

std::string describe(const std::string& namespace_, const std::string& name) {
    return fmt::format("MirrordKafkaClientConfig {}/{}", namespace_, name);
}

// "found: a, b" or "found: none", for not-found errors.
std::string found_configs(SplitObjects& objects, const std::string& namespace_) {
    auto names = objects.client_config_names(namespace_);
    if (!names)
        return fmt::format("listing the others failed: {}", names.error().message());
    return fmt::format("found: {}", names->empty() ? "none" : join(*names, ", "));
}

// The chain from `name` up to the config without a parent.
Result<std::vector<Level>> parent_chain(SplitObjects& objects, const std::string& namespace_,
                                        const std::string& name) {
    std::vector<Level> chain;
    std::vector<std::string> seen;
    std::string next = name;
    while (true) {
        if (std::find(seen.begin(), seen.end(), next) != seen.end()) {
            seen.push_back(next);
            return fail("{}: the parent chain has a cycle: {}", describe(namespace_, name),
                        join(seen, " -> "));
        }
        seen.push_back(next);
        MIRRORD_TRY_ASSIGN(auto object, objects.client_config(namespace_, next));
        if (!object) {
            std::string role = chain.empty() ? std::string{}
                                             : fmt::format(" (parent of {})", chain.back().name);
            return fail("{}{} not found; {}", describe(namespace_, next), role,
                        found_configs(objects, namespace_));
        }
        const json& spec = kube::object_member(*object, "spec");
        chain.push_back({next, spec});
        const json& parent = kube::member(spec, "parent");
        if (parent.is_null())
            return chain;
        if (!parent.is_string() || parent.get_ref<const std::string&>().empty())
            return fail("{}: spec.parent: expected the name of a MirrordKafkaClientConfig",
                        describe(namespace_, next));
        next = parent.get<std::string>();
    }
}

// Refuses what the embedded splitter (librdkafka, plain properties) cannot honour, rather than
// connecting with properties meant for another client.
Status check_supported(const std::string& namespace_, const Level& level) {
    auto client = kube::string_member(level.spec, "clientImplementation", "librdkafka");
    if (client != "librdkafka")
        return fail("{}: spec.clientImplementation: \"{}\" is not supported: mirrord's splitter "
                    "uses librdkafka",
                    describe(namespace_, level.name), client);
    const json& extra = kube::member(level.spec, "authenticationExtra");
    if (!extra.is_null())
        return fail("{}: spec.authenticationExtra: {} is not supported by mirrord's splitter yet",
                    describe(namespace_, level.name),
                    kube::string_member(extra, "kind", "this kind"));
    return {};
}

// Adds the Secret's data entries to `out` (each key a property, values never shown).
Status load_secret(SplitObjects& objects, const std::string& namespace_, const Level& level,
                   ClientProperties& out) {
    const json& reference = kube::member(level.spec, "loadFromSecret");
    if (reference.is_null())
        return {};
    auto where = describe(namespace_, level.name);
    auto text = reference.is_string() ? reference.get<std::string>() : std::string{};
    auto slash = text.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == text.size() ||
        text.find('/', slash + 1) != std::string::npos)
        return fail("{}: spec.loadFromSecret: expected \"<namespace>/<name>\", got {}", where,
                    reference.is_string() ? fmt::format("\"{}\"", text) : reference.type_name());
    auto secret_namespace = text.substr(0, slash);
    auto secret_name = text.substr(slash + 1);
    auto context = fmt::format("{}: reading Secret {} (spec.loadFromSecret)", where, text);
    MIRRORD_TRY_ASSIGN(auto secret, objects.secret(secret_namespace, secret_name).wrap(context));
    if (!secret)
        return fail("{}: Secret {} (spec.loadFromSecret) not found", where, text);
    for (const auto& [key, encoded] : kube::object_member(*secret, "data").items()) {
        auto value = encoded.is_string() ? kube::base64_decode(encoded.get<std::string>())
                                         : std::nullopt;
        if (!value)
            return fail("Secret {}: data.{}: not base64", text, key);
        log::add_secret(*value);
        out.properties[key] = *value;
        out.secret_properties.insert(key);
    }
    return {};
}

// Applies the level's own properties over what lower levels set.
Status apply_properties(const std::string& namespace_, const Level& level,
                        ClientProperties& out) {
    const json& list = kube::member(level.spec, "properties");
    if (!list.is_array() && !list.is_null())
        return fail("{}: spec.properties: expected a list of {{name, value}}",
                    describe(namespace_, level.name));
    size_t index = 0;
    for (const auto& entry : kube::array_member(level.spec, "properties")) {
        auto name = kube::string_member(entry, "name");
        if (name.empty())
            return fail("{}: spec.properties[{}].name: missing", describe(namespace_, level.name),
                        index);
        const json& value = kube::member(entry, "value");
        // The apiserver may drop a null value on storage: a missing value removes as well.
        if (value.is_null()) {
            out.properties.erase(name);
            out.secret_properties.erase(name);
        } else if (value.is_string()) {
            out.properties[name] = value.get<std::string>();
            out.secret_properties.erase(name);
        } else {
            return fail("{}: spec.properties[{}].value ({}): expected a string or null",
                        describe(namespace_, level.name), index, name);
        }
        ++index;
    }
    return {};
}

} // namespace

bool is_secret_property(const std::string& name) {
    return name.find("password") != std::string::npos ||
           name.find("secret") != std::string::npos || name == "ssl.key.pem" ||
           name == "ssl_key" || name == "sasl.jaas.config" || name == "sasl.oauthbearer.config";
}

Result<ClientProperties> resolve_client_config(SplitObjects& objects,
                                               const std::string& namespace_,
                                               const std::string& name) {
    MIRRORD_TRY_ASSIGN(auto chain, parent_chain(objects, namespace_, name));
    ClientProperties out;
    // From the root down, so that each level overrides the ones below it.
    for (auto level = chain.rbegin(); level != chain.rend(); ++level) {
        MIRRORD_TRY(check_supported(namespace_, *level));
        MIRRORD_TRY(load_secret(objects, namespace_, *level, out));
        MIRRORD_TRY(apply_properties(namespace_, *level, out));
    }
    for (const char* ours : {"group.id", "application.id"}) {
        out.properties.erase(ours);
        out.secret_properties.erase(ours);
    }
    for (const auto& [key, value] : out.properties)
        if (is_secret_property(key)) {
            out.secret_properties.insert(key);
            log::add_secret(value);
        }
    return out;
}

} // namespace mirrord::agent
