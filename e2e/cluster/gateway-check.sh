#!/usr/bin/env bash
# What the cluster's Gateway (Traefik) does with the HTTPRoute features Fledge's gatewayAPI router may
# use. Needs a running `make cluster` with Traefik (make traefik first). Creates, in namespace
# gateway-check, two busybox httpd backends (answering "a" and "b") and HTTPRoutes on the Gateway
# default/public-gw, sends a bounded number of requests to the Gateway from the node's network
# namespace, prints what came back, and deletes the namespace.
set -euo pipefail
D="${FLEDGE_CLUSTER_DIR:-/var/tmp/fledge-cluster}"
NS_PATH="${FLEDGE_NETNS_PATH:-/var/run/netns/fledge-node}"
NODE_IP="${FLEDGE_NODE_IP:-10.213.213.2}"
PORT="${FLEDGE_GATEWAY_PORT:-8000}"
CACHE="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}"
KUBECTL="$(ls "$CACHE"/k8s/*-linux-amd64/kubectl | head -1)"
N="${N:-200}"
kc() { "$KUBECTL" --kubeconfig "$D/kubeconfig" "$@"; }
innet() { nsenter --net="$NS_PATH" -- "$@"; }
[[ -f "$D/ready" ]] || { echo "gateway-check: no running cluster (make cluster)" >&2; exit 1; }

backend() {
  cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: gateway-check}
spec:
  replicas: 1
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: fledge.local/busybox:1.35
        imagePullPolicy: Never
        command: [/bin/busybox, sh, -c, 'mkdir -p /tmp/www && echo $1 > /tmp/www/index.html && exec /bin/busybox httpd -f -v -p 8080 -h /tmp/www']
        ports: [{containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: gateway-check}
spec:
  selector: {app: $1}
  ports: [{port: 8080, targetPort: 8080}]
---
EOF
}

kc create namespace gateway-check >/dev/null
trap 'kc delete namespace gateway-check --wait=false >/dev/null 2>&1 || true' EXIT
{ backend a; backend b; cat <<EOF
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: weights, namespace: gateway-check}
spec:
  parentRefs: [{name: public-gw, namespace: default}]
  hostnames: [weights.check]
  rules:
  - matches: [{headers: [{name: X-Fledge-Audience, value: internal}]}]
    backendRefs: [{name: b, port: 8080}]
  - backendRefs: [{name: a, port: 8080, weight: 75}, {name: b, port: 8080, weight: 25}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: mirror, namespace: gateway-check}
spec:
  parentRefs: [{name: public-gw, namespace: default}]
  hostnames: [mirror.check]
  rules:
  - backendRefs: [{name: a, port: 8080}]
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: b, port: 8080}, percent: 50}
EOF
} | kc apply -f - >/dev/null
kc rollout status deployment/a deployment/b -n gateway-check --timeout=120s >/dev/null
sleep 3   # Traefik applies a new configuration after its throttle

count() { # count HOST [HEADER]: N requests through the Gateway, tallied as "status body"
  local host="$1" header="${2:-}" i out
  for ((i = 0; i < N; i++)); do
    out="$(innet curl -s --max-time 5 -w '\n%{http_code}' -H "Host: $host" ${header:+-H "$header"} "http://$NODE_IP:$PORT/")"
    echo "$(tail -1 <<<"$out") $(head -1 <<<"$out")"
  done | sort | uniq -c | sed 's/^/    /'
}
echo "weights 75/25 ($N requests, status backend):"; count weights.check
echo "header match X-Fledge-Audience: internal -> b ($N requests):"; count weights.check "X-Fledge-Audience: internal"
echo "RequestMirror percent 50 to b, backend a ($N requests):"; count mirror.check
echo "mirror route status:"
kc get httproute mirror -n gateway-check -o jsonpath='{range .status.parents[*].conditions[*]}    {.type}={.status} {.reason}: {.message}{"\n"}{end}'
echo "log lines of b's httpd (-v logs each request; mirrored requests would add to them):"
kc logs deployment/b -n gateway-check | wc -l | sed 's/^/    /' 
