#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from the k8s.io/kubernetes
# Go module. `go install k8s.io/kubernetes/...@v` is refused (its go.mod has replace directives and
# requires the staging modules at v0.0.0), so a helper module requires it and replaces each staging
# module by its published v0.X.Y tag. The staging list changes each minor release: we derive it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../versions.sh"
OUT=${1:?usage: build.sh OUTDIR}
MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
STAGING="v0.${K8S_VERSION#v1.}"
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
work="$TESTENV_CACHE/src/k8s-$K8S_VERSION"; mkdir -p "$work" "$OUT"; cd "$work"

gomod=$(cd /tmp && GOFLAGS= go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
mods=$(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$gomod" | sort -u)
printf 'module testenv/k8sbins\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n' "$K8S_VERSION" > go.mod
for m in $mods; do go mod edit -replace="$m=$m@$STAGING"; done
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
echo "testenv: resolving k8s.io/kubernetes $K8S_VERSION modules"
go mod tidy
# Clients read /version and some check the minor: inject the true version.
V=k8s.io/component-base/version
LDF="-s -w -X $V.gitVersion=$K8S_VERSION -X $V.gitMajor=1 -X $V.gitMinor=$MINOR -X $V.gitTreeState=clean"
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    echo "testenv: building $cmd $K8S_VERSION"
    go build -trimpath -ldflags "$LDF" -o "$OUT/$cmd" "k8s.io/kubernetes/cmd/$cmd"
done
"$OUT/kube-apiserver" --version
