import { uniqueName } from '@aftersales/testing';
import { eventually, type TestService } from '@aftersales/test-kit';
import type { RunningSandbox } from '../sandbox/payment-sandbox';
import { consentedCashPayout, startCompensationWithSandbox } from '../src/testing/compensation.harness';

// CONTEXT: issue 12, payout throughput. A timer transaction claims every payout attempt due (up to
// COMPENSATION_TIMERS_PER_TRANSACTION), sends them to the provider side by side, then locks their orders and records
// every outcome in one append.
// One timer loop, and the sandbox told to hold its answers: while the loop waits on a held payout, the next orders'
// attempts fall due, so the loop's next transaction claims them all at once — a batch made on purpose, not by luck.
// The provider's timeout is long so that only the test's `release` ends a held call.
describe('compensation: payout attempts sent side by side, many per transaction', () => {
  const tenant = uniqueName('batch');
  const supervisor = { tenant, roles: ['supervisor'], subject: 'sup-1' };
  let service: TestService;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    ({ service, sandbox } = await startCompensationWithSandbox({
      COMPENSATION_TIMER_LOOPS: '1',
      COMPENSATION_PROVIDER_TIMEOUT_MS: '120000',
      COMPENSATION_CONFIRMATION_TIMEOUT_MS: '120000',
    }));
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  /** The sandbox misbehaves as told for this suite's tenant only (other suites' payouts may share the service). */
  const behave = (behaviour: object) =>
    fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify({ ...behaviour, tenant }) });
  /** This suite's payouts at the provider: the service also pays what it decides on other suites' contracts. */
  const atProvider = async () =>
    (await (await fetch(`${sandbox.url}/payouts?tenant=${tenant}`)).json()) as {
      count: number;
      duplicates: number;
      repeats: number;
    };
  const pay = async (amountMinor: number): Promise<string> => {
    const res = await service.call<{ compensationId: string }>('POST', '/compensations', {
      caller: supervisor,
      body: consentedCashPayout(amountMinor),
    });
    expect(res.status).toBe(201);
    return res.body.compensationId;
  };
  const view = async (id: string) =>
    (
      await service.call<{ status: string; payout: { attempts: number } }>('GET', `/compensations/${id}`, {
        caller: supervisor,
      })
    ).body;
  const allPaid = (ids: readonly string[]) =>
    eventually(
      async () => ((await Promise.all(ids.map(view))).every((o) => o.status === 'paid') ? true : undefined),
      'every payout paid',
    );
  /** The loop is busy: the order's payout reached the provider, which holds its answer. */
  const heldAt = (count: number) =>
    eventually(
      async () => ((await atProvider()).count >= count ? true : undefined),
      `${count} payouts at the provider`,
    );
  /** Booked movements per order (one: paid once in the books). */
  const movementsPerOrder = async (ids: readonly string[]) => {
    const { rows } = await service.pool.query<{ compensation_id: string; movements: number }>(
      `SELECT compensation_id, count(DISTINCT movement_id)::int AS movements FROM compensation_ledger
        WHERE compensation_id = ANY($1::uuid[]) GROUP BY compensation_id ORDER BY compensation_id`,
      [ids],
    );
    return rows.map((r) => r.movements);
  };

  it('sends the due attempts together in one transaction; one the provider refuses is retried alone, none lost or paid twice', async () => {
    const before = await atProvider();
    await behave({ holdNext: 1 });
    const first = await pay(1_000);
    await heldAt(before.count + 1);
    const batch: string[] = [];
    for (let i = 0; i < 5; i++) batch.push(await pay(1_100 + i));
    // The next new payout at the provider (one of the batch's five) is refused with a 503.
    await behave({ failNext: 1, release: true });
    await allPaid([first, ...batch]);

    // Attempt 1 of the five fired by one transaction: the one that marked their timers fired (each row's xmin).
    const fired = await service.pool.query<{ transactions: number; timers: number }>(
      `SELECT count(DISTINCT xmin::text)::int AS transactions, count(*)::int AS timers FROM es_timers
        WHERE timer_id = ANY($1::text[]) AND fired_at IS NOT NULL`,
      [batch.map((id) => `payout-send:${id}:1`)],
    );
    expect(fired.rows[0]).toEqual({ transactions: 1, timers: 5 });
    // One attempt refused, recorded failed, then paid by its second attempt; the other four were not touched by it.
    // (An attempt whose confirmation arrived before its send was recorded has no PayoutSent: the order was paid.)
    const { rows } = await service.pool.query<{ stream_id: string; attempt: number }>(
      `SELECT stream_id, (data->>'attempt')::int AS attempt FROM es_events
        WHERE stream_id = ANY($1::text[]) AND type = 'PayoutFailed'`,
      [batch.map((id) => `compensation-${id}`)],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.attempt).toBe(1);
    expect(
      (
        await service.pool.query(`SELECT 1 FROM es_timers WHERE timer_id = $1 AND fired_at IS NOT NULL`, [
          `payout-send:${rows[0]!.stream_id.slice('compensation-'.length)}:2`,
        ])
      ).rowCount,
    ).toBe(1);
    const after = await atProvider();
    expect(after.duplicates).toBe(0);
    expect(after.count).toBe(before.count + 6);
    expect(await movementsPerOrder([first, ...batch])).toEqual([1, 1, 1, 1, 1, 1]);
  });

  /** Timer transactions of compensation that failed as a whole so far (their timers stayed due). */
  const rolledBack = async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('aftersales_timer_transactions_rolled_back_total{'))
      .filter((line) => line.includes('worker="compensation timers"'))
      .reduce(
        (sum, line) =>
          sum +
          Number(
            line
              .slice(line.lastIndexOf('}') + 1)
              .trim()
              .split(' ')[0],
          ),
        0,
      );
  };

  it('confirmations recorded while the batch waits on the provider are read again after it: nothing rolled back, retried or sent twice', async () => {
    const before = await atProvider();
    const rolledBackBefore = await rolledBack();
    await behave({ holdNext: 1 });
    const first = await pay(3_000);
    await heldAt(before.count + 1);
    const batch: string[] = [];
    for (let i = 0; i < 4; i++) batch.push(await pay(3_100 + i));
    // The batch of four is sent side by side; the provider holds its answer to one of them and confirms all four by
    // its webhook meanwhile (20 ms after making each): the four are paid while the batch still waits.
    await behave({ holdNext: 1, release: true });
    await heldAt(before.count + 5);
    await allPaid(batch);
    await behave({ release: true });
    await allPaid([first]);
    // The batch read the orders before they were paid: deciding on that read, its append would conflict and the
    // whole transaction would roll back and run again. It read them again once locked: nothing left to record.
    await eventually(
      async () =>
        (
          await service.pool.query(
            `SELECT 1 FROM es_timers WHERE timer_id = ANY($1::text[]) AND fired_at IS NOT NULL`,
            [batch.map((id) => `payout-send:${id}:1`)],
          )
        ).rowCount === 4
          ? true
          : undefined,
      "the batch's timers fired",
    );
    const fired = await service.pool.query<{ transactions: number; attempts: number }>(
      `SELECT count(DISTINCT xmin::text)::int AS transactions, max((payload->>'attempts')::int)::int AS attempts
         FROM es_timers WHERE timer_id = ANY($1::text[])`,
      [batch.map((id) => `payout-send:${id}:1`)],
    );
    expect(fired.rows[0]).toEqual({ transactions: 1, attempts: null });
    expect(await rolledBack()).toBe(rolledBackBefore);
    const after = await atProvider();
    expect(after.repeats).toBe(before.repeats);
    expect(after.duplicates).toBe(0);
    expect(after.count).toBe(before.count + 5);
    const sentEvents = await service.pool.query(
      `SELECT 1 FROM es_events WHERE stream_id = ANY($1::text[]) AND type IN ('PayoutSent', 'PayoutFailed')`,
      [batch.map((id) => `compensation-${id}`)],
    );
    expect(sentEvents.rowCount).toBe(0);
    expect(await movementsPerOrder([first, ...batch])).toEqual([1, 1, 1, 1, 1]);
  });

  it('a crash in the middle of a batch (the provider paid, nothing recorded) pays each once when the batch fires again', async () => {
    const before = await atProvider();
    await behave({ holdNext: 1 });
    const first = await pay(2_000);
    await heldAt(before.count + 1);
    const batch: string[] = [];
    for (let i = 0; i < 4; i++) batch.push(await pay(2_100 + i));
    // The batch of four is sent side by side; the provider makes the four payouts and holds its answers.
    await behave({ holdNext: 4, release: true });
    await heldAt(before.count + 5);
    // The crash: the batch's transaction is lost — the one that claimed its timers (row locks: it has a transaction
    // id) and read their orders, waiting on the provider. (A transaction recording the provider's confirmations reads
    // orders the same way, but holds no transaction id before it writes.)
    const { rows } = await service.pool.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
          AND backend_xid IS NOT NULL AND query LIKE '%stream_id = ANY%'`,
    );
    expect(rows).toEqual([{ ended: true }]);
    await behave({ release: true });
    await allPaid([first, ...batch]);

    const after = await atProvider();
    expect(after.duplicates).toBe(0);
    expect(after.count).toBe(before.count + 5);
    expect(await movementsPerOrder([first, ...batch])).toEqual([1, 1, 1, 1, 1]);
  });
});
