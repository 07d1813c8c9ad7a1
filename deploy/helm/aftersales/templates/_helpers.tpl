{{/* Chart name, release-qualified names and labels. */}}
{{- define "aftersales.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "aftersales.chartLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: aftersales
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "aftersales.labels" -}}
{{ include "aftersales.chartLabels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of one service's objects: (dict "root" $ "name" "intake") */}}
{{- define "aftersales.serviceLabels" -}}
{{ include "aftersales.chartLabels" .root }}
{{ include "aftersales.selectorLabels" . }}
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "name" "intake") */}}
{{- define "aftersales.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "aftersales.serviceName" -}}
{{- printf "%s-%s" (include "aftersales.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aftersales.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s-%s" $img.repository .name -}}
{{- if $img.registry }}{{ $repo = printf "%s/%s" $img.registry $repo }}{{ end -}}
{{- printf "%s:%s" $repo (default .root.Chart.AppVersion $img.tag) -}}
{{- end -}}

{{- define "aftersales.secretName" -}}
{{- printf "%s-secrets" (include "aftersales.fullname" .) -}}
{{- end -}}

{{/* Environment from secrets: inline values land in the chart's Secret, else an existing Secret is referenced. */}}
{{- define "aftersales.secretEnv" -}}
{{- $v := .Values -}}
{{- $own := include "aftersales.secretName" . -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- if $v.database.existingSecret.name }}
      name: {{ $v.database.existingSecret.name }}
      key: {{ $v.database.existingSecret.key }}
      {{- else }}
      name: {{ $own }}
      key: DATABASE_URL
      {{- end }}
{{- if or $v.auth.existingSecret.name $v.auth.jwtSecret }}
- name: AUTH_JWT_SECRET
  valueFrom:
    secretKeyRef:
      {{- if $v.auth.existingSecret.name }}
      name: {{ $v.auth.existingSecret.name }}
      key: {{ $v.auth.existingSecret.key }}
      {{- else }}
      name: {{ $own }}
      key: AUTH_JWT_SECRET
      {{- end }}
{{- end }}
- name: PRIVACY_MASTER_KEY
  valueFrom:
    secretKeyRef:
      {{- if $v.privacy.existingSecret.name }}
      name: {{ $v.privacy.existingSecret.name }}
      key: {{ $v.privacy.existingSecret.key }}
      {{- else }}
      name: {{ $own }}
      key: PRIVACY_MASTER_KEY
      {{- end }}
{{- if $v.kafka.sasl.mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $v.kafka.sasl.mechanism | quote }}
- name: KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      {{- if $v.kafka.sasl.existingSecret.name }}
      name: {{ $v.kafka.sasl.existingSecret.name }}
      key: {{ $v.kafka.sasl.existingSecret.usernameKey }}
      {{- else }}
      name: {{ $own }}
      key: KAFKA_SASL_USERNAME
      {{- end }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      {{- if $v.kafka.sasl.existingSecret.name }}
      name: {{ $v.kafka.sasl.existingSecret.name }}
      key: {{ $v.kafka.sasl.existingSecret.passwordKey }}
      {{- else }}
      name: {{ $own }}
      key: KAFKA_SASL_PASSWORD
      {{- end }}
{{- end }}
{{- end -}}

{{/* Fails the render when a required secret has neither an inline value nor an existing Secret. */}}
{{- define "aftersales.checkSecrets" -}}
{{- $v := .Values -}}
{{- if not (or $v.database.url $v.database.existingSecret.name) }}{{ fail "database.url or database.existingSecret.name is required" }}{{ end -}}
{{- if not (or $v.privacy.masterKey $v.privacy.existingSecret.name) }}{{ fail "privacy.masterKey or privacy.existingSecret.name is required" }}{{ end -}}
{{- if not (or $v.auth.jwtSecret $v.auth.existingSecret.name $v.auth.jwksUrl) }}{{ fail "auth.jwtSecret, auth.existingSecret.name or auth.jwksUrl is required" }}{{ end -}}
{{- if and $v.kafka.caSecret.name (not $v.kafka.tls) }}{{ fail "kafka.caSecret needs kafka.tls: true" }}{{ end -}}
{{- if and $v.auth.jwksUrl (not (and $v.auth.issuer $v.auth.audience)) }}{{ fail "auth.jwksUrl needs auth.issuer and auth.audience (the services refuse a JWKS without them)" }}{{ end -}}
{{- if and $v.kafka.sasl.mechanism (not (or $v.kafka.sasl.existingSecret.name (and $v.kafka.sasl.username $v.kafka.sasl.password))) }}{{ fail "kafka.sasl.mechanism needs kafka.sasl.username and password, or kafka.sasl.existingSecret.name" }}{{ end -}}
{{- end -}}

{{- define "aftersales.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "aftersales.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: [ALL]
{{- end -}}
