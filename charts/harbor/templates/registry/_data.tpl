{{/*
Data the registry pod (containers registry and registryctl) reads. Each define
renders the data of one ConfigMap or Secret; the objects and the checksum
annotations of the pod both include it.
*/}}

{{/* Log level in the spelling of the distribution registry (warning -> warn). */}}
{{- define "harbor.registry.logLevel" -}}
{{- if eq .Values.logLevel "warning" -}}warn{{- else -}}{{ .Values.logLevel }}{{- end -}}
{{- end -}}

{{/* Paths of the files of the storage driver the registry pod mounts from
     Secret <release>-registry (harbor-helm v1.19.1 templates/registry/registry-dpl.yaml
     mounts them at the same paths). */}}
{{- define "harbor.registry.gcsKeyPath" -}}/etc/registry/gcs-key.json{{- end -}}
{{- define "harbor.registry.cloudFrontKeyPath" -}}/etc/registry/pk.pem{{- end -}}

{{/* config.yml of the distribution registry. Secrets (http secret, Redis
     password, the storage driver's keys) are not here: they arrive as
     REGISTRY_* environment variables from Secret <release>-registry, which
     override the file. The storage section is the driver's parameters as the
     operator computed them (src/render/storage.ts: names and types as each
     driver of goharbor/distribution release/2.8 reads them), plus the paths of
     the files mounted here. */}}
{{- define "harbor.registry.config" -}}
{{- $v := .Values -}}
version: 0.1
log:
  level: {{ include "harbor.registry.logLevel" . | quote }}
  fields:
    service: registry
storage:
  {{ $v.storage.type }}:
    {{- if eq $v.storage.type "filesystem" }}
    {{- /* The volume of the registry is mounted there (deployment.yaml). */}}
    rootdirectory: /storage
    {{- end }}
    {{- /* Names are the operator's (schema: lowercase letters and digits); values typed or quoted. */}}
    {{- range $v.storage.parameters }}
    {{ .name }}: {{ include "harbor.toYaml" .value }}
    {{- end }}
    {{- if $v.storage.gcsKeyFile }}
    keyfile: {{ include "harbor.registry.gcsKeyPath" . | quote }}
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
{{- if $v.storage.cloudFront.enabled }}
# The cloudfront storage middleware (goharbor/distribution release/2.8
# registry/storage/driver/middleware/cloudfront/middleware.go reads baseurl,
# privatekey (a file), keypairid, duration, ipfilteredby, awsregion).
middleware:
  storage:
    - name: cloudfront
      options: {{ include "harbor.toYaml" (merge (dict "privatekey" (include "harbor.registry.cloudFrontKeyPath" .)) $v.storage.cloudFront.options) }}
{{- end }}
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
{{- /* The storage driver's secret parameters. The registry (and registryctl)
       read each REGISTRY_STORAGE_<DRIVER>_<NAME> through yaml.Unmarshal into
       the driver's parameter map (goharbor/distribution release/2.8
       configuration/parser.go overwriteMap): a value such as 0777, true or
       a: b would arrive as a number, a boolean or a map. Each is therefore a
       YAML double-quoted string (quote's escapes are YAML's), read back as
       the very string. */ -}}
{{- range $k, $val := $v.storage.secretParameters -}}
{{- $_ := set $env (printf "REGISTRY_STORAGE_%s_%s" (upper $v.storage.type) (upper $k)) (quote $val) -}}
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
{{- $files := dict "passwd" .Values.secrets.registryHtpasswd -}}
{{- with .Values.storage.gcsKeyFile -}}
{{- $_ := set $files "gcs-key.json" . -}}
{{- end -}}
{{- if .Values.storage.cloudFront.enabled -}}
{{- $_ := set $files "cloudfront-key.pem" .Values.storage.cloudFront.privateKey -}}
{{- end -}}
{{- include "harbor.toYaml" $files -}}
{{- end -}}

{{/* Everything in Secret <release>-registry (checksum input). */}}
{{- define "harbor.registry.secret" -}}
{{- include "harbor.toYaml" (merge (include "harbor.registry.storageEnv" . | fromYaml) (include "harbor.registry.ctlEnv" . | fromYaml) (include "harbor.registry.secretFiles" . | fromYaml)) -}}
{{- end -}}
