import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import pino from 'pino';
import { TestContextManager } from '@aftersales/testing';
import { accessLog } from './access-log';

/** A response as the middleware sees it: headers, a status, and `finish` once sent. */
function response(status: number, length: number): ServerResponse {
  const res = new EventEmitter() as EventEmitter & { statusCode: number; getHeader: (name: string) => unknown };
  res.statusCode = status;
  res.getHeader = (name) => (name === 'content-length' ? String(length) : undefined);
  return res as unknown as ServerResponse;
}

describe('accessLog: one line per HTTP request with its trace id', () => {
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
    context.with(active, () => accessLog(logger)(req as unknown as IncomingMessage, res, () => (called = true)));
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
    accessLog(logger)({ method: 'GET', url: '/nowhere' } as unknown as IncomingMessage, res, () => undefined);
    res.emit('finish');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', http: { method: 'GET', route: 'unmatched', status: 503 } });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('keeps probes and scrapes out of the info log', async () => {
    for (const path of ['/health/ready', '/metrics']) {
      const res = response(200, 10);
      accessLog(logger)({ method: 'GET', route: { path } } as unknown as IncomingMessage, res, () => undefined);
      res.emit('finish');
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
  });
});
