{{/*
Shared helpers of the Harbor chart.

Conventions:
  - helpers that need more than the root context take a dict with "root" (the
    chart's root context) and "component" (core, portal, registry, ...);
  - every object is named <release>-<component>[-<suffix>] and lives in the
    release namespace;
  - nothing here may depend on chance, the clock or the cluster: the output of
    `helm template` is a pure function of the values;
  - a value reaches YAML only quoted (`| quote`), as "harbor.toYaml" output,
    or typed (`| int`, booleans from the schema-checked values): a string
    given by a user can never add a key, an object or a document, and is
    never dropped (test/unit/chart-injection.test.ts renders hostile strings
    in every string field of the CRD). Sprig's toYaml is not used: it
    silently renders nothing for a map holding a string with DEL, a C1
    control or U+0085 (its YAML round trip refuses them).
*/}}

{{/* Any value as one line of flow YAML: maps with sorted keys, every string
     Go-quoted (`quote`: its escapes are YAML double-quoted escapes, and
     non-printable characters are escaped), numbers, booleans and null as
     JSON. A key longer than 1000 characters gets the explicit key indicator
     "? " (an implicit YAML key may not exceed 1024). */}}
{{- define "harbor.toYaml" -}}
{{- if kindIs "map" . -}}
{{- $m := . -}}
{ {{- range $i, $k := keys $m | sortAlpha -}}
{{- if $i }}, {{ end -}}
{{- $q := quote $k -}}
{{- if gt (len $q) 1000 }}? {{ end -}}
{{- $q }}: {{ include "harbor.toYaml" (index $m $k) -}}
{{- end -}} }
{{- else if kindIs "slice" . -}}
[ {{- range $i, $v := . -}}
{{- if $i }}, {{ end -}}
{{- include "harbor.toYaml" $v -}}
{{- end -}} ]
{{- else if kindIs "string" . -}}
{{- quote . -}}
{{- else if kindIs "invalid" . -}}
null
{{- else -}}
{{- toJson . -}}
{{- end -}}
{{- end -}}

{{/* Name of an object: <release>-<component>, or <release>-<component>-<suffix>. */}}
{{- define "harbor.fullname" -}}
{{- if .suffix -}}
{{- printf "%s-%s-%s" .root.Release.Name .component .suffix -}}
{{- else -}}
{{- printf "%s-%s" .root.Release.Name .component -}}
{{- end -}}
{{- end -}}

{{/* Labels used in selectors: never change across upgrades. */}}
{{- define "harbor.selectorLabels" -}}
app.kubernetes.io/name: harbor
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .component | quote }}
{{- end -}}

{{/* All labels of an object: selector labels, version, manager and commonLabels.
     The version is the component's own release (components.<c>.version: during
     an upgrade components run different releases), else .Values.version.
     The chart's own labels win over commonLabels of the same key. */}}
{{- define "harbor.labels" -}}
{{- $own := include "harbor.selectorLabels" . | fromYaml -}}
{{- $c := index .root.Values.components .component | default dict -}}
{{- $_ := set $own "app.kubernetes.io/version" (toString ($c.version | default .root.Values.version)) -}}
{{- $_ := set $own "app.kubernetes.io/managed-by" "harbor-operator" -}}
{{- include "harbor.toYaml" (merge $own (.root.Values.commonLabels | default dict)) -}}
{{- end -}}

{{/* metadata block of an object: name, namespace, labels and optional annotations.
     (dict "root" $ "component" "core" ["suffix" "config"] ["name" "override"] ["annotations" dict]) */}}
{{- define "harbor.metadata" -}}
name: {{ .name | default (include "harbor.fullname" .) | quote }}
namespace: {{ .root.Release.Namespace | quote }}
labels:
  {{- include "harbor.labels" . | nindent 2 }}
{{- with .annotations }}
annotations:
  {{- include "harbor.toYaml" . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Image reference: <registry>/<repository>/<name>:<tag>, name and tag being
     those of the component's release (components.<c>.image, from the
     operator's release table), or image.reference when the HarborCluster
     overrides it. The pull policy is the component's imagePullPolicy, else
     image.pullPolicy.
     (dict "root" $ "image" .Values.components.core.image ["pullPolicy" .Values.components.core.imagePullPolicy]) */}}
{{- define "harbor.image" -}}
{{- $i := .root.Values.image -}}
{{- if .image.reference }}
image: {{ .image.reference | quote }}
{{- else }}
image: {{ printf "%s/%s/%s:%s" $i.registry $i.repository .image.name .image.tag | quote }}
{{- end }}
imagePullPolicy: {{ .pullPolicy | default $i.pullPolicy | quote }}
{{- end -}}

