import pino from 'pino';
import { openServiceDatabase, type Queryable, type ServiceDatabase } from '@aftersales/eventstore';
import { platformMetrics } from '@aftersales/observability';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { TimerRetentionSweep, timerRetentionMs, type TimerRetentionSweepOptions } from './timer-retention-sweep';

const DAY = 86_400_000;

interface LogLine {
  level: number;
  msg: string;
  fired?: number;
  cancelled?: number;
  statements?: number;
  finishedBefore?: string;
}

/** Polls `probe` until it returns a value (this library cannot import `@aftersales/test-kit`'s `eventually`). */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `aftersales_timers_deleted_total{state}` as the process counts it now. */
async function deletedCounter(state: 'fired' | 'cancelled'): Promise<number> {
  const { values } = await platformMetrics.timersDeleted.get();
  return values.find((v) => v.labels.state === state)?.value ?? 0;
}

// CONTEXT: ADR 28. The loop around `deleteFinishedTimers` in the processes of the `workers` role: statements repeated
// while they come back full, a metric and a log line per sweep that deleted something, a low cadence, a quick stop.
describe('TimerRetentionSweep', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let now = new Date('2026-12-02T12:00:00Z');
  let logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);

  beforeAll(async () => {
    testDb = await createTestDatabase('timer_retention_sweep');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    now = new Date('2026-12-02T12:00:00Z');
    logs = [];
    await db.pool.query('TRUNCATE es_timers');
  });

  const sweeper = (options: Partial<TimerRetentionSweepOptions> = {}) =>
    new TimerRetentionSweep({
      db: db.pool,
      retainMs: timerRetentionMs(30)!,
      clock: () => now,
      logger,
      ...options,
    });
  /** `count` rows finished `age` days ago (fired, or cancelled when `cancelled`), and `pending` pending ones as old. */
  const seed = (prefix: string, count: number, age: number, state: 'fired' | 'cancelled' | 'pending') =>
    db.pool.query(
      `INSERT INTO es_timers (timer_id, tenant, kind, due_at, created_at, fired_at, cancelled_at)
       SELECT $1::text || g, 't1', 'test', $2::timestamptz, $2::timestamptz,
              CASE WHEN $3::text = 'fired' THEN $2::timestamptz END,
              CASE WHEN $3::text = 'cancelled' THEN $2::timestamptz END
         FROM generate_series(1, $4::int) g`,
      [prefix, daysAgo(age), state, count],
    );
  const count = async (where = 'true') =>
    Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM es_timers WHERE ${where}`)).rows[0]?.n);
  const sweepLogs = () => logs.filter((l) => l.msg === 'timer retention: finished timers deleted');

  it('repeats its statement while it comes back full, counts and logs what it deleted once per sweep', async () => {
    // 12 old ones in statements of 5: 5 + 5 + 2, the short one ends the sweep.
    await seed('old-fired-', 8, 31, 'fired');
    await seed('old-cancelled-', 4, 45, 'cancelled');
    await seed('young-', 3, 29, 'fired');
    await seed('pending-', 3, 400, 'pending');
    const [firedBefore, cancelledBefore] = [await deletedCounter('fired'), await deletedCounter('cancelled')];

    expect(await sweeper({ batchSize: 5 }).sweep()).toEqual({ fired: 8, cancelled: 4, statements: 3 });

    expect(await count()).toBe(6);
    expect(await count('fired_at IS NULL AND cancelled_at IS NULL')).toBe(3);
    expect((await deletedCounter('fired')) - firedBefore).toBe(8);
    expect((await deletedCounter('cancelled')) - cancelledBefore).toBe(4);
    expect(sweepLogs()).toEqual([
      expect.objectContaining({
        level: 30,
        fired: 8,
        cancelled: 4,
        statements: 3,
        finishedBefore: daysAgo(30).toISOString(),
      }),
    ]);
  });

  it('a backlog that is a whole number of batches ends with an empty statement; a sweep that deleted nothing is not logged', async () => {
    await seed('old-', 10, 31, 'fired');
    const sweep = sweeper({ batchSize: 5 });
    expect(await sweep.sweep()).toEqual({ fired: 10, cancelled: 0, statements: 3 });
    expect(await sweep.sweep()).toEqual({ fired: 0, cancelled: 0, statements: 1 });
    expect(sweepLogs()).toHaveLength(1);
  });

  it('started, sweeps every `everyMs` as the clock moves on, survives a failed sweep, and stops without waiting out its pause', async () => {
    let failures = 1;
    const flaky: Queryable = {
      query: (text, values) => {
        if (failures-- > 0) return Promise.reject(new Error('connection terminated unexpectedly'));
        return db.pool.query(text, values) as never;
      },
    };
    await seed('old-', 2, 31, 'fired');
    await seed('pending-', 2, 31, 'pending');
    const sweep = sweeper({ db: flaky, everyMs: 25 });
    sweep.start();
    try {
      await eventually(
        async () => ((await count('fired_at IS NOT NULL')) === 0 ? true : undefined),
        'the old rows gone',
      );
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 40, msg: 'timer retention: sweep failed; the next one tries again' }),
      );
      // A day later, what was 29 days old is past the horizon.
      await seed('young-', 2, 29.5, 'cancelled');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await count('cancelled_at IS NOT NULL')).toBe(2);
      now = new Date(now.getTime() + DAY);
      await eventually(async () => ((await count('cancelled_at IS NOT NULL')) === 0 ? true : undefined), 'a day on');
      expect(await count()).toBe(2);
    } finally {
      await sweep.stop();
    }
    const idle = sweeper({ everyMs: 3_600_000 });
    idle.start();
    const began = Date.now();
    await idle.stop();
    expect(Date.now() - began).toBeLessThan(1_000);
  });

  it('refuses a horizon of 0 or less: off is no sweep at all (the runtime starts none), never "delete everything"', () => {
    expect(() => sweeper({ retainMs: 0 })).toThrow(RangeError);
    expect(() => sweeper({ retainMs: -1 })).toThrow(RangeError);
  });
});
