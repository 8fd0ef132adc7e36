{{/* Secret of the in-cluster Redis (Secret <release>-redis): the password it
     requires, rendered only when cache.password is set. */}}
{{- define "harbor.redis.secret" -}}
{{- include "harbor.toYaml" (dict "REDIS_PASSWORD" .Values.cache.password) -}}
{{- end -}}
