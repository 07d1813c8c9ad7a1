import { randomBytes } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import pino from 'pino';
import type { PoolClient } from 'pg';
import { openServiceDatabase, scheduleTimer, type ServiceDatabase, type Timer } from '@aftersales/eventstore';
import { metricsRegistry, openMetricsText } from '@aftersales/observability';
import { createTestDatabase, TestContextManager, type TestDatabase } from '@aftersales/testing';
import { DurableTimerWorker, type DurableTimerWorkerOptions } from './durable-timer-worker';

/**
 * Polls `probe` until it returns a value: `eventually` of `@aftersales/test-kit`, which this library cannot import
 * (test-kit builds on it).
 */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface LogLine {
  level: number;
  msg: string;
  timerId?: string;
  attempts?: number;
  retryInMs?: number;
}

/** Records what it fires in `fired` (in the timer's transaction); a `flaky` timer fails until its third attempt. */
class RecordingTimers extends DurableTimerWorker {
  protected async fire(timer: Timer, tx: PoolClient): Promise<void> {
    await tx.query('INSERT INTO fired (timer_id, txid) VALUES ($1, txid_current())', [timer.id]);
    const { attempts = 0 } = timer.payload as { attempts?: number };
    if (timer.kind === 'flaky' && attempts < 2) throw new Error(`webhook down (attempt ${attempts + 1})`);
  }
}

