{{/*
Data the exporter reads. Each define renders the data of one ConfigMap or
Secret; the objects and the checksum annotations of the pod both include it.
*/}}

{{/* Environment of the exporter without secrets (ConfigMap <release>-exporter). */}}
{{- define "harbor.exporter.env" -}}
{{- $v := .Values -}}
{{- $db := include "harbor.database" . | fromYaml -}}
{{- include "harbor.toYaml" (dict
  "LOG_LEVEL" $v.logLevel
  "HARBOR_EXPORTER_PORT" (include "harbor.metricsPort" .)
  "HARBOR_EXPORTER_METRICS_PATH" (include "harbor.metricsPath" .)
  "HARBOR_EXPORTER_METRICS_ENABLED" "true"
  "HARBOR_EXPORTER_MAX_REQUESTS" "30"
  "HARBOR_EXPORTER_CACHE_TIME" "23"
  "HARBOR_EXPORTER_CACHE_CLEAN_INTERVAL" "14400"
  "HARBOR_METRIC_NAMESPACE" "harbor"
  "HARBOR_METRIC_SUBSYSTEM" "exporter"
  "HARBOR_SERVICE_HOST" (printf "%s-core" .Release.Name)
  "HARBOR_SERVICE_PORT" "80"
  "HARBOR_SERVICE_SCHEME" "http"
  "HARBOR_REDIS_NAMESPACE" "harbor_job_service_namespace"
  "HARBOR_REDIS_TIMEOUT" "3600"
  "HARBOR_DATABASE_HOST" $db.host
  "HARBOR_DATABASE_PORT" $db.port
  "HARBOR_DATABASE_DBNAME" $db.name
  "HARBOR_DATABASE_USERNAME" $db.username
  "HARBOR_DATABASE_SSLMODE" $db.sslmode
  "HARBOR_DATABASE_MAX_IDLE_CONNS" (toString $v.database.maxIdleConns)
  "HARBOR_DATABASE_MAX_OPEN_CONNS" (toString $v.database.maxOpenConns)
) -}}
{{- end -}}

{{/* Secret environment of the exporter (Secret <release>-exporter). It reads
     the job queue, so its Redis URL is jobservice's. */}}
{{- define "harbor.exporter.secret" -}}
{{- include "harbor.toYaml" (dict
  "HARBOR_DATABASE_PASSWORD" .Values.database.password
  "HARBOR_REDIS_URL" (include "harbor.redisURL" (dict "root" . "db" "jobservice" "withPassword" true))
) -}}
{{- end -}}