{{/* The HarborCluster's extra variables of a container (components.<c>.env),
     rendered after the operator's own, every string quoted. A name among
     "reserved" (the variables the operator sets from a Secret in that
     container) fails the render: the server-side apply of the env list is
     keyed by name and Harbor's credentials cannot be replaced this way. A
     name from the component's ConfigMap (envFrom) is overridden by
     Kubernetes' own rule (env wins). Renders with a leading newline, or
     nothing. (dict "component" "core" "env" $c.env "reserved" (list "CORE_SECRET" ...)) */}}
{{- define "harbor.extraEnv" -}}
{{- range .env }}
{{- if has .name $.reserved }}
{{- fail (printf "spec.components.%s.env: %s is set by the operator from a Secret and cannot be replaced" $.component .name) }}
{{- end }}
- name: {{ .name | quote }}
{{- if .valueFrom }}
  valueFrom:
  {{- with .valueFrom.secretKeyRef }}
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .key | quote }}
      {{- if hasKey . "optional" }}
      optional: {{ .optional }}
      {{- end }}
  {{- end }}
  {{- with .valueFrom.configMapKeyRef }}
    configMapKeyRef:
      name: {{ .name | quote }}
      key: {{ .key | quote }}
      {{- if hasKey . "optional" }}
      optional: {{ .optional }}
      {{- end }}
  {{- end }}
{{- else }}
  value: {{ .value | toString | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod template metadata: labels (plus podLabels) and annotations, the
     checksum/<name> annotations of exactly the ConfigMaps and Secrets the pod
     reads (plus podAnnotations).
     (dict "root" $ "component" "core" "checksums" (dict "core-env" "harbor.core.env" ...))
     Each checksum is the sha256 of the named template that renders the data of
     that object, so only a change of what the pod reads rolls it. */}}
{{- define "harbor.podMetadata" -}}
{{- $c := index .root.Values.components .component -}}
{{- /* merge gives precedence to its first dict: the chart's own labels
       (selector labels, version, manager, the operator's cluster label) and
       checksums win over podLabels and podAnnotations of the same key, so a
       pod can never leave its Service's selector. The CRD refuses those keys. */ -}}
{{- $labels := merge (include "harbor.labels" . | fromYaml) ($c.podLabels | default dict) -}}
{{- $annotations := dict -}}
{{- range $name, $tpl := .checksums -}}
{{- $_ := set $annotations (printf "checksum/%s" $name) (include $tpl $.root | sha256sum) -}}
{{- end -}}
{{- $annotations = merge $annotations ($c.podAnnotations | default dict) -}}
labels:
  {{- include "harbor.toYaml" $labels | nindent 2 }}
{{- with $annotations }}
annotations:
  {{- include "harbor.toYaml" . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod-level settings every workload shares: the component's ServiceAccount
     (if set), no API token, no service links, pull secrets, restricted
     security context and the component's scheduling.
     (dict "root" $ "component" "core" "uid" 10000) */}}
{{- define "harbor.podSpec" -}}
{{- with (index .root.Values.components .component).serviceAccountName }}
serviceAccountName: {{ . | quote }}
{{- end }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . | quote }}
  {{- end }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ .uid | int }}
  runAsGroup: {{ .uid | int }}
  fsGroup: {{ .uid | int }}
  fsGroupChangePolicy: OnRootMismatch
  seccompProfile:
    type: RuntimeDefault
{{- include "harbor.scheduling" . }}
{{- end -}}

