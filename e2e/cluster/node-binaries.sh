#!/usr/bin/env bash
# Provides the node and controller binaries of the cluster tier next to the ones that
# e2e/kube/kube-binaries.sh builds for kube-api-test, in the same cache:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/<version>-linux-amd64/
#     {etcd,kube-apiserver,kubectl}                               <- e2e/kube/kube-binaries.sh
#     {kubelet,kube-proxy,kube-controller-manager,kube-scheduler}  <- this script
# Same wrapper module (k8s.io/kubernetes + one replace line per staging module), same
# ldflags, same lock; idempotent. Cold: ~9 minutes more after kube-apiserver on 2 cores.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
KUBE_SCRIPT="$HERE/../kube/kube-binaries.sh"

KUBERNETES_VERSION="$(sed -n 's/^KUBERNETES_VERSION="\([0-9.]*\)".*/\1/p' "$KUBE_SCRIPT")"
ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
TARGET="$ROOT/k8s/${KUBERNETES_VERSION}-linux-amd64"
BUILD="$ROOT/build"
BINS=(kubelet kube-proxy kube-controller-manager kube-scheduler)

log() { echo "node-binaries: $*" >&2; }
have_all() { local b; for b in "${BINS[@]}"; do [[ -x "$TARGET/$b" ]] || return 1; done; }

# kube-apiserver, kubectl, etcd first (and the wrapper module with them)
nice -n 19 bash "$KUBE_SCRIPT"
if have_all; then log "present in $TARGET"; exit 0; fi

export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
exec 9>"$ROOT/.kube-binaries.lock"
flock 9
if have_all; then log "present in $TARGET (built by a concurrent run)"; exit 0; fi

dir="$BUILD/kubernetes-$KUBERNETES_VERSION" out="$BUILD/out-k8s-$KUBERNETES_VERSION"
[[ -f "$dir/go.mod" ]] || { log "no wrapper module in $dir (kube-binaries.sh writes it)"; exit 1; }
mkdir -p "$out"
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1"
ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION") -X $pkg.gitTreeState=clean"
start=$SECONDS
log "building ${BINS[*]} v$KUBERNETES_VERSION (cold: ~9 minutes after kube-apiserver)"
(cd "$dir" && nice -n 19 go build -trimpath -ldflags "$ldflags" -o "$out/" \
   $(printf 'k8s.io/kubernetes/cmd/%s ' "${BINS[@]}"))
for b in "${BINS[@]}"; do install -m 0755 "$out/$b" "$TARGET/$b"; done
have_all
log "built in $TARGET in $((SECONDS - start)) s"
