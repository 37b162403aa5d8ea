#pragma once
// Resolving a MirrordKafkaClientConfig into librdkafka properties (spec section 4.1).
// Precedence, highest first: the config's own `properties`, its `loadFromSecret` Secret, then
// its `parent`'s properties and Secret, recursively. A property whose value is null removes what
// lower levels set. `group.id` (and `application.id`) are always removed: the splitter and each
// session set their own groups.

#include <map>
#include <set>
#include <string>

#include "agent/split_config.hpp"
#include "common/core/result.hpp"

namespace mirrord::agent {

// The resolved properties of one client config.
struct ClientProperties {
    std::map<std::string, std::string> properties;
    // Names whose values must never be printed: everything from a Secret, and names that hold
    // credentials by convention (is_secret_property). Their values are registered with
    // log::add_secret.
    std::set<std::string> secret_properties;
};

// True for property names that hold credentials (sasl.password, ssl.key.pem,
// ssl.keystore.password, sasl.oauthbearer.client.secret, sasl.jaas.config, ...).
bool is_secret_property(const std::string& name);

// Resolves client config `name` in `namespace_`. Errors: not found (naming the configs that
// exist), a parent cycle (naming the chain), a malformed field (naming the key), a missing or
// unreadable Secret, an unsupported clientImplementation or authenticationExtra. Never puts a
// property value in an error.
Result<ClientProperties> resolve_client_config(SplitObjects& objects,
                                               const std::string& namespace_,
                                               const std::string& name);

} // namespace mirrord::agent