{{/* Scheduling of one component from .Values.components.<component>:
     priorityClassName, nodeSelector, tolerations, affinity and
     topologySpreadConstraints. A spread constraint without labelSelector gets
     the component's selector labels. Renders with a leading newline. */}}
{{- define "harbor.scheduling" -}}
{{- $c := index .root.Values.components .component -}}
{{- with $c.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- with $c.nodeSelector }}
nodeSelector:
  {{- include "harbor.toYaml" . | nindent 2 }}
{{- end }}
{{- with $c.tolerations }}
tolerations:
  {{- include "harbor.toYaml" . | nindent 2 }}
{{- end }}
{{- with $c.affinity }}
affinity:
  {{- include "harbor.toYaml" . | nindent 2 }}
{{- end }}
{{- with $c.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- range . }}
  {{- $tsc := deepCopy . }}
  {{- if not (hasKey $tsc "labelSelector") }}
  {{- $_ := set $tsc "labelSelector" (dict "matchLabels" (include "harbor.selectorLabels" $ | fromYaml)) }}
  {{- end }}
  - {{ include "harbor.toYaml" $tsc | indent 4 | trim }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Restricted container security context. (dict "readOnly" true) */}}
{{- define "harbor.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: {{ .readOnly | default false }}
  runAsNonRoot: true
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{/* HTTP probe. (dict "path" "/" "port" "http" ["initialDelaySeconds" 0] ["periodSeconds" 10] ["failureThreshold" 3]) */}}
{{- define "harbor.httpProbe" -}}
httpGet:
  path: {{ .path | quote }}
  port: {{ .port | quote }}
initialDelaySeconds: {{ .initialDelaySeconds | default 0 | int }}
periodSeconds: {{ .periodSeconds | default 10 | int }}
timeoutSeconds: {{ .timeoutSeconds | default 5 | int }}
failureThreshold: {{ .failureThreshold | default 3 | int }}
{{- end -}}

{{/* env entries that read the given keys from a Secret. (dict "secret" "name" "keys" (list "A" "B")) */}}
{{- define "harbor.secretEnv" -}}
{{- range .keys }}
- name: {{ . | quote }}
  valueFrom:
    secretKeyRef:
      name: {{ $.secret | quote }}
      key: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* data of a Secret from a map of plain strings: key: base64(value), keys sorted. */}}
{{- define "harbor.b64data" -}}
{{- range $k, $v := . }}
{{ $k | quote }}: {{ toString $v | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* spec of a ReadWriteOnce claim. (dict "size" "1Gi" "storageClass" "") */}}
{{- define "harbor.pvcSpec" -}}
accessModes: ["ReadWriteOnce"]
{{- with .storageClass }}
storageClassName: {{ . | quote }}
{{- end }}
resources:
  requests:
    storage: {{ .size | quote }}
{{- end -}}

{{/* ---------------------------------------------------------------- URLs */}}

{{/* The URL users reach Harbor at, without a trailing slash. */}}
{{- define "harbor.externalURL" -}}
{{- trimSuffix "/" .Values.externalURL -}}
{{- end -}}

{{/* In-cluster URLs of the HTTP components, as a YAML map. */}}
{{- define "harbor.internalURLs" -}}
{{- $r := .Release.Name -}}
core: {{ printf "http://%s-core:80" $r | quote }}
jobservice: {{ printf "http://%s-jobservice:80" $r | quote }}
registry: {{ printf "http://%s-registry:5000" $r | quote }}
registryController: {{ printf "http://%s-registry:8080" $r | quote }}
portal: {{ printf "http://%s-portal:80" $r | quote }}
trivy: {{ printf "http://%s-trivy:8080" $r | quote }}
tokenService: {{ printf "http://%s-core:80/service/token" $r | quote }}
{{- end -}}

{{/* ---------------------------------------------------------------- Redis */}}

{{/* THE map of Redis database indexes per consumer (the one place they live).
     cacheLayer: Harbor's cache layer, when enabled (harbor-helm v1.19.1
     values.yaml: cacheLayerDatabaseIndex "7"; read as _REDIS_URL_CACHE_LAYER,
     goharbor/harbor v2.15.2 src/lib/cache/cache.go LayerCache). */}}
{{- define "harbor.redisDBs" -}}
core: 0
jobservice: 1
registry: 2
trivy: 5
cacheLayer: 7
{{- end -}}

