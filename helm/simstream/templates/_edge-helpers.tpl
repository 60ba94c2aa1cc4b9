{{/*
Sizes and durations for the edge, computed from the same texts the services parse (libs/config:
"64MiB", "12h"), so that limits set at the edge follow the services' configuration instead of
being guessed: the gateway's largest upload, ingestion's stream lifetime.
*/}}

{{/* "64MiB", "1.5GB", "4096" -> bytes (integer). Units as libs/config parseBytes. */}}
{{- define "simstream.bytes" -}}
{{- $text := lower (toString .) | trim -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $text -}}
{{- $unit := trim (trimPrefix $number $text) -}}
{{- $units := dict "" 1 "b" 1 "kb" 1000 "mb" 1000000 "gb" 1000000000 "kib" 1024 "mib" 1048576 "gib" 1073741824 -}}
{{- if or (not $number) (not (hasKey $units $unit)) -}}
{{- fail (printf "not a size: %q (e.g. 64MiB)" .) -}}
{{- end -}}
{{- mulf (float64 $number) (index $units $unit) | int64 -}}
{{- end -}}

{{/* "12h", "90m", "30s" -> seconds (integer); the schema admits only these forms. */}}
{{- define "simstream.seconds" -}}
{{- $text := toString . -}}
{{- $n := int64 (regexFind "^[0-9]+" $text) -}}
{{- $unit := trimPrefix (toString $n) $text -}}
{{- mul $n (get (dict "s" 1 "m" 60 "h" 3600) $unit) -}}
{{- end -}}

{{/*
The largest request body the gateway accepts: the largest of its binary, JSON and other body
limits (GATEWAY_MAX_BODY_BYTES 64MiB, GATEWAY_MAX_JSON_FRAMES_BYTES 16MiB,
GATEWAY_MAX_REQUEST_BYTES 4MiB by default, or services.gateway.env), plus 1 MiB so that the
gateway, not the edge, answers a too-large body (with its own problem document).
*/}}
{{- define "simstream.gatewayBodyLimit" -}}
{{- $env := .Values.services.gateway.env -}}
{{- $max := 0 -}}
{{- range $name, $default := dict "GATEWAY_MAX_BODY_BYTES" "64MiB" "GATEWAY_MAX_JSON_FRAMES_BYTES" "16MiB" "GATEWAY_MAX_REQUEST_BYTES" "4MiB" -}}
{{- $n := include "simstream.bytes" (default $default (get $env $name)) | int64 -}}
{{- if gt $n $max }}{{ $max = $n }}{{ end -}}
{{- end -}}
{{- add $max 1048576 -}}
{{- end -}}

{{/* In-cluster gRPC target of a service: dns:/// on its headless Service, for round_robin. */}}
{{- define "simstream.headlessName" -}}
{{- printf "%s-headless" (include "simstream.component" .) -}}
{{- end -}}
