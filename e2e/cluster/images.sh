#!/usr/bin/env bash
# The container images of the cluster tier, built here from Debian packages and the project's own
# build: no registry is pulled from, no Docker daemon is needed.
#
#   images.sh pause         fledge.local/pause:3.10     Kubernetes' pause.c (from the k8s.io/kubernetes
#                                                       Go module), compiled static with Debian's gcc
#   images.sh busybox       fledge.local/busybox:1.35   Debian's busybox-static (the cluster's smoke test)
#   images.sh labelproxy    fledge.local/prom-label-proxy:vX  the prom-label-proxy that make prom-label-proxy builds
#                                                       from its Go module (static), the operator pod's second container
#   images.sh base          fledge.local/jre-base:17    mmdebstrap of Debian bookworm + openjdk-17-jre-headless
#   images.sh app           fledge/operator:TAG, fledge/model-server:TAG: Jib (jib:buildTar) from that base
#   images.sh all           all of the above
#   images.sh push REGISTRY push the two app images (and prom-label-proxy, if built) to REGISTRY with skopeo
#                           (e.g. registry.example.com/fledge)
#   images.sh import SOCK   import every tar that exists into the containerd at SOCK (namespace k8s.io),
#                           skipping those already imported unchanged
#   images.sh sizes         print the size of each tar and of each image unpacked
#
# The small images and the base are cached in ${KUBE_API_TEST_DIR:-~/.kubeapitest}/images/; the app images
# are written to <module>/target/jib-image.tar like e2e/k3s/run-k3s-suite.sh does.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
IMAGES="$CACHE/images"
TAG="${FLEDGE_IMAGE_TAG:-0.1.0}"
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY="${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
KUBE_VERSION="$(sed -n 's/^KUBERNETES_VERSION="\([0-9.]*\)".*/\1/p' "$REPO/e2e/kube/kube-binaries.sh")"
PAUSE_TAR="$IMAGES/pause-3.10.tar"
BUSYBOX_TAR="$IMAGES/busybox-1.35.tar"
BASE_TAR="$IMAGES/jre-base-17.tar"
LABEL_PROXY_VERSION="$(sed -n 's/^VERSION="\([0-9.]*\)".*/\1/p' "$REPO/e2e/prometheus/prom-label-proxy.sh")"
LABEL_PROXY_TAR="$IMAGES/prom-label-proxy-$LABEL_PROXY_VERSION.tar"
MVN="${MVN:-./mvnw -B -ntp}"

