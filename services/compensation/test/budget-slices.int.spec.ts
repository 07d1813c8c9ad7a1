import { randomUUID } from 'node:crypto';
import { uniqueName } from '@aftersales/testing';
import type { TestService } from '@aftersales/test-kit';
import type { RunningSandbox } from '../sandbox/payment-sandbox';
import { startCompensationWithSandbox } from '../src/testing/compensation.harness';

// CONTEXT: ADR 17. The month budget is kept in slices (4 here) so approvals do not queue on one row; it must still be
// exact: under many concurrent approvals exactly as many orders are approved as the budget covers, "exhausted" is
// said only when the whole budget cannot cover an order, releases come back, and a policy change moves the limit.
describe('compensation budgets in slices: exact under concurrent approvals', () => {
  const tenant = uniqueName('slices');
  const supervisor = { tenant, roles: ['supervisor'], subject: 'sup-1' };
  const manager = { tenant, roles: ['cs-manager'], subject: 'mgr-1' };
  const month = new Date().toISOString().slice(0, 7);
  let service: TestService;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    ({ service, sandbox } = await startCompensationWithSandbox({ COMPENSATION_BUDGET_SLICES: '4' }));
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  const setBudget = async (monthlyBudgetMinor: number) => {
    const current = await service.call<{ policy: Record<string, unknown> }>('GET', '/compensation-policies', {
      caller: manager,
    });
    const saved = await service.call('PUT', '/compensation-policies', {
      caller: manager,
      body: { ...current.body.policy, monthlyBudgetMinor },
    });
    expect(saved.status).toBe(200);
  };
  const budget = async () =>
    (
      await service.call<{
        budgets: Array<{ limitMinor: number; reservedMinor: number; spentMinor: number; availableMinor: number }>;
      }>('GET', `/budgets?month=${month}`, { caller: manager })
    ).body.budgets[0];
  /** Offers of 100 (not accepted: they only reserve), all at once. */
  const offers = (n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        service.call<{ compensationId: string; code?: string }>('POST', '/compensations', {
          caller: supervisor,
          body: {
            cause: { kind: 'case', id: randomUUID() },
            instrument: 'cash',
            amount: { amountMinor: 100, currency: 'CNY' },
          },
        }),
      ),
    );

  it('approves exactly what the budget covers, refuses the rest as exhausted, and takes releases and new limits', async () => {
    await setBudget(1_000);
    const first = await offers(25);
    expect(first.filter((r) => r.status === 201)).toHaveLength(10);
    const refused = first.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r).toMatchObject({ status: 409, body: { code: 'COMPENSATION.BUDGET_EXHAUSTED' } });
    expect(await budget()).toMatchObject({ limitMinor: 1_000, reservedMinor: 1_000, spentMinor: 0, availableMinor: 0 });

    // Three customers refuse: their reservations come back, wherever the slices they were taken from.
    const approved = first.filter((r) => r.status === 201).map((r) => r.body.compensationId);
    for (const id of approved.slice(0, 3))
      expect(
        await service.call('POST', `/compensations/${id}/refusal`, { caller: supervisor, body: { note: 'no' } }),
      ).toMatchObject({ status: 200 });
    expect(await budget()).toMatchObject({ reservedMinor: 700, availableMinor: 300 });
    const second = await offers(5);
    expect(second.filter((r) => r.status === 201)).toHaveLength(3);

    // A lower limit never drops below what is reserved; a higher one is there for the next approvals at once.
    await setBudget(500);
    expect(await budget()).toMatchObject({ limitMinor: 1_000, reservedMinor: 1_000, availableMinor: 0 });
    await setBudget(1_600);
    const third = await offers(8);
    expect(third.filter((r) => r.status === 201)).toHaveLength(6);
    expect(await budget()).toMatchObject({ limitMinor: 1_600, reservedMinor: 1_600, availableMinor: 0 });
  });
});
