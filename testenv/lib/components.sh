# How to start each component and how to tell it is ready. Sourced by scripts/testenv.
# Ports (all 127.0.0.1): etcd 2379/2380, apiserver 6443, controller-manager 10257, scheduler
# 10259, kwok 10247, Kafka 19092 (controller 19093, in-cluster listener 19094); kwok forwards pod
# ports to 127.0.0.1:18080, and default/kafka-0's port 9092 to 19094.

. "$TESTENV_DIR/versions.sh"
ETCD_BIN=$("$TESTENV_DIR/build.sh" dir etcd)
K8S_BIN=$("$TESTENV_DIR/build.sh" dir k8s)
KWOK_DIR=$("$TESTENV_DIR/build.sh" dir kwok)
KAFKA_DIR=$("$TESTENV_DIR/build.sh" dir kafka)
NODE_NAME=kwok-node-0

# Start order; `down` walks it backwards.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok kafka pod-runner)

# marker_of COMPONENT -> a string the component's command line must contain (see pid_of).
marker_of() {
    case $1 in
        etcd) echo "$ETCD_BIN/etcd" ;;
        kube-apiserver | kube-controller-manager | kube-scheduler) echo "$K8S_BIN/$1" ;;
        kwok) echo "$KWOK_DIR/kwok" ;;
        kafka) echo "kafka.Kafka" ;;
        pod-runner) echo "testenv/pod_runner.py" ;; # any checkout: worktrees share one testenv
        *) die "unknown component '$1' (known: ${COMPONENTS[*]})" ;;
    esac
}

# ports_of COMPONENT -> the TCP ports it listens on.
ports_of() {
    case $1 in
        etcd) echo 2379 2380 ;;
        kube-apiserver) echo 6443 ;;
        kube-controller-manager) echo 10257 ;;
        kube-scheduler) echo 10259 ;;
        kwok) echo 10247 ;;
        kafka) echo 19092 19093 19094 ;;
    esac
}

kubectl_admin() { "$K8S_BIN/kubectl" --kubeconfig "$RUN/kubeconfig" "$@"; }

# ---- etcd

