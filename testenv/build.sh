#!/usr/bin/env bash
# Builds (once per version) every part of the test environment into the cache outside the repo:
#   $TESTENV_CACHE/<part>-<version>/   with a .done stamp when complete.
# A second run with the same versions does nothing. Parts build one after another to bound memory.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/versions.sh"

part_dir() { # part -> cache folder
    case $1 in
        etcd) echo "$TESTENV_CACHE/etcd-$ETCD_VERSION" ;;
        k8s) echo "$TESTENV_CACHE/k8s-$K8S_VERSION" ;;
        kwok) echo "$TESTENV_CACHE/kwok-$KWOK_VERSION" ;;
        kafka) echo "$TESTENV_CACHE/kafka-$KAFKA_VERSION" ;;
    esac
}

build_part() {
    local part=$1 dir; dir=$(part_dir "$part")
    if [ -f "$dir/.done" ]; then return 0; fi
    local start=$SECONDS
    echo "testenv: building $part into $dir (first time only; k8s takes about 6 min on 2 cores)"
    rm -rf "$dir.tmp"
    "$HERE/$part/build.sh" "$dir.tmp"
    rm -rf "$dir"; mv "$dir.tmp" "$dir"; touch "$dir/.done"
    echo "testenv: $part built in $((SECONDS - start)) s"
}

if [ "${1:-}" = dir ]; then part_dir "$2"; exit 0; fi
# One build at a time per cache: a second `up` during a cold build waits instead of racing it.
mkdir -p "$TESTENV_CACHE"
exec 9>"$TESTENV_CACHE/.build.lock"
if ! flock -n 9; then
    echo "testenv: another build is running (lock $TESTENV_CACHE/.build.lock); waiting"
    flock 9
fi
for part in ${@:-kafka etcd kwok k8s}; do build_part "$part"; done
