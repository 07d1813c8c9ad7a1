import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse, stringify } from 'yaml';

/**
 * The Prometheus alert rules (deploy/prometheus/alerts.yml) pass `promtool test rules` (each alert fires on the
 * failure it names), and the alerts and Grafana dashboards (deploy/grafana/dashboards) only query metrics that the
 * services really export, in PromQL that Prometheus parses. promtool is Debian's `prometheus` package (.ci/run
 * installs it).
 */
const ROOT = join(__dirname, '..', '..');
const PROMETHEUS = join(ROOT, 'deploy', 'prometheus');
const DASHBOARDS = join(ROOT, 'deploy', 'grafana', 'dashboards');

function promtool(args: string[]): string {
  try {
    return execFileSync('promtool', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: string; stdout?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error('promtool is not installed: apt-get install -y prometheus (.ci/run does)');
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !file.includes('node_modules'));
}

/** Metric names the code registers (`name: 'aftersales_…'`) and prom-client's default process metrics. */
async function exportedMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of [...sourceFiles(join(ROOT, 'libs')), ...sourceFiles(join(ROOT, 'services'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bname:\s*'(aftersales_[a-z0-9_]+)'/g))
      names.add(match[1]);
  }
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const metric of await registry.getMetricsAsJSON()) names.add(metric.name);
  return names;
}

const alertRules = parse(readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8')) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string; annotations: Record<string, string> }> }>;
};
const alerts = alertRules.groups.flatMap((g) => g.rules);

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string; exemplar?: boolean }>;
}
const dashboards = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { uid: string; panels: Panel[] },
  }));
const queries = [
  ...alerts.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  ...dashboards.flatMap(({ file, dashboard }) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({ where: `${file}: ${panel.title}`, expr: t.expr })),
    ),
  ),
];

describe('alert rules', () => {
  it('pass promtool check rules and promtool test rules', () => {
    expect(promtool(['check', 'rules', join(PROMETHEUS, 'alerts.yml')])).toMatch(/SUCCESS: \d+ rules found/);
    expect(promtool(['test', 'rules', join(PROMETHEUS, 'alerts.test.yml')])).toMatch(/SUCCESS/);
  });

  it('cover dead letters, consumer lag, a stalled relay, breaches and level-1 incidents, each with a test', () => {
    const tested = readFileSync(join(PROMETHEUS, 'alerts.test.yml'), 'utf8');
    for (const rule of alerts) expect(tested).toContain(`alertname: ${rule.alert}`);
    expect(alerts.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'AftersalesDeadLettersGrowing',
        'AftersalesConsumerLagHigh',
        'AftersalesOutboxRelayStalled',
        'AftersalesSlaBreachesSpiking',
        'AftersalesContactDeadlinesBreached',
        'AftersalesLevel1IncidentOpen',
      ]),
    );
  });

  it('link to a runbook section of docs/operations.md', () => {
    const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const anchors = new Set(
      [...operations.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const rule of alerts) {
      const [file, anchor] = rule.annotations.runbook_url.split('#');
      expect(file).toBe('docs/operations.md');
      expect(anchors).toContain(anchor);
    }
  });
});

describe('dashboards and alerts', () => {
  it('query only metrics the services export', async () => {
    const known = await exportedMetrics();
    const unknown = queries.flatMap(({ where, expr }) =>
      [...expr.matchAll(/\b((?:aftersales|nodejs|process)_[a-z0-9_]+)/g)]
        .map((m) => m[1])
        .filter((name) => !known.has(name) && !known.has(name.replace(/_(bucket|sum|count)$/, '')))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('are PromQL that Prometheus parses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aftersales-promql-'));
    try {
      const rules = queries.map(({ expr }, i) => ({ record: `aftersales:dashboard_query:${i}`, expr }));
      writeFileSync(join(dir, 'queries.yml'), stringify({ groups: [{ name: 'dashboards', rules }] }));
      expect(promtool(['check', 'rules', join(dir, 'queries.yml')])).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are provisioned with the data source uid they reference', () => {
    const datasources = readFileSync(
      join(ROOT, 'deploy', 'grafana', 'provisioning', 'datasources', 'aftersales.yml'),
      'utf8',
    );
    expect(datasources).toMatch(/uid: prometheus/);
    for (const { dashboard } of dashboards) {
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect(panel).toMatchObject({ datasource: { type: 'prometheus', uid: 'prometheus' } });
      }
    }
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
  });

  it('show the exemplars of every latency percentile (a dot leads to a trace)', () => {
    const percentiles = dashboards.flatMap(({ file, dashboard }) =>
      dashboard.panels.flatMap((panel) =>
        (panel.targets ?? [])
          .filter((t) => t.expr.includes('histogram_quantile'))
          .map((t) => ({ where: `${file}: ${panel.title}`, exemplar: t.exemplar })),
      ),
    );
    expect(percentiles.length).toBeGreaterThan(5);
    expect(percentiles.filter((p) => p.exemplar !== true)).toEqual([]);
  });
});
