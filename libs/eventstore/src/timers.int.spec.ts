import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  openServiceDatabase,
  scheduleTimer,
  cancelTimer,
  TimerScheduler,
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
  const firedIds = async () => (await db.pool.query('SELECT timer_id FROM fired ORDER BY timer_id')).rows.map((r) => r.timer_id);

  it('fires each due timer once across replicas and restarts, honours reschedules and cancellations', async () => {
    const at = (minutes: number) => new Date(clock.getTime() + minutes * 60_000);
    await scheduleTimer(db.pool, { id: 'incident-1:contact', tenant: 't', kind: 'contact-deadline', dueAt: at(120), payload: {} });
    await scheduleTimer(db.pool, { id: 'incident-2:contact', tenant: 't', kind: 'contact-deadline', dueAt: at(60), payload: {} });
    await scheduleTimer(db.pool, { id: 'incident-3:contact', tenant: 't', kind: 'contact-deadline', dueAt: at(30), payload: {} });
    // An upgrade tightens incident 1 from 120 to 30 minutes; incident 3 is contacted in time.
    await scheduleTimer(db.pool, { id: 'incident-1:contact', tenant: 't', kind: 'contact-deadline', dueAt: at(30), payload: {} });
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
    await scheduleTimer(db.pool, { id: 'incident-1:contact', tenant: 't', kind: 'contact-deadline', dueAt: clock, payload: {} });
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
});
