#!/usr/bin/env bash
# Deploys the sample app to the cluster in KUBECONFIG (the test cluster of scripts/testenv):
# creates the Python venv with confluent-kafka, the topic, and the two Deployments, and for
# approach 2 (queue splitting) mirrord's CRDs and the guide's two CRs: the client config
# base-config (in CONFIG_NAMESPACE) and the topics consumer kafka-consumer-topics (in NAMESPACE).
#   deploy.sh [--no-producer] [-n NAMESPACE] [--topic TOPIC] [--group GROUP] [--replicas N]
#             [--config-namespace CONFIG_NAMESPACE] [--in-cluster]
# Defaults: namespace default, topic test-topic, group test-consumer-group, 1 consumer replica,
# config namespace mirrord. --in-cluster configures the pods and the client config with the
# broker's in-cluster address (kafka-bootstrap.default.svc:9092, testenv/README.md), which a
# laptop can neither resolve nor reach, as in a real cluster; mirrord exec tunnels it.
# Tests give each run its own namespace, topic and group so that runs cannot disturb each other.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
NAMESPACE=default
TOPIC=test-topic
GROUP=test-consumer-group
REPLICAS=1
PRODUCER=1
CONFIG_NAMESPACE=mirrord
IN_CLUSTER=0
usage() {
    echo "usage: deploy.sh [--no-producer] [-n NAMESPACE] [--topic TOPIC] [--group GROUP] [--replicas N] [--config-namespace NS] [--in-cluster]" >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
        --no-producer) PRODUCER=0 ;;
        -n) [ $# -ge 2 ] || usage; NAMESPACE=$2; shift ;;
        --topic) [ $# -ge 2 ] || usage; TOPIC=$2; shift ;;
        --group) [ $# -ge 2 ] || usage; GROUP=$2; shift ;;
        --replicas) [ $# -ge 2 ] || usage; REPLICAS=$2; shift ;;
        --config-namespace) [ $# -ge 2 ] || usage; CONFIG_NAMESPACE=$2; shift ;;
        --in-cluster) IN_CLUSTER=1 ;;
        *) usage ;;
    esac
    shift
done
case $REPLICAS in ''|*[!0-9]*) echo "deploy.sh: --replicas needs a number" >&2; exit 2 ;; esac
PYTHON=$("$HERE/venv.sh")
LOCAL_BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}
CLUSTER_BOOTSTRAP=${KAFKA_CLUSTER_BOOTSTRAP:-kafka-bootstrap.default.svc:9092}
BOOTSTRAP=$LOCAL_BOOTSTRAP # what this script and the pods are configured with
if [ $IN_CLUSTER -eq 1 ]; then BOOTSTRAP=$CLUSTER_BOOTSTRAP; fi

# librdkafka consumers do not auto-create topics: create it up front (idempotent).
"$PYTHON" - "$LOCAL_BOOTSTRAP" "$TOPIC" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
topic = sys.argv[2]
if topic not in admin.list_topics(timeout=10).topics:
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result()
PY

manifest=$(sed -e "s#@APP_DIR@#$HERE#g" -e "s#@PYTHON@#$PYTHON#g" -e "s#@TOPIC@#$TOPIC#g" \
               -e "s#@GROUP@#$GROUP#g" -e "s#@REPLICAS@#$REPLICAS#g" \
               -e "s#@BOOTSTRAP@#$BOOTSTRAP#g" -e "s#@LOCAL_BOOTSTRAP@#$LOCAL_BOOTSTRAP#g" \
               "$HERE/k8s/kafka-debug.yaml")
if [ $PRODUCER -eq 0 ]; then
    manifest=$(python3 -c 'import sys; print("---".join(d for d in sys.stdin.read().split("---") if "name: kafka-producer" not in d))' <<<"$manifest")
fi
kubectl get namespace "$NAMESPACE" >/dev/null 2>&1 || kubectl create namespace "$NAMESPACE"
kubectl -n "$NAMESPACE" apply -f - <<<"$manifest"
# Approach 2: mirrord's CRDs (cluster-scoped, applying them again changes nothing), then the
# guide's client config and topics consumer.
kubectl apply -f "$HERE/../../configs/crds/" >/dev/null
kubectl wait --for condition=established --timeout=30s \
    crd/mirrordkafkaclientconfigs.queues.mirrord.metalbear.co \
    crd/mirrordkafkatopicsconsumers.queues.mirrord.metalbear.co >/dev/null
# The config namespace and client config are shared by every deployment of the sample: parallel
# runs may race to create them, and the loser's create (or apply) answers AlreadyExists.
kubectl create namespace "$CONFIG_NAMESPACE" 2>/dev/null || kubectl get namespace "$CONFIG_NAMESPACE" >/dev/null
client_config=$(sed -e "s#@BOOTSTRAP@#$BOOTSTRAP#g" \
                    -e "s#^  namespace: mirrord\$#  namespace: $CONFIG_NAMESPACE#" \
                    "$HERE/k8s/kafka-client-config.yaml")
kubectl apply -f - <<<"$client_config" 2>/dev/null || kubectl apply -f - <<<"$client_config"
kubectl -n "$NAMESPACE" apply -f "$HERE/k8s/kafka-topics-consumer.yaml"
kubectl -n "$NAMESPACE" rollout status deployment/kafka-consumer --timeout=60s
echo "deploy: kafka-consumer ($REPLICAS replicas, topic $TOPIC, group $GROUP) is running in $NAMESPACE (logs: run/testenv/pods/${NAMESPACE}_kafka-consumer-*.log)"
