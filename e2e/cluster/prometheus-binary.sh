#!/usr/bin/env bash
# Builds Prometheus with Kubernetes service discovery (the cluster tier's Prometheus discovers the model pods
# through the API server) from its Go module and caches it:
#   ${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/prometheus/<version>/prometheus
# Debian's package (make prometheus, used by every other tier) is built without Kubernetes service discovery
# ("field kubernetes_sd_configs not found in type config.ScrapeConfig"). Idempotent: returns at once if the
# binary exists. No prebuilt download: a wrapper module requires github.com/prometheus/prometheus and builds
# cmd/prometheus with Prometheus' own build tags for a smaller set of discovery plugins (remove_all_sd,
# enable_kubernetes_sd: Kubernetes, file and HTTP discovery), so the cloud providers' SDKs are never fetched.
# The web UI's assets are not embedded (no builtinassets tag): the HTTP API, which is all the operator asks, works.
set -euo pipefail

# Go module version v0.316.0 is Prometheus v3.16.0
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-0.316.0}"
ROOT="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
TARGET="$ROOT/prometheus/$PROMETHEUS_MODULE_VERSION"
BUILD="$ROOT/build/prometheus-$PROMETHEUS_MODULE_VERSION"

log() { echo "prometheus-binary: $*" >&2; }

if [[ -x "$TARGET/prometheus" ]]; then log "present: $TARGET/prometheus"; exit 0; fi
command -v go >/dev/null || { log "no Go toolchain"; exit 1; }
. "$(dirname "$0")/../go-at-least.sh"
go_at_least 1.26.7 "Prometheus v$PROMETHEUS_MODULE_VERSION"

export GOFLAGS=-mod=mod CGO_ENABLED=0 GOTOOLCHAIN=local

mkdir -p "$TARGET" "$BUILD"
exec 9>"$ROOT/.prometheus-binary.lock"
flock 9
if [[ -x "$TARGET/prometheus" ]]; then log "present: $TARGET/prometheus (built by a concurrent run)"; exit 0; fi

gomod="$(go mod download -json "github.com/prometheus/prometheus@v$PROMETHEUS_MODULE_VERSION" \
  | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$gomod" ]] || { log "cannot download github.com/prometheus/prometheus v$PROMETHEUS_MODULE_VERSION"; exit 1; }
{
  echo "module fledge.dev/cluster/prometheus"
  echo
  grep -m1 '^go ' "$gomod"
  echo
  echo "require github.com/prometheus/prometheus v$PROMETHEUS_MODULE_VERSION"
  echo
  awk '/^(replace|exclude) \(/{inblock=1} inblock{print; if ($0 ~ /^\)/) inblock=0; next} /^(replace|exclude) /{print}' "$gomod"
} >"$BUILD/go.mod"

start=$SECONDS
log "building prometheus (module v$PROMETHEUS_MODULE_VERSION) with Kubernetes discovery (cold: a few minutes at low priority)"
pkg=github.com/prometheus/common/version
(cd "$BUILD" && nice -n 19 go build -trimpath -tags remove_all_sd,enable_kubernetes_sd \
   -ldflags "-s -w -X $pkg.Version=module-v$PROMETHEUS_MODULE_VERSION" \
   -o "$BUILD/prometheus" github.com/prometheus/prometheus/cmd/prometheus)
# a copy then a rename: an interrupted copy never leaves a binary that a later run takes as built
install -m 0755 "$BUILD/prometheus" "$TARGET/prometheus.tmp"
mv -f "$TARGET/prometheus.tmp" "$TARGET/prometheus"
log "built $TARGET/prometheus in $((SECONDS - start)) s"
