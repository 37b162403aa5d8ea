#!/usr/bin/env bash
# Deploys the sample app to the cluster in KUBECONFIG (the test cluster of scripts/testenv):
# creates the Python venv with confluent-kafka, the topic, and the two Deployments.
#   deploy.sh [--no-producer] [-n NAMESPACE]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NAMESPACE=default
PRODUCER=1
while [ $# -gt 0 ]; do
    case $1 in
        --no-producer) PRODUCER=0 ;;
        -n) NAMESPACE=$2; shift ;;
        *) echo "usage: deploy.sh [--no-producer] [-n NAMESPACE]" >&2; exit 2 ;;
    esac
    shift
done
PYTHON=$("$HERE/venv.sh")
BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:19092}

# librdkafka consumers do not auto-create topics: create it up front (idempotent).
"$PYTHON" - "$BOOTSTRAP" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
if "test-topic" not in admin.list_topics(timeout=10).topics:
    admin.create_topics([NewTopic("test-topic", num_partitions=1, replication_factor=1)])["test-topic"].result()
PY

manifest=$(sed -e "s#@APP_DIR@#$HERE#g" -e "s#@PYTHON@#$PYTHON#g" "$HERE/k8s/kafka-debug.yaml")
if [ $PRODUCER -eq 0 ]; then
    manifest=$(python3 -c 'import sys; print("---".join(d for d in sys.stdin.read().split("---") if "name: kafka-producer" not in d))' <<<"$manifest")
fi
kubectl -n "$NAMESPACE" apply -f - <<<"$manifest"
kubectl -n "$NAMESPACE" rollout status deployment/kafka-consumer --timeout=60s
echo "deploy: kafka-consumer is running in $NAMESPACE (logs: run/testenv/pods/)"
