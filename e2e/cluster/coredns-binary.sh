#!/usr/bin/env bash
# Builds CoreDNS (the cluster tier's DNS: Service names such as judge.ns.svc resolve in pods) from its Go
# module and caches it:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/coredns/<version>/coredns
# Idempotent: returns at once if the binary exists. No prebuilt download, no image: the module's source is
# copied from the Go module cache and built with the plugins the cluster's Corefile uses (core/plugin/zplugin.go
# rewritten, as CoreDNS' plugin.cfg + `go generate` would), so the cloud providers' SDKs are never fetched.
set -euo pipefail

COREDNS_VERSION="${COREDNS_VERSION:-1.15.0}"
ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
TARGET="$ROOT/coredns/$COREDNS_VERSION"
BUILD="$ROOT/build/coredns-$COREDNS_VERSION"
# the plugins of the Corefile that cluster.sh writes (and what `errors`/`health`/`ready` need)
PLUGINS=(errors log health ready kubernetes cache loadbalance)

log() { echo "coredns-binary: $*" >&2; }

if [[ -x "$TARGET/coredns" ]]; then log "present: $TARGET/coredns"; exit 0; fi
command -v go >/dev/null || { log "no Go toolchain"; exit 1; }
. "$(dirname "$0")/../go-at-least.sh"
go_at_least 1.26.0 "CoreDNS v$COREDNS_VERSION"

export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local

mkdir -p "$TARGET" "$ROOT/build"
exec 9>"$ROOT/.coredns-binary.lock"
flock 9
if [[ -x "$TARGET/coredns" ]]; then log "present: $TARGET/coredns (built by a concurrent run)"; exit 0; fi

src="$(go mod download -json "github.com/coredns/coredns@v$COREDNS_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$src" ]] || { log "cannot download github.com/coredns/coredns v$COREDNS_VERSION"; exit 1; }
rm -rf "$BUILD"
cp -r "$src" "$BUILD"
chmod -R u+w "$BUILD"
{
  echo "// written by e2e/cluster/coredns-binary.sh: the plugins the cluster tier's Corefile uses"
  echo
  echo "package plugin"
  echo
  echo "import ("
  for p in "${PLUGINS[@]}"; do echo "	_ \"github.com/coredns/coredns/plugin/$p\""; done
  echo ")"
} >"$BUILD/core/plugin/zplugin.go"

start=$SECONDS
log "building coredns v$COREDNS_VERSION with plugins ${PLUGINS[*]} (cold: a few minutes at low priority)"
(cd "$BUILD" && nice -n 19 go build -trimpath -ldflags "-s -w" -o "$BUILD/coredns" .)
# a copy then a rename: an interrupted copy never leaves a binary that a later run takes as built
install -m 0755 "$BUILD/coredns" "$TARGET/coredns.tmp"
mv -f "$TARGET/coredns.tmp" "$TARGET/coredns"
log "built $TARGET/coredns in $((SECONDS - start)) s"
