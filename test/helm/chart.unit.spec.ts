import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { notifierVariables } from '@aftersales/notifications';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The Helm chart (deploy/helm/aftersales) without a cluster: Helm's own code (helm-java from Maven Central, through
 * deploy/helm/helm-java.sh) lints it and renders it with the values under test/helm/values; every rendered object is
 * validated against the Kubernetes API schemas (test/helm/validate-manifests.mjs); every service under services/
 * must have its Deployment, its consumers' lag triggers and an entry in docker-compose.yml.
 */
const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'deploy', 'helm', 'aftersales');
const VALUES = join(__dirname, 'values');

const services = readdirSync(join(ROOT, 'services'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'services', entry.name, 'package.json')))
  .map((entry) => entry.name);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered YAML, checked field by field
}

interface Validation {
  file: string;
  objects: Array<{ kind: string; name: string }>;
  errors: string[];
}

let out: string;
let helmOutput: string;
const rendered: Record<string, K8sObject[]> = {};
const validations: Record<string, Validation> = {};

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

function objects(values: string, kind: string): K8sObject[] {
  return rendered[values].filter((o) => o.kind === kind);
}

function named(values: string, kind: string, name: string): K8sObject {
  const found = objects(values, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`${values}: no ${kind} ${name}`);
  return found;
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'aftersales-helm-'));
  const valueFiles = readdirSync(VALUES).map((file) => join(VALUES, file));
  helmOutput = run('bash', [join(ROOT, 'deploy', 'helm', 'helm-java.sh'), 'check', CHART, out, ...valueFiles]);
  const manifests = readdirSync(out).filter((file) => file.endsWith('.yaml'));
  for (const file of manifests) {
    rendered[file.replace(/\.yaml$/, '')] = parseAllDocuments(readFileSync(join(out, file), 'utf8'))
      .map((doc) => doc.toJS() as K8sObject | null)
      .filter((doc): doc is K8sObject => doc !== null);
  }
  const lines = run(process.execPath, [
    join(__dirname, 'validate-manifests.mjs'),
    ...manifests.map((f) => join(out, f)),
  ]);
  for (const line of lines.trim().split('\n')) {
    const validation = JSON.parse(line) as Validation;
    validations[validation.file.replace(/^.*\/|\.yaml$/g, '')] = validation;
  }
}, 600_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the Helm chart', () => {
  it('passes helm lint --strict', () => {
    expect(helmOutput).toContain(`[lint] ${CHART}: passed`);
  });

  it.each(['inline-secrets', 'production', 'separate-migration-user'])(
    'renders with %s values, every object valid against its schema',
    (values) => {
      expect(validations[values].errors).toEqual([]);
      expect(validations[values].objects.length).toBeGreaterThan(30);
    },
  );

  it('validates for real: a malformed Deployment is refused', () => {
    const broken = join(out, 'broken.yaml');
    writeFileSync(
      broken,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: broken }\nspec:\n  selector: {}\n  template:\n' +
        '    spec:\n      containers: [{ name: a, ports: [{ containerPort: http }] }]\n',
    );
    const [result] = run(process.execPath, [join(__dirname, 'validate-manifests.mjs'), broken])
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Validation);
    expect(result.errors.join('\n')).toMatch(/containerPort must be integer/);
  });

  it('refuses to render without the database, the privacy key and auth', () => {
    expect(readFileSync(join(out, 'missing-secrets.error'), 'utf8')).toMatch(
      /database\.url or database\.existingSecret\.name is required/,
    );
  });

  it('refuses a JWKS without issuer and audience', () => {
    expect(readFileSync(join(out, 'jwks-without-audience.error'), 'utf8')).toMatch(
      /auth\.jwksUrl needs auth\.issuer and auth\.audience/,
    );
  });

  it('gives the services the topic policy: Strimzi makes the topics, the services only check them', () => {
    const data = (values: string) =>
      (named(values, 'ConfigMap', 'aftersales-common') as unknown as { data: Record<string, string> }).data;
    expect(data('production')).toMatchObject({
      KAFKA_CREATE_TOPICS: 'false',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_RETENTION_MS: '604800000',
      KAFKA_DLQ_RETENTION_MS: '2592000000',
    });
    expect(data('inline-secrets').KAFKA_CREATE_TOPICS).toBe('true');
  });

  it('keeps finished durable timers config.timerRetentionDays days (ADR 28), 30 unless set', () => {
    const data = (values: string) =>
      (named(values, 'ConfigMap', 'aftersales-common') as unknown as { data: Record<string, string> }).data;
    expect(data('inline-secrets').TIMER_RETENTION_DAYS).toBe('30');
  });

  it('gives every service Node’s options from config.nodeOptions, none unless set', () => {
    const data = (values: string) =>
      (named(values, 'ConfigMap', 'aftersales-common') as unknown as { data: Record<string, string> }).data;
    expect(data('inline-secrets')).not.toHaveProperty('NODE_OPTIONS');
    expect(data('production').NODE_OPTIONS).toBe('--max-semi-space-size=64');
  });

  it('mounts the Kafka cluster CA and names it in KAFKA_SSL_CA_FILE (and to KEDA)', () => {
    const pod = named('production', 'Deployment', 'aftersales-intake').spec.template.spec;
    const [container] = pod.containers;
    expect(container.env).toContainEqual({ name: 'KAFKA_SSL_CA_FILE', value: '/etc/aftersales/kafka-ca/ca.crt' });
    expect(container.volumeMounts).toContainEqual({
      name: 'kafka-ca',
      mountPath: '/etc/aftersales/kafka-ca',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: 'kafka-ca',
      secret: { secretName: 'shop-cluster-ca-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expect(named('production', 'TriggerAuthentication', 'aftersales-kafka').spec.secretTargetRef).toContainEqual({
      parameter: 'ca',
      name: 'shop-cluster-ca-cert',
      key: 'ca.crt',
    });
    const inline = named('inline-secrets', 'Deployment', 'aftersales-intake').spec.template.spec;
    expect(inline.volumes.map((v: { name: string }) => v.name)).toEqual(['tmp']);
  });

  it('is scraped through a ServiceMonitor with the service label the dashboards and alerts group by', () => {
    const monitors = objects('production', 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    expect(monitors[0]?.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect(monitors[0]?.spec.endpoints).toEqual([
      expect.objectContaining({
        port: 'http',
        path: '/metrics',
        relabelings: [
          expect.objectContaining({
            sourceLabels: ['__meta_kubernetes_service_label_aftersales_io_service'],
            targetLabel: 'service',
          }),
        ],
      }),
    ]);
    // Every Service it selects says which service it belongs to, the workers' too.
    for (const svc of objects('production', 'Service')) {
      expect(services).toContain(svc.metadata.labels?.['aftersales.io/service']);
    }
    expect(objects('inline-secrets', 'ServiceMonitor')).toEqual([]);
  });

  it("runs a service's timers in a Deployment of their own when workers.replicas > 0 (SERVICE_ROLES)", () => {
    const roles = (d: K8sObject) =>
      (d.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>).find(
        (e) => e.name === 'SERVICE_ROLES',
      )?.value;
    const api = named('production', 'Deployment', 'aftersales-logistics');
    const workers = named('production', 'Deployment', 'aftersales-logistics-workers');
    expect(roles(api)).toBe('api,consumers,relay');
    expect(roles(workers)).toBe('workers,relay');
    expect(workers.spec.replicas).toBe(2);
    expect(workers.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: '500m', memory: '256Mi' });
    expect(workers.spec.template.spec.containers[0].image).toBe(api.spec.template.spec.containers[0].image);
    // Its pods are not behind the API's Service (nor counted by its PDB), have a Service of their own for the metrics,
    // a NetworkPolicy and a PodDisruptionBudget; the API's selector does not match them.
    const workerLabels = workers.spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => workerLabels[k] === v);
    expect(matches(named('production', 'Service', 'aftersales-logistics').spec.selector)).toBe(false);
    expect(matches(api.spec.selector.matchLabels)).toBe(false);
    expect(matches(named('production', 'Service', 'aftersales-logistics-workers').spec.selector)).toBe(true);
    expect(
      matches(named('production', 'NetworkPolicy', 'aftersales-logistics-workers').spec.podSelector.matchLabels),
    ).toBe(true);
    expect(
      matches(named('production', 'PodDisruptionBudget', 'aftersales-logistics-workers').spec.selector.matchLabels),
    ).toBe(true);
    // Without it (the default), one Deployment runs every role.
    expect(roles(named('inline-secrets', 'Deployment', 'aftersales-logistics'))).toBeUndefined();
    expect(objects('inline-secrets', 'Deployment').map((d) => d.metadata.name)).not.toContain(
      'aftersales-logistics-workers',
    );
  });

  it("gives the migration Job the services' database user to grant when it migrates as another user", () => {
    /** Where each container of the Job reads DATABASE_RUNTIME_URL from, once per distinct reference. */
    const runtimeUrl = (values: string) =>
      new Set(
        named(values, 'Job', 'aftersales-migrate').spec.template.spec.containers.map(
          (c: { env: Array<{ name: string; valueFrom?: { secretKeyRef: unknown } }> }) =>
            JSON.stringify(c.env.find((e) => e.name === 'DATABASE_RUNTIME_URL')?.valueFrom?.secretKeyRef ?? null),
        ),
      );
    // Two Secrets of the operator: the owner migrates, the app user is granted.
    expect(runtimeUrl('production')).toEqual(new Set([JSON.stringify({ name: 'aftersales-db-app', key: 'uri' })]));
    // Inline: both URLs in the hook Secret (the release's own Secret does not exist yet when hooks run).
    expect(runtimeUrl('separate-migration-user')).toEqual(
      new Set([JSON.stringify({ name: 'aftersales-migrations', key: 'DATABASE_RUNTIME_URL' })]),
    );
    const hookSecret = named('separate-migration-user', 'Secret', 'aftersales-migrations') as unknown as {
      stringData: Record<string, string>;
    };
    expect(hookSecret.stringData).toEqual({
      DATABASE_URL: 'postgres://aftersales_owner:owner-password@postgres.db:5432/postgres',
      DATABASE_RUNTIME_URL: 'postgres://aftersales_app:app-password@postgres.db:5432/postgres',
    });
    // One user for both: nothing to grant.
    expect(runtimeUrl('inline-secrets')).toEqual(new Set(['null']));
  });

  it('refuses values that break values.schema.json', () => {
    const error = readFileSync(join(out, 'invalid-values.error'), 'utf8');
    expect(error).toMatch(/database\.url: Does not match pattern/);
    expect(error).toMatch(/services\.intake\.port: Invalid type/);
  });
});

