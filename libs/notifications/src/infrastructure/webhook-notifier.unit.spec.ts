import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { notifierSettingsFromEnv, type NotifierOutcome } from '@aftersales/notifications';
import { TestContextManager } from '@aftersales/testing';
import { WebhookNotifier } from './index';

/** What the local receiver got. */
interface Received {
  readonly path: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

// CONTEXT: a real HTTP receiver on 127.0.0.1, answering by path, so the adapter's fetch, headers, redirect and timeout
// handling are what is tested. Only 127.0.0.1:<its port> is on the allow-list.
describe('WebhookNotifier (the Notifier port over HTTP)', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let notifier: WebhookNotifier;
  let impatient: WebhookNotifier;
  let releaseSlow: () => void = () => undefined;

  beforeAll(async () => {
    context.setGlobalContextManager(new TestContextManager());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        received.push({ path, method: req.method ?? '', headers: req.headers, body });
        if (path === '/ok') res.writeHead(202).end('{"accepted":true}');
        else if (path === '/redirect') res.writeHead(302, { location: '/ok' }).end();
        else if (path === '/missing') res.writeHead(404).end();
        else if (path === '/down') res.writeHead(503).end();
        // Answers only once the test is over: the adapter's timeout ends the attempt first.
        else if (path === '/slow') releaseSlow = () => res.writeHead(200).end();
        else res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    const settings = (timeoutMs: string) =>
      notifierSettingsFromEnv(
        { HOOKS_ALLOWED_HOSTS: `127.0.0.1:${port}`, HOOKS_TIMEOUT_MS: timeoutMs },
        {
          variables: {
            webhookUrl: 'HOOKS_WEBHOOK_URL',
            allowedHosts: 'HOOKS_ALLOWED_HOSTS',
            timeoutMs: 'HOOKS_TIMEOUT_MS',
          },
          wording: { receiver: 'pager', notification: 'page' },
        },
      );
    // CONTEXT: a receiver that answers must never be timed out, also on a busy machine (a 200 ms timeout failed the
    // delivery tests there); only the receiver that never answers meets the short timeout.
    notifier = new WebhookNotifier(settings('30000'));
    impatient = new WebhookNotifier(settings('200'));
  });

  afterAll(async () => {
    releaseSlow();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    context.disable();
    propagation.disable();
  });

  const deliver = (path: string, key = 'evt-1'): Promise<NotifierOutcome> =>
    notifier.deliver({ idempotencyKey: key, target: `${base}${path}`, body: { pageId: key, level: 'L2' } });
  const requestsTo = (path: string) => received.filter((r) => r.path === path);

  it('POSTs the body as JSON with the Idempotency-Key and the trace context: a 2xx is delivered', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const active = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    const outcome = await context.with(active, () => deliver('/ok', 'evt-ok'));

    expect(outcome).toEqual({ outcome: 'delivered', statusCode: 202 });
    const [request] = requestsTo('/ok');
    expect(request).toMatchObject({ method: 'POST', body: JSON.stringify({ pageId: 'evt-ok', level: 'L2' }) });
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'evt-ok',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
  });

  it('does not follow a redirect: an allowed host must not forward notifications elsewhere (retried)', async () => {
    const before = requestsTo('/ok').length;
    expect(await deliver('/redirect')).toEqual({
      outcome: 'failed',
      statusCode: 302,
      reason: `${base} answered 302`,
    });
    expect(requestsTo('/ok')).toHaveLength(before);
  });

  it.each([
    ['a server error', '/down', 503],
    ['a client error (the receiver’s state, which its operator fixes)', '/missing', 404],
  ])('takes %s as a failed attempt, to retry', async (_what, path, status) => {
    expect(await deliver(path)).toEqual({
      outcome: 'failed',
      statusCode: status,
      reason: `${base} answered ${status}`,
    });
  });

  it('takes no answer within the timeout as a failed attempt', async () => {
    const outcome = await impatient.deliver({
      idempotencyKey: 'evt-slow',
      target: `${base}/slow`,
      body: { pageId: 'evt-slow', level: 'L2' },
    });
    expect(outcome).toMatchObject({ outcome: 'failed', statusCode: null });
    expect((outcome as { reason: string }).reason).toMatch(new RegExp(`^${base} unreachable \\(.*timeout`, 'i'));
  });

  it('takes an unreachable receiver as a failed attempt, naming the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const local = notifierSettingsFromEnv(
      { HOOKS_ALLOWED_HOSTS: '127.0.0.1' },
      {
        variables: {
          webhookUrl: 'HOOKS_WEBHOOK_URL',
          allowedHosts: 'HOOKS_ALLOWED_HOSTS',
          timeoutMs: 'HOOKS_TIMEOUT_MS',
        },
        wording: { receiver: 'pager', notification: 'page' },
      },
    );
    const outcome = await new WebhookNotifier(local).deliver({
      idempotencyKey: 'evt-2',
      target: `http://127.0.0.1:${port}/hook`,
      body: {},
    });
    expect(outcome).toMatchObject({ outcome: 'failed', statusCode: null });
    expect((outcome as { reason: string }).reason).toMatch(`http://127.0.0.1:${port} unreachable (fetch failed: `);
    expect((outcome as { reason: string }).reason).toContain('ECONNREFUSED');
  });

  it('refuses a target outside the allow-list for good, without calling it, naming its origin only', async () => {
    const count = received.length;
    const stray = base.replace('127.0.0.1', 'localhost');
    const outcome = await notifier.deliver({ idempotencyKey: 'evt-3', target: `${stray}/ok?token=T0K3N`, body: {} });
    expect(outcome).toEqual({
      outcome: 'refused',
      refusal: {
        rule: 'allowedHost',
        detail: expect.stringContaining('must point to a pager host the operator allows'),
      },
      reason: expect.stringMatching(
        /^allowedHost: webhook must point to a pager host the operator allows: "localhost:\d+"/,
      ),
      target: stray,
    });
    expect((outcome as { reason: string }).reason).not.toContain('T0K3N');
    expect(received).toHaveLength(count);
  });

  it('refuses credentials in the target for good', async () => {
    const outcome = await notifier.deliver({
      idempotencyKey: 'evt-4',
      target: base.replace('http://', 'http://user:secret@') + '/ok',
      body: {},
    });
    expect(outcome).toMatchObject({ outcome: 'refused', refusal: { rule: 'noCredentials' }, target: base });
  });
});
