import { HttpPaymentProvider } from '../src/infrastructure/payment/http-payment-provider';
import type { CompensationConfig } from '../src/application/compensation.config';
import type { PayoutInstruction, ProviderSendResult } from '../src/application/compensation.ports';
import { startPaymentSandbox, type RunningSandbox } from './payment-sandbox';

// ADR 42: compensation's HTTP adapter sends payouts in batches (`POST /payout-batches`), each idempotent by its own
// key, and reads the answer payout by payout. The sandbox in-process on a free port; nobody listens for the webhooks
// (their failures are retried in the background, which these tests do not look at).
describe('payout batches: the HTTP adapter against the payment sandbox', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startPaymentSandbox({ port: 0, secret: 'test-secret', behaviour: { confirmDelayMs: 60_000 } });
  });
  afterAll(() => sandbox.close());

  const provider = (providerBatchSize: number, providerTimeoutMs = 2_000) =>
    new HttpPaymentProvider({
      providerUrl: sandbox.url,
      publicUrl: 'http://127.0.0.1:1',
      providerBatchSize,
      providerTimeoutMs,
    } as CompensationConfig);
  const payout = (key: string, amountMinor = 1_000, tenant = 'shop-a'): PayoutInstruction => ({
    payoutKey: key,
    tenant,
    compensationId: key,
    amount: { amountMinor, currency: 'CNY' },
  });
  const summary = async () =>
    (await (await fetch(`${sandbox.url}/payouts`)).json()) as {
      count: number;
      duplicates: number;
      repeats: number;
      batches: number;
    };
  const behave = (behaviour: object) =>
    fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify(behaviour) });
  const reference = (result: ProviderSendResult | undefined) =>
    result && 'providerReference' in result ? result.providerReference : undefined;

  it('sends many payouts in one request and answers each in the order given', async () => {
    const before = await summary();
    const results = await provider(100).sendMany([payout('a-1'), payout('a-2'), payout('a-3')]);

    expect(results.map(reference)).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    expect(new Set(results.map(reference)).size).toBe(3);
    const after = await summary();
    expect(after.batches - before.batches).toBe(1);
    expect(after.count - before.count).toBe(3);
  });

  it('answers a key it has with that payout, and fails only the payouts it refuses', async () => {
    const [first] = await provider(100).sendMany([payout('b-1')]);
    await behave({ failNext: 1, tenant: 'shop-x' });

    const results = await provider(100).sendMany([
      payout('b-1'), // again, same amount: the same payout
      payout('b-2', 1_000, 'shop-x'), // refused by the behaviour (503)
      payout('a-1', 2_000), // a key it has, another amount (422)
      payout('b-3'),
    ]);

    expect(reference(results[0])).toBe(reference(first));
    expect(results[1]).toEqual({ error: expect.stringContaining('503') });
    expect(results[2]).toEqual({ error: expect.stringContaining('422') });
    expect(reference(results[3])).toEqual(expect.any(String));
    expect((await summary()).duplicates).toBe(0);
  });

  it('splits what it sends into batches of providerBatchSize, and sends each alone with a size of 1', async () => {
    const before = await summary();
    const keys = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
    const batched = await provider(2).sendMany(keys.map((k) => payout(k)));
    const middle = await summary();
    const alone = await provider(1).sendMany(['d-1', 'd-2'].map((k) => payout(k)));
    const after = await summary();

    expect(batched.every((r) => typeof reference(r) === 'string')).toBe(true);
    expect(middle.batches - before.batches).toBe(3);
    expect(alone.every((r) => typeof reference(r) === 'string')).toBe(true);
    expect(after.batches - middle.batches).toBe(0);
    expect(after.count - before.count).toBe(7);
  });

  it('fails every payout of a batch that timed out; sent again, the ones the provider made are answered, not made twice', async () => {
    await behave({ timeoutNext: 1, failNext: 0, tenant: 'shop-t' });
    const batch = [payout('t-1', 1_000, 'shop-t'), payout('t-2', 1_000, 'shop-u'), payout('t-3', 1_000, 'shop-u')];

    const timedOut = await provider(100, 300).sendMany(batch);
    expect(timedOut).toEqual(batch.map(() => ({ error: expect.stringContaining('provider unreachable') })));

    const before = await summary();
    const again = await provider(100).sendMany(batch);
    const after = await summary();
    expect(again.every((r) => typeof reference(r) === 'string')).toBe(true);
    expect(after.count - before.count).toBe(1); // t-1, the one timed out; t-2 and t-3 were made the first time
    expect(after.repeats - before.repeats).toBe(2);
    expect(after.duplicates).toBe(0);
  });

  it('refuses a batch without a callback URL, with no payouts or with more than 1000', async () => {
    const post = (body: object) =>
      fetch(`${sandbox.url}/payout-batches`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.status);
    const item = { idempotencyKey: 'e-1', amount: { amountMinor: 1, currency: 'CNY' } };

    expect(await post({ payouts: [item] })).toBe(400);
    expect(await post({ callbackUrl: 'http://127.0.0.1:1/x', payouts: [] })).toBe(400);
    expect(
      await post({ callbackUrl: 'http://127.0.0.1:1/x', payouts: Array.from({ length: 1_001 }, () => item) }),
    ).toBe(400);
  });
});