describe.each(services)('service %s', (service) => {
  const name = `aftersales-${service}`;
  const moduleFile = join(ROOT, 'services', service, 'src', `${service}.module.ts`);
  const consumers = [...readFileSync(moduleFile, 'utf8').matchAll(/\bconsumer:\s*'([a-z0-9-]+)'/g)].map((m) => m[1]);

  it('is configured in values.yaml only with variables its code reads', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as {
      services: Record<string, { env: Record<string, string> }>;
    };
    const source = readdirSync(join(ROOT, 'services', service, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
      .map((file) => readFileSync(join(ROOT, 'services', service, 'src', file), 'utf8'))
      .join('\n');
    const notifier = source.includes(`notifierVariables('${service}')`)
      ? Object.values(notifierVariables(service))
      : [];
    const unread = Object.keys(values.services[service].env).filter(
      (name) => !notifier.includes(name) && !source.includes(`'${name}'`),
    );
    expect(unread).toEqual([]);
  });

  it('has an entry in docker-compose.yml built from its image', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build?: { args?: Record<string, string> } }>;
    };
    expect(compose.services[service]?.build?.args?.SERVICE).toBe(service);
  });

  it.each(['inline-secrets', 'production'])(
    'has a hardened Deployment with probes and topology spread (%s)',
    (values) => {
      const pod = named(values, 'Deployment', name).spec.template.spec;
      const [container] = pod.containers;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.resources.requests).toBeDefined();
      expect(pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
        'topology.kubernetes.io/zone',
        'kubernetes.io/hostname',
      ]);
      for (const kind of ['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ConfigMap']) named(values, kind, name);
    },
  );

  it('scales on CPU with an HPA when KEDA is off', () => {
    expect(named('inline-secrets', 'HorizontalPodAutoscaler', name).spec.scaleTargetRef.name).toBe(name);
    expect(objects('inline-secrets', 'ScaledObject')).toEqual([]);
  });

  it('scales with KEDA on the lag of every consumer group of its module when KEDA is on', () => {
    const triggers = named('production', 'ScaledObject', name).spec.triggers as Array<{
      type: string;
      metadata: Record<string, string>;
    }>;
    const groups = triggers.filter((t) => t.type === 'kafka').map((t) => t.metadata.consumerGroup);
    expect(groups.sort()).toEqual(consumers.map((c) => `blue-${service}.${c}`).sort());
    expect(objects('production', 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('has its event topic and dead-letter topics as Strimzi KafkaTopics when enabled', () => {
    const topics = objects('production', 'KafkaTopic').map((t) => t.spec.topicName);
    expect(topics).toEqual(
      expect.arrayContaining([
        `aftersales.${service}.events`,
        ...consumers.map((c) => `aftersales.${service}.${c}.dlq`),
      ]),
    );
  });

  it('is migrated by the pre-install/pre-upgrade Job', () => {
    const job = named('production', 'Job', 'aftersales-migrate');
    expect(job.metadata.annotations?.['aftersales.test/helm-hook']).toBe('pre-install,pre-upgrade');
    const container = job.spec.template.spec.containers.find((c: { name: string }) => c.name === service);
    expect(container.command).toEqual(['node', 'deploy/migrate.js', service]);
    expect(container.env[0].valueFrom.secretKeyRef).toEqual({ name: 'aftersales-db-owner', key: 'uri' });
  });
});
