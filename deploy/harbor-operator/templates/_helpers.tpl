{{/*
Name of the chart, or nameOverride. Kept to 63 characters (a label value).
*/}}
{{- define "harbor-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every object name: fullnameOverride, else the release name when it
already contains the chart name, else "<release>-<chart>". 63 characters at most.
*/}}
{{- define "harbor-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
chart label value: name-version.
*/}}
{{- define "harbor-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels that select the operator's pods. Never change them in an upgrade:
a Deployment's selector is immutable.
*/}}
{{- define "harbor-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "harbor-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of every object of the chart.
*/}}
{{- define "harbor-operator.labels" -}}
{{ include "harbor-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "harbor-operator.chart" . }}
{{- end }}

{{/*
The ServiceAccount the operator runs as.
*/}}
{{- define "harbor-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "harbor-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The operator image: repository:tag, the tag defaulting to the chart's appVersion.
*/}}
{{- define "harbor-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Name of the leader-election Lease (in the release namespace).
*/}}
{{- define "harbor-operator.leaseName" -}}
{{- default (printf "%s-leader" (include "harbor-operator.fullname" .)) .Values.leaderElection.id }}
{{- end }}

{{/*
Rules for HarborClusters and the objects the operator renders for them: exactly
the requests the code sends (the table in src/kube/permissions.ts; a unit test
compares them). Children are listed and watched by label, server-side applied
(patch, and create when the object is new), read one by one (get: the live
object behind an ownership decision, referenced Secrets, volume growth) and
pruned (delete). Shared by the ClusterRole (all
namespaces) and the per-namespace Roles (watchNamespaces).
*/}}
{{- define "harbor-operator.managerRules" -}}
{{- /* Informers, and finalizers.ts: get, then a patch of metadata.finalizers. */}}
- apiGroups: ["harbor-operator.dev"]
  resources: ["harborclusters"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["harbor-operator.dev"]
  resources: ["harborclusters/status"]
  verbs: ["patch"]
- apiGroups: [""]
  resources: ["configmaps", "secrets", "services", "persistentvolumeclaims", "serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["ingresses"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["cert-manager.io"]
  resources: ["certificates"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
{{- /* Backups and restores: the operator's Jobs, watched with the children,
       created once and read (src/kube/jobs.ts), never applied or pruned; its
       CronJob, applied and pruned as a child. */}}
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create"]
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- /* Read for status only: why pods are missing (the HarborClusters' pods by
       label, StatefulSets' FailedCreate events by field selector). */}}
- apiGroups: [""]
  resources: ["pods", "events"]
  verbs: ["list", "watch"]
{{- end }}
