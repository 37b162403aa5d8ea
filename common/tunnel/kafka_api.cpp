#include "common/tunnel/kafka_api.hpp"

#include <array>

namespace mirrord::tunnel::kafka {

namespace {

// "flexibleVersions" of each API in apache/kafka clients/src/main/resources/common/message/
// *Request.json (requests and responses of an API share it), indexed by api key; -1 is "none".
// Checked against Kafka 4.1.2's ApiKeys by tests/data/kafka/header_versions.txt.
constexpr std::array<std::int16_t, 93> first_flexible = {
    9,  // 0 Produce
    12, // 1 Fetch
    6,  // 2 ListOffsets
    9,  // 3 Metadata
    4,  // 4 LeaderAndIsr
    2,  // 5 StopReplica
    6,  // 6 UpdateMetadata
    3,  // 7 ControlledShutdown
    8,  // 8 OffsetCommit
    6,  // 9 OffsetFetch
    3,  // 10 FindCoordinator
    6,  // 11 JoinGroup
    4,  // 12 Heartbeat
    4,  // 13 LeaveGroup
    4,  // 14 SyncGroup
    5,  // 15 DescribeGroups
    3,  // 16 ListGroups
    -1, // 17 SaslHandshake
    3,  // 18 ApiVersions
    5,  // 19 CreateTopics
    4,  // 20 DeleteTopics
    2,  // 21 DeleteRecords
    2,  // 22 InitProducerId
    4,  // 23 OffsetForLeaderEpoch
    3,  // 24 AddPartitionsToTxn
    3,  // 25 AddOffsetsToTxn
    3,  // 26 EndTxn
    1,  // 27 WriteTxnMarkers
    3,  // 28 TxnOffsetCommit
    2,  // 29 DescribeAcls
    2,  // 30 CreateAcls
    2,  // 31 DeleteAcls
    4,  // 32 DescribeConfigs
    2,  // 33 AlterConfigs
    2,  // 34 AlterReplicaLogDirs
    2,  // 35 DescribeLogDirs
    2,  // 36 SaslAuthenticate
    2,  // 37 CreatePartitions
    2,  // 38 CreateDelegationToken
    2,  // 39 RenewDelegationToken
    2,  // 40 ExpireDelegationToken
    2,  // 41 DescribeDelegationToken
    2,  // 42 DeleteGroups
    2,  // 43 ElectLeaders
    1,  // 44 IncrementalAlterConfigs
    0,  // 45 AlterPartitionReassignments
    0,  // 46 ListPartitionReassignments
    -1, // 47 OffsetDelete
    1,  // 48 DescribeClientQuotas
    1,  // 49 AlterClientQuotas
    0,  // 50 DescribeUserScramCredentials
    0,  // 51 AlterUserScramCredentials
    0,  // 52 Vote
    1,  // 53 BeginQuorumEpoch
    1,  // 54 EndQuorumEpoch
    0,  // 55 DescribeQuorum
    0,  // 56 AlterPartition
    0,  // 57 UpdateFeatures
    0,  // 58 Envelope
    0,  // 59 FetchSnapshot
    0,  // 60 DescribeCluster
    0,  // 61 DescribeProducers
    0,  // 62 BrokerRegistration
    0,  // 63 BrokerHeartbeat
    0,  // 64 UnregisterBroker
    0,  // 65 DescribeTransactions
    0,  // 66 ListTransactions
    0,  // 67 AllocateProducerIds
    0,  // 68 ConsumerGroupHeartbeat
    0,  // 69 ConsumerGroupDescribe
    0,  // 70 ControllerRegistration
    0,  // 71 GetTelemetrySubscriptions
    0,  // 72 PushTelemetry
    0,  // 73 AssignReplicasToDirs
    0,  // 74 ListConfigResources
    0,  // 75 DescribeTopicPartitions
    0,  // 76 ShareGroupHeartbeat
    0,  // 77 ShareGroupDescribe
    0,  // 78 ShareFetch
    0,  // 79 ShareAcknowledge
    0,  // 80 AddRaftVoter
    0,  // 81 RemoveRaftVoter
    0,  // 82 UpdateRaftVoter
    0,  // 83 InitializeShareGroupState
    0,  // 84 ReadShareGroupState
    0,  // 85 WriteShareGroupState
    0,  // 86 DeleteShareGroupState
    0,  // 87 ReadShareGroupStateSummary
    0,  // 88 StreamsGroupHeartbeat
    0,  // 89 StreamsGroupDescribe
    0,  // 90 DescribeShareGroupOffsets
    0,  // 91 AlterShareGroupOffsets
    0,  // 92 DeleteShareGroupOffsets
};

} // namespace

std::int16_t first_flexible_version(std::int16_t api_key) {
    if (api_key < 0)
        return -1; // not an API: treat as never flexible, the frame will fail elsewhere
    if (static_cast<std::size_t>(api_key) >= first_flexible.size())
        return 0;
    return first_flexible[static_cast<std::size_t>(api_key)];
}

bool is_flexible(std::int16_t api_key, std::int16_t api_version) {
    const auto first = first_flexible_version(api_key);
    return first >= 0 && api_version >= first;
}

int request_header_version(std::int16_t api_key, std::int16_t api_version) {
    if (is_flexible(api_key, api_version))
        return 2;
    // ControlledShutdown v0 predates the client id (ControlledShutdownRequest.json).
    if (api_key == api::controlled_shutdown && api_version == 0)
        return 0;
    return 1;
}

int response_header_version(std::int16_t api_key, std::int16_t api_version) {
    if (api_key == api::api_versions)
        return 0;
    return is_flexible(api_key, api_version) ? 1 : 0;
}

} // namespace mirrord::tunnel::kafka
