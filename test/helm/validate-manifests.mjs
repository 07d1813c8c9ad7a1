// Validates rendered Kubernetes manifests against the API schemas: the core and apps APIs with `kubernetes-models`,
// KEDA's and the Prometheus operator's custom resources with their `@kubernetes-models` packages, and Strimzi's
// KafkaTopic with the fields of its CRD (kafka.strimzi.io/v1beta2) that the chart sets. Those packages are ES
// modules only, so test/helm/chart.spec.ts runs this with node rather than inside Jest.
//
//   node test/helm/validate-manifests.mjs <rendered.yaml>…
//
// Prints one JSON line per file: { file, objects: [{ kind, name, apiVersion }], errors: ["Kind/name: message"] }.
import console from 'node:console';
import { readFileSync } from 'node:fs';
import process from 'node:process';

import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';

const modules = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 };
const kafkaTopic = new Ajv({ allErrors: true, strict: false }).compile({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    metadata: {
      type: 'object',
      required: ['name', 'labels'],
      properties: { name, labels: { type: 'object', required: ['strimzi.io/cluster'] } },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        topicName: { type: 'string' },
        partitions: { type: 'integer', minimum: 1 },
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      },
    },
  },
});

async function validate(doc) {
  const { apiVersion, kind } = doc;
  if (apiVersion === 'kafka.strimzi.io/v1beta2' && kind === 'KafkaTopic') {
    if (kafkaTopic(doc)) return;
    throw new Error(kafkaTopic.errors.map((e) => `${e.instancePath} ${e.message}`).join('; '));
  }
  const module = modules[apiVersion];
  if (!module) throw new Error(`no schema known for apiVersion ${apiVersion}`);
  const Model = (await import(module))[kind];
  if (typeof Model !== 'function') throw new Error(`${apiVersion} has no kind ${kind}`);
  new Model(doc).validate();
}

for (const file of process.argv.slice(2)) {
  const objects = [];
  const errors = [];
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (document.errors.length) errors.push(`YAML: ${document.errors.map((e) => e.message).join('; ')}`);
    const doc = document.toJS();
    if (doc === null || doc === undefined) continue;
    const id = `${doc.kind}/${doc.metadata?.name}`;
    objects.push({ kind: doc.kind, name: doc.metadata?.name, apiVersion: doc.apiVersion });
    try {
      await validate(doc);
    } catch (error) {
      errors.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(JSON.stringify({ file, objects, errors }));
}
