import { randomUUID } from 'node:crypto';
import { Topics } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { eventually, type Caller, type TestService } from '@aftersales/test-kit';
import type { RunningSandbox } from '../sandbox/payment-sandbox';
import { startCompensationWithSandbox } from '../src/testing/compensation.harness';

// CONTEXT: issue 12, a payout in manual review resolved by a person. Compensation in-process on real Postgres and Kafka
// with the real payment sandbox told to fail; the harness sends a payout to manual review after 3 failed attempts.
describe('compensation: a payout in manual review resolved by a person with authority', () => {
  const tenant = uniqueName('review');
  const agent = { tenant, roles: ['agent'], subject: 'agent-1' };
  const supervisor = { tenant, roles: ['supervisor'], subject: 'sup-1' };
  const manager = { tenant, roles: ['cs-manager'], subject: 'mgr-1' };
  const month = new Date().toISOString().slice(0, 7);
  let service: TestService;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    ({ service, sandbox } = await startCompensationWithSandbox());
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  /** The sandbox misbehaves as told for this suite's tenant only (other suites' payouts may share the service). */
  const behave = (behaviour: object) =>
    fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify({ ...behaviour, tenant }) });
  const view = async (id: string) =>
    (
      await service.call<{ status: string; payout: { payoutKey: string; attempts: number } }>(
        'GET',
        `/compensations/${id}`,
        { caller: supervisor },
      )
    ).body;
  const budget = async () =>
    (
      await service.call<{ budgets: Array<{ reservedMinor: number; spentMinor: number }> }>(
        'GET',
        `/budgets?month=${month}`,
        { caller: manager },
      )
    ).body.budgets[0]!;
  const ledger = async (caseId: string) =>
    (
      await service.call<{ movements: Array<{ entries: unknown[] }> }>('GET', `/ledger?cause=case:${caseId}`, {
        caller: manager,
      })
    ).body.movements;
  /** A cash payout that fails until manual review (the sandbox as told), waited for. */
  const stuckPayout = async (amountMinor: number, behaviour: object) => {
    await behave(behaviour);
    const caseId = randomUUID();
    const res = await service.call<{ compensationId: string }>('POST', '/compensations', {
      caller: supervisor,
      body: {
        cause: { kind: 'case', id: caseId },
        caseId,
        instrument: 'cash',
        amount: { amountMinor, currency: 'CNY' },
        customerConsented: true,
      },
    });
    expect(res.status).toBe(201);
    const id = res.body.compensationId;
    await eventually(async () => ((await view(id)).status === 'manual_review' ? true : undefined), 'manual review');
    return { id, caseId };
  };
  const resolve = (id: string, caller: Caller, body: object) =>
    service.call<{ status: string; code?: string }>('POST', `/compensations/${id}/manual-review-resolution`, {
      caller,
      body,
    });
  const publishedTypes = async (id: string, count: number) =>
    (
      await readTopicWithKcat(Topics.compensation, {
        count,
        timeoutMs: 30_000,
        until: (m) => m.headers.ce_subject === id,
      })
    ).map((m) => ({ type: m.headers.ce_type, payload: JSON.parse(m.payload ?? '{}') as Record<string, unknown> }));

  it('retry: the payout the provider failed is sent again under a new key and paid once; an agent may not', async () => {
    // The provider takes the payout and fails it: under that key it answers "failed" for good.
    const { id, caseId } = await stuckPayout(1_300, { failConfirmNext: 1 });
    const firstKey = (await view(id)).payout.payoutKey;

    expect(await resolve(id, agent, { resolution: 'retry', note: 'try again' })).toMatchObject({ status: 403 });
    const retried = await resolve(id, supervisor, { resolution: 'retry', note: 'Channel fixed, try again' });
    expect(retried).toMatchObject({ status: 200, body: { status: 'paying' } });
    await eventually(async () => ((await view(id)).status === 'paid' ? true : undefined), 'paid after the retry');

    const after = await view(id);
    expect(after.payout.payoutKey).not.toBe(firstKey);
    const atProvider = async (key: string) =>
      (await (await fetch(`${sandbox.url}/payouts/${encodeURIComponent(key)}`)).json()) as { status: string };
    expect(await atProvider(firstKey)).toMatchObject({ status: 'failed' });
    expect(await atProvider(after.payout.payoutKey)).toMatchObject({ status: 'confirmed' });
    // Paid once: one movement, balanced.
    expect(await ledger(caseId)).toEqual([
      expect.objectContaining({
        entries: [
          { account: 'compensation_expense', amountMinor: 1_300, currency: 'CNY' },
          { account: 'payment_provider', amountMinor: -1_300, currency: 'CNY' },
        ],
      }),
    ]);
    // A resolved review is not resolved again.
    expect(await resolve(id, supervisor, { resolution: 'abandoned', note: 'late' })).toMatchObject({
      status: 409,
      body: { code: 'COMPENSATION.NOT_IN_MANUAL_REVIEW' },
    });
  });

  it('abandoned: the budget reservation is released, nothing is booked, compensation-cancelled says why', async () => {
    const before = await budget().catch(() => ({ reservedMinor: 0, spentMinor: 0 }));
    const { id, caseId } = await stuckPayout(1_400, { failNext: 3 });
    expect((await budget()).reservedMinor).toBe(before.reservedMinor + 1_400);

    const abandoned = await resolve(id, manager, { resolution: 'abandoned', note: 'Customer closed the account' });
    expect(abandoned).toMatchObject({ status: 200, body: { status: 'abandoned' } });
    expect(await budget()).toMatchObject({ reservedMinor: before.reservedMinor, spentMinor: before.spentMinor });
    expect(await ledger(caseId)).toEqual([]);
    const events = await publishedTypes(id, 5);
    expect(events.at(-1)).toMatchObject({
      type: 'aftersales.compensation.compensation-cancelled.v1',
      payload: { reason: 'payout_abandoned', caseId },
    });
  });

  it('paid outside: booked against paid_outside with its reference, the budget spent, compensation-paid published', async () => {
    const before = await budget();
    const { id, caseId } = await stuckPayout(1_500, { failNext: 3 });

    expect(await resolve(id, supervisor, { resolution: 'paid_outside', note: 'Paid by bank transfer' })).toMatchObject({
      status: 422,
      body: { code: 'COMPENSATION.EXTERNAL_REFERENCE_REQUIRED' },
    });
    const settled = await resolve(id, supervisor, {
      resolution: 'paid_outside',
      note: 'Paid by bank transfer',
      externalReference: 'BANK-2026-0042',
    });
    expect(settled).toMatchObject({ status: 200, body: { status: 'paid' } });
    expect(await budget()).toMatchObject({
      reservedMinor: before.reservedMinor,
      spentMinor: before.spentMinor + 1_500,
    });
    expect(await ledger(caseId)).toEqual([
      expect.objectContaining({
        entries: [
          { account: 'compensation_expense', amountMinor: 1_500, currency: 'CNY' },
          { account: 'paid_outside', amountMinor: -1_500, currency: 'CNY' },
        ],
      }),
    ]);
    const events = await publishedTypes(id, 5);
    expect(events.at(-1)).toMatchObject({
      type: 'aftersales.compensation.compensation-paid.v1',
      payload: { paymentChannel: 'paid_outside', settlement: 'paid', amount: { amountMinor: 1_500 } },
    });
    expect(((await (await fetch(`${sandbox.url}/payouts`)).json()) as { duplicates: number }).duplicates).toBe(0);
  });
});
