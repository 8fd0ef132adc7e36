{{/*
Data the registry pod (containers registry and registryctl) reads. Each define
renders the data of one ConfigMap or Secret; the objects and the checksum
annotations of the pod both include it.
*/}}

{{/* Log level in the spelling of the distribution registry (warning -> warn). */}}
{{- define "harbor.registry.logLevel" -}}
{{- if eq .Values.logLevel "warning" -}}warn{{- else -}}{{ .Values.logLevel }}{{- end -}}
{{- end -}}

{{/* config.yml of the distribution registry. Secrets (http secret, Redis
     password, S3 keys) are not here: they arrive as REGISTRY_* environment
     variables from Secret <release>-registry, which override the file. */}}
{{- define "harbor.registry.config" -}}
{{- $v := .Values -}}
version: 0.1
log:
  level: {{ include "harbor.registry.logLevel" . | quote }}
  fields:
    service: registry
storage:
  {{- if eq $v.storage.type "s3" }}
  {{- $s3 := $v.storage.s3 }}
  s3:
    bucket: {{ required "storage.s3.bucket is required when storage.type is s3" $s3.bucket | quote }}
    region: {{ required "storage.s3.region is required when storage.type is s3" $s3.region | quote }}
    {{- with $s3.regionendpoint }}
    regionendpoint: {{ . | quote }}
    {{- end }}
    secure: {{ $s3.secure }}
    v4auth: {{ $s3.v4auth }}
    {{- with $s3.rootdirectory }}
    rootdirectory: {{ . | quote }}
    {{- end }}
  {{- else }}
  filesystem:
    rootdirectory: /storage
  {{- end }}
  cache:
    layerinfo: redis
  maintenance:
    uploadpurging:
      enabled: true
      age: 168h
      interval: 24h
      dryrun: false
  delete:
    enabled: true
  redirect:
    disable: {{ $v.storage.disableRedirect }}
redis:
  addr: {{ include "harbor.redisAddr" . | quote }}
  {{- with include "harbor.redisMasterSet" . }}
  sentinelMasterSet: {{ . | quote }}
  {{- end }}
  db: {{ include "harbor.redisDB" (dict "root" . "db" "registry") | int }}
  dialtimeout: 10s
  readtimeout: 10s
  writetimeout: 10s
  pool:
    maxidle: 100
    maxactive: 500
    idletimeout: 60s
http:
  addr: :5000
  relativeurls: false
  debug:
    {{- if $v.metrics.enabled }}
    addr: {{ printf ":%s" (include "harbor.metricsPort" .) | quote }}
    prometheus:
      enabled: true
      path: {{ include "harbor.metricsPath" . | quote }}
    {{- else }}
    addr: localhost:5001
    {{- end }}
# core authenticates clients (token service) and reaches the registry with
# basic auth; the htpasswd file holds that one user.
auth:
  htpasswd:
    realm: harbor-registry-basic-realm
    path: /etc/registry/passwd
validation:
  disabled: true
compatibility:
  schema1:
    enabled: true
{{- end -}}

{{/* config.yml of registryctl. */}}
{{- define "harbor.registry.ctlConfig" -}}
protocol: http
port: 8080
log_level: {{ upper .Values.logLevel | quote }}
registry_config: /etc/registry/config.yml
{{- end -}}

{{/* Both files of ConfigMap <release>-registry (checksum input). */}}
{{- define "harbor.registry.configs" -}}
{{ include "harbor.registry.config" . }}
---
{{ include "harbor.registry.ctlConfig" . }}
{{- end -}}

{{/* Environment both containers read: overrides of the registry config. */}}
{{- define "harbor.registry.storageEnv" -}}
{{- $v := .Values -}}
{{- $env := dict "REGISTRY_HTTP_SECRET" $v.secrets.registryHttpSecret -}}
{{- with $v.cache.password -}}
{{- $_ := set $env "REGISTRY_REDIS_PASSWORD" . -}}
{{- end -}}
{{- if eq $v.storage.type "s3" -}}
{{- with $v.storage.s3.accesskey -}}
{{- $_ := set $env "REGISTRY_STORAGE_S3_ACCESSKEY" . -}}
{{- end -}}
{{- with $v.storage.s3.secretkey -}}
{{- $_ := set $env "REGISTRY_STORAGE_S3_SECRETKEY" . -}}
{{- end -}}
{{- end -}}
{{- include "harbor.toYaml" $env -}}
{{- end -}}

{{/* Environment only registryctl reads. */}}
{{- define "harbor.registry.ctlEnv" -}}
{{- include "harbor.toYaml" (dict
  "CORE_SECRET" .Values.secrets.coreSecret
  "JOBSERVICE_SECRET" .Values.secrets.jobserviceSecret
) -}}
{{- end -}}

{{/* Files of the registry: the htpasswd of core's user. The registry reads no
     token certificate: its only auth is htpasswd (goharbor/harbor v2.15.2
     make/photon/prepare/templates/registry/config.yml.jinja, auth section;
     harbor-helm v1.19.1 mounts no root.crt either). */}}
{{- define "harbor.registry.secretFiles" -}}
{{- include "harbor.toYaml" (dict
  "passwd" .Values.secrets.registryHtpasswd
) -}}
{{- end -}}

{{/* Everything in Secret <release>-registry (checksum input). */}}
{{- define "harbor.registry.secret" -}}
{{- include "harbor.toYaml" (merge (include "harbor.registry.storageEnv" . | fromYaml) (include "harbor.registry.ctlEnv" . | fromYaml) (include "harbor.registry.secretFiles" . | fromYaml)) -}}
{{- end -}}
