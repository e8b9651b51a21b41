#!/usr/bin/env bash
# Builds Traefik (the Gateway API data plane of the cluster tier) from its Go module and caches it:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/traefik/<version>/traefik
# Idempotent: returns at once if the binary exists. No prebuilt download: a wrapper module
# requires github.com/traefik/traefik/v3 and copies its replace and exclude lines (a dependency's
# replace lines do not apply to the main module). Cold: ~25 minutes at low priority on 2 cores.
set -euo pipefail

TRAEFIK_VERSION="${TRAEFIK_VERSION:-3.6.12}"
ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
TARGET="$ROOT/traefik/$TRAEFIK_VERSION"
BUILD="$ROOT/build/traefik-$TRAEFIK_VERSION"

log() { echo "traefik-binary: $*" >&2; }

if [[ -x "$TARGET/traefik" ]]; then log "present: $TARGET/traefik"; exit 0; fi
command -v go >/dev/null || { log "no Go toolchain"; exit 1; }
. "$(dirname "$0")/../go-at-least.sh"
go_at_least 1.25.0 "Traefik v$TRAEFIK_VERSION"

export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local

mkdir -p "$TARGET" "$BUILD"
exec 9>"$ROOT/.traefik-binary.lock"
flock 9
if [[ -x "$TARGET/traefik" ]]; then log "present: $TARGET/traefik (built by a concurrent run)"; exit 0; fi

gomod="$(go mod download -json "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION" \
  | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$gomod" ]] || { log "cannot download github.com/traefik/traefik/v3 v$TRAEFIK_VERSION"; exit 1; }
{
  echo "module fledge.dev/cluster/traefik"
  echo
  grep -m1 '^go ' "$gomod"
  echo
  echo "require github.com/traefik/traefik/v3 v$TRAEFIK_VERSION"
  echo
  # replace and exclude lines, single-line or in blocks
  awk '/^(replace|exclude) \(/{inblock=1} inblock{print; if ($0 ~ /^\)/) inblock=0; next} /^(replace|exclude) /{print}' "$gomod"
} >"$BUILD/go.mod"

start=$SECONDS
log "building traefik v$TRAEFIK_VERSION (cold: ~25 minutes at low priority)"
pkg=github.com/traefik/traefik/v3/pkg/version
(cd "$BUILD" && nice -n 19 go build -trimpath -ldflags "-s -w -X $pkg.Version=v$TRAEFIK_VERSION" \
   -o "$BUILD/traefik" github.com/traefik/traefik/v3/cmd/traefik)
install -m 0755 "$BUILD/traefik" "$TARGET/traefik"
log "built $TARGET/traefik in $((SECONDS - start)) s"
