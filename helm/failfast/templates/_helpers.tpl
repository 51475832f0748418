{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "failfast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: the release name, unless it already contains the chart name. */}}
{{- define "failfast.fullname" -}}
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

{{- define "failfast.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "failfast.labels" -}}
helm.sh/chart: {{ include "failfast.chart" . }}
{{ include "failfast.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "failfast.selectorLabels" -}}
app.kubernetes.io/name: {{ include "failfast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "failfast.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "failfast.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "failfast.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Name of the port the actuator endpoints (probes, metrics) are served on. */}}
{{- define "failfast.managementPortName" -}}
{{- if .Values.management.port }}management{{ else }}http{{ end }}
{{- end }}

{{/* Name of the cluster-internal Service of the management port (a Service name has at most 63 characters). */}}
{{- define "failfast.managementServiceName" -}}
{{- printf "%s-management" (include "failfast.fullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}

{{/* Name of the H2 data PVC. */}}
{{- define "failfast.h2ClaimName" -}}
{{- default (printf "%s-data" (include "failfast.fullname" .)) .Values.database.h2.persistence.existingClaim }}
{{- end }}

{{/*
Refuses value combinations the schema cannot express, with a message that says what to change.
*/}}
{{- define "failfast.validate" -}}
{{- if and .Values.cluster.enabled (ne .Values.database.type "postgresql") }}
{{- fail "cluster.enabled=true needs database.type=postgresql: replicas of a cluster share one PostgreSQL database, while embedded H2 runs a single instance (the service refuses to start in cluster mode on H2)" }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.cluster.enabled) }}
{{- fail "replicaCount must be 0 or 1 unless cluster mode is on: without it Failfast runs one instance per database (each instance settles the unfinished batches it finds at startup, so a second one would end the first one's running batches); to run several replicas set cluster.enabled=true with database.type=postgresql, or scale up with failfast.executor.pool-size and resources instead" }}
{{- end }}
{{- if and (eq .Values.database.type "postgresql") (not .Values.database.postgresql.existingSecret) }}
{{- fail "database.type=postgresql needs database.postgresql.existingSecret: the name of a Secret with the JDBC url, username and password" }}
{{- end }}
{{- if and (eq .Values.database.type "postgresql") (not .Values.security.existingSecret) }}
{{- fail "database.type=postgresql needs security.existingSecret: the name of a Secret with the admin API key (key bootstrap-key) and/or the OIDC issuer-uri or jwk-set-uri; without one the service generates its admin key into /data/admin-key of the first pod to start, which on PostgreSQL has no volume to keep it (create the Secret as the chart's README, Security, shows)" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.management.port) (not .Values.metrics.serviceMonitor.authorization.secretName) }}
{{- fail "metrics.serviceMonitor.enabled with management.port=0 needs metrics.serviceMonitor.authorization.secretName: on the HTTP port /actuator/prometheus answers only a bearer token with the metrics:read scope; name a Secret holding such an API key, or keep a separate management port (the default, 8081), which needs none" }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (eq .Values.database.type "postgresql") (not .Values.networkPolicy.egress.database.to) }}
{{- fail "networkPolicy.enabled with database.type=postgresql needs networkPolicy.egress.database.to: the NetworkPolicy lets the pods reach only DNS, ports 80/443 outside the private networks and networkPolicy.egress.extra, so it would cut them off their database. Say where PostgreSQL is in your values, e.g. to: [{podSelector: {matchLabels: {app.kubernetes.io/name: postgresql}}}] for a pod in this namespace or to: [{ipBlock: {cidr: 10.20.0.5/32}}] for a managed database (and networkPolicy.egress.database.port if it is not 5432); or set networkPolicy.enabled=false" }}}]' for a pod in this namespace or [{"ipBlock":{"cidr":"10.20.0.5/32"}}] for a managed database (and networkPolicy.egress.database.port if it is not 5432); or set networkPolicy.enabled=false" }}
{{- end }}
{{- $minGrace := add .Values.shutdown.preStopSleepSeconds .Values.shutdown.drainTimeoutSeconds 10 }}
{{- if lt (int .Values.shutdown.terminationGracePeriodSeconds) (int $minGrace) }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds must be at least preStopSleepSeconds + drainTimeoutSeconds + 10 = %d, so running jobs can drain and be saved before SIGKILL" (int $minGrace)) }}
{{- end }}
{{- end }}
