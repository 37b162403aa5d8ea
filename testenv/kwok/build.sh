#!/usr/bin/env bash
# Builds kwok (fake kubelets) and copies its stage files (they ship in the module, not the binary).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../versions.sh"
OUT=${1:?usage: build.sh OUTDIR}
export GOTOOLCHAIN=local GOFLAGS="-buildvcs=false" CGO_ENABLED=0
mkdir -p "$OUT"
echo "testenv: building kwok $KWOK_VERSION"
(cd /tmp && GOBIN="$OUT" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")
dir=$(cd /tmp && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
rm -rf "$OUT/stages"; mkdir -p "$OUT/stages"
cp "$dir/kustomize/stage/node/fast/node-initialize.yaml" \
   "$dir/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
   "$dir/kustomize/stage/pod/fast/pod-ready.yaml" \
   "$dir/kustomize/stage/pod/fast/pod-delete.yaml" "$OUT/stages/"
chmod -R u+w "$OUT/stages"
