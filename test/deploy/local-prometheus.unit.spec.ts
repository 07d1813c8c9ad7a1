import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { localPrometheus, localPrometheusConfig } from '../../deploy/local/prometheus';

const ROOT = join(__dirname, '..', '..');

// `npm start -- --prometheus`: the configuration it writes is one Prometheus (promtool, Debian's package) accepts, with
// the platform's alert rules, and a target per started service labelled as the dashboards and rules expect.
describe('npm start -- --prometheus', () => {
  it('writes a configuration promtool accepts, scraping each service with its service label', () => {
    const ports = { intake: 3001, surveys: 3002 };
    const text = localPrometheusConfig(ports, join(ROOT, 'deploy', 'prometheus', 'alerts.yml'));
    const dir = mkdtempSync(join(tmpdir(), 'aftersales-prometheus-'));
    try {
      writeFileSync(join(dir, 'prometheus.yml'), text);
      const out = execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS/);
      expect(out).toMatch(/rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const config = parse(text) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[]; labels: Record<string, string> }> }>;
    };
    expect(config.scrape_configs[0]?.static_configs).toEqual([
      { targets: ['127.0.0.1:3001'], labels: { service: 'intake' } },
      { targets: ['127.0.0.1:3002'], labels: { service: 'surveys' } },
    ]);
  });

  it("runs Prometheus keeping the latency histograms' trace exemplars", () => {
    const root = mkdtempSync(join(tmpdir(), 'aftersales-prometheus-'));
    try {
      const command = localPrometheus(root, { intake: 3001 });
      expect(command[0]).toBe('prometheus');
      expect(command).toContain('--enable-feature=exemplar-storage');
      expect(command).toContain(`--config.file=${join(root, '.local', 'prometheus', 'prometheus.yml')}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
