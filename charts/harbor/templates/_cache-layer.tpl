{{/*
Harbor's cache layer (projects, repositories, artifacts and manifests kept in
Redis), read by core and jobservice alike: CACHE_ENABLED and
CACHE_EXPIRE_HOURS (system items, goharbor/harbor v2.15.2
src/lib/config/metadata/metadatalist.go; src/lib/config/systemconfig.go
CacheEnabled, CacheExpireHours) and _REDIS_URL_CACHE_LAYER (src/lib/cache/cache.go
LayerCache; without it the layer shares core's database). Upstream sets all
three for core and jobservice (v2.15.2 make/photon/prepare/templates/core/env.jinja
and jobservice/env.jinja; harbor-helm v1.19.1 templates/core/core-cm.yaml and
templates/jobservice/jobservice-cm-env.yaml). Both defines render {} when the
layer is off.
*/}}

{{/* Environment without secrets (the ConfigMaps of core and jobservice). */}}
{{- define "harbor.cacheLayer.env" -}}
{{- if .Values.cacheLayer.enabled -}}
{{- include "harbor.toYaml" (dict "CACHE_ENABLED" "true" "CACHE_EXPIRE_HOURS" (toString (int .Values.cacheLayer.expireHours))) -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}

{{/* Secret environment: the layer's Redis URL carries the password (the Secrets of core and jobservice). */}}
{{- define "harbor.cacheLayer.secretEnv" -}}
{{- if .Values.cacheLayer.enabled -}}
{{- include "harbor.toYaml" (dict "_REDIS_URL_CACHE_LAYER" (include "harbor.redisURL" (dict "root" . "db" "cacheLayer" "withPassword" true))) -}}
{{- else -}}
{}
{{- end -}}
{{- end -}}
