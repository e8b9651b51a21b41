#!/usr/bin/env bash
# A real single-node Kubernetes on this machine, from binaries built here and Debian packages.
#
#   e2e/cluster/cluster.sh up          start, print how to use it, stay in the foreground;
#                                      Ctrl-C (or `cluster.sh down` from another shell) tears it all down
#   e2e/cluster/cluster.sh run CMD...  start, run CMD with KUBECONFIG set, tear down, exit with CMD's status
#   e2e/cluster/cluster.sh down        stop a running cluster and remove whatever a killed one left behind
#
# What runs (all v1.34.x from e2e/kube/kube-binaries.sh + e2e/cluster/node-binaries.sh):
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, and Debian's
#   containerd + runc with the CNI bridge/host-local plugins (/usr/lib/cni).
# Every one of them runs inside a network namespace this script creates ($FLEDGE_NETNS), entered with
# `nsenter --net=` (not `ip netns exec`, which remounts /sys and hides the cgroup mounts from runc).
# A veth pair joins it to the host: the host end has HOST_IP, the node end NODE_IP. The host's routes
# and iptables are not touched; kube-proxy's rules live in the namespace and vanish with it.
# The namespace has no default route: nothing in it can reach any address but its own, its pods',
# and the host end of the veth.
# State (PKI, etcd, kubelet, containerd) lives in $FLEDGE_CLUSTER_DIR; images imported into
# containerd are kept across runs (the warm start), everything else is wiped at each start.
# See e2e/cluster/README.md for the settings and why each one is needed.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

NS="${FLEDGE_NETNS:-fledge-node}"
NODE_NAME="${FLEDGE_NODE_NAME:-fledge-node}"
HOST_IF="${FLEDGE_HOST_IF:-fl-host}"
NODE_IF="${FLEDGE_NODE_IF:-fl-node}"
HOST_IP="${FLEDGE_HOST_IP:-10.213.213.1}"
NODE_IP="${FLEDGE_NODE_IP:-10.213.213.2}"
POD_CIDR="${FLEDGE_POD_CIDR:-10.214.0.0/24}"
SERVICE_CIDR="${FLEDGE_SERVICE_CIDR:-10.215.0.0/24}"
SERVICE_API_IP="${FLEDGE_SERVICE_API_IP:-10.215.0.1}"
D="${FLEDGE_CLUSTER_DIR:-/var/tmp/fledge-cluster}"
CACHE="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
KUBE_VERSION="$(sed -n 's/^KUBERNETES_VERSION="\([0-9.]*\)".*/\1/p' "$REPO/e2e/kube/kube-binaries.sh")"
BIN="$CACHE/k8s/${KUBE_VERSION}-linux-amd64"
NSPATH="/var/run/netns/$NS"
SOCK="$D/containerd/containerd.sock"
KUBECONFIG_OUT="$D/kubeconfig"
PAUSE_IMAGE="fledge.local/pause:3.10"
# Traefik as the Gateway API data plane: auto = when its binary is cached (make traefik), 1 = build it
# if needed, 0 = none
GATEWAY="${FLEDGE_CLUSTER_GATEWAY:-auto}"
TRAEFIK_VERSION="${TRAEFIK_VERSION:-3.6.12}"
TRAEFIK_BIN="$CACHE/traefik/$TRAEFIK_VERSION/traefik"
GATEWAY_PORT="${FLEDGE_GATEWAY_PORT:-8000}"
# two more entry points, for Gateways with a listener per audience (examples/gateway-api.yaml's internal-gw: its
# listeners internal and closed); Traefik binds a Gateway listener to the entry point of the same port
GATEWAY_INTERNAL_PORT="${FLEDGE_GATEWAY_INTERNAL_PORT:-8001}"
GATEWAY_CLOSED_PORT="${FLEDGE_GATEWAY_CLOSED_PORT:-8002}"
# CoreDNS, the cluster's DNS: a process in the node's network namespace (like Traefik), serving cluster.local
# from the API server on NODE_IP:53; the kubelet gives every pod that name server (clusterDNS)
COREDNS_VERSION="${COREDNS_VERSION:-$(sed -n 's/^COREDNS_VERSION="${COREDNS_VERSION:-\([0-9.]*\)}".*/\1/p' "$HERE/coredns-binary.sh")}"
COREDNS_BIN="$CACHE/coredns/$COREDNS_VERSION/coredns"
# Prometheus with Kubernetes service discovery (Debian's has none), for the tests that `run` starts: not a part of
# the cluster, but built and cached here with the rest; its path is given to the command as FLEDGE_PROMETHEUS_BIN,
# and $D/prometheus.kubeconfig (user system:fledge-prometheus: list and watch pods, nothing else) is its credential
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-$(sed -n 's/^PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-\([0-9.]*\)}".*/\1/p' "$HERE/prometheus-binary.sh")}"
PROMETHEUS_BIN="$CACHE/prometheus/$PROMETHEUS_MODULE_VERSION/prometheus"

