import { createServer, type Server } from 'node:http';
import { SIGNATURE_HEADER, verifySignature } from '../src/infrastructure/payment/payment-signature';
import { startPaymentSandbox, type RunningSandbox } from './payment-sandbox';

interface Report {
  readonly payoutKey: string;
  readonly status: string;
}

// The sandbox in-process on a free port, with a callback server that only counts: no database or broker involved.
describe('payment sandbox: misbehaviour scoped to a tenant, and webhooks of several reports', () => {
  let sandbox: RunningSandbox;
  let callbacks: Server;
  let callbackUrl: string;
  const confirmed: string[] = [];
  /** Every webhook received: its body as sent, and whether its signature verified. */
  const webhooks: Array<{ body: Report | { reports: Report[] }; signed: boolean }> = [];

  beforeAll(async () => {
    sandbox = await startPaymentSandbox({ port: 0, secret: 'test-secret', behaviour: { confirmDelayMs: 1 } });
    callbacks = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as Report | { reports: Report[] };
        const signature = req.headers[SIGNATURE_HEADER];
        webhooks.push({
          body: parsed,
          signed: verifySignature(
            'test-secret',
            body,
            typeof signature === 'string' ? signature : undefined,
            Date.now(),
          ),
        });
        for (const report of 'reports' in parsed ? parsed.reports : [parsed]) confirmed.push(report.payoutKey);
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
    const address = callbacks.address();
    callbackUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/confirmations`;
  });

  afterAll(async () => {
    await sandbox.close();
    await new Promise<void>((resolve) => callbacks.close(() => resolve()));
  });

  const behave = (behaviour: object) =>
    fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify(behaviour) });
  const payout = (key: string, tenant: string) =>
    fetch(`${sandbox.url}/payouts`, {
      method: 'POST',
      headers: { 'idempotency-key': key },
      body: JSON.stringify({
        amount: { amountMinor: 1_000, currency: 'CNY' },
        callbackUrl,
        metadata: { tenant, compensationId: key },
      }),
    });

  it("fails the next payouts of the tenant named, and serves another tenant's payouts meanwhile", async () => {
    await behave({ failNext: 2, tenant: 'shop-a' });

    expect((await payout('b-1', 'shop-b')).status).toBe(202); // another suite's traffic: untouched
    expect((await payout('a-1', 'shop-a')).status).toBe(503);
    expect((await payout('b-2', 'shop-b')).status).toBe(202);
    expect((await payout('a-2', 'shop-a')).status).toBe(503);
    expect((await payout('a-3', 'shop-a')).status).toBe(202); // the two failures were shop-a's

    await behave({ failNext: 1, tenant: null }); // unscoped: the next payout of anyone
    expect((await payout('b-3', 'shop-b')).status).toBe(503);
  });

  it("drops only the named tenant's confirmations", async () => {
    await behave({ dropConfirmations: true, tenant: 'shop-a' });
    expect((await payout('a-4', 'shop-a')).status).toBe(202);
    expect((await payout('b-4', 'shop-b')).status).toBe(202);
    for (let i = 0; i < 200 && !confirmed.includes('b-4'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(confirmed).toContain('b-4');
    expect(confirmed).not.toContain('a-4');
  });

  it('sends the reports settled together in one signed webhook, at most reportsPerWebhook in each', async () => {
    await behave({ dropConfirmations: false, tenant: null, webhookWindowMs: 1_000, reportsPerWebhook: 2 });
    const from = webhooks.length;
    const keys = ['c-1', 'c-2', 'c-3'];
    for (const key of keys) expect((await payout(key, 'shop-c')).status).toBe(202);
    for (let i = 0; i < 300 && !keys.every((k) => confirmed.includes(k)); i++)
      await new Promise((r) => setTimeout(r, 10));

    const mine = webhooks.slice(from);
    // Two reports together, then the third alone: sent as the report itself, as one webhook has always been.
    expect(mine.map((w) => ('reports' in w.body ? w.body.reports.map((r) => r.payoutKey) : w.body.payoutKey))).toEqual([
      ['c-1', 'c-2'],
      'c-3',
    ]);
    expect(mine.every((w) => w.signed)).toBe(true);
    const summary = (await (await fetch(`${sandbox.url}/payouts`)).json()) as {
      notifications: { webhooks: number; reports: number };
    };
    expect(summary.notifications.reports - summary.notifications.webhooks).toBeGreaterThanOrEqual(1);
  });
});
