#pragma once
// librdkafka configuration from key/value properties.

#include <string>
#include <utility>
#include <vector>

#include "common/core/result.hpp"
#include "common/kafka/handles.hpp"

namespace mirrord::kafka {

// Client properties in librdkafka's names ("bootstrap.servers", "group.id", ...), applied in order.
using Properties = std::vector<std::pair<std::string, std::string>>;

// Builds a conf from properties. The error names the property; values of properties whose
// name mentions a password, secret or key are never included in it.
Result<ConfPtr> make_conf(const Properties& properties);

} // namespace mirrord::kafka