T0=$SECONDS
PHASE_T=$SECONDS
log() { echo "cluster: $*" >&2; }
phase() { # phase NAME: prints the time the previous phase took
  local now=$SECONDS
  [[ -n "${PHASE_NAME:-}" ]] && log "phase ${PHASE_NAME}: $((now - PHASE_T)) s"
  PHASE_NAME="$1"; PHASE_T=$now
  [[ -n "$1" ]] && log "--> $1"
  return 0
}
die() { log "ERROR: $*"; exit 1; }
innet() { nsenter --net="$NSPATH" -- "$@"; }
kc() { "$BIN/kubectl" --kubeconfig "$KUBECONFIG_OUT" "$@"; }

# ---------------------------------------------------------------- teardown
pids_file() { echo "$D/pids"; }

stop_pid() { # stop_pid PID NAME: TERM, wait up to 10 s, then KILL
  local pid="$1" name="$2" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  log "$name ($pid) did not stop on TERM: KILL"
  kill -KILL "$pid" 2>/dev/null || true
}

teardown() {
  local rc=$?
  trap - EXIT INT TERM
  # best effort: every step runs even if one fails, and a closed stdout (Ctrl-C on `make cluster | tee`
  # kills tee first) must not kill the teardown with SIGPIPE
  trap '' PIPE INT
  set +e
  [[ "${TORN_DOWN:-}" == 1 ]] && return 0
  TORN_DOWN=1
  local t=$SECONDS
  log "tearing down"
  local f; f="$(pids_file)"
  # the kubelet first, so it restarts nothing; then every container; then the rest, newest first
  if [[ -f "$f" ]]; then
    local pid name
    while read -r pid name; do [[ "$name" == kubelet ]] && stop_pid "$pid" "$name"; done <"$f"
  fi
  if [[ -S "$SOCK" ]]; then
    local ctr_="ctr --address $SOCK -n k8s.io" id
    for id in $($ctr_ tasks ls -q 2>/dev/null); do $ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 0.5
    for id in $($ctr_ tasks ls -q 2>/dev/null); do $ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $($ctr_ containers ls -q 2>/dev/null); do $ctr_ containers delete "$id" >/dev/null 2>&1 || true; done
  fi
  if [[ -f "$f" ]]; then
    tac "$f" | while read -r pid name; do stop_pid "$pid" "$name"; done
    rm -f "$f"
  fi
  # runc shims of this containerd (they outlive it): found by this instance's own socket path
  local shim
  for shim in $(pgrep -f -- "-address $SOCK" 2>/dev/null || true); do stop_pid "$shim" containerd-shim; done
  # pod network namespaces (/var/run/netns/cni-*) whose sandbox was killed, not stopped through the
  # CRI: ours are those with an address of this cluster's pod range
  local podns pod_prefix="${POD_CIDR%.*}."
  for podns in /var/run/netns/cni-*; do
    [[ -e "$podns" ]] || continue
    if ip -n "$(basename "$podns")" -4 -o addr show 2>/dev/null | grep -qF "inet $pod_prefix"; then
      ip netns del "$(basename "$podns")" 2>/dev/null || true
    fi
  done
  # mounts left under the state directory (pod volumes, sandbox shm, overlay rootfs)
  if [[ -d "$D" ]]; then
    findmnt -rn -o TARGET | grep -F "$D/" | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  if [[ -e "$NSPATH" ]]; then
    ip netns del "$NS" 2>/dev/null || { umount -l "$NSPATH" 2>/dev/null; rm -f "$NSPATH"; }
  fi
  ip link del "$HOST_IF" 2>/dev/null || true
  rm -f "$D/ready"
  [[ -f "$D/owner.pid" && "$(cat "$D/owner.pid")" == "$$" ]] && rm -f "$D/owner.pid"
  log "torn down in $((SECONDS - t)) s"
  return $rc
}

