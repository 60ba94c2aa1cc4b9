{{/*
PgBouncer and the Postgres connection budget. The arithmetic lives here so that the rendering
fails (helm `fail`) before anything is applied when the services' pools could open more
connections than PgBouncer accepts, or PgBouncer's server pools more than Postgres has.
*/}}

{{/* DATABASE_POOL_MAX of one service: services.<svc>.env wins over postgres.poolMax.<svc>. */}}
{{- define "simstream.databasePoolMax" -}}
{{- $s := index .root.Values.services .svc -}}
{{- if hasKey $s.env "DATABASE_POOL_MAX" -}}
{{- index $s.env "DATABASE_POOL_MAX" | int -}}
{{- else -}}
{{- index .root.Values.postgres.poolMax .svc | int -}}
{{- end -}}
{{- end -}}

{{/* Pods of a service at most: maxReplicas with autoscaling, else replicas. */}}
{{- define "simstream.maxPods" -}}
{{- $s := index .root.Values.services .svc -}}
{{- if $s.autoscaling.enabled -}}{{ $s.autoscaling.maxReplicas | int }}{{- else -}}{{ $s.replicas | int }}{{- end -}}
{{- end -}}

{{/* Fails the rendering when the budget does not hold; renders nothing otherwise. */}}
{{- define "simstream.postgresBudget" -}}
{{- $v := .Values -}}
{{- $clients := 0 -}}
{{- $terms := list -}}
{{- range $svc := splitList " " (include "simstream.serviceNames" $) -}}
{{- $s := index $v.services $svc -}}
{{- if and $s.enabled (include "simstream.usesPostgres" (dict "root" $ "svc" $svc)) -}}
{{- $pool := include "simstream.databasePoolMax" (dict "root" $ "svc" $svc) | int -}}
{{- $pods := include "simstream.maxPods" (dict "root" $ "svc" $svc) | int -}}
{{- $clients = add $clients (mul $pool $pods) -}}
{{- $terms = append $terms (printf "%s %d x %d" $svc $pool $pods) -}}
{{- end -}}
{{- end -}}
{{- $budget := sub $v.postgres.maxConnections $v.postgres.reservedConnections -}}
{{- $pb := $v.pgbouncer -}}
{{- if $pb.enabled -}}
{{- if gt $clients ($pb.maxClientConn | int) -}}
{{- fail (printf "postgres budget: the services' pools can open %d connections to PgBouncer (%s; DATABASE_POOL_MAX x maxReplicas) but pgbouncer.maxClientConn is %d: raise it, or lower postgres.poolMax or maxReplicas" $clients (join " + " $terms) ($pb.maxClientConn | int)) -}}
{{- end -}}
{{- $servers := add (mul $pb.defaultPoolSize $pb.replicas) $v.postgres.migrationConnections -}}
{{- if gt $servers $budget -}}
{{- fail (printf "postgres budget: PgBouncer can open %d server connections (pgbouncer.defaultPoolSize %d x replicas %d + postgres.migrationConnections %d) but the database budget is %d (postgres.maxConnections %d - reservedConnections %d): lower defaultPoolSize or replicas, or raise max_connections" $servers ($pb.defaultPoolSize | int) ($pb.replicas | int) ($v.postgres.migrationConnections | int) $budget ($v.postgres.maxConnections | int) ($v.postgres.reservedConnections | int)) -}}
{{- end -}}
{{- else -}}
{{- $direct := add $clients $v.postgres.migrationConnections -}}
{{- if gt $direct $budget -}}
{{- fail (printf "postgres budget: without PgBouncer the services' pools can open %d connections to Postgres (%s; DATABASE_POOL_MAX x maxReplicas, + %d for migrations) but the database budget is %d (postgres.maxConnections %d - reservedConnections %d): enable pgbouncer, or lower postgres.poolMax or maxReplicas" $direct (join " + " $terms) ($v.postgres.migrationConnections | int) $budget ($v.postgres.maxConnections | int) ($v.postgres.reservedConnections | int)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