describe('DurableTimerWorker', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let now = new Date('2026-12-01T10:00:00Z');
  let logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });

  beforeAll(async () => {
    testDb = await createTestDatabase('durable_timer_worker');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
    await db.pool.query('CREATE TABLE fired (timer_id text NOT NULL, txid bigint NOT NULL)');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });
  beforeEach(async () => {
    now = new Date('2026-12-01T10:00:00Z');
    logs = [];
    await db.pool.query('TRUNCATE fired, es_timers');
  });

  const workerOptions = (options: Partial<DurableTimerWorkerOptions> = {}): DurableTimerWorkerOptions => ({
    name: 'test timers',
    database: db,
    connections: 'own',
    loops: 2,
    pollMs: 20,
    retry: { baseMs: 1_000, maxMs: 1_500 },
    clock: () => now,
    logger,
    ...options,
  });
  const worker = (options: Partial<DurableTimerWorkerOptions> = {}) => new RecordingTimers(workerOptions(options));
  /** The sum of a counter's samples of this spec's worker (`test timers`) whose labels include `labels`. */
  const metric = async (name: string, labels = '') =>
    (await openMetricsText(metricsRegistry))
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) && line.includes('worker="test timers"') && line.includes(labels))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf('}') + 1).trim().split(' ')[0]), 0);
  const schedule = (id: string, kind: string, dueInMs: number) =>
    scheduleTimer(db.pool, { id, tenant: 't1', kind, dueAt: new Date(now.getTime() + dueInMs), payload: {} });
  const firedIds = async () =>
    (await db.pool.query<{ timer_id: string }>('SELECT timer_id FROM fired ORDER BY timer_id')).rows.map(
      (r) => r.timer_id,
    );
  const timerRow = async (id: string) =>
    (
      await db.pool.query<{ due_at: Date; payload: { attempts?: number }; fired: boolean }>(
        'SELECT due_at, payload, fired_at IS NOT NULL AS fired FROM es_timers WHERE timer_id = $1',
        [id],
      )
    ).rows[0];

  it.each(['own', 'service'] as const)(
    'its loops fire the due timers once each on %s connections, and stop',
    async (connections) => {
      await schedule('a', 'plain', -1_000);
      await schedule('b', 'plain', 0);
      await schedule('later', 'plain', 3_600_000);
      const timers = worker({ connections });
      timers.start();
      timers.start(); // a second start does not add loops
      await eventually(async () => ((await firedIds()).length === 2 ? true : undefined), 'the due timers fired');
      expect(await firedIds()).toEqual(['a', 'b']);
      await timers.stop();
      expect((await timerRow('later')).fired).toBe(false);

      // Stopped: nothing fires the timer that comes due but fireDue itself.
      now = new Date(now.getTime() + 3_600_000);
      expect(await timers.fireDue()).toBe(1);
      expect(await firedIds()).toEqual(['a', 'b', 'later']);
    },
  );

  it('with a slack, timers falling due close together share a transaction, and none fires early', async () => {
    // Five timers due 10 ms apart, a little ahead (real time: the slack is waited for on the real clock).
    const firstDue = Date.now() + 200;
    for (const n of [0, 1, 2, 3, 4]) {
      await scheduleTimer(db.pool, {
        id: `close-${n}`,
        tenant: 't1',
        kind: 'plain',
        dueAt: new Date(firstDue + n * 10),
        payload: {},
      });
    }
    const timers = worker({ clock: () => new Date(), slackMs: 300, loops: 1, perTransaction: 10 });
    timers.start();
    try {
      await eventually(async () => ((await firedIds()).length === 5 ? true : undefined), 'the five timers fired');
    } finally {
      await timers.stop();
    }
    const { rows } = await db.pool.query<{ txid: string; early: boolean }>(
      `SELECT f.txid::text, t.fired_at < t.due_at AS early FROM fired f JOIN es_timers t USING (timer_id)`,
    );
    // The loop looks 300 ms after the first falls due, when all five are: one transaction (two when the loop's first
    // look came after some fell due: those at once, the rest a slack later). Without the slack, one each.
    expect(new Set(rows.map((r) => r.txid)).size).toBeLessThanOrEqual(2);
    expect(rows.filter((r) => r.early)).toEqual([]);
  });

  it('times how late each timer fired, its exemplar the trace that scheduled the timer', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new TestContextManager());
    try {
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      await scheduleTimer(db.pool, {
        id: 'traced',
        tenant: 't1',
        kind: 'traced',
        dueAt: new Date(now.getTime() - 2_000),
        payload: {},
        metadata: { traceparent: `00-${traceId}-${spanId}-01` },
      });
      const timers = worker();
      timers.start();
      try {
        // Observed in the timer's transaction, before it commits: fired means observed.
        await eventually(async () => ((await firedIds()).includes('traced') ? true : undefined), 'the timer fired');
      } finally {
        await timers.stop();
      }
      const buckets = (await openMetricsText(metricsRegistry))
        .split('\n')
        .filter((l) => l.startsWith('aftersales_timer_lateness_seconds_bucket{') && l.includes('kind="traced"'));
      // 2 s late: counted from the 2 s bucket up, the exemplar on that bucket only.
      expect(buckets.filter((l) => l.includes(` # {trace_id="${traceId}",span_id="${spanId}"} 2 `))).toEqual([
        expect.stringMatching(
          /^aftersales_timer_lateness_seconds_bucket\{le="2",worker="test timers",kind="traced"\} 1 # /,
        ),
      ]);
    } finally {
      propagation.disable();
      context.disable();
    }
  });

  it('retries a failing timer with exponential backoff, capped, and logs each retry', async () => {
    const failuresBefore = await metric('aftersales_timer_failures_total', 'kind="flaky",outcome="retried"');
    const rolledBackBefore = await metric('aftersales_timer_transactions_rolled_back_total');
    await schedule('flaky', 'flaky', 0);
    const timers = worker();
    timers.start();
    try {
      // First failure: its effects roll back and it moves base (1 s) later, attempt 1 in its payload.
      await eventually(async () => (await timerRow('flaky')).payload.attempts === 1 || undefined, 'the first retry');
      expect((await timerRow('flaky')).due_at).toEqual(new Date(now.getTime() + 1_000));
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: 'timer failed; retrying with backoff',
          timerId: 'flaky',
          attempts: 1,
          retryInMs: 1_000,
        }),
      );
      expect(await firedIds()).toEqual([]);

      // Due again: fails a second time and moves 2 s later, capped at 1.5 s.
      now = new Date(now.getTime() + 1_000);
      await eventually(async () => (await timerRow('flaky')).payload.attempts === 2 || undefined, 'the second retry');
      expect((await timerRow('flaky')).due_at).toEqual(new Date(now.getTime() + 1_500));
      expect(logs).toContainEqual(expect.objectContaining({ timerId: 'flaky', attempts: 2, retryInMs: 1_500 }));

      // Third attempt succeeds: fired once, its effects committed.
      now = new Date(now.getTime() + 1_500);
      await eventually(async () => (await timerRow('flaky')).fired || undefined, 'the third attempt fired');
      expect(await firedIds()).toEqual(['flaky']);
      // Each failure counted, retried; no transaction rolled back as a whole (each failure was undone to its savepoint).
      expect(await metric('aftersales_timer_failures_total', 'kind="flaky",outcome="retried"')).toBe(
        failuresBefore + 2,
      );
      expect(await metric('aftersales_timer_transactions_rolled_back_total')).toBe(rolledBackBefore);
    } finally {
      await timers.stop();
    }
  });

  it('counts a timer transaction that failed as a whole (its writes before the commit); its timers stay due and fire later', async () => {
    let failNext = 1;
    class FailingWrites extends RecordingTimers {
      protected override async finish(): Promise<void> {
        if (failNext-- > 0) throw new Error('the batch writes failed');
      }
    }
    const rolledBackBefore = await metric('aftersales_timer_transactions_rolled_back_total');
    await schedule('a', 'plain', 0);
    const timers = new FailingWrites(workerOptions({ loops: 1 }));
    timers.start();
    try {
      await eventually(async () => (await timerRow('a')).fired || undefined, 'the timer fired by the next transaction');
      expect(await firedIds()).toEqual(['a']);
      expect(await metric('aftersales_timer_transactions_rolled_back_total')).toBe(rolledBackBefore + 1);
    } finally {
      await timers.stop();
    }
  });

  it('logs a polling failure and goes on polling', async () => {
    const broken = { ...db, pool: db.pool, ownPool: () => brokenPool } as ServiceDatabase;
    const brokenPool = {
      query: () => Promise.reject(new Error('connection refused')),
      connect: () => Promise.reject(new Error('connection refused')),
    } as unknown as ReturnType<ServiceDatabase['ownPool']>;
    const timers = worker({ database: broken, loops: 1 });
    timers.start();
    try {
      // Twice: the loop went on after the first failure.
      await eventually(
        () => logs.filter((l) => l.msg === 'test timers: polling failed').length >= 2 || undefined,
        'two polling failures logged',
      );
    } finally {
      await timers.stop();
    }
  });
});