cmd_down() {
  if [[ -f "$D/owner.pid" ]] && kill -0 "$(cat "$D/owner.pid")" 2>/dev/null; then
    local owner; owner="$(cat "$D/owner.pid")"
    log "asking the running cluster.sh ($owner) to stop"
    kill -TERM "$owner"
    for _ in $(seq 1 150); do kill -0 "$owner" 2>/dev/null || break; sleep 0.2; done
  fi
  teardown
}

# ---------------------------------------------------------------- prerequisites
ensure_packages() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] || missing+=(containernetworking-plugins)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v conntrack >/dev/null || missing+=(conntrack)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v umoci >/dev/null || missing+=(umoci)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v gcc >/dev/null || missing+=(gcc libc6-dev)
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ---------------------------------------------------------------- PKI and kubeconfigs
P=""
cert() { # cert NAME CN [O] [SANs] [usage]
  local name="$1" cn="$2" org="${3:-}" sans="${4:-}" usage="${5:-clientAuth}"
  openssl ecparam -name prime256v1 -genkey -noout -out "$P/$name.key" 2>/dev/null
  openssl req -new -key "$P/$name.key" -subj "/CN=$cn${org:+/O=$org}" -out "$P/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n "$sans" ]] && echo "subjectAltName=$sans"
  } >"$P/$name.ext"
  openssl x509 -req -in "$P/$name.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -days 30 \
    -extfile "$P/$name.ext" -out "$P/$name.crt" 2>/dev/null
}

kubeconfig() { # kubeconfig FILE CERTNAME SERVER
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fledge
  cluster:
    server: $3
    certificate-authority: $P/ca.crt
users:
- name: $2
  user:
    client-certificate: $P/$2.crt
    client-key: $P/$2.key
contexts:
- name: fledge
  context: {cluster: fledge, user: $2}
current-context: fledge
EOF
}

make_pki() {
  P="$D/pki"; mkdir -p "$P"
  openssl ecparam -name prime256v1 -genkey -noout -out "$P/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$P/ca.key" -subj "/CN=fledge-cluster-ca" -days 30 -out "$P/ca.crt" 2>/dev/null
  cert apiserver kube-apiserver "" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP,IP:$SERVICE_API_IP" \
    serverAuth
  cert admin fledge-admin system:masters
  cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  cert kubelet "system:node:$NODE_NAME" system:nodes
  cert controller-manager system:kube-controller-manager
  cert scheduler system:kube-scheduler
  cert kube-proxy system:kube-proxy
  cert coredns system:fledge-coredns
  cert prometheus system:fledge-prometheus
  openssl ecparam -name prime256v1 -genkey -noout -out "$P/sa.key" 2>/dev/null
  openssl ec -in "$P/sa.key" -pubout -out "$P/sa.pub" 2>/dev/null
  local server="https://$NODE_IP:6443" c
  for c in admin kubelet controller-manager scheduler kube-proxy coredns prometheus; do kubeconfig "$D/$c.kubeconfig" "$c" "$server"; done
  cp "$D/admin.kubeconfig" "$KUBECONFIG_OUT"
}

# ---------------------------------------------------------------- processes
start_bg() { # start_bg NAME CMD... : runs CMD inside the node's network namespace, logs to $D/logs/NAME.log
  local name="$1"; shift
  setsid nsenter --net="$NSPATH" -- "$@" >"$D/logs/$name.log" 2>&1 </dev/null &
  echo "$! $name" >>"$(pids_file)"
}

alive_or_die() { # alive_or_die NAME: the process must still run
  local pid
  pid="$(awk -v n="$1" '$2 == n {print $1}' "$(pids_file)" | tail -1)"
  kill -0 "$pid" 2>/dev/null || { tail -30 "$D/logs/$1.log" >&2; die "$1 exited (log: $D/logs/$1.log)"; }
}

