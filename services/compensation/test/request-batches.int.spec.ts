import { randomUUID } from 'node:crypto';
import type { CommandOrigin } from '@aftersales/eventstore';
import { uniqueName } from '@aftersales/testing';
import type { TestService } from '@aftersales/test-kit';
import type { RunningSandbox } from '../sandbox/payment-sandbox';
import {
  CompensationService,
  compensationStream,
  type CompensationRequestInput,
} from '../src/application/compensation.service';
import { causeKey, compensationIdOf } from '../src/application/request-keys';
import type { Instrument } from '../src/domain/compensation-policy';
import { startCompensationWithSandbox } from '../src/testing/compensation.harness';

// CONTEXT: ADR 25. Requests made at the same time (`POST /compensations`) share a transaction (group commit,
// `CompensationService.request`): compensation in-process on real Postgres and Kafka with the payment sandbox. The
// requests are submitted in one tick straight to the application service, so how they are grouped does not depend on
// the machine's speed: the first two each start a transaction (two at a time), all the others wait and go together
// into the next one.
describe('compensation requests decided together', () => {
  const month = new Date().toISOString().slice(0, 7);
  let service: TestService;
  let sandbox: RunningSandbox;
  let compensations: CompensationService;

  beforeAll(async () => {
    ({ service, sandbox } = await startCompensationWithSandbox({ COMPENSATION_BUDGET_SLICES: '4' }));
    compensations = service.running.app.get(CompensationService);
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  const origin = (tenant: string): CommandOrigin => ({
    tenant,
    actor: { id: 'sup-1', roles: ['supervisor'] },
    correlationId: randomUUID(),
  });
  /** A request as `POST /compensations` makes it: 100 CNY of `instrument` for the cause, the customer's consent given. */
  const request = (tenant: string, causeId: string, options: { instrument?: Instrument; currency?: string } = {}) => {
    const cause = { kind: 'case' as const, id: causeId };
    const instrument = options.instrument ?? 'cash';
    const requestKey = causeKey(cause, instrument);
    const input: CompensationRequestInput = {
      compensationId: compensationIdOf(tenant, requestKey),
      cause,
      caseId: null,
      orderId: null,
      instrument,
      amount: { amountMinor: 100, currency: options.currency ?? 'CNY' },
      facts: {
        orderValue: null,
        paidAmount: null,
        itemCount: null,
        specialPrice: false,
        productAllowsGift: false,
        productAllowsFreeShipping: false,
      },
      source: 'staff',
      requestKey,
      preApproved: false,
      customerConsented: true,
    };
    return compensations.request(origin(tenant), input);
  };
  const budgetOf = async (tenant: string) => {
    const { rows } = await service.pool.query<{ limit_minor: string; used: string }>(
      `SELECT b.limit_minor, sum(s.reserved_minor + s.spent_minor) AS used
         FROM compensation_budgets b JOIN compensation_budget_slices s USING (tenant, scope_kind, scope_id)
        WHERE b.tenant = $1 AND b.scope_kind = 'month' AND b.scope_id = $2 GROUP BY b.limit_minor`,
      [tenant, month],
    );
    return { limitMinor: Number(rows[0]?.limit_minor), usedMinor: Number(rows[0]?.used) };
  };
  /** The transactions that wrote the streams' events, and the event types of each stream. */
  const written = async (compensationIds: readonly string[]) => {
    const { rows } = await service.pool.query<{ stream_id: string; types: string[]; tx: string }>(
      `SELECT stream_id, array_agg(type ORDER BY stream_version) AS types,
              (array_agg(transaction_id::text ORDER BY stream_version))[1] AS tx
         FROM es_events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id`,
      [compensationIds.map(compensationStream)],
    );
    return rows;
  };

  it('a refused request fails alone, the others commit together; the same cause twice in the batch is one order', async () => {
    const tenant = uniqueName('batch');
    const causes = Array.from({ length: 8 }, () => randomUUID());
    const twice = randomUUID();
    const outcomes = await Promise.allSettled([
      // The first two start a transaction each; everything below goes together into the next.
      request(tenant, randomUUID()),
      request(tenant, randomUUID()),
      ...causes.map((id) => request(tenant, id)),
      // Refused by the tenant's policy (its budget is in CNY): only this request.
      request(tenant, randomUUID(), { currency: 'USD' }),
      request(tenant, twice),
      request(tenant, twice),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array(10).fill('fulfilled'),
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: { code: 'COMPENSATION.CURRENCY_MISMATCH' } });
    const twiceId = compensationIdOf(tenant, causeKey({ kind: 'case', id: twice }, 'cash'));
    for (const outcome of outcomes.slice(11))
      expect(outcome).toMatchObject({
        status: 'fulfilled',
        value: { status: 'paying', terms: { compensationId: twiceId } },
      });

    const ids = causes.map((id) => compensationIdOf(tenant, causeKey({ kind: 'case', id }, 'cash')));
    const rows = await written([...ids, twiceId]);
    expect(rows).toHaveLength(9);
    // Each order requested once (the cause asked twice included), approved on the budget and its payout asked for.
    for (const row of rows)
      expect(row.types.slice(0, 4)).toEqual([
        'CompensationRequested',
        'CompensationApproved',
        'CompensationAccepted',
        'PayoutRequested',
      ]);
    // One transaction wrote every order the batch requested.
    const requestedIn = await service.pool.query<{ tx: string }>(
      `SELECT DISTINCT transaction_id::text AS tx FROM es_events
        WHERE stream_id = ANY($1::text[]) AND type = 'CompensationRequested'`,
      [[...ids, twiceId].map(compensationStream)],
    );
    expect(requestedIn.rows).toHaveLength(1);
    const { rows: listed } = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM compensation_orders WHERE tenant = $1',
      [tenant],
    );
    expect(listed[0]?.n).toBe(11);
    const { rows: timers } = await service.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM es_timers WHERE kind = 'payout-send' AND payload->>'compensationId' = ANY($1::text[])`,
      [[...ids, twiceId]],
    );
    expect(timers[0]?.n).toBe(9);
    // Reserved once per order: 11 orders of 100, the refused one nothing.
    expect((await budgetOf(tenant)).usedMinor).toBe(1_100);
  });

  it('a batch draws on the budget exactly: what it covers is approved, the rest refused as exhausted, alone', async () => {
    const tenant = uniqueName('batch');
    const manager = { tenant, roles: ['cs-manager'], subject: 'mgr-1' };
    const current = await service.call<{ policy: Record<string, unknown> }>('GET', '/compensation-policies', {
      caller: manager,
    });
    expect(
      await service.call('PUT', '/compensation-policies', {
        caller: manager,
        body: { ...current.body.policy, monthlyBudgetMinor: 1_000 },
      }),
    ).toMatchObject({ status: 200 });

    const causes = Array.from({ length: 12 }, () => randomUUID());
    const outcomes = await Promise.allSettled([
      request(tenant, randomUUID()),
      request(tenant, randomUUID()),
      ...causes.map((id) => request(tenant, id)),
    ]);
    const batch = outcomes.slice(2);
    expect(outcomes.slice(0, 2).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    // 800 left for the batch: eight orders of 100, whichever they are; the four others refused, each alone.
    expect(batch.filter((o) => o.status === 'fulfilled')).toHaveLength(8);
    const refused = batch.filter((o) => o.status === 'rejected');
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r).toMatchObject({ reason: { code: 'COMPENSATION.BUDGET_EXHAUSTED' } });
    expect(await budgetOf(tenant)).toEqual({ limitMinor: 1_000, usedMinor: 1_000 });

    const approved = causes
      .filter((_, i) => batch[i]?.status === 'fulfilled')
      .map((id) => compensationIdOf(tenant, causeKey({ kind: 'case', id }, 'cash')));
    expect(new Set((await written(approved)).map((r) => r.tx)).size).toBe(1);
    const refusedIds = causes
      .filter((_, i) => batch[i]?.status === 'rejected')
      .map((id) => compensationIdOf(tenant, causeKey({ kind: 'case', id }, 'cash')));
    expect(await written(refusedIds)).toEqual([]);
  });
});
