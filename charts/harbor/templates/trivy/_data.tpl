{{/*
Data the trivy adapter reads. Each define renders the data of one ConfigMap or
Secret; the objects and the checksum annotations of the pod both include it.
*/}}

{{/* Environment of the adapter without secrets (ConfigMap <release>-trivy). */}}
{{- define "harbor.trivy.env" -}}
{{- $t := .Values.components.trivy -}}
{{- include "harbor.toYaml" (dict
  "SCANNER_LOG_LEVEL" .Values.logLevel
  "SCANNER_API_SERVER_ADDR" ":8080"
  "SCANNER_STORE_REDIS_NAMESPACE" "harbor.scanner.trivy:store"
  "SCANNER_JOB_QUEUE_REDIS_NAMESPACE" "harbor.scanner.trivy:job-queue"
  "SCANNER_TRIVY_CACHE_DIR" "/home/scanner/.cache/trivy"
  "SCANNER_TRIVY_REPORTS_DIR" "/home/scanner/.cache/reports"
  "SCANNER_TRIVY_VULN_TYPE" "os,library"
  "SCANNER_TRIVY_SEVERITY" "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"
  "SCANNER_TRIVY_IGNORE_UNFIXED" "false"
  "SCANNER_TRIVY_INSECURE" "false"
  "SCANNER_TRIVY_OFFLINE_SCAN" "false"
  "SCANNER_TRIVY_TIMEOUT" "5m0s"
  "SCANNER_TRIVY_SKIP_UPDATE" (toString $t.skipUpdate)
) -}}
{{- end -}}

{{/* Secret environment of the adapter (Secret <release>-trivy). */}}
{{- define "harbor.trivy.secret" -}}
{{- $url := include "harbor.redisURL" (dict "root" . "db" "trivy" "withPassword" true) -}}
{{- $env := dict
  "SCANNER_REDIS_URL" $url
  "SCANNER_STORE_REDIS_URL" $url
  "SCANNER_JOB_QUEUE_REDIS_URL" $url
-}}
{{- with .Values.components.trivy.githubToken -}}
{{- $_ := set $env "SCANNER_TRIVY_GITHUB_TOKEN" . -}}
{{- end -}}
{{- include "harbor.toYaml" $env -}}
{{- end -}}
