import type { PoolClient } from 'pg';
import {
  openServiceDatabase,
  scheduleTimer,
  TimerScheduler,
  type ServiceDatabase,
  type Timer,
} from '@aftersales/eventstore';
import {
  deliveryAttempt,
  NotificationDispatcher,
  notifierSettingsFromEnv,
  TimerBackoff,
  type DispatchResult,
} from '@aftersales/notifications';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { WebhookReceiver } from '@aftersales/test-kit';
import { NotificationMigrations, PostgresDeliveryLedger, WebhookNotifier, type JsonSubject } from './index';

/** The payload of an escalation's delivery timer, as a service would schedule it with the event that asked for it. */
interface EscalationTimer {
  readonly eventId: string;
  readonly caseId: string;
  readonly rung: string;
  readonly webhookUrl: string | null;
}

// CONTEXT: the whole mechanism a service wires — a durable timer scheduled with the event, fired by TimerScheduler,
// delivered by NotificationDispatcher through the webhook adapter, recorded in notification_deliveries, retried by
// TimerBackoff — on real Postgres and a real local receiver. The clock is the test's: a retry is due when the test
// moves the clock, never after a sleep. A "restart" is a new scheduler, dispatcher and adapter on the same database.
describe('notifications delivered once through durable timers (real Postgres)', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let receiver: WebhookReceiver;
  let clock = new Date('2026-12-01T09:00:00Z');
  const now = () => clock;
  const results: Array<DispatchResult<JsonSubject>> = [];

  /** What a service process builds at start. */
  function startProcess(): TimerScheduler {
    const settings = notifierSettingsFromEnv(
      { SHOP_NOTIFIER_ALLOWED_HOSTS: new URL(receiver.url('/')).host },
      {
        variables: {
          webhookUrl: 'SHOP_NOTIFIER_WEBHOOK_URL',
          allowedHosts: 'SHOP_NOTIFIER_ALLOWED_HOSTS',
          timeoutMs: 'SHOP_NOTIFIER_TIMEOUT_MS',
        },
        wording: { receiver: 'escalation', notification: 'escalation notice' },
      },
    );
    const dispatcher = new NotificationDispatcher(new WebhookNotifier(settings), new PostgresDeliveryLedger(), now);
    const backoff = new TimerBackoff({ baseMs: 60_000, maxMs: 600_000 }, now);
    return new TimerScheduler(db.pool, {
      now,
      retry: backoff.retry,
      fire: async (timer: Timer, tx: PoolClient) => {
        const { eventId, caseId, rung, webhookUrl } = timer.payload as EscalationTimer;
        const result = await dispatcher.deliverOnce(tx, {
          key: eventId,
          tenant: timer.tenant,
          kind: 'sla-escalation',
          subject: { caseId, rung },
          target: webhookUrl,
          body: { eventId, caseId, rung },
          attempt: deliveryAttempt(timer),
        });
        results.push(result);
      },
    });
  }

  const schedule = (payload: EscalationTimer) =>
    scheduleTimer(db.pool, {
      id: `notify:${payload.eventId}`,
      tenant: 'shop-1',
      kind: 'sla-escalation',
      dueAt: clock,
      payload,
    });

  const deliveries = async (key: string) =>
    (
      await db.pool.query(
        `SELECT tenant, kind, subject, outcome, target, status_code, attempts, recorded_at, refused
           FROM notification_deliveries WHERE idempotency_key = $1`,
        [key],
      )
    ).rows;

  const timerOf = async (eventId: string) =>
    (
      await db.pool.query<{ fired: boolean; due_at: Date; attempts: number | null }>(
        `SELECT fired_at IS NOT NULL AS fired, due_at, (payload->>'attempts')::int AS attempts
           FROM es_timers WHERE timer_id = $1`,
        [`notify:${eventId}`],
      )
    ).rows[0];

  beforeAll(async () => {
    testDb = await createTestDatabase('notifications');
    db = await openServiceDatabase({
      serverUrl: testDb.url,
      database: testDb.name,
      migrations: NotificationMigrations,
    });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await receiver?.stop();
    await db?.close();
    await testDb?.drop();
  });

  it('a receiver down twice gets the notification on the third attempt, across a restart, once recorded', async () => {
    const webhookUrl = receiver.url('/shop-1/escalations');
    receiver.failNext(2, '/shop-1/escalations');
    await schedule({ eventId: 'evt-1', caseId: 'case-7', rung: 'supervisor', webhookUrl });

    const first = startProcess();
    expect(await first.fireDue()).toBe(0); // failed: moved later by the claiming transaction
    expect(await timerOf('evt-1')).toEqual({ fired: false, due_at: new Date(clock.getTime() + 60_000), attempts: 1 });
    expect(await deliveries('evt-1')).toEqual([]);

    // Restart: a new process on the same database. Nothing is due before the backoff has passed.
    const second = startProcess();
    expect(await second.fireDue()).toBe(0);
    expect(receiver.on('/shop-1/escalations')).toHaveLength(1);

    clock = new Date(clock.getTime() + 60_000); // 1 min: the second attempt (fails); the next is 2 min later
    expect(await second.fireDue()).toBe(0);
    expect(await timerOf('evt-1')).toMatchObject({ attempts: 2, due_at: new Date(clock.getTime() + 120_000) });

    clock = new Date(clock.getTime() + 120_000);
    expect(await second.fireDue()).toBe(1);
    expect(await deliveries('evt-1')).toEqual([
      {
        tenant: 'shop-1',
        kind: 'sla-escalation',
        subject: { caseId: 'case-7', rung: 'supervisor' },
        outcome: 'delivered',
        target: webhookUrl,
        status_code: 202,
        attempts: 3,
        recorded_at: clock,
        refused: null,
      },
    ]);
    expect(await timerOf('evt-1')).toMatchObject({ fired: true });

    // Spent with its record: later firings, in any process, call nothing.
    clock = new Date(clock.getTime() + 3_600_000);
    expect(await Promise.all([startProcess().fireDue(), second.fireDue()])).toEqual([0, 0]);
    const attempts = receiver.on('/shop-1/escalations');
    expect(attempts.map((a) => [a.status, a.idempotencyKey])).toEqual([
      [500, 'evt-1'],
      [500, 'evt-1'],
      [202, 'evt-1'],
    ]);
    expect(attempts.map((a) => a.body)).toEqual(
      Array(3).fill({ eventId: 'evt-1', caseId: 'case-7', rung: 'supervisor' }),
    );
  });

  it('a webhook outside the allow-list is recorded once as refused and its timer spent, nothing called', async () => {
    const stray = receiver.url('/shop-1/escalations').replace('127.0.0.1', 'localhost');
    const count = receiver.received.length;
    await schedule({ eventId: 'evt-2', caseId: 'case-8', rung: 'complaint-team', webhookUrl: `${stray}?token=T0K3N` });

    expect(await startProcess().fireDue()).toBe(1);
    const [row] = await deliveries('evt-2');
    expect(row).toMatchObject({ outcome: 'refused', target: new URL(stray).origin, status_code: null, attempts: 1 });
    expect(row.refused).toMatch(
      /^allowedHost: webhook must point to an escalation host the operator allows: "localhost:\d+"/,
    );
    expect(row.refused).not.toContain('T0K3N');
    expect(await timerOf('evt-2')).toMatchObject({ fired: true, attempts: null });
    expect(receiver.received).toHaveLength(count);
  });

  it('without a webhook the notification is recorded as delivered to none', async () => {
    await schedule({ eventId: 'evt-3', caseId: 'case-9', rung: 'supervisor', webhookUrl: null });
    expect(await startProcess().fireDue()).toBe(1);
    expect(await deliveries('evt-3')).toMatchObject([{ outcome: 'no-target', target: 'none', status_code: null }]);
    expect(results.at(-1)?.outcome).toBe('no-target');
  });

  it('records a delivery once: the ledger ignores a second record of the same key', async () => {
    const ledger = new PostgresDeliveryLedger();
    const client = await db.pool.connect();
    try {
      const record = {
        key: 'evt-4',
        tenant: 'shop-1',
        kind: 'sla-escalation',
        subject: { caseId: 'case-10' },
        outcome: 'delivered' as const,
        target: 'https://hooks.example.com/x',
        statusCode: 200,
        attempts: 1,
        recordedAt: clock,
        refused: null,
      };
      expect(await ledger.isRecorded(client, 'evt-4')).toBe(false);
      await ledger.record(client, record);
      await ledger.record(client, { ...record, statusCode: 201, attempts: 2 });
      expect(await ledger.isRecorded(client, 'evt-4')).toBe(true);
    } finally {
      client.release();
    }
    expect(await deliveries('evt-4')).toMatchObject([{ status_code: 200, attempts: 1 }]);
  });

  it('records many deliveries in one statement and tells which keys are recorded in one query', async () => {
    const ledger = new PostgresDeliveryLedger();
    const client = await db.pool.connect();
    const record = (key: string, statusCode: number | null) => ({
      key,
      tenant: 'shop-1',
      kind: 'sla-escalation',
      subject: { caseId: `case-${key}`, rung: 'agent' },
      outcome: statusCode === null ? ('no-target' as const) : ('delivered' as const),
      target: statusCode === null ? 'none' : 'https://hooks.example.com/x',
      statusCode,
      attempts: 1,
      recordedAt: clock,
      refused: null,
    });
    try {
      await ledger.recordAll(client, [record('evt-5', 202), record('evt-6', null)]);
      // Again, with one new key: the recorded ones stay as they were.
      await ledger.recordAll(client, [record('evt-5', 500), record('evt-7', 200)]);
      expect([...(await ledger.recordedAmong(client, ['evt-5', 'evt-6', 'evt-7', 'evt-8', 'evt-5']))].sort()).toEqual([
        'evt-5',
        'evt-6',
        'evt-7',
      ]);
      expect(await ledger.recordedAmong(client, [])).toEqual(new Set());
    } finally {
      client.release();
    }
    expect(await deliveries('evt-5')).toMatchObject([{ status_code: 202, outcome: 'delivered' }]);
    expect(await deliveries('evt-6')).toMatchObject([
      { outcome: 'no-target', target: 'none', subject: { caseId: 'case-evt-6', rung: 'agent' } },
    ]);
  });
});
