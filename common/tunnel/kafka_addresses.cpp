#include "common/tunnel/kafka_addresses.hpp"

#include "common/tunnel/kafka_api.hpp"
#include "common/tunnel/kafka_codec.hpp"

namespace mirrord::tunnel::kafka {

namespace {

// Reads node id, host and port at the reader's position (the layout shared by all of them).
Result<BrokerAddress> read_address(Reader& reader, bool flexible) {
    BrokerAddress address;
    MIRRORD_TRY_ASSIGN(address.node_id, reader.int32());
    address.offset = reader.offset();
    MIRRORD_TRY_ASSIGN(address.host, reader.string(flexible));
    MIRRORD_TRY_ASSIGN(address.port, reader.int32());
    address.size = reader.offset() - address.offset;
    return address;
}

// MetadataResponse.json: ThrottleTimeMs (v3+), then Brokers[] of NodeId, Host, Port, Rack (v1+).
Result<std::vector<BrokerAddress>> metadata(Reader& reader, std::int16_t version) {
    const bool flexible = is_flexible(api::metadata, version);
    if (version >= 3)
        MIRRORD_TRY(reader.int32());
    MIRRORD_TRY_ASSIGN(auto count, reader.array_length(flexible));
    std::vector<BrokerAddress> brokers;
    brokers.reserve(static_cast<std::size_t>(std::max(count, 0)));
    for (std::int32_t i = 0; i < count; ++i) {
        MIRRORD_TRY_ASSIGN(auto broker, read_address(reader, flexible));
        if (version >= 1) {
            MIRRORD_TRY_ASSIGN(broker.rack, reader.nullable_string(flexible));
        }
        if (flexible)
            MIRRORD_TRY(reader.skip_tagged_fields());
        brokers.push_back(broker);
    }
    return brokers;
}

// FindCoordinatorResponse.json: v0-v3 one coordinator after ThrottleTimeMs (v1+), ErrorCode and
// ErrorMessage (v1+); v4+ (KIP-699, batched) Coordinators[] of Key, NodeId, Host, Port,
// ErrorCode, ErrorMessage.
Result<std::vector<BrokerAddress>> find_coordinator(Reader& reader, std::int16_t version) {
    const bool flexible = is_flexible(api::find_coordinator, version);
    if (version >= 1)
        MIRRORD_TRY(reader.int32());
    std::vector<BrokerAddress> coordinators;
    if (version <= 3) {
        MIRRORD_TRY(reader.int16());
        if (version >= 1)
            MIRRORD_TRY(reader.nullable_string(flexible));
        MIRRORD_TRY_ASSIGN(auto coordinator, read_address(reader, flexible));
        coordinators.push_back(coordinator);
        return coordinators;
    }
    MIRRORD_TRY_ASSIGN(auto count, reader.array_length(flexible));
    coordinators.reserve(static_cast<std::size_t>(std::max(count, 0)));
    for (std::int32_t i = 0; i < count; ++i) {
        MIRRORD_TRY(reader.string(flexible));
        MIRRORD_TRY_ASSIGN(auto coordinator, read_address(reader, flexible));
        MIRRORD_TRY(reader.int16());
        MIRRORD_TRY(reader.nullable_string(flexible));
        MIRRORD_TRY(reader.skip_tagged_fields());
        coordinators.push_back(coordinator);
    }
    return coordinators;
}

// DescribeClusterResponse.json (flexible in all versions): ThrottleTimeMs, ErrorCode,
// ErrorMessage, EndpointType (v1+), ClusterId, ControllerId, then Brokers[] of BrokerId, Host,
// Port, Rack, IsFenced (v2+, KIP-1073).
Result<std::vector<BrokerAddress>> describe_cluster(Reader& reader, std::int16_t version) {
    MIRRORD_TRY(reader.int32());
    MIRRORD_TRY(reader.int16());
    MIRRORD_TRY(reader.compact_nullable_string());
    if (version >= 1)
        MIRRORD_TRY(reader.int8());
    MIRRORD_TRY(reader.compact_string());
    MIRRORD_TRY(reader.int32());
    MIRRORD_TRY_ASSIGN(auto count, reader.compact_array_length());
    std::vector<BrokerAddress> brokers;
    brokers.reserve(static_cast<std::size_t>(std::max(count, 0)));
    for (std::int32_t i = 0; i < count; ++i) {
        MIRRORD_TRY_ASSIGN(auto broker, read_address(reader, true));
        MIRRORD_TRY_ASSIGN(broker.rack, reader.compact_nullable_string());
        if (version >= 2)
            MIRRORD_TRY(reader.boolean());
        MIRRORD_TRY(reader.skip_tagged_fields());
        brokers.push_back(broker);
    }
    return brokers;
}

} // namespace

bool carries_broker_addresses(std::int16_t api_key) {
    return api_key == api::metadata || api_key == api::find_coordinator ||
           api_key == api::describe_cluster;
}

Result<std::vector<BrokerAddress>> find_broker_addresses(std::int16_t api_key,
                                                         std::int16_t api_version,
                                                         std::string_view body) {
    Reader reader(body);
    Result<std::vector<BrokerAddress>> found = Error("no broker addresses in this API");
    const char* name = "";
    std::int16_t max_version = -1;
    switch (api_key) {
    case api::metadata:
        name = "Metadata";
        max_version = max_metadata_version;
        break;
    case api::find_coordinator:
        name = "FindCoordinator";
        max_version = max_find_coordinator_version;
        break;
    case api::describe_cluster:
        name = "DescribeCluster";
        max_version = max_describe_cluster_version;
        break;
    default:
        return fail("api key {} carries no broker addresses", api_key);
    }
    if (api_version < 0 || api_version > max_version)
        return fail("{} response v{}: unsupported version (this proxy knows v0-v{})", name,
                    api_version, max_version);
    if (api_key == api::metadata)
        found = metadata(reader, api_version);
    else if (api_key == api::find_coordinator)
        found = find_coordinator(reader, api_version);
    else
        found = describe_cluster(reader, api_version);
    if (!found)
        return std::move(found).error().wrap(fmt::format("{} response v{}", name, api_version));
    return found;
}

} // namespace mirrord::tunnel::kafka
