#pragma once
// librdkafka configuration from key/value properties, and client handles built from it.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/result.hpp"
#include "common/kafka/error.hpp"
#include "common/kafka/handles.hpp"

namespace mirrord::kafka {

// Client properties in librdkafka's names ("bootstrap.servers", "group.id", ...), applied in order.
using Properties = std::vector<std::pair<std::string, std::string>>;

// True for properties whose values are secrets (sasl.password, ssl.key.pem, ...).
bool is_sensitive(std::string_view name);

// Builds a conf from properties, with librdkafka's log and error callbacks routed to our log
// (common/core/log.hpp). The error names the property; values of sensitive properties are never
// included in it, and are registered with log::add_secret so no log line can show them either.
Result<ConfPtr> make_conf(const Properties& properties);

// Creates a client of `type` from `conf`; on success the client owns the conf and `conf` is
// released. `what` names the client in the error ("creating kafka consumer: ...").
KafkaResult<rd_kafka_t*> new_client(rd_kafka_type_t type, ConfPtr& conf, std::string_view what);

} // namespace mirrord::kafka
