{{/*
Data the trivy adapter reads. Each define renders the data of one ConfigMap or
Secret; the objects and the checksum annotations of the pod both include it.
*/}}

{{/* Environment of the adapter without secrets (ConfigMap <release>-trivy).
     The SCANNER_TRIVY_* names are those of goharbor/harbor v2.15.2
     make/photon/prepare/templates/trivy-adapter/env.jinja (the DB repository
     variables appear there from v2.15.0) and harbor-helm v1.19.1
     templates/trivy/trivy-sts.yaml; the adapter of every supported release
     (harbor-scanner-trivy v0.33.0-rc.2 of 2.13.0 … v0.38.0 of 2.15.2,
     pkg/etc/config.go and pkg/trivy/wrapper.go) reads all of them and passes
     the repositories only when they are set. */}}
{{- define "harbor.trivy.env" -}}
{{- $t := .Values.components.trivy -}}
{{- $env := dict
  "SCANNER_LOG_LEVEL" .Values.logLevel
  "SCANNER_API_SERVER_ADDR" ":8080"
  "SCANNER_STORE_REDIS_NAMESPACE" "harbor.scanner.trivy:store"
  "SCANNER_JOB_QUEUE_REDIS_NAMESPACE" "harbor.scanner.trivy:job-queue"
  "SCANNER_TRIVY_CACHE_DIR" "/home/scanner/.cache/trivy"
  "SCANNER_TRIVY_REPORTS_DIR" "/home/scanner/.cache/reports"
  "SCANNER_TRIVY_VULN_TYPE" "os,library"
  "SCANNER_TRIVY_SEVERITY" (join "," $t.severities)
  "SCANNER_TRIVY_IGNORE_UNFIXED" (toString $t.ignoreUnfixed)
  "SCANNER_TRIVY_INSECURE" (toString $t.insecure)
  "SCANNER_TRIVY_OFFLINE_SCAN" (toString $t.offlineScan)
  "SCANNER_TRIVY_TIMEOUT" $t.timeout
  "SCANNER_TRIVY_SKIP_UPDATE" (toString $t.skipUpdate)
-}}
{{- /* Only when set: false is the adapter's default, and leaving it out keeps
       the ConfigMap (and the pods) of earlier releases of this chart as they were. */ -}}
{{- if $t.skipJavaDBUpdate -}}
{{- $_ := set $env "SCANNER_TRIVY_SKIP_JAVA_DB_UPDATE" "true" -}}
{{- end -}}
{{- with $t.dbRepositories -}}
{{- $_ := set $env "SCANNER_TRIVY_DB_REPOSITORY" (join "," .) -}}
{{- end -}}
{{- with $t.javaDBRepositories -}}
{{- $_ := set $env "SCANNER_TRIVY_JAVA_DB_REPOSITORY" (join "," .) -}}
{{- end -}}
{{- include "harbor.toYaml" $env -}}
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
