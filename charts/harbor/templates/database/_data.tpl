{{/* Secret environment of the in-cluster PostgreSQL (Secret <release>-database). */}}
{{- define "harbor.database.secret" -}}
{{- include "harbor.toYaml" (dict "POSTGRES_PASSWORD" .Values.database.password) -}}
{{- end -}}
