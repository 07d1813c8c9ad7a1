import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import pino from 'pino';
import { TestContextManager } from '@aftersales/testing';
import { metricsRegistry } from '@aftersales/observability';
import { observeHttpRequests } from './http-observations';

/** A response as the middleware sees it: headers, a status, and `finish` once sent. */
function response(status: number, length: number): ServerResponse {
  const res = new EventEmitter() as EventEmitter & { statusCode: number; getHeader: (name: string) => unknown };
  res.statusCode = status;
  res.getHeader = (name) => (name === 'content-length' ? String(length) : undefined);
  return res as unknown as ServerResponse;
}

describe('observeHttpRequests: one access-log line and one latency observation per HTTP request, with its trace', () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info', formatters: { level: (label) => ({ level: label }) } },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    }),
  );
  beforeAll(() => context.setGlobalContextManager(new TestContextManager()));
  afterAll(() => context.disable());
  beforeEach(() => (lines.length = 0));

  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spanId = '00f067aa0ba902b7';
  const active = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });

  it('logs method, route template, status, duration and size once the response is sent, with the trace of the request', async () => {
    const req = { method: 'POST', url: '/cases?customer=jane@example.com', route: { path: '/cases' } };
    const res = response(201, 312);
    let called = false;
    context.with(active, () =>
      observeHttpRequests(logger)(req as unknown as IncomingMessage, res, () => (called = true)),
    );
    expect(called).toBe(true);
    expect(lines).toEqual([]);
    // The response is sent later, outside the request's context.
    await new Promise((resolve) => setTimeout(resolve, 5));
    res.emit('finish');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'http request',
      http: { method: 'POST', route: '/cases', status: 201, response_bytes: 312 },
      trace_id: traceId,
      span_id: spanId,
    });
    expect((lines[0]?.http as { duration_ms: number }).duration_ms).toBeGreaterThanOrEqual(0);
    // Never the path or query: they may carry personal data.
    expect(JSON.stringify(lines[0])).not.toContain('jane@example.com');
  });

  it('names a request no route matched (refused before routing) and logs a 5xx at warn', async () => {
    const res = response(503, 0);
    observeHttpRequests(logger)({ method: 'GET', url: '/nowhere' } as unknown as IncomingMessage, res, () => undefined);
    res.emit('finish');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', http: { method: 'GET', route: 'unmatched', status: 503 } });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('keeps probes and scrapes out of the info log', async () => {
    for (const path of ['/health/ready', '/metrics']) {
      const res = response(200, 10);
      observeHttpRequests(logger)(
        { method: 'GET', route: { path } } as unknown as IncomingMessage,
        res,
        () => undefined,
      );
      res.emit('finish');
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
  });

  it('observes the latency histogram by method, route template and status as sent, the refused requests too', async () => {
    const route = `/observed-${Date.now()}`;
    const count = async (status: string) => {
      const text = await metricsRegistry.getSingleMetricAsString('aftersales_http_request_duration_seconds');
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('aftersales_http_request_duration_seconds_count{') &&
            l.includes(`route="${route}"`) &&
            l.includes(`status="${status}"`),
        );
      return Number(line?.split(' ').pop() ?? 0);
    };
    for (const status of [201, 201, 401]) {
      const res = response(status, 0);
      observeHttpRequests(logger)(
        { method: 'POST', route: { path: route } } as unknown as IncomingMessage,
        res,
        () => undefined,
      );
      res.emit('finish');
    }
    expect(await count('201')).toBe(2);
    // Refused by the auth guard: the status the problem-details filter sent.
    expect(await count('401')).toBe(1);
  });
});
