{{/* The objects' base name: the release name, or release-chart when it lacks the chart name. */}}
{{- define "policyjobwatch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* What selects the operator's Pods; never changes across upgrades (selectors are immutable). */}}
{{- define "policyjobwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "policyjobwatch.labels" -}}
{{ include "policyjobwatch.selectorLabels" . }}
app.kubernetes.io/part-of: policyjobwatch
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "policyjobwatch.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* The ServiceAccount subject of the bindings. */}}
{{- define "policyjobwatch.subject" -}}
- kind: ServiceAccount
  name: {{ include "policyjobwatch.fullname" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}

{{/* Values the schema cannot check: fails the install with a message. */}}
{{- define "policyjobwatch.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicas > 1 needs leaderElection.enabled: true (otherwise every replica reconciles and calls UCS)" -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled (not .Values.metrics.service.enabled) -}}
{{- fail "serviceMonitor.enabled needs metrics.service.enabled: true (the ServiceMonitor selects that Service)" -}}
{{- end -}}
{{- end -}}