log() { echo "images: $*" >&2; }
die() { echo "images: $*" >&2; exit 1; }
need() { local c; for c in "$@"; do command -v "$c" >/dev/null || missing+=("$c"); done; }
ensure_tools() {
  missing=()
  need umoci skopeo mmdebstrap gcc
  if ((${#missing[@]})); then
    local pkgs=("${missing[@]/gcc/gcc libc6-dev}")
    log "installing Debian packages: ${pkgs[*]}"
    apt-get update -qq
    # shellcheck disable=SC2068
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs[@]} >/dev/null
  fi
}

# oci_from_rootfs WORK TAG ROOTFS_FILLER CONFIG_ARGS... : a one-layer image in an OCI layout WORK/layout
oci_image() {
  local work="$1" tag="$2" filler="$3"; shift 3
  rm -rf "$work" && mkdir -p "$work"
  umoci init --layout "$work/layout"
  umoci new --image "$work/layout:$tag"
  umoci unpack --image "$work/layout:$tag" "$work/bundle" >/dev/null
  "$filler" "$work/bundle/rootfs"
  umoci repack --image "$work/layout:$tag" "$work/bundle"
  umoci config --image "$work/layout:$tag" --os linux --architecture amd64 "$@"
}

to_archive() { # to_archive WORK TAG OUT NAME: OCI layout -> docker-archive tar (ctr import and Jib read it)
  rm -f "$3.tmp"
  skopeo copy --quiet "oci:$1/layout:$2" "docker-archive:$3.tmp:$4"
  mv "$3.tmp" "$3"
  rm -rf "$1"
}

fill_pause() {
  install -m 0755 "$PAUSE_BIN" "$1/pause"
}
build_pause() {
  [[ -f "$PAUSE_TAR" ]] && { log "present: $PAUSE_TAR"; return 0; }
  ensure_tools
  mkdir -p "$IMAGES"
  local src
  src="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/build/pause/linux/pause.c"
  [[ -f "$src" ]] || { log "no pause.c in the k8s.io/kubernetes module ($src)"; return 1; }
  local work="$IMAGES/work-pause"
  mkdir -p "$work.bin"
  PAUSE_BIN="$work.bin/pause"
  gcc -Os -Wall -Werror -static -DVERSION="v3.10-fledge" -o "$PAUSE_BIN" "$src"
  strip "$PAUSE_BIN"
  oci_image "$work" 3.10 fill_pause --config.entrypoint /pause --config.user 65535:65535
  to_archive "$work" 3.10 "$PAUSE_TAR" fledge.local/pause:3.10
  rm -rf "$work.bin"
  log "built $PAUSE_TAR"
}

fill_busybox() {
  mkdir -p "$1/bin" "$1/tmp" && chmod 1777 "$1/tmp"
  install -m 0755 "$BUSYBOX_BIN" "$1/bin/busybox"
  ln -s busybox "$1/bin/sh"
}
build_busybox() {
  [[ -f "$BUSYBOX_TAR" ]] && { log "present: $BUSYBOX_TAR"; return 0; }
  ensure_tools
  local work="$IMAGES/work-busybox"
  rm -rf "$work.deb" && mkdir -p "$work.deb"
  (cd "$work.deb" && apt-get download -qq -o APT::Sandbox::User=root busybox-static >/dev/null && dpkg-deb -x busybox-static_*.deb x)
  BUSYBOX_BIN="$work.deb/x/bin/busybox"
  oci_image "$work" 1.35 fill_busybox --config.cmd /bin/sh --config.user 65534:65534
  to_archive "$work" 1.35 "$BUSYBOX_TAR" fledge.local/busybox:1.35
  rm -rf "$work.deb"
  log "built $BUSYBOX_TAR"
}

fill_labelproxy() {
  mkdir -p "$1/bin"
  install -m 0755 "$LABEL_PROXY_BIN" "$1/bin/prom-label-proxy"
}
build_labelproxy() {
  [[ -n "$LABEL_PROXY_VERSION" ]] || die "no VERSION=\"x.y.z\" line in e2e/prometheus/prom-label-proxy.sh"
  [[ -f "$LABEL_PROXY_TAR" ]] && { log "present: $LABEL_PROXY_TAR"; return 0; }
  ensure_tools
  bash "$REPO/e2e/prometheus/prom-label-proxy.sh"
  LABEL_PROXY_BIN="${FLEDGE_TOOLS_DIR:-$HOME/.fledge-tools}/prom-label-proxy/$LABEL_PROXY_VERSION/prom-label-proxy"
  [[ -x "$LABEL_PROXY_BIN" ]] || die "no prom-label-proxy binary at $LABEL_PROXY_BIN (make prom-label-proxy; needs Go)"
  local work="$IMAGES/work-labelproxy"
  # as quay.io/prometheuscommunity/prom-label-proxy: the binary as the entrypoint, user nobody. No CA bundle: for an
  # https Prometheus the chart's operator.prometheus.tls.caConfigMap gives it the CA (SSL_CERT_FILE)
  oci_image "$work" "v$LABEL_PROXY_VERSION" fill_labelproxy --config.entrypoint /bin/prom-label-proxy \
    --config.user 65534:65534
  to_archive "$work" "v$LABEL_PROXY_VERSION" "$LABEL_PROXY_TAR" "fledge.local/prom-label-proxy:v$LABEL_PROXY_VERSION"
  log "built $LABEL_PROXY_TAR"
}

fill_base() {
  tar -C "$1" -xf "$BASE_ROOTFS"
}
build_base() {
  [[ -f "$BASE_TAR" ]] && { log "present: $BASE_TAR"; return 0; }
  ensure_tools
  local work="$IMAGES/work-base" t=$SECONDS
  mkdir -p "$work.fs"
  BASE_ROOTFS="$work.fs/rootfs.tar"
  if [[ -n "${FLEDGE_BASE_ROOTFS:-}" ]]; then   # a rootfs tar made by the same mmdebstrap command before
    cp "$FLEDGE_BASE_ROOTFS" "$BASE_ROOTFS"
  else
  log "mmdebstrap $DEBIAN_SUITE + openjdk-17-jre-headless (cold: a few minutes)"
  # essential variant: no apt, no init, just what dpkg needs + the JRE. update-alternatives of the
  # JRE wants /usr/share/man/man1 although man pages are left out.
  mmdebstrap --quiet --variant=essential --include=openjdk-17-jre-headless \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='rm -rf "$1/var/cache/apt" "$1/var/lib/apt/lists" "$1/var/log"/*' \
    "$DEBIAN_SUITE" "$BASE_ROOTFS" \
    "deb $DEBIAN_MIRROR $DEBIAN_SUITE main" "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main" \
    "deb $DEBIAN_SECURITY $DEBIAN_SUITE-security main"
  fi
  oci_image "$work" 17 fill_base \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    --config.cmd /bin/bash
  to_archive "$work" 17 "$BASE_TAR" fledge.local/jre-base:17
  rm -rf "$work.fs"
  log "built $BASE_TAR in $((SECONDS - t)) s"
}

# The operator and the model server: Quarkus fast-jar under /deployments, as e2e/k3s/run-k3s-suite.sh
# lays it out, from the Debian base, as user 10001 (non-root by default; the chart sets the same ids).
build_app() {
  build_base
  cd "$REPO"
  local t=$SECONDS
  # FLEDGE_SKIP_INSTALL=1: the quarkus-app directories are already built
  [[ "${FLEDGE_SKIP_INSTALL:-0}" == 1 ]] || $MVN -q -pl operator,model-server -am install -DskipTests
  local module
  for module in operator model-server; do
    local staging=$module/target/jib-extra/deployments
    rm -rf "$module/target/jib-extra" && mkdir -p "$staging"
    cp -r "$module/target/quarkus-app/." "$staging/"
    local entry=java env=""
    if [[ $module == model-server ]]; then
      # libtorch unpacked into the image once, read-only at /opt/fledge/libtorch (DJL's PYTORCH_LIBRARY_PATH):
      # otherwise every pod unpacks the native jar's ~430 MB into its /tmp emptyDir on start. DJL's cache
      # (a writable volume: the pod mounts an emptyDir at /tmp, read-only root filesystem) then only gets its
      # JNI library (~4 MB). One thread per pool, offline.
      # The flavor (cpu) and classifier come from the jar's own pytorch.properties: DJL picks its JNI library
      # by PYTORCH_FLAVOR, and defaults to cpu-precxx11 when it is unset, which this jar does not have.
      local natives=("$module"/target/quarkus-app/lib/main/ai.djl.pytorch.pytorch-native-*.jar)
      [[ ${#natives[@]} == 1 && -f ${natives[0]} ]] || die "expected one PyTorch native jar, found: ${natives[*]}"
      local jar="${JAVA_HOME:+$JAVA_HOME/bin/}jar" unpacked=$module/target/jib-extra/unpack
      local lib=$module/target/jib-extra/opt/fledge/libtorch
      mkdir -p "$unpacked" "$lib"
      (cd "$unpacked" && "$jar" xf "$REPO/${natives[0]}" native/lib/pytorch.properties)
      local flavor classifier libraries
      flavor=$(sed -n 's/^flavor=//p' "$unpacked/native/lib/pytorch.properties")
      classifier=$(sed -n 's/^classifier=//p' "$unpacked/native/lib/pytorch.properties")
      libraries=$(sed -n 's/^libraries=//p' "$unpacked/native/lib/pytorch.properties")
      [[ -n $flavor && -n $classifier && -n $libraries ]] || die "no flavor, classifier or libraries in ${natives[0]}"
      (cd "$unpacked" && "$jar" xf "$REPO/${natives[0]}" "pytorch/$flavor/$classifier/")
      mv "$unpacked/pytorch/$flavor/$classifier"/* "$lib/"
      rm -rf "$unpacked"
      local one
      for one in ${libraries//,/ }; do [[ -f $lib/$one ]] || die "$one missing from ${natives[0]}"; done
      entry+=",-Dai.djl.offline=true,-Dai.djl.pytorch.num_threads=1,-Dai.djl.pytorch.num_interop_threads=1"
      env="-Djib.container.environment=DJL_OFFLINE=true,OPT_OUT_TRACKING=true,DJL_CACHE_DIR=/tmp/djl-cache,ENGINE_CACHE_DIR=/tmp/djl-cache,HOME=/tmp"
      env+=",PYTORCH_LIBRARY_PATH=/opt/fledge/libtorch,PYTORCH_FLAVOR=$flavor"
    else
      env="-Djib.container.environment=HOME=/tmp"
    fi
    entry+=",-Djava.io.tmpdir=/tmp,-jar,/deployments/quarkus-run.jar"
    # shellcheck disable=SC2086
    # jib.disableUpdateChecks: Jib otherwise asks storage.googleapis.com for a newer version of itself
    $MVN -q -pl "$module" com.google.cloud.tools:jib-maven-plugin:3.4.6:buildTar -Djib.disableUpdateChecks=true \
      -Djib.from.image="tar://$BASE_TAR" \
      -Djib.to.image="fledge/$module:$TAG" \
      -Djib.extraDirectories.paths="$REPO/$module/target/jib-extra" \
      -Djib.container.entrypoint="$entry" \
      -Djib.container.workingDirectory=/deployments \
      -Djib.container.user=10001:10001 \
      $env \
      -Djib.outputPaths.tar="$REPO/$module/target/jib-image.tar"
    log "built $module/target/jib-image.tar (fledge/$module:$TAG)"
  done
  log "app images in $((SECONDS - t)) s"
}

push() {
  local registry="$1" module
  for module in operator model-server; do
    skopeo copy "docker-archive:$REPO/$module/target/jib-image.tar" "docker://$registry/$module:$TAG"
  done
  if [[ -f "$LABEL_PROXY_TAR" ]]; then
    skopeo copy "docker-archive:$LABEL_PROXY_TAR" "docker://$registry/prom-label-proxy:v$LABEL_PROXY_VERSION"
  fi
}

import() {
  local sock="$1" marker="$(dirname "$1")/imported" tar name stamp
  mkdir -p "$marker"
  for tar in "$PAUSE_TAR" "$BUSYBOX_TAR" "$LABEL_PROXY_TAR" "$REPO/operator/target/jib-image.tar" \
    "$REPO/model-server/target/jib-image.tar"; do
    [[ -f "$tar" ]] || continue
    name="$(echo "$tar" | md5sum | cut -c1-12)"
    stamp="$(stat -c '%s %Y' "$tar")"
    if [[ -f "$marker/$name" && "$(cat "$marker/$name")" == "$stamp" ]]; then continue; fi
    local t=$SECONDS
    ctr --address "$sock" -n k8s.io images import "$tar" >/dev/null
    echo "$stamp" >"$marker/$name"
    log "imported $tar in $((SECONDS - t)) s"
  done
}

sizes() {
  local tar
  for tar in "$PAUSE_TAR" "$BUSYBOX_TAR" "$LABEL_PROXY_TAR" "$BASE_TAR" "$REPO/operator/target/jib-image.tar" "$REPO/model-server/target/jib-image.tar"; do
    [[ -f "$tar" ]] && printf '%-60s %s\n' "${tar/#$HOME/~}" "$(du -h "$tar" | cut -f1)"
  done
}

case "${1:-all}" in
  pause) build_pause ;;
  busybox) build_busybox ;;
  labelproxy) build_labelproxy ;;
  base) build_base ;;
  app) build_app ;;
  all) build_pause; build_busybox; build_labelproxy; build_app; sizes ;;
  push) [[ -n "${2:-}" ]] || { echo "usage: $0 push REGISTRY" >&2; exit 2; }; push "$2" ;;
  import) import "$2" ;;
  sizes) sizes ;;
  *) echo "usage: $0 pause|busybox|labelproxy|base|app|all|push REGISTRY|import SOCK|sizes" >&2; exit 2 ;;
esac
