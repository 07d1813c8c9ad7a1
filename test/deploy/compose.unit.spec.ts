import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/**
 * docker-compose.yml without a Docker engine: valid against the Compose Specification's JSON schema (vendored from
 * github.com/compose-spec/compose-spec, schema/compose-spec.json at 170098ba07d9f53c383a41bfd4c5166b0a4529a6,
 * Apache-2.0), every file it mounts present, every service scraped by its Prometheus and exporting traces to its
 * collector, whose pipeline reaches the trace backend, and its development secret the one `npm run token` signs with.
 */
const ROOT = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  command?: string[];
  build?: { args?: Record<string, string> };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
/** The vendored schema, compiled (its `$schema` names draft-07 by an https URI Ajv does not know: not re-validated). */
function composeSchema() {
  const schema = JSON.parse(readFileSync(join(__dirname, 'schemas', 'compose-spec.json'), 'utf8')) as object;
  return new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile(schema);
}
const services = readdirSync(join(ROOT, 'services')).filter((s) =>
  existsSync(join(ROOT, 'services', s, 'src', 'main.ts')),
);

describe('docker-compose.yml', () => {
  it('is valid against the compose-spec schema', () => {
    const validate = composeSchema();
    // As Compose reads it: YAML merge keys (`<<: *service-env`) resolved.
    const document = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as unknown;
    expect(validate(document) ? [] : validate.errors).toEqual([]);
  });

  it('finds a breach of the schema (the check is live)', () => {
    const validate = composeSchema();
    expect(validate({ services: { intake: { image: 'aftersales/intake', imagee: 'a typo' } } })).toBe(false);
    expect(validate({ services: { intake: { image: 'aftersales/intake', depends_on: 'kafka' } } })).toBe(false);
  });

  it('mounts only files and folders of the repository that exist', () => {
    const mounts = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0] as string)
      .filter((source) => source.startsWith('./'));
    expect(mounts.length).toBeGreaterThan(0);
    expect(mounts.filter((source) => !existsSync(join(ROOT, source)))).toEqual([]);
  });

  it('runs the telemetry stack: an OpenTelemetry Collector, Jaeger, Prometheus and Grafana', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['otel-collector', 'jaeger', 'prometheus', 'grafana']),
    );
    const collector = parse(readFileSync(join(ROOT, 'deploy', 'otel', 'collector.compose.yaml'), 'utf8')) as {
      exporters: Record<string, { endpoint: string }>;
      service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
    };
    expect(collector.service.pipelines.traces.receivers).toContain('otlp');
    const exporters = collector.service.pipelines.traces.exporters.map((name) => collector.exporters[name]?.endpoint);
    expect(exporters).toContain('jaeger:4317');
    expect(compose.services.grafana?.environment?.PROMETHEUS_URL).toBe('http://prometheus:9090');
  });

  it("links the latency histograms' exemplars to their traces: Prometheus stores them, Grafana opens them in Jaeger", () => {
    expect(compose.services.prometheus?.command).toContain('--enable-feature=exemplar-storage');
    expect(compose.services.grafana?.environment?.JAEGER_URL).toBe('http://jaeger:16686');
    expect(compose.services.jaeger?.ports).toContain('127.0.0.1:16686:16686');
    const { datasources } = parse(
      readFileSync(join(ROOT, 'deploy', 'grafana', 'provisioning', 'datasources', 'aftersales.yml'), 'utf8'),
    ) as {
      datasources: Array<{ uid: string; type: string; url: string; jsonData?: Record<string, unknown> }>;
    };
    const jaeger = datasources.find((d) => d.type === 'jaeger');
    expect(jaeger).toMatchObject({ uid: 'jaeger', url: '${JAEGER_URL}' });
    expect(datasources.find((d) => d.uid === 'prometheus')?.jsonData?.exemplarTraceIdDestinations).toEqual([
      // The exemplar label the services write (libs/observability traceExemplar).
      { name: 'trace_id', datasourceUid: jaeger?.uid },
    ]);
  });

  it.each(services)('runs %s, exporting traces to the collector and scraped by Prometheus', (service) => {
    const entry = compose.services[service];
    expect(entry?.build?.args?.SERVICE).toBe(service);
    expect(entry?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    const prometheus = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'prometheus.compose.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[]; labels: { service: string } }> }>;
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs);
    expect(targets).toContainEqual({
      targets: [`${service}:${entry?.environment?.PORT}`],
      labels: { service },
    });
  });

  it('signs with the development secret of `npm run token`', () => {
    const token = readFileSync(join(ROOT, 'scripts', 'dev-token.ts'), 'utf8');
    const secret = /AUTH_JWT_SECRET \?\? '([^']+)'/.exec(token)?.[1];
    expect(secret).toBeDefined();
    expect(compose.services.intake?.environment?.AUTH_JWT_SECRET).toBe(`\${AUTH_JWT_SECRET:-${secret}}`);
  });
});
