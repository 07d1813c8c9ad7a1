import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import pino from 'pino';
import { stringify } from 'yaml';
import { observeHttpRequests, PlatformHttpModule, Public } from '@aftersales/platform-http';
import { eventually, freePort } from '@aftersales/test-kit';
import { TestContextManager } from '@aftersales/testing';

/**
 * Exemplars linking the latency histograms to traces, through a real HTTP stack: a request handled under a sampled
 * span leaves its trace id on the HTTP duration histogram, which `/metrics` shows in OpenMetrics when the scraper asks
 * for it (and only then); a Prometheus with exemplar storage (Debian's `prometheus`, as `npm start -- --prometheus`
 * runs it) scrapes it and answers the trace id from its exemplar query. The span stands for the one the HTTP
 * instrumentation opens in a service (test/e2e/walking-skeleton.e2e.spec.ts has the real one).
 */
const OPENMETRICS = { type: 'application/openmetrics-text', params: ['charset=utf-8', 'version=1.0.0'] };
const PROMETHEUS_TEXT = { type: 'text/plain', params: ['charset=utf-8', 'version=0.0.4'] };

/** A Content-Type header as its type and its parameters (in any order: Express puts the charset first). */
function mediaType(header: string | null): { type: string; params: string[] } {
  const [type = '', ...params] = (header ?? '').split(';').map((part) => part.trim());
  return { type, params: params.sort() };
}
/** What Prometheus 2.x sends when it scrapes. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const traceId = randomBytes(16).toString('hex');
const spanId = randomBytes(8).toString('hex');

@Controller('traced')
class TracedController {
  @Public()
  @Get()
  answer(): { ok: true } {
    return { ok: true };
  }
}

@Module({
  imports: [PlatformHttpModule.forRoot({ auth: { secret: 'exemplar-test' }, readiness: [] })],
  controllers: [TracedController],
})
class ExemplarTestModule {}

/** The HTTP instrumentation's part: an incoming `traceparent` becomes the active (sampled) span of the request. */
function continueIncomingTrace(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(req.headers.traceparent ?? ''));
  if (!match) return next();
  const span = { traceId: match[1] as string, spanId: match[2] as string, traceFlags: TraceFlags.SAMPLED };
  context.with(trace.setSpanContext(ROOT_CONTEXT, span), next);
}

/** prom-client's own Node.js gauges are named `…_total`: promtool's lint remarks on them are not ours to fix. */
const PROM_CLIENT_REMARK =
  /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

/**
 * `promtool check metrics` on a text exposition: it parses it and lints it. Fails on a parse error or on any lint
 * remark but those on prom-client's default metrics.
 */
function promtoolCheckMetrics(text: string): void {
  let output: string;
  try {
    output = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: string; stdout?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error('promtool is not installed: apt-get install -y prometheus (.ci/run does)');
    output = `${stdout ?? ''}\n${stderr ?? ''}`;
  }
  const remarks = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !PROM_CLIENT_REMARK.test(line));
  expect(remarks).toEqual([]);
}

describe('/metrics: exemplars linking the HTTP latency to its trace', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    context.setGlobalContextManager(new TestContextManager());
    app = await NestFactory.create(ExemplarTestModule, { logger: false });
    app.use(continueIncomingTrace);
    // As the service runtime installs it: the latency histogram, with the request's trace as its exemplar.
    app.use(observeHttpRequests(pino({ level: 'silent' })));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const traced = await fetch(`${url}/traced`, { headers: { traceparent: `00-${traceId}-${spanId}-01` } });
    expect(traced.status).toBe(200);
  });

  afterAll(async () => {
    await app?.close();
    context.disable();
  });

  const scrape = (accept?: string) => fetch(`${url}/metrics`, { headers: accept ? { accept } : {} });

  it.each([
    ['application/openmetrics-text', 'application/openmetrics-text'],
    ["Prometheus' scrape", PROMETHEUS_ACCEPT],
  ])('answers %s with OpenMetrics, the request under a sampled span its trace on its bucket', async (_who, accept) => {
    const res = await scrape(accept);
    expect(res.status).toBe(200);
    expect(mediaType(res.headers.get('content-type'))).toEqual(OPENMETRICS);
    expect(res.headers.get('vary')).toMatch(/accept/i);
    const text = await res.text();
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    const buckets = text
      .split('\n')
      .filter((l) => l.startsWith('aftersales_http_request_duration_seconds_bucket{') && l.includes('route="/traced"'));
    expect(buckets.length).toBeGreaterThan(0);
    const traced = buckets.filter((l) => l.includes(` # {trace_id="${traceId}",span_id="${spanId}"} `));
    // One bucket holds the observation (its upper bound and the ones above count it; the exemplar is on its own).
    expect(traced).toHaveLength(1);
    expect(traced[0]).toMatch(/ # \{[^}]+\} \d+(\.\d+)?(e-?\d+)? \d+(\.\d+)?$/);
  });

  it.each([
    ['no Accept header', undefined],
    ['*/*', '*/*'],
    ['text/plain', 'text/plain'],
    ['text/plain preferred', 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5'],
  ])('answers %s with the Prometheus text format, without exemplars, which promtool accepts', async (_who, accept) => {
    const res = await scrape(accept);
    expect(res.status).toBe(200);
    expect(mediaType(res.headers.get('content-type'))).toEqual(PROMETHEUS_TEXT);
    const text = await res.text();
    expect(text).toMatch(/^aftersales_http_request_duration_seconds_bucket\{[^}]*route="\/traced"[^}]*\} 1$/m);
    expect(text).not.toContain('trace_id');
    expect(text).not.toContain('# EOF');
    // Counters keep their names in this format after OpenMetrics scrapes (prom-client's own rendering renames them).
    expect(text).toContain('# TYPE aftersales_dlq_messages_total counter\n');
    promtoolCheckMetrics(text);
  });

  it('is kept by a Prometheus with exemplar storage: its exemplar query answers the trace id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aftersales-exemplars-'));
    const port = await freePort();
    const target = new URL(url).host;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s' },
        scrape_configs: [{ job_name: 'exemplars', metrics_path: '/metrics', static_configs: [{ targets: [target] }] }],
      }),
    );
    let prometheus: ChildProcess | undefined;
    try {
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--enable-feature=exemplar-storage',
        ],
        { stdio: 'ignore' },
      );
      const exited = new Promise<never>((_, reject) =>
        prometheus?.once('exit', (code) => reject(new Error(`prometheus exited with ${code}`))),
      );
      const query = new URLSearchParams({
        query: 'aftersales_http_request_duration_seconds_bucket{route="/traced"}',
        start: String(Math.floor(Date.now() / 1000) - 300),
        end: String(Math.floor(Date.now() / 1000) + 300),
      });
      const found = await Promise.race([
        exited,
        eventually(
          async () => {
            const res = await fetch(`http://127.0.0.1:${port}/api/v1/query_exemplars?${query}`);
            const body = (await res.json()) as {
              data?: Array<{ exemplars: Array<{ labels: Record<string, string> }> }>;
            };
            const labels = (body.data ?? []).flatMap((series) => series.exemplars.map((e) => e.labels));
            return labels.length > 0 ? labels : undefined;
          },
          "the exemplar in Prometheus' storage",
          60_000,
          250,
        ),
      ]);
      expect(found).toContainEqual({ trace_id: traceId, span_id: spanId });
    } finally {
      if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
        const stopped = new Promise((resolve) => prometheus?.once('exit', resolve));
        prometheus.kill();
        await stopped;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
