#!/usr/bin/env bash
# Builds etcd from go.etcd.io/etcd/server/v3 (Debian's 3.4.23 is too old for kube-apiserver >= 1.35).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../versions.sh"
OUT=${1:?usage: build.sh OUTDIR}
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
work="$TESTENV_CACHE/src/etcd-$ETCD_VERSION"; mkdir -p "$work" "$OUT"
sed "s/@ETCD_VERSION@/$ETCD_VERSION/" "$HERE/go.mod.in" > "$work/go.mod"
cp "$HERE/main.go" "$work/main.go"
cd "$work"
echo "testenv: building etcd $ETCD_VERSION"
go mod tidy
go build -trimpath -ldflags "-s -w" -o "$OUT/etcd" .
"$OUT/etcd" --version | head -1
