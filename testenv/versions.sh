# Versions of the test environment's parts. Cache folders are keyed by these, so a bump rebuilds.
K8S_VERSION=${K8S_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
KAFKA_VERSION=${KAFKA_VERSION:-4.1.2}
TESTENV_CACHE=${TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mirrord-testenv}
