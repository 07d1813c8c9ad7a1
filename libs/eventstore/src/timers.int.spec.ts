import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  openServiceDatabase,
  scheduleTimer,
  cancelTimer,
  rescheduleTimer,
  TimerScheduler,
  type ServiceDatabase,
  type Timer,
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

  it('rescheduleTimer moves a pending timer later and merges into its payload; fired and cancelled ones stay', async () => {
    const later = new Date(clock.getTime() + 60_000);
    const payload = { pageId: 'p-1', attempts: 1 };
    await scheduleTimer(db.pool, { id: 'retry', tenant: 't', kind: 'k', dueAt: clock, payload });
    await scheduleTimer(db.pool, { id: 'retry-cancelled', tenant: 't', kind: 'k', dueAt: clock, payload });
    await cancelTimer(db.pool, 'retry-cancelled');

    expect(await rescheduleTimer(db.pool, 'retry', later, { attempts: 2 })).toBe(true);
    expect(await rescheduleTimer(db.pool, 'retry-cancelled', later, { attempts: 2 })).toBe(false);
    expect(await rescheduleTimer(db.pool, 'no-such-timer', later)).toBe(false);
    const { rows } = await db.pool.query(
      `SELECT timer_id, due_at, payload FROM es_timers WHERE timer_id IN ('retry', 'retry-cancelled') ORDER BY timer_id`,
    );
    expect(rows).toEqual([
      { timer_id: 'retry', due_at: later, payload: { pageId: 'p-1', attempts: 2 } },
      { timer_id: 'retry-cancelled', due_at: clock, payload },
    ]);

    // Not due any more until the new time; then it fires once, and a fired timer is not moved again.
    const fire = scheduler();
    expect(await fire.fireDue()).toBe(0);
    clock = later;
    expect(await fire.fireDue()).toBe(1);
    expect(await rescheduleTimer(db.pool, 'retry', new Date(later.getTime() + 60_000))).toBe(false);
  });
});