start_etcd() {
    spawn etcd "$ETCD_BIN/etcd" --name testenv --data-dir "$DATA/etcd" \
        --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
        --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
        --initial-cluster testenv=http://127.0.0.1:2380 --unsafe-no-fsync \
        --auto-compaction-retention=1 --log-level warn
}
ready_etcd() { curl -sf http://127.0.0.1:2379/health | grep -q '"health":"true"'; }

# ---- Kubernetes control plane (flags and their reasons: testenv/README.md)

start_kube-apiserver() {
    spawn kube-apiserver "$K8S_BIN/kube-apiserver" \
        --etcd-servers=http://127.0.0.1:2379 \
        --bind-address=127.0.0.1 --secure-port=6443 \
        --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
        --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
        --client-ca-file="$PKI/ca.crt" \
        --service-account-issuer=https://kubernetes.default.svc.cluster.local \
        --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
        --token-auth-file="$PKI/tokens.csv" \
        --authorization-mode=RBAC \
        --service-cluster-ip-range=10.96.0.0/16 \
        --allow-privileged=true \
        --disable-admission-plugins=ServiceAccount \
        --kubelet-preferred-address-types=Hostname \
        --profiling=false --v=1
}
ready_kube-apiserver() { curl -sf --cacert "$PKI/ca.crt" "$APISERVER/readyz" | grep -q '^ok$'; }

start_kube-controller-manager() {
    spawn kube-controller-manager "$K8S_BIN/kube-controller-manager" \
        --kubeconfig="$RUN/kubeconfig" \
        --authentication-kubeconfig="$RUN/kubeconfig" --authorization-kubeconfig="$RUN/kubeconfig" \
        --bind-address=127.0.0.1 --secure-port=10257 --leader-elect=false \
        --controllers='*' --use-service-account-credentials=false \
        --root-ca-file="$PKI/ca.crt" --service-account-private-key-file="$PKI/sa.key" \
        --node-monitor-period=5s --node-monitor-grace-period=40s \
        --kube-api-qps=100 --kube-api-burst=200 --v=1
}
ready_kube-controller-manager() { curl -skf https://127.0.0.1:10257/healthz | grep -q '^ok$'; }

start_kube-scheduler() {
    spawn kube-scheduler "$K8S_BIN/kube-scheduler" \
        --kubeconfig="$RUN/kubeconfig" \
        --authentication-kubeconfig="$RUN/kubeconfig" --authorization-kubeconfig="$RUN/kubeconfig" \
        --bind-address=127.0.0.1 --secure-port=10259 --leader-elect=false --v=1
}
ready_kube-scheduler() { curl -skf https://127.0.0.1:10259/healthz | grep -q '^ok$'; }

# ---- kwok: fake kubelet for every node; its HTTPS server is the kubelet endpoint the apiserver
# dials (as "localhost", see --kubelet-preferred-address-types) for port-forward, exec and logs.

start_kwok() {
    local stages=$KWOK_DIR/stages
    spawn kwok "$KWOK_DIR/kwok" --kubeconfig="$RUN/kubeconfig" \
        --config="$stages/node-initialize.yaml" \
        --config="$stages/node-heartbeat-with-lease.yaml" \
        --config="$stages/pod-ready.yaml" \
        --config="$stages/pod-delete.yaml" \
        --config="$TESTENV_DIR/config/kwok-extra.yaml" \
        --manage-all-nodes=true \
        --node-name=localhost --node-ip=10.200.0.1 --cidr=10.244.0.0/16 \
        --node-port=10247 --server-address=127.0.0.1:10247 \
        --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
        --node-lease-duration-seconds=40
}
ready_kwok() { curl -skf https://127.0.0.1:10247/healthz >/dev/null; }

# ensure_cluster_objects: the fake node, the namespaces tests rely on, and the in-cluster Kafka
# objects (config/kafka-cluster.yaml; `apply`, so an `up` on an existing cluster changes nothing).
ensure_cluster_objects() {
    kubectl_admin get node "$NODE_NAME" >/dev/null 2>&1 ||
        kubectl_admin create -f "$TESTENV_DIR/config/node.yaml" >/dev/null ||
        die "could not create node $NODE_NAME"
    kubectl_admin get namespace mirrord >/dev/null 2>&1 ||
        kubectl_admin create namespace mirrord >/dev/null || die "could not create namespace mirrord"
    kubectl_admin apply -f "$TESTENV_DIR/config/kafka-cluster.yaml" >/dev/null ||
        die "could not apply $TESTENV_DIR/config/kafka-cluster.yaml"
}
ready_node() {
    [ "$(kubectl_admin get node "$NODE_NAME" \
        -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

# The in-cluster broker is usable once its pod is Ready and the bootstrap Service's EndpointSlice
# lists it ready on 9092 (what a tunnel reads to pick a pod). Only slices owned by the Service as
# it is now count: a slice of a deleted and re-created one lingers until garbage collection.
ready_kafka_pod() {
    [ "$(kubectl_admin -n default get pod kafka-0 \
        -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}
ready_kafka_endpoints() {
    local uid
    uid=$(kubectl_admin -n default get service kafka-bootstrap -o jsonpath='{.metadata.uid}') &&
        kubectl_admin -n default get endpointslices \
            -l kubernetes.io/service-name=kafka-bootstrap -o json | python3 -c '
import json, sys
sys.exit(not any(
    any(o.get("uid") == sys.argv[1] for o in s["metadata"].get("ownerReferences") or [])
    and any(p.get("port") == 9092 for p in s.get("ports") or [])
    and any((e.get("targetRef") or {}).get("name") == "kafka-0"
            and (e.get("conditions") or {}).get("ready") for e in s.get("endpoints") or [])
    for s in json.load(sys.stdin)["items"]))' "$uid"
}
# What the pod and the slice look like, for the error when the wait times out.
describe_kafka_objects() {
    kubectl_admin -n default get statefulset/kafka pod/kafka-0 -o wide 2>&1
    kubectl_admin -n default get endpointslices -l kubernetes.io/service-name=kafka-bootstrap \
        -o wide 2>&1
    return 0
}

# ---- Kafka: single combined broker+controller, static voter, storage formatted once.

start_kafka() {
    local dir=$DATA/kafka props=$RUN/kafka.properties
    mkdir -p "$dir"
    sed "s|@LOG_DIR@|$dir|" "$TESTENV_DIR/config/kafka.properties" >"$props"
    [ -f "$RUN/kafka.cluster-id" ] ||
        python3 -c 'import uuid,base64;print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))' \
            >"$RUN/kafka.cluster-id"
    if [ ! -f "$dir/meta.properties" ]; then
        say "formatting Kafka storage in $dir"
        # --cluster-id=: a random id may start with "-", which a separate argument would make
        # look like an option to the tool's argument parser (CI failed on "-TdjT...").
        kafka_java kafka.tools.StorageTool format --cluster-id="$(<"$RUN/kafka.cluster-id")" -c "$props" \
            >>"$LOGS/kafka.log" 2>&1 || fail_component kafka "formatting storage failed"
    fi
    spawn kafka java -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.net.preferIPv4Stack=true \
        -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$TESTENV_DIR/config/kafka-log4j2.properties" \
        -cp "$KAFKA_DIR/libs/*" kafka.Kafka "$props"
}
kafka_java() {
    java -Xmx256m -Dlog4j2.configurationFile="$TESTENV_DIR/config/kafka-log4j2.properties" \
        -cp "$KAFKA_DIR/libs/*" "$@"
}
ready_kafka() { kcat -L -b 127.0.0.1:19092 -m 3 2>/dev/null | grep -q '1 brokers:'; }

# ---- pod runner: runs annotated pods' commands locally (testenv/README.md).

start_pod-runner() {
    mkdir -p "$RUN/pods"
    rm -f "$RUN/pods/.ready"
    spawn pod-runner python3 -u "$TESTENV_DIR/pod_runner.py" --server "$APISERVER" \
        --ca "$PKI/ca.crt" --token-file "$PKI/admin.token" --pods-dir "$RUN/pods"
}
ready_pod-runner() { [ -f "$RUN/pods/.ready" ]; }

# Seconds a component gets between SIGTERM and SIGKILL. kube-apiserver stops listening at once on
# SIGTERM but then waits for long-running requests (watches) up to its 60 s shutdown timeout
# (kubernetes#131052); its state is in etcd, so we cut that short.
grace_of() {
    case $1 in
        kafka) echo 40 ;; # controlled shutdown flushes the log
        kube-apiserver) echo 3 ;;
        *) echo 10 ;;
    esac
}

# Seconds each component may take to become ready (cold JVM and apiserver start are the slow ones).
deadline_of() {
    case $1 in
        kube-apiserver | kafka) echo 120 ;;
        *) echo 45 ;;
    esac
}
