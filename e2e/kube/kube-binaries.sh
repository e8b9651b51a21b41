#!/usr/bin/env bash
# Provides kube-apiserver, etcd and kubectl for Fabric8 kube-api-test, in the layout it
# looks for: <dir>/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}, with
# <dir> = ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}.
#
# Idempotent: if the three binaries exist it returns at once. Otherwise it builds them
# from Go modules through the module proxy (no prebuilt downloads), in wrapper modules
# under <dir>/build/. See e2e/kube/README.md for the versions and the build times.
set -euo pipefail

KUBERNETES_VERSION="1.34.4"   # kube-apiserver and kubectl (k8s.io/kubernetes)
ETCD_VERSION="3.5.35"         # etcd (go.etcd.io/etcd/server/v3); Kubernetes >= 1.31 needs >= 3.5.11

ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
TARGET="$ROOT/k8s/${KUBERNETES_VERSION}-linux-amd64"
BUILD="$ROOT/build"

log() { echo "kube-binaries: $*" >&2; }

have_all() {
  [[ -x "$TARGET/kube-apiserver" && -x "$TARGET/kubectl" && -x "$TARGET/etcd" ]]
}

if have_all; then
  log "present in $TARGET"
  exit 0
fi

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  log "only linux-amd64 is built here; kube-api-test downloads binaries elsewhere (online)"
  exit 0
fi

if ! command -v go >/dev/null; then
  log "no Go toolchain: kube-api-test will try to download binaries (needs the internet)"
  exit 0
fi

. "$(dirname "$0")/../go-at-least.sh"
go_at_least 1.26.0 "etcd v$ETCD_VERSION"

export GOFLAGS=-mod=mod
export CGO_ENABLED=0
export GOTOOLCHAIN=local

# The staging modules (k8s.io/api, k8s.io/apimachinery, ...) are required at v0.0.0 by
# k8s.io/kubernetes and replaced by ./staging/... there; a dependency's replace lines do
# not apply to us, so point each one at its published v0.N.x release.
write_kubernetes_module() {
  local dir="$1" minor patch gomod
  minor="$(cut -d. -f2 <<<"$KUBERNETES_VERSION")"
  patch="$(cut -d. -f3 <<<"$KUBERNETES_VERSION")"
  gomod="$(go mod download -json "k8s.io/kubernetes@v${KUBERNETES_VERSION}" \
    | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || { log "cannot download k8s.io/kubernetes v$KUBERNETES_VERSION"; return 1; }
  {
    echo "module fledge.dev/kube-binaries/kubernetes"
    echo
    grep -m1 '^go ' "$gomod"
    echo
    echo "require k8s.io/kubernetes v${KUBERNETES_VERSION}"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod" \
      | sort -u | while read -r m; do echo "  $m => $m v0.${minor}.${patch}"; done
    echo ")"
  } >"$dir/go.mod"
}

write_etcd_module() {
  local dir="$1"
  cat >"$dir/go.mod" <<MOD
module fledge.dev/kube-binaries/etcd

go 1.23

require go.etcd.io/etcd/server/v3 v${ETCD_VERSION}
MOD
}

build_kubernetes() {
  local dir="$BUILD/kubernetes-$KUBERNETES_VERSION" out="$BUILD/out-k8s-$KUBERNETES_VERSION"
  mkdir -p "$dir" "$out"
  write_kubernetes_module "$dir"
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1"
  ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION") -X $pkg.gitTreeState=clean"
  log "building kube-apiserver and kubectl v$KUBERNETES_VERSION (cold: many minutes)"
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out/" \
     k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
  install -m 0755 "$out/kube-apiserver" "$out/kubectl" "$TARGET/"
}

build_etcd() {
  local dir="$BUILD/etcd-$ETCD_VERSION" out="$BUILD/out-etcd-$ETCD_VERSION"
  mkdir -p "$dir" "$out"
  write_etcd_module "$dir"
  log "building etcd v$ETCD_VERSION"
  (cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3)
  install -m 0755 "$out/etcd" "$TARGET/etcd"
}

# One build at a time on a shared machine; a second caller waits, then finds the binaries.
mkdir -p "$TARGET"
exec 9>"$ROOT/.kube-binaries.lock"
flock 9
if have_all; then
  log "present in $TARGET (built by a concurrent run)"
  exit 0
fi

start=$SECONDS
[[ -x "$TARGET/etcd" ]] || build_etcd
[[ -x "$TARGET/kube-apiserver" && -x "$TARGET/kubectl" ]] || build_kubernetes
have_all
log "built in $TARGET in $((SECONDS - start)) s"
