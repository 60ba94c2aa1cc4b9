{{/*
Scaling helpers (KEDA). Kept apart from _helpers.tpl so the Kafka credentials KEDA reads come
from one place, the same per-service KafkaUser Secret the service's pods sign in with.
*/}}

{{/*
The Kafka connection and credentials of a service, as YAML: tls, caSecret, caKey, sasl (KEDA's
spelling: none, plaintext, scram_sha256, scram_sha512), secret, usernameKey, username,
passwordKey. Call with (dict "root" $ "svc" "query").
*/}}
{{- define "simstream.kafkaAuth" -}}
{{- $k := .root.Values.kafka -}}
{{- $sasl := dict "none" "none" "plain" "plaintext" "scram-sha-256" "scram_sha256" "scram-sha-512" "scram_sha512" -}}
tls: {{ $k.tls.enabled }}
caSecret: {{ $k.tls.caSecret | quote }}
caKey: {{ $k.tls.caKey | quote }}
sasl: {{ get $sasl $k.sasl.mechanism | quote }}
{{- $user := get ($k.sasl.users | default dict) .svc | default dict }}
secret: {{ get $user "secret" | default "" | quote }}
usernameKey: {{ $k.sasl.usernameKey | quote }}
username: {{ get $user "username" | default "" | quote }}
passwordKey: {{ $k.sasl.passwordKey | quote }}
{{- end -}}

{{/*
What a consumer reads, as YAML: a list of {group, topic} (topic: a key of keda.topics; lag: a
key of keda.lagThreshold). The groups follow the services' own variables when overridden.
*/}}
{{- define "simstream.kedaLagSources" -}}
{{- $env := (index .root.Values.services .svc).env | default dict -}}
{{- if eq .svc "neuromorphic" -}}
- { group: {{ get $env "NEURO_CONSUMER_GROUP" | default "simstream-neuromorphic" | quote }}, topic: frames, lag: neuromorphic }
{{- else if eq .svc "quantum" -}}
- { group: {{ get $env "QUANTUM_FRAMES_GROUP" | default "simstream-quantum" | quote }}, topic: frames, lag: quantum }
- { group: {{ get $env "QUANTUM_JOBS_GROUP" | default "simstream-quantum-jobs" | quote }}, topic: quantumJobs, lag: quantumJobs }
{{- else if eq .svc "query" -}}
{{- $group := get $env "QUERY_CONSUMER_GROUP" | default "simstream-query" -}}
- { group: {{ $group | quote }}, topic: frames, lag: query }
- { group: {{ $group | quote }}, topic: neuromorphicResults, lag: query }
- { group: {{ $group | quote }}, topic: quantumResults, lag: query }
{{- end -}}
{{- end -}}

{{/* "true" when KEDA scales this service (a ScaledObject and no HPA of the chart's own). */}}
{{- define "simstream.kedaScales" -}}
{{- $v := .root.Values -}}
{{- $s := index $v.services .svc -}}
{{- if and $v.keda.enabled $s.enabled $s.autoscaling.enabled -}}
{{- if has .svc (list "neuromorphic" "quantum" "query") -}}true
{{- else if and (eq .svc "ingestion") $v.keda.prometheus.serverAddress -}}true
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Scale-down slowly: each removal moves Kafka partitions (a consumer group rebalance). */}}
{{- define "simstream.scalingBehavior" -}}
scaleDown:
  stabilizationWindowSeconds: 300
  policies:
    - type: Pods
      value: 1
      periodSeconds: 120
scaleUp:
  stabilizationWindowSeconds: 30
  policies:
    - type: Percent
      value: 100
      periodSeconds: 60
{{- end -}}
