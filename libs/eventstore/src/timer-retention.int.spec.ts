import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  deleteFinishedTimers,
  openServiceDatabase,
  scheduleTimer,
  TimerScheduler,
  type Queryable,
  type ServiceDatabase,
} from './index';

const DAY = 86_400_000;
const NOW = new Date('2026-12-02T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

/** `work`'s value, or `late` when it has not settled within `ms` (a statement waiting for a lock never does). */
async function within<T>(ms: number, work: Promise<T>): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
/** The horizon of every test below: 30 days. */
const HORIZON = daysAgo(30);

interface Row {
  readonly id: string;
  readonly due?: Date;
  readonly created?: Date;
  readonly fired?: Date;
  readonly cancelled?: Date;
}

// CONTEXT: ADR 28. `es_timers` kept every fired and cancelled row forever: millions of shipments, cases and payouts
// grew it (and the heap every claim and upsert touches) without bound. The sweep deletes what finished before the
// horizon, a bounded statement at a time, never a pending timer, never waiting on a row a transaction holds.
describe('deleteFinishedTimers (retention of finished timers)', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase('timer_retention');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    await db.pool.query('TRUNCATE es_timers');
  });

  const insert = (rows: readonly Row[]) =>
    db.pool.query(
      `INSERT INTO es_timers (timer_id, tenant, kind, due_at, created_at, fired_at, cancelled_at)
       SELECT id, 't1', 'test', due, created, fired, cancelled
         FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
           AS r(id, due, created, fired, cancelled)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.due ?? r.fired ?? r.cancelled ?? NOW),
        rows.map((r) => r.created ?? r.due ?? r.fired ?? r.cancelled ?? NOW),
        rows.map((r) => r.fired ?? null),
        rows.map((r) => r.cancelled ?? null),
      ],
    );
  const remaining = async () =>
    (await db.pool.query<{ timer_id: string }>('SELECT timer_id FROM es_timers ORDER BY timer_id')).rows.map(
      (r) => r.timer_id,
    );

  it('deletes the timers fired or cancelled before the horizon, keeps the younger ones and every pending one', async () => {
    // One that went the real way: scheduled and fired by the scheduler 45 days ago.
    const then = daysAgo(45);
    await scheduleTimer(db.pool, { id: 'fired-by-scheduler', tenant: 't1', kind: 'test', dueAt: then, payload: {} });
    expect(await new TimerScheduler(db.pool, { now: () => then, fire: async () => undefined }).fireDue()).toBe(1);
    await insert([
      { id: 'fired-40d', fired: daysAgo(40) },
      { id: 'fired-31d', fired: daysAgo(31) },
      { id: 'fired-29d', fired: daysAgo(29) },
      { id: 'fired-now', fired: NOW },
      { id: 'cancelled-400d', cancelled: daysAgo(400) },
      { id: 'cancelled-29d', cancelled: daysAgo(29), created: daysAgo(365) },
      // Pending whatever their age: due a year ago and never fired (a worker down), created long ago and due later.
      { id: 'pending-overdue-1y', due: daysAgo(365), created: daysAgo(366) },
      { id: 'pending-created-2y', due: daysAgo(-10), created: daysAgo(730) },
    ]);

    expect(await deleteFinishedTimers(db.pool, HORIZON, 100)).toEqual({ fired: 3, cancelled: 1 });
    expect(await remaining()).toEqual([
      'cancelled-29d',
      'fired-29d',
      'fired-now',
      'pending-created-2y',
      'pending-overdue-1y',
    ]);
    // Whatever the horizon: a pending timer is never deleted.
    expect(await deleteFinishedTimers(db.pool, daysAgo(-1), 100)).toEqual({ fired: 2, cancelled: 1 });
    expect(await remaining()).toEqual(['pending-created-2y', 'pending-overdue-1y']);
  });

  it('deletes at most `limit` rows per statement; statements repeated until one comes back short empty the backlog', async () => {
    await insert(Array.from({ length: 7 }, (_, i) => ({ id: `old-${i}`, fired: daysAgo(31 + i) })));
    await insert([{ id: 'young', fired: daysAgo(1) }]);
    const counts: number[] = [];
    for (;;) {
      const { fired, cancelled } = await deleteFinishedTimers(db.pool, HORIZON, 3);
      counts.push(fired + cancelled);
      if (fired + cancelled < 3) break;
    }
    expect(counts).toEqual([3, 3, 1]);
    expect(await remaining()).toEqual(['young']);
  });

  it('skips a finished row another transaction holds instead of waiting for it, and deletes it at a later round', async () => {
    await insert([
      { id: 'held', fired: daysAgo(40) },
      { id: 'free-1', fired: daysAgo(40) },
      { id: 'free-2', cancelled: daysAgo(40) },
    ]);
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM es_timers WHERE timer_id = 'held' FOR UPDATE`);
      // A statement that waited for the lock would never settle before the holder commits, below.
      const outcome = await within(5_000, deleteFinishedTimers(db.pool, HORIZON, 100));
      expect(outcome).toEqual({ fired: 1, cancelled: 1 });
      expect(await remaining()).toEqual(['held']);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    expect(await deleteFinishedTimers(db.pool, HORIZON, 100)).toEqual({ fired: 1, cancelled: 0 });
    expect(await remaining()).toEqual([]);
  });

  it('holds up neither the claim of due timers nor a schedule while a sweep has not committed', async () => {
    await insert([{ id: 'old', fired: daysAgo(40) }]);
    await scheduleTimer(db.pool, { id: 'due', tenant: 't1', kind: 'test', dueAt: daysAgo(0), payload: {} });
    const sweep = await db.pool.connect();
    try {
      await sweep.query('BEGIN');
      expect(await deleteFinishedTimers(sweep, HORIZON, 100)).toEqual({ fired: 1, cancelled: 0 });
      const fired: string[] = [];
      const scheduler = new TimerScheduler(db.pool, {
        now: () => NOW,
        fire: async (timer) => void fired.push(timer.id),
      });
      const work = Promise.all([
        scheduler.fireDue(),
        scheduleTimer(db.pool, { id: 'new', tenant: 't1', kind: 'test', dueAt: daysAgo(-1), payload: {} }),
      ]);
      expect(await within(5_000, work)).not.toBe('late');
      expect(fired).toEqual(['due']);
      await sweep.query('COMMIT');
    } finally {
      sweep.release();
    }
    expect(await remaining()).toEqual(['due', 'new']);
  });

  // CONTEXT: the trade-off ADR 28 argues is safe: `scheduleTimers` leaves a fired row as it is (a re-schedule of a fired
  // timer is a no-op) only while the row exists. Past the horizon the id is free again, like a cancelled one.
  it('takes the fired guard with the row: a fired timer kept is not armed again by a schedule, a deleted one is', async () => {
    await insert([
      { id: 'fired-young', fired: daysAgo(1) },
      { id: 'fired-old', fired: daysAgo(40) },
    ]);
    await deleteFinishedTimers(db.pool, HORIZON, 100);
    for (const id of ['fired-young', 'fired-old']) {
      await scheduleTimer(db.pool, { id, tenant: 't1', kind: 'test', dueAt: NOW, payload: {} });
    }
    const { rows } = await db.pool.query<{ timer_id: string; pending: boolean }>(
      'SELECT timer_id, fired_at IS NULL AS pending FROM es_timers ORDER BY timer_id',
    );
    expect(rows).toEqual([
      { timer_id: 'fired-old', pending: true },
      { timer_id: 'fired-young', pending: false },
    ]);
  });

  it('refuses a limit that is not a whole number ≥ 1 (an unbounded statement would hold its locks for the whole table)', async () => {
    await expect(deleteFinishedTimers(db.pool, HORIZON, 0)).rejects.toThrow(RangeError);
    await expect(deleteFinishedTimers(db.pool, HORIZON, Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
  });

  describe('es_timers_finished (migration 1732500500000)', () => {
    it('is built, valid, and holds the finished rows only', async () => {
      const { rows } = await db.pool.query<{ valid: boolean; definition: string }>(
        `SELECT i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
           FROM pg_index i WHERE i.indexrelid = 'es_timers_finished'::regclass`,
      );
      expect(rows).toEqual([
        {
          valid: true,
          definition: expect.stringMatching(
            /ON public\.es_timers USING btree \(COALESCE\(fired_at, cancelled_at\)\) WHERE \(\(fired_at IS NOT NULL\) OR \(cancelled_at IS NOT NULL\)\)/,
          ),
        },
      ]);
    });

    it("is what the sweep's scan reads on a table of mostly pending and young rows", async () => {
      // 20,000 pending, 20,000 finished yesterday, 50 finished 40 days ago: a seq scan would read them all.
      await db.pool.query(
        `INSERT INTO es_timers (timer_id, tenant, kind, due_at, fired_at, cancelled_at)
         SELECT 'p-' || g, 't1', 'test', $1::timestamptz + g * interval '1 second', NULL, NULL FROM generate_series(1, 20000) g
         UNION ALL
         SELECT 'f-' || g, 't1', 'test', $2::timestamptz, CASE WHEN g % 2 = 0 THEN $2::timestamptz END,
                CASE WHEN g % 2 = 1 THEN $2::timestamptz END
           FROM generate_series(1, 20000) g
         UNION ALL
         SELECT 'o-' || g, 't1', 'test', $3::timestamptz, $3::timestamptz, NULL FROM generate_series(1, 50) g`,
        [NOW, daysAgo(1), daysAgo(40)],
      );
      await db.pool.query('ANALYZE es_timers');
      // The statement as the sweep sends it, explained instead of run.
      let sent: { text: string; values: unknown[] } | undefined;
      const recorder: Queryable = {
        query: async (text: string, values?: unknown[]) => {
          sent = { text, values: values ?? [] };
          return { rows: [], rowCount: 0 };
        },
      };
      await deleteFinishedTimers(recorder, HORIZON, 5_000);
      const { rows } = await db.pool.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) ${sent!.text}`,
        sent!.values,
      );
      const plan = JSON.stringify(rows[0]?.['QUERY PLAN']);
      expect(plan).toContain('"Index Name":"es_timers_finished"');
      expect(plan).toContain('"Node Type":"Tid Scan"');
      expect(await deleteFinishedTimers(db.pool, HORIZON, 5_000)).toEqual({ fired: 50, cancelled: 0 });
    });
  });
});
