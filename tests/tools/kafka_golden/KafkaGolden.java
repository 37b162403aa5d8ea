// Writes reference Kafka response frames encoded by Apache Kafka's own generated message classes,
// so the C++ codec is checked against an encoder it shares no code with. For every version of
// Metadata, FindCoordinator, DescribeCluster and ApiVersions it prints the response as a broker
// sends it and the same response as the tunnel proxy must rewrite it (addresses mapped to
// 127.0.0.1:40000+node id, ApiVersions capped as in common/tunnel/kafka_api_versions.cpp).
// Also prints the header versions of every API for common/tunnel/kafka_api.cpp's table.
//
// Run with tests/tools/kafka-golden (needs the Kafka jars of scripts/testenv).
import java.nio.ByteBuffer;
import java.util.*;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.*;
import org.apache.kafka.common.protocol.types.RawTaggedField;

public class KafkaGolden {
    static final String HOST0 = "kafka-0.kafka-headless.default.svc.cluster.local";
    static final String HOST1 = "kafka-1.kafka-headless.default.svc.cluster.local";

    static String hex(ByteBuffer b) {
        StringBuilder s = new StringBuilder();
        while (b.hasRemaining()) s.append(String.format("%02x", b.get() & 0xff));
        return s.toString();
    }

    static String frame(ApiKeys api, short version, Message body) {
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(1000 + version);
        ByteBuffer h = MessageUtil.toByteBufferAccessor(header, api.responseHeaderVersion(version)).buffer();
        ByteBuffer b = MessageUtil.toByteBufferAccessor(body, version).buffer();
        ByteBuffer out = ByteBuffer.allocate(4 + h.remaining() + b.remaining());
        out.putInt(h.remaining() + b.remaining()).put(h).put(b).flip();
        return hex(out);
    }

    static void print(ApiKeys api, short v, String kind, Message m) {
        System.out.println(api.name + " " + v + " " + kind + " " + frame(api, v, m));
    }

    static String host(boolean rewrite, String h) { return rewrite ? "127.0.0.1" : h; }
    static int port(boolean rewrite, int node, int p) { return rewrite ? 40000 + node : p; }

    static RawTaggedField unknownTag() { return new RawTaggedField(7, new byte[] {1, 2, 3}); }

    static MetadataResponseData metadata(short v, boolean rw) {
        MetadataResponseData.MetadataResponseBrokerCollection brokers =
            new MetadataResponseData.MetadataResponseBrokerCollection();
        MetadataResponseData.MetadataResponseBroker b0 = new MetadataResponseData.MetadataResponseBroker()
            .setNodeId(0).setHost(host(rw, HOST0)).setPort(port(rw, 0, 9092)).setRack("rack-a");
        if (v >= 9) b0.unknownTaggedFields().add(unknownTag());
        brokers.add(b0);
        brokers.add(new MetadataResponseData.MetadataResponseBroker()
            .setNodeId(1).setHost(host(rw, HOST1)).setPort(port(rw, 1, 19092)).setRack(null));
        MetadataResponseData.MetadataResponseTopicCollection topics =
            new MetadataResponseData.MetadataResponseTopicCollection();
        MetadataResponseData.MetadataResponseTopic t = new MetadataResponseData.MetadataResponseTopic()
            .setErrorCode((short) 0).setName("orders").setTopicId(new Uuid(0x0102030405060708L, 0x1112131415161718L))
            .setIsInternal(false);
        t.setPartitions(List.of(new MetadataResponseData.MetadataResponsePartition()
            .setErrorCode((short) 0).setPartitionIndex(0).setLeaderId(1).setLeaderEpoch(7)
            .setReplicaNodes(List.of(1, 0)).setIsrNodes(List.of(1)).setOfflineReplicas(List.of(0))));
        if (v >= 8) t.setTopicAuthorizedOperations(0x0ff8);
        topics.add(t);
        MetadataResponseData m = new MetadataResponseData().setThrottleTimeMs(5).setBrokers(brokers)
            .setClusterId("ABCDEFGHIJKLMNOPQRSTUV").setControllerId(1).setTopics(topics);
        if (v >= 8 && v <= 10) m.setClusterAuthorizedOperations(0x0ff0);
        if (v >= 9) m.unknownTaggedFields().add(unknownTag());
        return m;
    }

    static FindCoordinatorResponseData findCoordinator(short v, boolean rw) {
        FindCoordinatorResponseData m = new FindCoordinatorResponseData().setThrottleTimeMs(3);
        if (v <= 3)
            return m.setErrorCode((short) 0).setErrorMessage(null).setNodeId(1)
                .setHost(host(rw, HOST1)).setPort(port(rw, 1, 19092));
        return m.setCoordinators(List.of(
            new FindCoordinatorResponseData.Coordinator().setKey("group-a").setNodeId(0)
                .setHost(host(rw, HOST0)).setPort(port(rw, 0, 9092)).setErrorCode((short) 0),
            new FindCoordinatorResponseData.Coordinator().setKey("txn-b").setNodeId(-1)
                .setHost("").setPort(-1).setErrorCode((short) 15).setErrorMessage("not available"),
            new FindCoordinatorResponseData.Coordinator().setKey("group-c").setNodeId(1)
                .setHost(host(rw, HOST1)).setPort(port(rw, 1, 19092)).setErrorCode((short) 0)));
    }