wait_for() { # wait_for DESCRIPTION TIMEOUT_S PROCESS CMD...: retry CMD every 0.5 s
  local what="$1" timeout="$2" proc="$3" i; shift 3
  for ((i = 0; i < timeout * 2; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    [[ -n "$proc" ]] && alive_or_die "$proc"
    sleep 0.5
  done
  die "timed out after ${timeout} s waiting for $what"
}

network() {
  ip netns add "$NS"
  ip link add "$HOST_IF" type veth peer name "$NODE_IF"
  ip link set "$NODE_IF" netns "$NS"
  ip addr add "$HOST_IP/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  innet ip link set lo up
  innet ip addr add "$NODE_IP/30" dev "$NODE_IF"
  innet ip link set "$NODE_IF" up
  # The namespace has no default route, so a process in it (Traefik, the tests, curl) calling a
  # Service VIP would fail the route lookup that comes before kube-proxy's DNAT in OUTPUT
  # ("Couldn't connect to server" after 0 ms). The Service range gets a route to a veth whose peer
  # (also in the namespace) stays down: a packet to a live VIP is rewritten to a pod or to the API
  # server before it is sent; any other is dropped there, and nothing leaves the namespace.
  # (No dummy device: this kernel has no dummy module.)
  innet ip link add fl-svc type veth peer name fl-svc-peer
  innet ip link set fl-svc up
  innet ip route add "$SERVICE_CIDR" dev fl-svc
  # kube-proxy and the bridge plugin expect these; they are per namespace
  innet sysctl -qw net.ipv4.ip_forward=1
  innet sysctl -qw net.ipv4.conf.all.route_localnet=1 2>/dev/null || true
  innet sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null \
    || log "net.bridge.bridge-nf-call-iptables is not settable in the namespace: kube-proxy masquerades all Service traffic"
}

containerd_config() {
  mkdir -p "$D/containerd" "$D/cni/net.d" "$D/cni/ipam"
  cat >"$D/containerd/config.toml" <<EOF
version = 2
root = "$D/containerd/root"
state = "$D/containerd/state"
[grpc]
  address = "$SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # this machine refuses a negative oom_score_adj; the sandbox asks for -998
  restrict_oom_score_adj = true
  enable_unprivileged_ports = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$D/cni/net.d"
EOF
  cat >"$D/cni/net.d/10-fledge.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "fledge",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]],
               "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$D/cni/ipam"}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

kubelet_config() {
  # the node's own resolv.conf is empty: a pod's only name server is CoreDNS (clusterDNS), which answers for
  # cluster.local and forwards nothing, so nothing outside the namespace is ever asked
  : >"$D/resolv.conf"
  cat >"$D/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $D/pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$SOCK
imageServiceEndpoint: unix://$SOCK
# cgroup v1 here, no systemd: cgroupfs, no QoS hierarchy, nothing reserved
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
resolvConf: $D/resolv.conf
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
hairpinMode: hairpin-veth
serializeImagePulls: false
# images are imported, never pulled: never garbage-collect them, never evict for a busy shared disk
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
maxPods: 60
podLogsDir: $D/pod-logs
EOF
}

# ---------------------------------------------------------------- up
cmd_up() {
  [[ $EUID -eq 0 ]] || die "must run as root (network namespace, containerd, kubelet)"
  mkdir -p "$D"
  if [[ -f "$D/owner.pid" ]] && kill -0 "$(cat "$D/owner.pid")" 2>/dev/null; then
    die "a cluster already runs (cluster.sh pid $(cat "$D/owner.pid")); stop it with: e2e/cluster/cluster.sh down"
  fi
  # leftovers of a killed run (SIGKILL skips the trap)
  if [[ -e "$NSPATH" || -f "$(pids_file)" ]]; then log "cleaning up after a previous run"; TORN_DOWN=0 teardown; unset TORN_DOWN; fi
  echo $$ >"$D/owner.pid"
  trap teardown EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  phase "packages"
  ensure_packages
  phase "binaries (cold: builds Kubernetes from Go modules)"
  nice -n 19 bash "$HERE/node-binaries.sh"
  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    [[ -x "$BIN/$b" ]] || die "missing $BIN/$b"
  done
  nice -n 19 bash "$HERE/coredns-binary.sh"
  [[ -x "$COREDNS_BIN" ]] || die "missing $COREDNS_BIN"
  nice -n 19 bash "$HERE/prometheus-binary.sh"
  [[ -x "$PROMETHEUS_BIN" ]] || die "missing $PROMETHEUS_BIN"
  phase "pause and busybox images"
  bash "$HERE/images.sh" pause
  bash "$HERE/images.sh" busybox

  phase "state, PKI, network namespace"
  # wipe everything but containerd's image store (kept: imports are the slow part of a warm start)
  rm -rf "$D/etcd" "$D/kubelet" "$D/logs" "$D/pki" "$D/cni" "$D/containerd/state" "$D"/*.kubeconfig "$D"/*.yaml
  mkdir -p "$D/logs"
  : >"$(pids_file)"
  make_pki
  network
  containerd_config
  kubelet_config

  phase "etcd"
  start_bg etcd "$BIN/etcd" --name "$NODE_NAME" --data-dir "$D/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --unsafe-no-fsync --quota-backend-bytes 2147483648
  wait_for "etcd" 30 etcd innet bash -c 'exec 3<>/dev/tcp/127.0.0.1/2379'

  phase "kube-apiserver"
  start_bg kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers http://127.0.0.1:2379 \
    --bind-address 0.0.0.0 --secure-port 6443 --advertise-address "$NODE_IP" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file "$P/ca.crt" --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" \
    --kubelet-client-certificate "$P/apiserver-kubelet-client.crt" --kubelet-client-key "$P/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --kubelet-preferred-address-types InternalIP \
    --enable-priority-and-fairness=false --profiling=false
  wait_for "kube-apiserver /readyz" 120 kube-apiserver kc get --raw /readyz

  phase "kube-controller-manager, kube-scheduler"
  start_bg kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$D/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$D/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$D/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false \
    --cluster-signing-cert-file "$P/ca.crt" --cluster-signing-key-file "$P/ca.key" \
    --root-ca-file "$P/ca.crt" --service-account-private-key-file "$P/sa.key" \
    --use-service-account-credentials=true --service-cluster-ip-range "$SERVICE_CIDR" \
    --node-monitor-grace-period 20s --profiling=false
  start_bg kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$D/scheduler.kubeconfig" \
    --authentication-kubeconfig "$D/scheduler.kubeconfig" \
    --authorization-kubeconfig "$D/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false

  phase "containerd"
  start_bg containerd containerd --config "$D/containerd/config.toml"
  wait_for "containerd" 30 containerd ctr --address "$SOCK" version
  phase "images into containerd"
  bash "$HERE/images.sh" import "$SOCK"

  phase "kubelet, kube-proxy"
  start_bg kubelet "$BIN/kubelet" --config "$D/kubelet.yaml" --kubeconfig "$D/kubelet.kubeconfig" \
    --root-dir "$D/kubelet" --cert-dir "$D/kubelet/pki" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v 1
  cat >"$D/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $D/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0}
iptables: {masqueradeAll: true, syncPeriod: 10s, minSyncPeriod: 0s}
EOF
  start_bg kube-proxy "$BIN/kube-proxy" --config "$D/kube-proxy.yaml"

  phase "node Ready, untainted"
  wait_for "node $NODE_NAME registered" 120 kubelet kc get node "$NODE_NAME"
  kc wait --for=condition=Ready "node/$NODE_NAME" --timeout=120s >/dev/null || die "node not Ready"
  wait_for "the not-ready taint to go (node lifecycle controller)" 120 kube-controller-manager \
    bash -c "! '$BIN/kubectl' --kubeconfig '$KUBECONFIG_OUT' get node '$NODE_NAME' -o jsonpath='{.spec.taints}' | grep -q not-ready"
  wait_for "the default ServiceAccount" 60 kube-controller-manager kc get serviceaccount default -n default
  wait_for "kube-proxy's rules for the kubernetes Service" 60 kube-proxy \
    innet bash -c "iptables -t nat -S KUBE-SERVICES | grep -q '$SERVICE_API_IP/32'"

  phase "DNS: CoreDNS $COREDNS_VERSION"
  dns

  if [[ "${FLEDGE_CLUSTER_SMOKE:-1}" == 1 ]]; then
    phase "smoke: a pod behind a Service VIP"
    smoke
  fi
  case "$GATEWAY" in
    1) bash "$HERE/traefik-binary.sh"; phase "gateway: Traefik $TRAEFIK_VERSION"; gateway ;;
    auto) if [[ -x "$TRAEFIK_BIN" ]]; then phase "gateway: Traefik $TRAEFIK_VERSION"; gateway;
          else log "no Traefik binary ($TRAEFIK_BIN): no Gateway (make traefik builds it)"; fi ;;
  esac
  phase ""
  touch "$D/ready"
  log "ready in $((SECONDS - T0)) s: export KUBECONFIG=$KUBECONFIG_OUT   (API server https://$NODE_IP:6443)"
  log "run a command inside the node's network (Service VIPs, pod IPs): nsenter --net=$NSPATH -- CMD"
}

smoke() {
  kc apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: smoke, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: smoke}}
  template:
    metadata: {labels: {app: smoke}}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 1   # busybox httpd as PID 1 ignores SIGTERM
      containers:
      - name: httpd
        image: fledge.local/busybox:1.35
        imagePullPolicy: Never
        command: [/bin/busybox, sh, -c, 'mkdir -p /tmp/www && echo smoke-ok > /tmp/www/index.html && exec /bin/busybox httpd -f -p 8080 -h /tmp/www']
        ports: [{containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
        securityContext: {runAsUser: 65534, readOnlyRootFilesystem: false}
---
apiVersion: v1
kind: Service
metadata: {name: smoke, namespace: default}
spec:
  selector: {app: smoke}
  ports: [{port: 80, targetPort: 8080}]
EOF
  kc rollout status deployment/smoke -n default --timeout=120s >/dev/null || {
    kc describe pods -n default -l app=smoke >&2; die "smoke pod did not become ready"; }
  local vip body
  vip="$(kc get service smoke -n default -o jsonpath='{.spec.clusterIP}')"
  wait_for "kube-proxy's rules for the smoke Service" 30 kube-proxy \
    innet bash -c "iptables -t nat -S KUBE-SERVICES | grep -q '$vip/32'"
  body="$(innet curl -fsS --max-time 5 "http://$vip/")" || die "no answer from the smoke Service at $vip"
  [[ "$body" == smoke-ok ]] || die "smoke Service answered '$body'"
  log "smoke: Service $vip answered '$body' (kube-proxy VIP from the node's network)"
  # and from the pod, the Service's name through the pod's resolv.conf (CoreDNS) gives the VIP (busybox's own
  # resolver: its wget, linked statically against glibc, crashes in getaddrinfo)
  local answer
  answer="$(kc exec -n default deployment/smoke -- /bin/busybox nslookup smoke.default.svc.cluster.local 2>&1)" \
    || die "smoke.default.svc.cluster.local does not resolve inside the smoke pod (cluster DNS): $answer"
  grep -qF "$vip" <<<"$answer" || die "smoke.default.svc.cluster.local resolved to something else than $vip: $answer"
  log "smoke: inside a pod, smoke.default.svc.cluster.local resolves to $vip (CoreDNS)"
  kc delete deployment,service smoke -n default --wait=false >/dev/null
}

# CoreDNS outside the cluster (a process in the node's network namespace, like the kubelet) on port 53, reading
# Services, namespaces and EndpointSlices with its own client certificate (user system:fledge-coredns; `pods
# insecure` answers pod names from the name alone). No forward plugin: a name outside cluster.local gets no answer
# from anywhere.
dns() {
  kc apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fledge-coredns}
rules:
- apiGroups: [""]
  resources: [services, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: fledge-coredns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fledge-coredns}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:fledge-coredns}]
---
# the tests' Prometheus (FLEDGE_PROMETHEUS_BIN): pod discovery only
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fledge-prometheus}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: fledge-prometheus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fledge-prometheus}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: system:fledge-prometheus}]
EOF
  # port 53 on the namespace's addresses (the node's, the pods' bridge gateway): the pods reach it
  cat >"$D/Corefile" <<EOF
.:53 {
    errors
    health 127.0.0.1:18181
    ready 127.0.0.1:18182
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $D/coredns.kubeconfig fledge
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loadbalance
}
EOF
  start_bg coredns "$COREDNS_BIN" -conf "$D/Corefile"
  wait_for "CoreDNS ready" 60 coredns innet curl -fsS --max-time 2 http://127.0.0.1:18182/ready
  log "dns: CoreDNS answers for cluster.local at $NODE_IP:53"
}

# Traefik outside the cluster (a process in the node's network namespace, like the kubelet), watching
# the Gateway API objects with a ServiceAccount token; the GatewayClass "traefik" and the Gateway
# "public-gw" (namespace default, listener http on port $GATEWAY_PORT, routes from every namespace); entry points on
# $GATEWAY_INTERNAL_PORT and $GATEWAY_CLOSED_PORT too, for the Gateways a test makes (GatewayApiOnClusterTest).
gateway() {
  kc apply --server-side -f "$REPO/vendor/gateway-api-v1.4.0/" >/dev/null
  # Traefik's own CRDs, for its kubernetesCRD provider (on by default in Traefik's Helm chart): the gatewayAPI
  # router's shadow stage mirrors through a TraefikService, since Traefik implements no RequestMirror filter
  kc apply --server-side -f "$REPO/vendor/traefik-v$TRAEFIK_VERSION/kubernetes-crd-definition-v1.yml" >/dev/null
  kc wait --for=condition=Established crd --all --timeout=60s >/dev/null
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: traefik, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: fledge-traefik-gateway}
rules:
- apiGroups: [""]
  resources: [namespaces]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [services, secrets, configmaps]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gatewayclasses, gateways, httproutes, grpcroutes, tcproutes, tlsroutes, referencegrants, backendtlspolicies]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gatewayclasses/status, gateways/status, httproutes/status, grpcroutes/status, tcproutes/status, tlsroutes/status, referencegrants/status, backendtlspolicies/status]
  verbs: [update]
- apiGroups: [traefik.io]
  resources: [middlewares, middlewaretcps, ingressroutes, traefikservices, ingressroutetcps, ingressrouteudps, tlsoptions, tlsstores, serverstransports, serverstransporttcps]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: fledge-traefik-gateway}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: fledge-traefik-gateway}
subjects: [{kind: ServiceAccount, name: traefik, namespace: kube-system}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: traefik}
spec: {controllerName: traefik.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public-gw, namespace: default}
spec:
  gatewayClassName: traefik
  listeners:
  - {name: http, protocol: HTTP, port: $GATEWAY_PORT, allowedRoutes: {namespaces: {from: All}}}
EOF
  local token
  token="$(kc create token traefik -n kube-system --duration 24h)"
  # no version check, no usage statistics: Traefik contacts nothing but the API server
  start_bg traefik "$TRAEFIK_BIN" \
    --global.checkNewVersion=false --global.sendAnonymousUsage=false \
    --entryPoints.web.address=":$GATEWAY_PORT" \
    --entryPoints.internal.address=":$GATEWAY_INTERNAL_PORT" \
    --entryPoints.closed.address=":$GATEWAY_CLOSED_PORT" \
    --entryPoints.traefik.address=127.0.0.1:8082 --ping=true --ping.entryPoint=traefik \
    --providers.kubernetesGateway=true \
    --providers.kubernetesGateway.endpoint="https://$NODE_IP:6443" \
    --providers.kubernetesGateway.token="$token" \
    --providers.kubernetesGateway.certAuthFilePath="$P/ca.crt" \
    --providers.kubernetesGateway.statusAddress.ip="$NODE_IP" \
    --providers.kubernetesCRD=true \
    --providers.kubernetesCRD.endpoint="https://$NODE_IP:6443" \
    --providers.kubernetesCRD.token="$token" \
    --providers.kubernetesCRD.certAuthFilePath="$P/ca.crt" \
    --providers.kubernetesCRD.allowEmptyServices=true \
    --log.level=INFO
  wait_for "Traefik ping" 60 traefik innet curl -fsS --max-time 2 http://127.0.0.1:8082/ping
  wait_for "Gateway public-gw Programmed" 60 traefik \
    bash -c "'$BIN/kubectl' --kubeconfig '$KUBECONFIG_OUT' get gateway public-gw -n default -o jsonpath='{.status.conditions[?(@.type==\"Programmed\")].status}' | grep -qx True"
  log "gateway: Traefik serves Gateway default/public-gw at http://$NODE_IP:$GATEWAY_PORT"
}

case "${1:-up}" in
  up)
    cmd_up
    log "Ctrl-C (or: e2e/cluster/cluster.sh down) stops it"
    while sleep 5; do
      for p in $(awk '{print $2}' "$(pids_file)"); do alive_or_die "$p"; done
    done
    ;;
  run)
    shift
    cmd_up
    set +e
    KUBECONFIG="$KUBECONFIG_OUT" FLEDGE_CLUSTER_DIR="$D" FLEDGE_NETNS_PATH="$NSPATH" FLEDGE_PROMETHEUS_BIN="$PROMETHEUS_BIN" "$@"
    rc=$?
    set -e
    log "command exited $rc"
    exit $rc
    ;;
  down) cmd_down ;;
  *) echo "usage: $0 up|run CMD...|down" >&2; exit 2 ;;
esac