{{/* Redis database index of a consumer. (dict "root" $ "db" "core") */}}
{{- define "harbor.redisDB" -}}
{{- index (include "harbor.redisDBs" .root | fromYaml) .db | int -}}
{{- end -}}

{{/* host:port of Redis (comma-separated sentinels when a master set is configured). */}}
{{- define "harbor.redisAddr" -}}
{{- if eq .Values.cache.type "internal" -}}
{{- printf "%s-redis:6379" .Release.Name -}}
{{- else -}}
{{- required "cache.external.addr is required when cache.type is external" .Values.cache.external.addr -}}
{{- end -}}
{{- end -}}

{{/* Sentinel master set of an external Redis, empty otherwise. */}}
{{- define "harbor.redisMasterSet" -}}
{{- if eq .Values.cache.type "external" -}}{{ .Values.cache.external.sentinelMasterSet }}{{- end -}}
{{- end -}}

{{/* Redis URL of one consumer, with the password when one is set and
     "withPassword" is true: redis://[:pw@]host:port/db or
     redis+sentinel://[:pw@]s1:port,s2:port/masterset/db.
     (dict "root" $ "db" "core" "withPassword" true) */}}
{{- define "harbor.redisURL" -}}
{{- $v := .root.Values -}}
{{- $auth := "" -}}
{{- if and .withPassword $v.cache.password -}}
{{- /* urlquery writes a space as "+"; in the userinfo of a URL it must be %20
       (a literal "+" is already %2B, so every "+" left came from a space). */ -}}
{{- $auth = printf ":%s@" (urlquery $v.cache.password | replace "+" "%20") -}}
{{- end -}}
{{- $addr := include "harbor.redisAddr" .root -}}
{{- $db := include "harbor.redisDB" . -}}
{{- with include "harbor.redisMasterSet" .root -}}
{{- printf "redis+sentinel://%s%s/%s/%s" $auth $addr . $db -}}
{{- else -}}
{{- printf "redis://%s%s/%s" $auth $addr $db -}}
{{- end -}}
{{- end -}}

{{/* ------------------------------------------------------------- Database */}}

{{/* Connection settings of the database (no password), as a YAML map. */}}
{{- define "harbor.database" -}}
{{- $d := .Values.database -}}
{{- if eq $d.type "internal" -}}
host: {{ printf "%s-database" .Release.Name | quote }}
port: "5432"
name: registry
username: postgres
sslmode: disable
{{- else -}}
host: {{ required "database.external.host is required when database.type is external" $d.external.host | quote }}
port: {{ toString $d.external.port | quote }}
name: {{ $d.external.database | quote }}
username: {{ $d.external.username | quote }}
sslmode: {{ $d.external.sslmode | quote }}
{{- end -}}
{{- end -}}

{{/* --------------------------------------------------------------- Metrics */}}

{{/* Port and path every component serves Prometheus metrics on. */}}
{{- define "harbor.metricsPort" -}}8001{{- end -}}
{{- define "harbor.metricsPath" -}}/metrics{{- end -}}

{{/* Annotations every Harbor Ingress needs unless the user sets them: image
layers are large, so ingress-nginx must not cap the request body (its default
is 1 MiB). Other controllers ignore the annotation. */}}
{{- define "harbor.ingressDefaultAnnotations" -}}
nginx.ingress.kubernetes.io/proxy-body-size: "0"
{{- end -}}

{{/* IP families of every Service (network, from spec.network): only the
     fields set, so an unset one stays the API server's default. Renders
     nothing, or the fields without a leading newline. */}}
{{- define "harbor.serviceNetwork" -}}
{{- $n := .Values.network | default dict -}}
{{- with $n.ipFamilyPolicy -}}
ipFamilyPolicy: {{ . | quote }}
{{ end -}}
{{- with $n.ipFamilies -}}
ipFamilies: {{ include "harbor.toYaml" . }}
{{- end -}}
{{- end -}}
