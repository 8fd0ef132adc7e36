{{/*
Data core reads. Each define renders the data of one ConfigMap or Secret; the
object templates and the checksum annotations of the core pod both include it.
*/}}

{{/* Environment of core without secrets (ConfigMap <release>-core). */}}
{{- define "harbor.core.env" -}}
{{- $v := .Values -}}
{{- $urls := include "harbor.internalURLs" . | fromYaml -}}
{{- $db := include "harbor.database" . | fromYaml -}}
{{- $env := dict
  "CONFIG_PATH" "/etc/core/app.conf"
  "PORT" "8080"
  "LOG_LEVEL" $v.logLevel
  "EXT_ENDPOINT" (include "harbor.externalURL" .)
  "CORE_URL" $urls.core
  "CORE_LOCAL_URL" "http://127.0.0.1:8080"
  "JOBSERVICE_URL" $urls.jobservice
  "REGISTRY_URL" $urls.registry
  "REGISTRY_CONTROLLER_URL" $urls.registryController
  "TOKEN_SERVICE_URL" $urls.tokenService
  "PORTAL_URL" $urls.portal
  "WITH_TRIVY" (toString $v.components.trivy.enabled)
  "DATABASE_TYPE" "postgresql"
  "POSTGRESQL_HOST" $db.host
  "POSTGRESQL_PORT" $db.port
  "POSTGRESQL_DATABASE" $db.name
  "POSTGRESQL_USERNAME" $db.username
  "POSTGRESQL_SSLMODE" $db.sslmode
  "POSTGRESQL_MAX_IDLE_CONNS" (toString $v.database.maxIdleConns)
  "POSTGRESQL_MAX_OPEN_CONNS" (toString $v.database.maxOpenConns)
  "REGISTRY_STORAGE_PROVIDER_NAME" $v.storage.type
  "PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE" (join "," $v.registryTypes.proxyCache)
-}}
{{- /* registryTypes comes from the operator's per-release table
       (the release table src/api/releases.ts, which names the upstream sources).
       Harbor 2.14+ offers only the replication adapters listed in
       REPLICATION_ADAPTER_WHITELIST (none at all when it is unset or empty);
       2.13 does not read it, and the list is then empty and not rendered. */ -}}
{{- with $v.registryTypes.replicationAdapterWhitelist -}}
{{- $_ := set $env "REPLICATION_ADAPTER_WHITELIST" (join "," .) -}}
{{- end -}}
{{- if $v.components.trivy.enabled -}}
{{- $_ := set $env "TRIVY_ADAPTER_URL" $urls.trivy -}}
{{- end -}}
{{- $env = merge $env (include "harbor.cacheLayer.env" . | fromYaml) -}}
{{- if $v.metrics.enabled -}}
{{- $_ := set $env "METRIC_ENABLE" "true" -}}
{{- $_ := set $env "METRIC_PATH" (include "harbor.metricsPath" .) -}}
{{- $_ := set $env "METRIC_PORT" (include "harbor.metricsPort" .) -}}
{{- $_ := set $env "METRIC_NAMESPACE" "harbor" -}}
{{- $_ := set $env "METRIC_SUBSYSTEM" "core" -}}
{{- end -}}
{{- include "harbor.toYaml" $env -}}
{{- end -}}

{{/* Beego settings of core (ConfigMap <release>-core-config, key app.conf), as
     upstream has them: production mode (no stack traces to clients, no dev
     Server header) and the port in its [prod] section.
     goharbor/harbor v2.13.5, v2.14.4, v2.15.2 make/photon/prepare/templates/core/app.conf.jinja;
     harbor-helm v1.19.1 templates/core/core-cm.yaml. */}}
{{- define "harbor.core.appConf" -}}
appname = Harbor
runmode = prod
enablegzip = true

[prod]
httpport = 8080
{{- end -}}

{{/* Harbor's settings from spec.configuration (src/render/configuration.ts):
     CONFIG_OVERWRITE_JSON, which core applies at every start (goharbor/harbor
     v2.15.2 src/core/main.go, src/controller/config/controller.go
     OverwriteConfig). A Secret's: it holds the OIDC, UAA and LDAP secrets. */}}
{{- define "harbor.core.configOverwrite" -}}
{{- with .Values.configuration.overwriteJSON -}}
{{- include "harbor.toYaml" (dict "CONFIG_OVERWRITE_JSON" .) -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}

{{/* Secret environment of core (Secret <release>-core). */}}
{{- define "harbor.core.secretEnv" -}}
{{- $v := .Values -}}
{{- include "harbor.toYaml" (merge
  (include "harbor.core.configOverwrite" . | fromYaml)
  (include "harbor.cacheLayer.secretEnv" . | fromYaml)
  (dict
  "CORE_SECRET" $v.secrets.coreSecret
  "JOBSERVICE_SECRET" $v.secrets.jobserviceSecret
  "CSRF_KEY" $v.secrets.csrfKey
  "HARBOR_ADMIN_PASSWORD" $v.secrets.adminPassword
  "POSTGRESQL_PASSWORD" $v.database.password
  "REGISTRY_CREDENTIAL_USERNAME" $v.secrets.registryUsername
  "REGISTRY_CREDENTIAL_PASSWORD" $v.secrets.registryPassword
  "_REDIS_URL_CORE" (include "harbor.redisURL" (dict "root" . "db" "core" "withPassword" true))
  "_REDIS_URL_REG" (include "harbor.redisURL" (dict "root" . "db" "registry" "withPassword" true))
)) -}}
{{- end -}}

{{/* Files core reads from its Secret: the encryption key and the token signing key. */}}
{{- define "harbor.core.secretFiles" -}}
{{- include "harbor.toYaml" (dict
  "key" .Values.secrets.secretKey
  "private_key.pem" .Values.secrets.tokenKey
) -}}
{{- end -}}

{{/* Everything in Secret <release>-core (checksum input). */}}
{{- define "harbor.core.secret" -}}
{{- include "harbor.toYaml" (merge (include "harbor.core.secretEnv" . | fromYaml) (include "harbor.core.secretFiles" . | fromYaml)) -}}
{{- end -}}
