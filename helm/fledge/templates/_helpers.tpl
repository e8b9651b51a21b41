{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "fledge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "fledge.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "fledge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "fledge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fledge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "fledge.labels" -}}
helm.sh/chart: {{ include "fledge.chart" . }}
{{ include "fledge.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: fledge
{{- end }}

{{- define "fledge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "fledge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fledge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The shard selector of this install (docs/scale.md). With sharding.shards (every shard's name, the same list in every
install) and sharding.shard (this install's), the selectors of all installs split the releases by construction: the
first shard takes the releases whose fledge.dev/shard is none of the others (no label, or an unknown value), each
other shard those labelled with its name. Else sharding.selector as given; empty: every release.
*/}}
{{- define "fledge.shardSelector" -}}
{{- $s := .Values.sharding | default dict -}}
{{- $shards := $s.shards | default list -}}
{{- if $shards -}}
{{- if $s.selector -}}{{ fail "sharding: set sharding.shards and sharding.shard, or sharding.selector, not both" }}{{- end -}}
{{- if not .Values.leaderElection.enabled -}}{{ fail "sharding.shards needs leaderElection.enabled: two installs of one shard would both handle its releases" }}{{- end -}}
{{- if .Values.leaderElection.leaseName -}}{{ fail "sharding.shards: leave leaderElection.leaseName empty, each shard's Lease is fledge-shard-<shard>-leader (one name for all shards would leave all but one idle)" }}{{- end -}}
{{- if ne (len $shards) (len (uniq $shards)) -}}{{ fail (printf "sharding.shards %v names a shard twice" $shards) }}{{- end -}}
{{- if not (has $s.shard $shards) -}}{{ fail (printf "sharding.shard %q is not one of sharding.shards %v: each install names its own shard" ($s.shard | default "") $shards) }}{{- end -}}
{{- if ne $s.shard (first $shards) -}}
fledge.dev/shard={{ $s.shard }}
{{- else if gt (len $shards) 1 -}}
fledge.dev/shard notin ({{ join "," (rest $shards) }})
{{- end -}}
{{- else -}}
{{- if $s.shard -}}{{ fail "sharding.shard needs sharding.shards, the names of all shards" }}{{- end -}}
{{- $s.selector | default "" -}}
{{- end -}}
{{- end }}

{{/*
The leader-election Lease: leaderElection.leaseName, else per shard with sharding.shards (so that two installs given
the same shard, in the same namespace, take turns instead of both handling its releases), else per install.
*/}}
{{- define "fledge.leaseName" -}}
{{- if .Values.leaderElection.leaseName -}}
{{- .Values.leaderElection.leaseName -}}
{{- else if and (.Values.sharding).shards (.Values.sharding).shard -}}
{{- printf "fledge-shard-%s-leader" .Values.sharding.shard -}}
{{- else -}}
{{- printf "%s-leader" (include "fledge.fullname" .) -}}
{{- end -}}
{{- end }}

{{- define "fledge.metricsServiceName" -}}
{{- printf "%s-metrics" (include "fledge.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The rules the operator needs wherever it manages ModelReleases: in a ClusterRole
(all namespaces) or in one Role per watched namespace. They must equal
dev.fledge.operator.rbac.RequiredPermissions#watchedNamespaceRules (a chart test checks it), plus
RequiredPermissions#notificationSecretRule, limited to the named Secrets, when
operator.notifications.secretNames lists some.
*/}}
{{- define "fledge.watchedNamespaceRules" -}}
- apiGroups: ["fledge.dev"]
  resources: ["modelreleases"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["fledge.dev"]
  resources: ["modelreleases/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["fledge.dev"]
  resources: ["modelreleases/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["inference.networking.k8s.io"]
  resources: ["inferencepools"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["traefik.io"]
  resources: ["traefikservices"]
  verbs: ["get", "create", "patch"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "create", "patch", "delete"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gateways"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "create", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- with .Values.operator.notifications.secretNames }}
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: {{ toJson . }}
  verbs: ["get"]
{{- end }}
{{- end }}

{{/*
The rules the operator needs in its own namespace only: the leader-election Lease.
They must equal RequiredPermissions#operatorNamespaceRules.
*/}}
{{- define "fledge.operatorNamespaceRules" -}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end }}

{{/*
Cluster-scoped rules, in the ClusterRole of cluster-wide mode only (a namespace-scoped install makes no
ClusterRole). They must equal RequiredPermissions#clusterScopedRules.
*/}}
{{- define "fledge.clusterScopedRules" -}}
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gatewayclasses"]
  verbs: ["get"]
{{- end }}

{{/*
With watchNamespaces, the rules in namespaces that only hold Gateways named by parentRefs.
They must equal RequiredPermissions#gatewayNamespaceRules.
*/}}
{{- define "fledge.gatewayNamespaceRules" -}}
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gateways"]
  verbs: ["get", "list", "watch"]
{{- end }}

{{/*
The operator JVM's options when operator.jvmOptions is empty or missing (a `helm upgrade --reuse-values` from a chart
without the key): values.yaml says why each.
*/}}
{{- define "fledge.defaultJvmOptions" -}}
-XX:+UseSerialGC -XX:MaxRAMPercentage=40 -XX:NewRatio=7 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp
{{- end }}
