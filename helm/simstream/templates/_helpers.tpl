{{/*
Names, labels, images and the environment of each service. The environment helpers are the
only place that maps values to variables; CI checks every name against the services' config
schemas (tools/deploy-check).
*/}}

{{- define "simstream.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "simstream.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The service list in start order; templates iterate over it. */}}
{{- define "simstream.serviceNames" -}}
ingestion neuromorphic quantum query gateway
{{- end -}}

{{/* Name of one service's objects: <fullname>-<service>. Call with (dict "root" $ "svc" "query"). */}}
{{- define "simstream.component" -}}
{{- printf "%s-%s" (include "simstream.fullname" .root | trunc 52 | trimSuffix "-") .svc -}}
{{- end -}}

{{- define "simstream.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: simstream
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "simstream.selectorLabels" . }}
{{- end -}}

{{- define "simstream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "simstream.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .svc }}
{{- end -}}

{{/* Labels of everything the release owns, without a component (policies, monitors). */}}
{{- define "simstream.releaseSelector" -}}
app.kubernetes.io/name: {{ include "simstream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "simstream.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "simstream.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image of a service: registry/repository/service:tag (or @digest), with the per-service override and the GPU suffix. */}}
{{- define "simstream.image" -}}
{{- $v := .root.Values -}}
{{- $s := index $v.services .svc -}}
{{- $repo := default (printf "%s/%s" $v.image.repository .svc) $s.image.repository -}}
{{- $tag := default (default .root.Chart.AppVersion $v.image.tag) $s.image.tag -}}
{{- $digest := $s.image.digest | default "" -}}
{{- if and (eq .svc "neuromorphic") $s.gpu.enabled -}}
{{- $tag = printf "%s%s" $tag $s.gpu.tagSuffix -}}
{{- /* The CUDA image is another image: the CPU image's digest never applies to it. */ -}}
{{- $digest = $s.gpu.digest | default "" -}}
{{- end -}}
{{- /* A digest pins the image: it wins over the tag. */ -}}
{{- $ref := ternary (printf "%s@%s" $repo $digest) (printf "%s:%s" $repo $tag) (ne $digest "") -}}
{{- if $v.image.registry -}}
{{- printf "%s/%s" $v.image.registry $ref -}}
{{- else -}}
{{- $ref -}}
{{- end -}}
{{- end -}}

{{/*
gRPC target of a service for its in-cluster clients (ingestion: its internal port): dns:/// on the
headless Service, one address per ready pod, which the clients balance round-robin.
*/}}
{{- define "simstream.address" -}}
{{- $s := index .root.Values.services .svc -}}
{{- printf "dns:///%s:%v" (include "simstream.headlessName" .) (ternary $s.ports.grpcInternal $s.ports.grpc (eq .svc "ingestion")) -}}
{{- end -}}

{{/* Services that serve or call gRPC, each with a certificate naming it (CN = the service). */}}
{{- define "simstream.usesGrpc" -}}
{{- if has .svc (list "ingestion" "query" "quantum" "gateway") -}}true{{- end -}}
{{- end -}}

{{/* Services that authenticate callers' credentials (API keys, JWTs). */}}
{{- define "simstream.usesAuth" -}}
{{- if has .svc (list "ingestion" "gateway") -}}true{{- end -}}
{{- end -}}

{{/* The Secret with a service's certificate: tls.existingSecrets.<svc>, else <component>-tls. */}}
{{- define "simstream.tlsSecretName" -}}
{{- $tls := .root.Values.tls -}}
{{- $existing := "" -}}
{{- if not $tls.certManager.enabled -}}{{- $existing = index $tls.existingSecrets .svc -}}{{- end -}}
{{- default (printf "%s-tls" (include "simstream.component" .)) $existing -}}
{{- end -}}

{{/* Whether a service's pods mount a certificate (gRPC over TLS). */}}
{{- define "simstream.mountsTls" -}}
{{- if and (include "simstream.usesGrpc" .) (not .root.Values.tls.insecure) -}}true{{- end -}}
{{- end -}}

{{- define "simstream.usesKafka" -}}
{{- if has .svc (list "ingestion" "neuromorphic" "quantum" "query") -}}true{{- end -}}
{{- end -}}

{{- define "simstream.usesPostgres" -}}
{{- if has .svc (list "ingestion" "neuromorphic" "quantum" "query" "gateway") -}}true{{- end -}}
{{- end -}}

{{- define "simstream.usesRedis" -}}
{{- if has .svc (list "ingestion" "quantum" "query" "gateway") -}}true{{- end -}}
{{- end -}}

{{/*
Plain (non-secret) environment of a service, as ConfigMap data. Values the service's own
defaults cover well are left out; `services.<svc>.env` adds or overrides.
*/}}
{{- define "simstream.configData" -}}
{{- $v := .root.Values -}}
{{- $s := index $v.services .svc -}}
{{- /* The ops port listens on the pod address: kubelet probes and Prometheus reach it there. */ -}}
{{- $data := dict "LOG_LEVEL" $v.logLevel "OPS_HOST" "0.0.0.0" "OPS_PORT" (toString $s.ports.ops) -}}
{{- if include "simstream.usesKafka" . -}}
{{- $_ := set $data "KAFKA_BROKERS" $v.kafka.brokers -}}
{{- $_ := set $data "KAFKA_CLIENT_ID" $v.kafka.clientId -}}
{{- $_ := set $data "KAFKA_TOPIC_ENVIRONMENT" $v.kafka.topicEnvironment -}}
{{- $_ := set $data "KAFKA_SSL" (toString $v.kafka.tls.enabled) -}}
{{- if and $v.kafka.tls.enabled $v.kafka.tls.caSecret -}}
{{- $_ := set $data "KAFKA_SSL_CA_FILE" (printf "/etc/simstream/kafka-ca/%s" $v.kafka.tls.caKey) -}}
{{- end -}}
{{- $_ := set $data "KAFKA_SASL_MECHANISM" $v.kafka.sasl.mechanism -}}
{{- $user := index $v.kafka.sasl.users .svc -}}
{{- if and (ne $v.kafka.sasl.mechanism "none") $user.username (not $v.kafka.sasl.usernameKey) -}}
{{- $_ := set $data "KAFKA_SASL_USERNAME" $user.username -}}
{{- end -}}
{{- end -}}
{{- if $s.ports.grpc -}}
{{- $_ := set $data "GRPC_HOST" "0.0.0.0" -}}
{{- $_ := set $data "GRPC_PORT" (toString $s.ports.grpc) -}}
{{- end -}}
{{- if eq .svc "ingestion" -}}
{{- $_ := set $data "INTERNAL_GRPC_PORT" (toString $s.ports.grpcInternal) -}}
{{- end -}}
{{- /* Connection age of the gRPC servers (balancing): grace covering the longest stream. */ -}}
{{- if has .svc (list "ingestion" "query" "quantum") -}}
{{- $conn := $v.grpcConnections -}}
{{- $lifetime := include "simstream.seconds" $v.services.ingestion.expose.streamLifetime | int64 -}}
{{- $grace := include "simstream.seconds" $conn.maxAgeGrace | int64 -}}
{{- $_ := set $data "GRPC_MAX_CONNECTION_AGE" $conn.maxAge -}}
{{- $_ := set $data "GRPC_MAX_CONNECTION_AGE_GRACE" (printf "%ds" (ternary (max $grace $lifetime) $grace (eq .svc "query"))) -}}
{{- if eq .svc "ingestion" -}}
{{- $_ := set $data "INGEST_PUBLIC_MAX_CONNECTION_AGE" $conn.maxAge -}}
{{- $_ := set $data "INGEST_PUBLIC_MAX_CONNECTION_AGE_GRACE" (printf "%ds" $lifetime) -}}
{{- end -}}
{{- end -}}
{{- if include "simstream.usesGrpc" . -}}
{{- if $v.tls.insecure -}}
{{- $_ := set $data "GRPC_INSECURE" "true" -}}
{{- else -}}
{{- $dir := trimSuffix "/" $v.tls.mountPath -}}
{{- $_ := set $data "GRPC_TLS_CERT_FILE" (printf "%s/tls.crt" $dir) -}}
{{- $_ := set $data "GRPC_TLS_KEY_FILE" (printf "%s/tls.key" $dir) -}}
{{- if $v.tls.caBundle.secretName -}}
{{- $_ := set $data "GRPC_TLS_CA_FILE" (printf "/etc/simstream/tls-ca/%s" $v.tls.caBundle.key) -}}
{{- else -}}
{{- $_ := set $data "GRPC_TLS_CA_FILE" (printf "%s/ca.crt" $dir) -}}
{{- end -}}
{{- $_ := set $data "GRPC_TLS_RELOAD_INTERVAL" $v.tls.reloadInterval -}}
{{- end -}}
{{- end -}}
{{- if and (include "simstream.usesAuth" .) $v.trustedProxies -}}
{{- $_ := set $data "AUTH_TRUSTED_PROXIES" (join "," $v.trustedProxies) -}}
{{- end -}}
{{- if include "simstream.usesPostgres" . -}}
{{- $_ := set $data "DATABASE_MIGRATE" (toString (not $v.migrations.enabled)) -}}
{{- /* The pool size the budget check counts (_pgbouncer.tpl), and the timeout PgBouncer also sets. */ -}}
{{- $_ := set $data "DATABASE_POOL_MAX" (toString (index $v.postgres.poolMax .svc)) -}}
{{- $_ := set $data "DATABASE_STATEMENT_TIMEOUT" $v.postgres.statementTimeout -}}
{{- end -}}
{{- $ensureTopics := dict "ingestion" "INGEST_ENSURE_TOPICS" "neuromorphic" "NEURO_ENSURE_TOPICS" "quantum" "QUANTUM_ENSURE_TOPICS" "query" "QUERY_ENSURE_TOPICS" -}}
{{- if hasKey $ensureTopics .svc -}}
{{- $_ := set $data (get $ensureTopics .svc) (toString $v.kafka.ensureTopics) -}}
{{- end -}}
{{- if eq .svc "neuromorphic" -}}
{{- $_ := set $data "SIMSTREAM_TF_BACKEND" (ternary "tensorflow-gpu" $s.tfBackend $s.gpu.enabled) -}}
{{- end -}}
{{- if eq .svc "ingestion" -}}
{{- $_ := set $data "QUERY_ADDRESS" (include "simstream.address" (dict "root" .root "svc" "query")) -}}
{{- end -}}
{{- if eq .svc "query" -}}
{{- $_ := set $data "INFLUX_URL" $v.influxdb.url -}}
{{- $_ := set $data "INFLUX_DATABASE" $v.influxdb.database -}}
{{- end -}}
{{- if eq .svc "gateway" -}}
{{- $_ := set $data "HTTP_PORT" (toString $s.ports.http) -}}
{{- $_ := set $data "QUERY_ADDRESS" (include "simstream.address" (dict "root" .root "svc" "query")) -}}
{{- $_ := set $data "INGESTION_ADDRESS" (include "simstream.address" (dict "root" .root "svc" "ingestion")) -}}
{{- $_ := set $data "QUANTUM_ADDRESS" (include "simstream.address" (dict "root" .root "svc" "quantum")) -}}
{{- end -}}
{{- range $k, $val := $s.env -}}
{{- $_ := set $data $k (toString $val) -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{/* One env entry from a Secret key. */}}
{{- define "simstream.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/* Environment from the downward API and from Secrets (never from values). */}}
{{- define "simstream.secretEnvList" -}}
{{- $v := .root.Values -}}
- name: INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- if and (include "simstream.usesKafka" .) (ne $v.kafka.sasl.mechanism "none") }}
{{- /* Each service's own Kafka identity (kafka.sasl.users.<service>). */}}
{{- $user := index $v.kafka.sasl.users .svc }}
{{- if $v.kafka.sasl.usernameKey }}
{{ include "simstream.secretEnv" (dict "name" "KAFKA_SASL_USERNAME" "secret" $user.secret "key" $v.kafka.sasl.usernameKey) }}
{{- end }}
{{ include "simstream.secretEnv" (dict "name" "KAFKA_SASL_PASSWORD" "secret" $user.secret "key" $v.kafka.sasl.passwordKey) }}
{{- end }}
{{- if include "simstream.usesPostgres" . }}
{{ include "simstream.secretEnv" (dict "name" "DATABASE_URL" "secret" $v.secrets.postgres.name "key" (ternary $v.secrets.postgres.pooledUrlKey $v.secrets.postgres.urlKey $v.pgbouncer.enabled)) }}
{{- end }}
{{- if include "simstream.usesRedis" . }}
{{ include "simstream.secretEnv" (dict "name" "REDIS_URL" "secret" $v.secrets.redis.name "key" $v.secrets.redis.urlKey) }}
{{- end }}
{{- if and (eq .svc "query") $v.secrets.influxdb.name }}
{{ include "simstream.secretEnv" (dict "name" "INFLUX_TOKEN" "secret" $v.secrets.influxdb.name "key" $v.secrets.influxdb.tokenKey) }}
{{- end }}
{{- if include "simstream.usesAuth" . }}
{{- range $name, $key := $v.secrets.auth.env }}
{{ include "simstream.secretEnv" (dict "name" $name "secret" $v.secrets.auth.name "key" $key) }}
{{- end }}
{{- end }}
{{- if eq .svc "gateway" }}
{{- range $name, $key := $v.secrets.gateway.env }}
{{ include "simstream.secretEnv" (dict "name" $name "secret" $v.secrets.gateway.name "key" $key) }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod-level security context and the read-only root filesystem's one writable path. */}}
{{- define "simstream.containerSecurity" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end -}}
