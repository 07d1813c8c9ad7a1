/**
 * Prometheus for `npm start -- --prometheus` (Debian's `prometheus` package, no Docker): a configuration scraping every
 * service the runner started, with the alert rules of deploy/prometheus/alerts.yml, and the command that runs it on
 * http://127.0.0.1:9090 with its data under .local/prometheus, storing the latency histograms' trace exemplars.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const LOCAL_PROMETHEUS_PORT = 9090;

/** The scrape configuration: one target per service (`service` label, as the dashboards and rules expect). */
export function localPrometheusConfig(ports: Readonly<Record<string, number>>, alertRules: string): string {
  return stringify({
    global: { scrape_interval: '15s', evaluation_interval: '15s' },
    rule_files: [alertRules],
    scrape_configs: [
      {
        job_name: 'aftersales',
        metrics_path: '/metrics',
        static_configs: Object.entries(ports).map(([service, port]) => ({
          targets: [`127.0.0.1:${port}`],
          labels: { service },
        })),
      },
    ],
  });
}

/** Writes the configuration under `dir` and returns the `prometheus` command line that serves it. */
export function localPrometheus(root: string, ports: Readonly<Record<string, number>>): string[] {
  const dir = join(root, '.local', 'prometheus');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, localPrometheusConfig(ports, join(root, 'deploy', 'prometheus', 'alerts.yml')));
  return [
    'prometheus',
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${LOCAL_PROMETHEUS_PORT}`,
    '--storage.tsdb.retention.time=2d',
    // Keeps the trace ids of the latency histograms' exemplars (the services answer Prometheus in OpenMetrics).
    '--enable-feature=exemplar-storage',
  ];
}