    static DescribeClusterResponseData describeCluster(short v, boolean rw) {
        DescribeClusterResponseData.DescribeClusterBrokerCollection brokers =
            new DescribeClusterResponseData.DescribeClusterBrokerCollection();
        DescribeClusterResponseData.DescribeClusterBroker b1 = new DescribeClusterResponseData.DescribeClusterBroker()
            .setBrokerId(1).setHost(host(rw, HOST1)).setPort(port(rw, 1, 19092)).setRack("rack-b");
        if (v >= 2) b1.setIsFenced(true);
        b1.unknownTaggedFields().add(unknownTag());
        brokers.add(new DescribeClusterResponseData.DescribeClusterBroker()
            .setBrokerId(0).setHost(host(rw, HOST0)).setPort(port(rw, 0, 9092)).setRack(null));
        brokers.add(b1);
        return new DescribeClusterResponseData().setThrottleTimeMs(0).setErrorCode((short) 0)
            .setErrorMessage(null).setClusterId("ABCDEFGHIJKLMNOPQRSTUV").setControllerId(0)
            .setBrokers(brokers).setClusterAuthorizedOperations(-2147483648);
    }

    static ApiVersionsResponseData apiVersions(short v, boolean capped) {
        ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        for (ApiKeys k : ApiKeys.values()) {
            if (k.latestVersion(false) < k.oldestVersion()) continue;
            short max = k.latestVersion(false);
            if (capped) {
                Map<ApiKeys, Integer> caps = Map.of(ApiKeys.PRODUCE, 9, ApiKeys.FETCH, 15,
                    ApiKeys.METADATA, 13, ApiKeys.FIND_COORDINATOR, 6, ApiKeys.DESCRIBE_CLUSTER, 2,
                    ApiKeys.SHARE_FETCH, -1, ApiKeys.SHARE_ACKNOWLEDGE, -1);
                if (caps.containsKey(k)) {
                    int cap = caps.get(k);
                    if (cap < k.oldestVersion()) continue;
                    max = (short) Math.min(max, cap);
                }
            }
            keys.add(new ApiVersionsResponseData.ApiVersion().setApiKey(k.id)
                .setMinVersion(k.oldestVersion()).setMaxVersion(max));
        }
        ApiVersionsResponseData m = new ApiVersionsResponseData().setErrorCode((short) 0)
            .setApiKeys(keys).setThrottleTimeMs(0);
        if (v >= 3) {
            ApiVersionsResponseData.SupportedFeatureKeyCollection features =
                new ApiVersionsResponseData.SupportedFeatureKeyCollection();
            features.add(new ApiVersionsResponseData.SupportedFeatureKey().setName("metadata.version")
                .setMinVersion((short) 7).setMaxVersion((short) 27));
            ApiVersionsResponseData.FinalizedFeatureKeyCollection finalized =
                new ApiVersionsResponseData.FinalizedFeatureKeyCollection();
            finalized.add(new ApiVersionsResponseData.FinalizedFeatureKey().setName("metadata.version")
                .setMinVersionLevel((short) 27).setMaxVersionLevel((short) 27));
            m.setSupportedFeatures(features).setFinalizedFeaturesEpoch(42).setFinalizedFeatures(finalized);
        }
        return m;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("header-versions")) {
            for (ApiKeys k : ApiKeys.values())
                for (short v = k.oldestVersion(); v <= k.latestVersion(false); v++)
                    System.out.println(k.id + " " + v + " " + k.requestHeaderVersion(v) + " "
                                       + k.responseHeaderVersion(v));
            return;
        }
        for (short v = 0; v <= 13; v++) {
            print(ApiKeys.METADATA, v, "original", metadata(v, false));
            print(ApiKeys.METADATA, v, "rewritten", metadata(v, true));
        }
        for (short v = 0; v <= 6; v++) {
            print(ApiKeys.FIND_COORDINATOR, v, "original", findCoordinator(v, false));
            print(ApiKeys.FIND_COORDINATOR, v, "rewritten", findCoordinator(v, true));
        }
        for (short v = 0; v <= 2; v++) {
            print(ApiKeys.DESCRIBE_CLUSTER, v, "original", describeCluster(v, false));
            print(ApiKeys.DESCRIBE_CLUSTER, v, "rewritten", describeCluster(v, true));
        }
        for (short v = 0; v <= 4; v++) {
            print(ApiKeys.API_VERSIONS, v, "original", apiVersions(v, false));
            print(ApiKeys.API_VERSIONS, v, "rewritten", apiVersions(v, true));
        }
    }
}
