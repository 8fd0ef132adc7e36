{{/*
Data jobservice reads. Each define renders the data of one ConfigMap or
Secret; the objects and the checksum annotations of the pod both include it.
*/}}

{{/* config.yml of jobservice (ConfigMap <release>-jobservice-config). The Redis
     URL here carries no password: JOB_SERVICE_POOL_REDIS_URL from the Secret
     overrides it with the full URL. */}}
{{- define "harbor.jobservice.config" -}}
{{- $v := .Values -}}
{{- $level := upper $v.logLevel -}}
protocol: http
port: 8080
worker_pool:
  workers: {{ $v.components.jobservice.workers | int }}
  backend: redis
  redis_pool:
    redis_url: {{ include "harbor.redisURL" (dict "root" . "db" "jobservice" "withPassword" false) | quote }}
    namespace: harbor_job_service_namespace
    idle_timeout_second: 3600
{{- /* One job logger, named as jobservice knows them: DB, FILE or STD_OUTPUT
       (goharbor/harbor v2.15.2 src/jobservice/logger/known_loggers.go and
       make/photon/prepare/templates/jobservice/config.yml.jinja). DB and FILE
       have a sweeper and a getter (the UI shows job logs); STD_OUTPUT has
       neither. DB reaches PostgreSQL through the settings core hands out
       (src/jobservice/job/impl/context.go), so it needs no configuration here. */}}
{{- $logger := $v.components.jobservice.jobLogger }}
job_loggers:
  - name: {{ $logger | quote }}
    level: {{ $level | quote }}
    {{- if eq $logger "FILE" }}
    settings:
      base_dir: /var/log/jobs
    sweeper:
      duration: 14
      settings:
        work_dir: /var/log/jobs
    {{- else if eq $logger "DB" }}
    sweeper:
      duration: 14
    {{- end }}
loggers:
  - name: STD_OUTPUT
    level: {{ $level | quote }}
metric:
  enabled: {{ $v.metrics.enabled }}
  path: {{ include "harbor.metricsPath" . | quote }}
  port: {{ include "harbor.metricsPort" . | int }}
reaper:
  max_update_hours: 24
  max_dangling_hours: 168
{{- end -}}

{{/* Environment of jobservice without secrets (ConfigMap <release>-jobservice). */}}
{{- define "harbor.jobservice.env" -}}
{{- $urls := include "harbor.internalURLs" . | fromYaml -}}
{{- $env := dict
  "LOG_LEVEL" .Values.logLevel
  "CORE_URL" $urls.core
  "TOKEN_SERVICE_URL" $urls.tokenService
  "REGISTRY_URL" $urls.registry
  "REGISTRY_CONTROLLER_URL" $urls.registryController
-}}
{{- if .Values.metrics.enabled -}}
{{- $_ := set $env "METRIC_NAMESPACE" "harbor" -}}
{{- $_ := set $env "METRIC_SUBSYSTEM" "jobservice" -}}
{{- end -}}
{{- $env = merge $env (include "harbor.cacheLayer.env" . | fromYaml) -}}
{{- include "harbor.toYaml" $env -}}
{{- end -}}

{{/* Secret environment of jobservice (Secret <release>-jobservice). */}}
{{- define "harbor.jobservice.secret" -}}
{{- $v := .Values -}}
{{- include "harbor.toYaml" (merge (include "harbor.cacheLayer.secretEnv" . | fromYaml) (dict
  "CORE_SECRET" $v.secrets.coreSecret
  "JOBSERVICE_SECRET" $v.secrets.jobserviceSecret
  "REGISTRY_CREDENTIAL_USERNAME" $v.secrets.registryUsername
  "REGISTRY_CREDENTIAL_PASSWORD" $v.secrets.registryPassword
  "JOB_SERVICE_POOL_REDIS_URL" (include "harbor.redisURL" (dict "root" . "db" "jobservice" "withPassword" true))
)) -}}
{{- end -}}
