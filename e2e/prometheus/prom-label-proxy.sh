#!/usr/bin/env bash
# Provides prom-label-proxy (prometheus-community) for the namespace-confinement tests and
# for users who run it beside the operator: <dir>/prom-label-proxy/<version>/prom-label-proxy,
# with <dir> = ${FLEDGE_TOOLS_DIR:-$HOME/.fledge-tools}.
#
# Idempotent: if the binary exists it returns at once. Otherwise it builds it from the Go
# module through the module proxy (no prebuilt downloads) in a wrapper module, once.
set -euo pipefail

VERSION="0.11.1"
ROOT="${FLEDGE_TOOLS_DIR:-$HOME/.fledge-tools}"
TARGET="$ROOT/prom-label-proxy/$VERSION"
BIN="$TARGET/prom-label-proxy"

log() { echo "prom-label-proxy: $*" >&2; }

if [[ -x "$BIN" ]]; then log "present at $BIN"; exit 0; fi
if ! command -v go >/dev/null; then
  log "no Go toolchain: the tests that need prom-label-proxy will be skipped"; exit 0
fi

export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local
mkdir -p "$TARGET" "$ROOT/build"
exec 9>"$ROOT/.prom-label-proxy.lock"
flock 9
if [[ -x "$BIN" ]]; then log "present at $BIN (built by a concurrent run)"; exit 0; fi

dir="$ROOT/build/prom-label-proxy-$VERSION"
mkdir -p "$dir"
cat >"$dir/go.mod" <<MOD
module fledge.dev/tools/prom-label-proxy

go 1.23

require github.com/prometheus-community/prom-label-proxy v${VERSION}
MOD
cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/prometheus-community/prom-label-proxy"
GO
start=$SECONDS
log "building v$VERSION"
(cd "$dir" && nice -n 19 go build -trimpath -ldflags "-s -w" -o "$BIN.tmp" github.com/prometheus-community/prom-label-proxy)
mv "$BIN.tmp" "$BIN"
log "built $BIN in $((SECONDS - start)) s"
