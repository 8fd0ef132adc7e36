{{/* Name of the TLS Secret of the Ingress: the configured one, or
     <release>-tls for a cert-manager issued certificate. Empty without TLS. */}}
{{- define "harbor.ingress.tlsSecret" -}}
{{- $tls := .Values.expose.ingress.tls -}}
{{- if eq $tls.source "issuer" -}}
{{- $tls.secretName | default (printf "%s-tls" .Release.Name) -}}
{{- else if eq $tls.source "secret" -}}
{{- required "expose.ingress.tls.secretName is required when tls.source is secret" $tls.secretName -}}
{{- end -}}
{{- end -}}
