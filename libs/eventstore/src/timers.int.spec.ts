import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  openServiceDatabase,
  scheduleTimer,
  scheduleTimers,
  cancelTimer,
  cancelTimers,
  TimerScheduler,
  TimerWrites,
  type ServiceDatabase,
  type Timer,
  type TimerRetry,
} from './index';

describe('durable timers', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let clock = new Date('2026-11-25T10:00:00Z');
  const now = () => clock;

  beforeAll(async () => {
    testDb = await createTestDatabase('timers');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
    await db.pool.query('CREATE TABLE fired (timer_id text NOT NULL, at timestamptz NOT NULL)');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  const scheduler = () =>
    new TimerScheduler(db.pool, {
      now,
      fire: async (timer: Timer, tx) => {
        await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
      },
    });
  const firedIds = async () =>
    (await db.pool.query('SELECT timer_id FROM fired ORDER BY timer_id')).rows.map((r) => r.timer_id);

  it('fires each due timer once across replicas and restarts, honours reschedules and cancellations', async () => {
    const at = (minutes: number) => new Date(clock.getTime() + minutes * 60_000);
    await scheduleTimer(db.pool, {
      id: 'incident-1:contact',
      tenant: 't',
      kind: 'contact-deadline',
      dueAt: at(120),
      payload: {},
    });
    await scheduleTimer(db.pool, {
      id: 'incident-2:contact',
      tenant: 't',
      kind: 'contact-deadline',
      dueAt: at(60),
      payload: {},
    });
    await scheduleTimer(db.pool, {
      id: 'incident-3:contact',
      tenant: 't',
      kind: 'contact-deadline',
      dueAt: at(30),
      payload: {},
    });
    // An upgrade tightens incident 1 from 120 to 30 minutes; incident 3 is contacted in time.
    await scheduleTimer(db.pool, {
      id: 'incident-1:contact',
      tenant: 't',
      kind: 'contact-deadline',
      dueAt: at(30),
      payload: {},
    });
    await cancelTimer(db.pool, 'incident-3:contact');

    const [a, b] = [scheduler(), scheduler()];
    expect((await Promise.all([a.fireDue(), b.fireDue()])).reduce((x, y) => x + y)).toBe(0);

    clock = at(45); // 45 minutes later: only incident 1 (rescheduled to +30) is due
    expect((await Promise.all([a.fireDue(), b.fireDue()])).reduce((x, y) => x + y)).toBe(1);
    expect(await firedIds()).toEqual(['incident-1:contact']);

    // A "restart": new scheduler instances, the clock passes every due date.
    clock = new Date(clock.getTime() + 3 * 3_600_000);
    const [c, d] = [scheduler(), scheduler()];
    await Promise.all([c.fireDue(), d.fireDue()]);
    await Promise.all([c.fireDue(), d.fireDue()]);
    expect(await firedIds()).toEqual(['incident-1:contact', 'incident-2:contact']);

    // Rescheduling a fired timer does not re-arm it.
    await scheduleTimer(db.pool, {
      id: 'incident-1:contact',
      tenant: 't',
      kind: 'contact-deadline',
      dueAt: clock,
      payload: {},
    });
    expect(await c.fireDue()).toBe(0);
  });

  it('a failing effect rolls back, and the timer fires on the next attempt', async () => {
    let fail = true;
    const flaky = new TimerScheduler(db.pool, {
      now,
      fire: async (timer, tx) => {
        await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
        if (fail) throw new Error('pager down');
      },
    });
    await scheduleTimer(db.pool, { id: 'flaky', tenant: 't', kind: 'k', dueAt: clock, payload: {} });
    expect(await flaky.fireDue()).toBe(0);
    fail = false;
    expect(await flaky.fireDue()).toBe(1);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM fired WHERE timer_id = 'flaky'`);
    expect(rows[0].n).toBe(1);
  });

  // CONTEXT: several loops per instance and several replicas share the due timers. A backoff written after the
  // claiming transaction rolled back left the timer due, and unlocked, for a moment: another loop claimed it in that
  // window and called the failing pager again a few milliseconds later (seen in CI under load).
  it('a failing timer is moved later by the transaction that claimed it: no other loop fires it before its retry', async () => {
    const retryAt = new Date(clock.getTime() + 60_000);
    const seen: Array<{ payload: unknown; error?: string; retry?: TimerRetry; othersFired?: number }> = [];
    const other = scheduler();
    const failing = new TimerScheduler(db.pool, {
      now,
      fire: async (timer, tx) => {
        await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
        // While the claim holds the row, another loop skips it.
        expect(await other.fireDue()).toBe(0);
        throw new Error('pager down');
      },
      retry: (timer, error) => {
        seen.push({ payload: timer.payload, error: (error as Error).message });
        return { dueAt: retryAt, payload: { page: 'p-1', attempts: 1 } };
      },
      // The first moment the failure is visible: the move is committed, so another loop looking now finds nothing.
      onError: (_error, _timer, retry) => {
        seen.push({ payload: undefined, retry });
        pending.push(other.fireDue().then((n) => void seen.push({ payload: undefined, othersFired: n })));
      },
    });
    const pending: Array<Promise<void>> = [];
    await scheduleTimer(db.pool, { id: 'moved', tenant: 't', kind: 'k', dueAt: clock, payload: { page: 'p-1' } });

    expect(await failing.fireDue()).toBe(0);
    await Promise.all(pending);
    expect(seen).toEqual([
      { payload: { page: 'p-1' }, error: 'pager down' },
      { payload: undefined, retry: { dueAt: retryAt, payload: { page: 'p-1', attempts: 1 } } },
      { payload: undefined, othersFired: 0 },
    ]);
    // The effects were undone, the move kept.
    expect((await db.pool.query(`SELECT 1 FROM fired WHERE timer_id = 'moved'`)).rows).toEqual([]);
    const { rows } = await db.pool.query(`SELECT due_at, payload, fired_at FROM es_timers WHERE timer_id = 'moved'`);
    expect(rows).toEqual([{ due_at: retryAt, payload: { page: 'p-1', attempts: 1 }, fired_at: null }]);

    // Not before its retry time; then once, with the payload the retry stored.
    clock = new Date(retryAt.getTime() - 1);
    expect(await other.fireDue()).toBe(0);
    clock = retryAt;
    const payloads: unknown[] = [];
    const retried = new TimerScheduler(db.pool, {
      now,
      fire: async (timer, tx) => {
        payloads.push(timer.payload);
        await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
      },
    });
    expect(await retried.fireDue()).toBe(1);
    expect(payloads).toEqual([{ page: 'p-1', attempts: 1 }]);
  });

  it('the timer writes of a command go in one batch where the last write to a timer counts, and never revive a fired one', async () => {
    const at = (minutes: number) => new Date(clock.getTime() + minutes * 60_000);
    const timer = (id: string, minutes: number, payload: object = {}): Timer => ({
      id,
      tenant: 't',
      kind: 'sla-breach',
      dueAt: at(minutes),
      payload,
    });
    await scheduleTimer(db.pool, timer('batch:fired', -1));
    await scheduler().fireDue();
    await scheduleTimer(db.pool, timer('batch:cancel-me', 10));

    const writes = new TimerWrites();
    writes.schedule(timer('batch:a', 5, { v: 1 }));
    writes.schedule(timer('batch:a', 7, { v: 2 })); // rescheduled in the same command: the later one counts
    writes.schedule(timer('batch:scheduled-then-cancelled', 5));
    writes.cancel('batch:scheduled-then-cancelled');
    writes.cancel('batch:cancelled-then-scheduled');
    writes.schedule(timer('batch:cancelled-then-scheduled', 9));
    writes.cancel('batch:cancel-me');
    writes.schedule(timer('batch:fired', 20)); // already fired: stays fired, not scheduled again
    expect(writes.size).toBe(5);

    const statements: string[] = [];
    const counting = {
      query: (text: string, values?: unknown[]) => {
        statements.push(text);
        return db.pool.query(text, values);
      },
    };
    await writes.flush(counting as never);
    expect(statements).toHaveLength(2);
    expect(writes.size).toBe(0);

    const { rows } = await db.pool.query<{
      timer_id: string;
      due_at: Date;
      payload: { v?: number };
      cancelled: boolean;
      fired: boolean;
    }>(
      `SELECT timer_id, due_at, payload, cancelled_at IS NOT NULL AS cancelled, fired_at IS NOT NULL AS fired
         FROM es_timers WHERE timer_id LIKE 'batch:%' ORDER BY timer_id`,
    );
    expect(rows.map((r) => [r.timer_id, r.cancelled, r.fired])).toEqual([
      ['batch:a', false, false],
      ['batch:cancel-me', true, false],
      ['batch:cancelled-then-scheduled', false, false],
      ['batch:fired', false, true],
    ]);
    const a = rows.find((r) => r.timer_id === 'batch:a');
    expect([a?.due_at.toISOString(), a?.payload.v]).toEqual([at(7).toISOString(), 2]);
    expect(rows.find((r) => r.timer_id === 'batch:fired')?.due_at.toISOString()).toBe(at(-1).toISOString());
  });

  // CONTEXT (issue 11): logistics cancelled its tracking timer and inserted a new row at every scan, so es_timers grew
  // by a row per scan; a re-armed timer is one row per shipment, moved in place.
  it('re-arms a timer in place whatever it was (new, pending, cancelled, fired), in one statement with the others', async () => {
    const at = (minutes: number) => new Date(clock.getTime() + minutes * 60_000);
    const timer = (id: string, minutes: number, payload: object = {}): Timer => ({
      id,
      tenant: 't',
      kind: 'shipment-tracking',
      dueAt: at(minutes),
      payload,
    });
    await scheduleTimer(db.pool, timer('rearm:fired', -1));
    await scheduler().fireDue();
    await scheduleTimer(db.pool, timer('rearm:pending', 10, { attempts: 3 }));
    await scheduleTimer(db.pool, timer('rearm:cancelled', 10));
    await cancelTimer(db.pool, 'rearm:cancelled');

    const writes = new TimerWrites();
    writes.rearm(timer('rearm:new', 5, { v: 1 }));
    writes.rearm(timer('rearm:pending', 6, { v: 2 }));
    writes.rearm(timer('rearm:cancelled', 7, { v: 3 }));
    writes.rearm(timer('rearm:fired', 8, { v: 4 }));
    writes.schedule(timer('rearm:scheduled', 9));
    writes.cancel('rearm:gone');
    const statements: string[] = [];
    await writes.flush({
      query: (text: string, values?: unknown[]) => {
        statements.push(text);
        return db.pool.query(text, values);
      },
    } as never);
    expect(statements).toHaveLength(3);

    const { rows } = await db.pool.query<{ timer_id: string; due_at: Date; payload: object; armed: boolean }>(
      `SELECT timer_id, due_at, payload, fired_at IS NULL AND cancelled_at IS NULL AS armed
         FROM es_timers WHERE timer_id LIKE 'rearm:%' ORDER BY timer_id`,
    );
    expect(rows.map((r) => [r.timer_id, r.armed, r.due_at.toISOString(), r.payload])).toEqual([
      ['rearm:cancelled', true, at(7).toISOString(), { v: 3 }],
      ['rearm:fired', true, at(8).toISOString(), { v: 4 }],
      ['rearm:new', true, at(5).toISOString(), { v: 1 }],
      ['rearm:pending', true, at(6).toISOString(), { v: 2 }], // the retry count replaced too
      ['rearm:scheduled', true, at(9).toISOString(), {}],
    ]);
    await db.pool.query("UPDATE es_timers SET cancelled_at = now() WHERE timer_id LIKE 'rearm:%'");
  });

  it('a timer its own firing re-arms stays armed for the new instant and fires again then; one that does not is fired', async () => {
    const at = (minutes: number) => new Date(clock.getTime() + minutes * 60_000);
    const seen: string[] = [];
    const rearming = new TimerScheduler(db.pool, {
      now,
      fire: async (timer: Timer, tx) => {
        seen.push(`${timer.id}@${timer.dueAt.toISOString()}`);
        // The next check of the same thing, 10 minutes on (a stall, then the lost check), the first time only.
        if (timer.id === 'self:rearms' && !(timer.payload as { again?: boolean }).again) {
          const writes = new TimerWrites();
          writes.rearm({ ...timer, dueAt: at(10), payload: { again: true } });
          await writes.flush(tx);
        }
      },
    });
    // Only this test's timers are pending.
    await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL AND cancelled_at IS NULL');
    await scheduleTimer(db.pool, { id: 'self:rearms', tenant: 't', kind: 'check', dueAt: at(-1), payload: {} });
    await scheduleTimer(db.pool, { id: 'self:once', tenant: 't', kind: 'check', dueAt: at(-1), payload: {} });
    // A due instant written in SQL, with microseconds: still marked fired once.
    await db.pool.query(
      `INSERT INTO es_timers (timer_id, tenant, kind, due_at, payload) VALUES ('self:sql', 't', 'check', $1::timestamptz - interval '1.234567 seconds', '{}')`,
      [clock],
    );
    expect(await rearming.fireDue()).toBe(3);
    await db.pool.query(`DELETE FROM es_timers WHERE timer_id = 'self:sql' AND fired_at IS NOT NULL`);
    const state = async () =>
      (
        await db.pool.query<{ timer_id: string; fired: boolean; due_at: Date }>(
          `SELECT timer_id, fired_at IS NOT NULL AS fired, due_at FROM es_timers WHERE timer_id LIKE 'self:%' ORDER BY timer_id`,
        )
      ).rows.map((r) => [r.timer_id, r.fired, r.due_at.toISOString()]);
    expect(await state()).toEqual([
      ['self:once', true, at(-1).toISOString()],
      ['self:rearms', false, at(10).toISOString()],
    ]);
    expect(await rearming.fireDue()).toBe(0); // not due yet
    const later = clock;
    clock = new Date(clock.getTime() + 11 * 60_000);
    try {
      expect(await rearming.fireDue()).toBe(1);
    } finally {
      clock = later;
    }
    expect(seen.sort()).toEqual(
      [
        `self:once@${at(-1).toISOString()}`,
        `self:rearms@${at(-1).toISOString()}`,
        `self:rearms@${at(10).toISOString()}`,
        `self:sql@${new Date(clock.getTime() - 1_235).toISOString()}`, // its instant as JavaScript reads it
      ].sort(),
    );
    expect((await state())[1]).toEqual(['self:rearms', true, at(10).toISOString()]);
  });

  // CONTEXT (issue 9, docs/benchmarks.md "SLA timers under a backlog"): one timer per transaction capped intake at
  // ≈ 53 timers/s; several timers now share a claim and a commit, each in its own savepoint.
  describe('several timers per transaction', () => {
    const batchOf = async (prefix: string, n: number) => {
      for (let i = 1; i <= n; i++) {
        await scheduleTimer(db.pool, { id: `${prefix}-${i}`, tenant: 't', kind: 'k', dueAt: clock, payload: { i } });
      }
    };
    const firedOf = async (prefix: string) =>
      (
        await db.pool.query(`SELECT timer_id FROM fired WHERE timer_id LIKE $1 ORDER BY timer_id`, [`${prefix}-%`])
      ).rows.map((r) => r.timer_id);
    const stateOf = async (id: string) =>
      (await db.pool.query(`SELECT due_at, payload, fired_at FROM es_timers WHERE timer_id = $1`, [id])).rows[0];

    it('a failing timer is moved alone: the others of its transaction commit, each with its own firing time', async () => {
      await batchOf('batch-moved', 4);
      const retryAt = new Date(clock.getTime() + 60_000);
      const told: Array<{ id?: string; retry?: TimerRetry }> = [];
      const instants = [0, 1_000, 2_000, 3_000].map((ms) => new Date(clock.getTime() + ms));
      let reads = 0;
      const batch = new TimerScheduler(db.pool, {
        now: () => instants[Math.min(reads++, instants.length - 1)] as Date,
        perTransaction: 10,
        fire: async (timer, tx) => {
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
          if (timer.id === 'batch-moved-2') throw new Error('pager down');
        },
        retry: () => ({ dueAt: retryAt, payload: { attempts: 1 } }),
        onError: (_error, timer, retry) => told.push({ id: timer?.id, retry }),
      });

      expect(await batch.fireDue()).toBe(3);
      expect(await firedOf('batch-moved')).toEqual(['batch-moved-1', 'batch-moved-3', 'batch-moved-4']);
      expect(told).toEqual([{ id: 'batch-moved-2', retry: { dueAt: retryAt, payload: { attempts: 1 } } }]);
      expect(await stateOf('batch-moved-2')).toEqual({ due_at: retryAt, payload: { attempts: 1 }, fired_at: null });
      // The clock is read once for the claim, then once per timer as it fires: fired_at is the timer's own instant.
      expect((await stateOf('batch-moved-1')).fired_at).toEqual(instants[1]);
      expect((await stateOf('batch-moved-3')).fired_at).toEqual(instants[3]);
      // Nothing fires twice.
      expect(await batch.fireDue()).toBe(0);
    });

    it('without a retry, a failing timer rolls back alone, stays due and fires on the next attempt', async () => {
      await batchOf('batch-due', 3);
      let fail = true;
      const batch = new TimerScheduler(db.pool, {
        now,
        perTransaction: 10,
        fire: async (timer, tx) => {
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
          // A statement that fails aborts the transaction: the savepoint brings it back for the other timers.
          if (fail && timer.id === 'batch-due-1') await tx.query('SELECT 1/0');
        },
      });
      expect(await batch.fireDue()).toBe(2);
      expect(await firedOf('batch-due')).toEqual(['batch-due-2', 'batch-due-3']);
      fail = false;
      expect(await batch.fireDue()).toBe(1);
      expect(await firedOf('batch-due')).toEqual(['batch-due-1', 'batch-due-2', 'batch-due-3']);
    });

    it('the timers of one transaction share what they read once; replicas claiming batches never fire a timer twice', async () => {
      await batchOf('batch-shared', 30);
      const loads: string[] = [];
      const transactions = new Set<unknown>();
      const replica = () =>
        new TimerScheduler(db.pool, {
          now,
          perTransaction: 4,
          fire: async (timer, tx, shared) => {
            const policy = await shared.once(`policy:${timer.tenant}`, async () => {
              loads.push(timer.id);
              return { tenant: timer.tenant };
            });
            expect(policy).toEqual({ tenant: 't' });
            transactions.add(shared);
            await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
          },
        });
      const [a, b, c] = [replica(), replica(), replica()];
      await Promise.all([a.fireDue(), b.fireDue(), c.fireDue()]);
      await Promise.all([a.fireDue(), b.fireDue(), c.fireDue()]);
      const { rows } = await db.pool.query(
        `SELECT timer_id, count(*)::int AS n FROM fired WHERE timer_id LIKE 'batch-shared-%' GROUP BY timer_id HAVING count(*) > 1`,
      );
      expect(rows).toEqual([]);
      expect(await firedOf('batch-shared')).toHaveLength(30);
      // One load per transaction, whatever the number of its timers.
      expect(loads).toHaveLength(transactions.size);
      expect(transactions.size).toBeLessThan(30);
    });

    it('prepare sees all the timers a transaction claimed before any fires; a failing prepare is undone and they fire without it', async () => {
      await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
      await batchOf('batch-prepared', 5);
      const prepared: string[][] = [];
      const seen: Array<{ id: string; value: unknown }> = [];
      let failPrepare = false;
      const told: unknown[] = [];
      const batch = new TimerScheduler(db.pool, {
        now,
        perTransaction: 3,
        prepare: async (timers, tx, shared) => {
          prepared.push(timers.map((t) => t.id));
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', ['prepare-wrote', clock]);
          if (failPrepare) throw new Error('remote system down');
          await shared.once('outcomes', async () => new Map(timers.map((t) => [t.id, `sent ${t.id}`])));
        },
        fire: async (timer, tx, shared) => {
          const outcomes = await shared.once('outcomes', async () => new Map<string, string>());
          seen.push({ id: timer.id, value: outcomes.get(timer.id) });
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
        },
        onError: (error) => told.push((error as Error).message),
      });
      expect(await batch.fireDue()).toBe(5);
      // Two transactions (3 per transaction), each prepared once with every timer it claimed.
      expect(prepared.map((ids) => ids.length)).toEqual([3, 2]);
      expect(prepared.flat().sort()).toEqual([1, 2, 3, 4, 5].map((i) => `batch-prepared-${i}`));
      expect(seen).toHaveLength(5);
      for (const { id, value } of seen) expect(value).toBe(`sent ${id}`);

      await batchOf('batch-unprepared', 2);
      failPrepare = true;
      await db.pool.query(`DELETE FROM fired WHERE timer_id = 'prepare-wrote'`);
      seen.length = 0;
      expect(await batch.fireDue()).toBe(2);
      expect(told).toEqual(['remote system down']);
      expect(seen.map((s) => s.value)).toEqual([undefined, undefined]);
      expect(await firedOf('batch-unprepared')).toEqual(['batch-unprepared-1', 'batch-unprepared-2']);
      // What the failed prepare wrote was undone with it.
      expect((await db.pool.query(`SELECT 1 FROM fired WHERE timer_id = 'prepare-wrote'`)).rowCount).toBe(0);
    });

    it('prepare may fire timers itself: they are marked fired with the rest and not given to fire; when it fails, fire gets them all', async () => {
      await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
      await batchOf('batch-set', 4);
      const given: string[] = [];
      let failPrepare = false;
      const batch = new TimerScheduler(db.pool, {
        now,
        perTransaction: 4,
        // The even ones are fired set-based: one statement for all of them.
        prepare: async (timers, tx) => {
          const even = timers.filter((t) => Number(t.id.split('-').at(-1)) % 2 === 0).map((t) => t.id);
          await tx.query('INSERT INTO fired (timer_id, at) SELECT unnest($1::text[]), $2', [even, clock]);
          if (failPrepare) throw new Error('conflict on a case');
          return { fired: new Set(even) };
        },
        fire: async (timer, tx) => {
          given.push(timer.id);
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
        },
      });
      expect(await batch.fireDue()).toBe(4);
      expect(given).toEqual(['batch-set-1', 'batch-set-3']);
      expect(await firedOf('batch-set')).toEqual([1, 2, 3, 4].map((i) => `batch-set-${i}`));
      const { rows: marked } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM es_timers WHERE timer_id LIKE 'batch-set-%' AND fired_at IS NOT NULL`,
      );
      expect(marked[0]?.n).toBe(4);
      // A second look finds nothing: none of them fires again.
      expect(await batch.fireDue()).toBe(0);

      // A failing prepare: its writes are undone and every timer goes through fire, each once.
      await batchOf('batch-set-again', 2);
      failPrepare = true;
      given.length = 0;
      expect(await batch.fireDue()).toBe(2);
      expect(given).toEqual(['batch-set-again-1', 'batch-set-again-2']);
      const { rows: twice } = await db.pool.query(
        `SELECT timer_id FROM fired WHERE timer_id LIKE 'batch-set-again-%' GROUP BY timer_id HAVING count(*) > 1`,
      );
      expect(twice).toEqual([]);
    });

    it('a timer that failed in prepare (nothing of it written) is moved by retry in the claim; without a retry, fire gets it', async () => {
      await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
      await batchOf('batch-bounced', 3);
      const retryAt = new Date(clock.getTime() + 60_000);
      const given: string[] = [];
      const batch = new TimerScheduler(db.pool, {
        now,
        perTransaction: 3,
        prepare: async (_timers, tx) => {
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', ['batch-bounced-1', clock]);
          return {
            fired: new Set(['batch-bounced-1']),
            failed: new Map<string, unknown>([
              ['batch-bounced-2', new Error('receiver answered 503')],
              ['batch-bounced-3', new Error('no retry for this one')],
            ]),
          };
        },
        retry: (timer) => (timer.id === 'batch-bounced-2' ? { dueAt: retryAt, payload: { attempts: 1 } } : undefined),
        fire: async (timer, tx) => {
          given.push(timer.id);
          await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [timer.id, clock]);
        },
      });
      expect(await batch.fireDue()).toBe(2);
      expect(given).toEqual(['batch-bounced-3']);
      expect(await firedOf('batch-bounced')).toEqual(['batch-bounced-1', 'batch-bounced-3']);
      expect(await stateOf('batch-bounced-2')).toEqual({ due_at: retryAt, payload: { attempts: 1 }, fired_at: null });
    });

    it('finish writes what the fired timers gathered once per transaction, before their commit; a failing finish leaves them all due', async () => {
      await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
      await batchOf('batch-finished', 5);
      const finishes: string[][] = [];
      let failFinish = false;
      const batch = new TimerScheduler(db.pool, {
        now,
        perTransaction: 3,
        fire: async (timer, _tx, shared) => {
          const gathered = await shared.once('gathered', async () => [] as string[]);
          // A timer that fails leaves nothing gathered (its effects roll back to its savepoint).
          if (timer.id === 'batch-finished-2') throw new Error('provider pending');
          gathered.push(timer.id);
        },
        finish: async (tx, shared) => {
          const gathered = await shared.once('gathered', async () => [] as string[]);
          finishes.push([...gathered]);
          for (const id of gathered) await tx.query('INSERT INTO fired (timer_id, at) VALUES ($1, $2)', [id, clock]);
          if (failFinish) throw new Error('append conflict');
        },
        retry: () => ({ dueAt: new Date(clock.getTime() + 60_000), payload: { attempts: 1 } }),
      });

      failFinish = true;
      expect(await batch.fireDue()).toBe(0);
      // The whole transaction rolled back: nothing written, every timer still due (none moved, none fired).
      expect(finishes).toEqual([['batch-finished-1', 'batch-finished-3']]);
      expect(await firedOf('batch-finished')).toEqual([]);
      for (let i = 1; i <= 5; i++)
        expect(await stateOf(`batch-finished-${i}`)).toEqual({ due_at: clock, payload: { i }, fired_at: null });

      failFinish = false;
      finishes.length = 0;
      expect(await batch.fireDue()).toBe(4);
      // Once per transaction, with the timers of that transaction that fired.
      expect(finishes).toEqual([
        ['batch-finished-1', 'batch-finished-3'],
        ['batch-finished-4', 'batch-finished-5'],
      ]);
      expect(await firedOf('batch-finished')).toEqual([
        'batch-finished-1',
        'batch-finished-3',
        'batch-finished-4',
        'batch-finished-5',
      ]);
      expect((await stateOf('batch-finished-2')).fired_at).toBeNull();
    });

    it('schedules and cancels many timers in one statement each', async () => {
      await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
      await scheduleTimers(db.pool, [
        { id: 'many-1', tenant: 't', kind: 'k', dueAt: clock, payload: { i: 1 }, metadata: { traceparent: 'tp-1' } },
        { id: 'many-2', tenant: 't', kind: 'k', dueAt: clock, payload: { i: 2 } },
        { id: 'many-3', tenant: 't', kind: 'k', dueAt: clock, payload: { i: 3 } },
      ]);
      await cancelTimers(db.pool, ['many-2', 'not-a-timer']);
      const { rows } = await db.pool.query(
        `SELECT timer_id, payload, metadata->>'traceparent' AS traceparent, cancelled_at IS NOT NULL AS cancelled
           FROM es_timers WHERE timer_id LIKE 'many-%' ORDER BY timer_id`,
      );
      expect(rows).toEqual([
        { timer_id: 'many-1', payload: { i: 1 }, traceparent: 'tp-1', cancelled: false },
        { timer_id: 'many-2', payload: { i: 2 }, traceparent: null, cancelled: true },
        { timer_id: 'many-3', payload: { i: 3 }, traceparent: null, cancelled: false },
      ]);
      // Scheduled again: rescheduled (not cancelled any more), never duplicated.
      await scheduleTimers(db.pool, [{ id: 'many-2', tenant: 't', kind: 'k', dueAt: clock, payload: { i: 22 } }]);
      const again = await db.pool.query(`SELECT payload, cancelled_at FROM es_timers WHERE timer_id = 'many-2'`);
      expect(again.rows).toEqual([{ payload: { i: 22 }, cancelled_at: null }]);
      expect(await scheduler().fireDue()).toBe(3);
    });
  });

  it('a caught-up loop waits until the earliest pending timer falls due, not a whole poll interval', async () => {
    await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
    const s = scheduler();
    const at = (ms: number) => new Date(clock.getTime() + ms);
    // Nothing pending: the poll interval.
    expect(await s.fireDue()).toBe(0);
    expect(s.msUntilNextLook(500)).toBe(500);
    // The earliest pending timer is due in 200 ms (another in 90 s): wait 200 ms, not 500.
    await scheduleTimer(db.pool, { id: 'next-look-soon', tenant: 't', kind: 'k', dueAt: at(200), payload: {} });
    await scheduleTimer(db.pool, { id: 'next-look-later', tenant: 't', kind: 'k', dueAt: at(90_000), payload: {} });
    expect(await s.fireDue()).toBe(0);
    expect(s.msUntilNextLook(500)).toBe(200);
    // With a slack, that much after it falls due (still at most the poll interval).
    expect(s.msUntilNextLook(500, 100)).toBe(300);
    expect(s.msUntilNextLook(500, 400)).toBe(500);
    // Only far ones pending: at most the poll interval.
    expect(s.msUntilNextLook(100)).toBe(100);
    // It fired: more may have fallen due meanwhile, so it looks again at once, and then waits for the next one.
    clock = at(200);
    expect(await s.fireDue()).toBe(1);
    expect(s.msUntilNextLook(500)).toBe(0);
    // With a slack, the slack: what fell due meanwhile waits for it, to share the next transaction.
    expect(s.msUntilNextLook(500, 100)).toBe(100);
    expect(await s.fireDue()).toBe(0);
    expect(s.msUntilNextLook(500)).toBe(500);
    clock = at(89_500); // 200 ms + 89.5 s: the later timer is 300 ms away
    expect(await s.fireDue()).toBe(0);
    expect(s.msUntilNextLook(500)).toBe(300);
  });

  it('a loop whose due timers another loop holds, or whose timer failed, waits a poll interval instead of spinning', async () => {
    await db.pool.query('UPDATE es_timers SET cancelled_at = now() WHERE fired_at IS NULL');
    await scheduleTimer(db.pool, { id: 'held-elsewhere', tenant: 't', kind: 'k', dueAt: clock, payload: {} });
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM es_timers WHERE timer_id = 'held-elsewhere' FOR UPDATE`);
      const s = scheduler();
      expect(await s.fireDue()).toBe(0);
      expect(s.msUntilNextLook(500)).toBe(500);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const failing = new TimerScheduler(db.pool, {
      now,
      perTransaction: 2,
      fire: async () => {
        throw new Error('pager down');
      },
    });
    expect(await failing.fireDue()).toBe(0);
    expect(failing.msUntilNextLook(500)).toBe(500);
  });
});
