import type { PoolClient } from 'pg';
import {
  logDispatch,
  NotificationDeliveryFailed,
  NotificationDispatcher,
  type DeliveryLedger,
  type DeliveryRecord,
  type Notification,
  type Notifier,
  type NotifierOutcome,
} from './index';

type Subject = { readonly caseId: string; readonly rung: string };

/** The ledger as a map (the Postgres adapter has its own integration test). */
class LedgerInMemory implements DeliveryLedger<Subject> {
  readonly records = new Map<string, DeliveryRecord<Subject>>();
  async isRecorded(_tx: PoolClient, key: string): Promise<boolean> {
    return this.records.has(key);
  }
  async record(_tx: PoolClient, delivery: DeliveryRecord<Subject>): Promise<void> {
    if (!this.records.has(delivery.key)) this.records.set(delivery.key, delivery);
  }
  /** Statements the ledger was given (one per call, however many keys or records). */
  statements = 0;
  async recordedAmong(_tx: PoolClient, keys: readonly string[]): Promise<ReadonlySet<string>> {
    this.statements += 1;
    return new Set(keys.filter((k) => this.records.has(k)));
  }
  async recordAll(_tx: PoolClient, deliveries: ReadonlyArray<DeliveryRecord<Subject>>): Promise<void> {
    this.statements += 1;
    for (const d of deliveries) if (!this.records.has(d.key)) this.records.set(d.key, d);
  }
}

/** A notifier answering what it is told to, recording what it was asked. */
class ScriptedNotifier implements Notifier {
  readonly calls: Notification[] = [];
  constructor(private readonly answers: NotifierOutcome[]) {}
  async deliver(notification: Notification): Promise<NotifierOutcome> {
    this.calls.push(notification);
    const answer = this.answers.shift();
    if (!answer) throw new Error('no answer scripted');
    return answer;
  }
}

const tx = {} as PoolClient;
const now = new Date('2026-12-01T10:00:00Z');
const request = {
  key: 'evt-42',
  tenant: 'shop-1',
  kind: 'sla-escalation',
  subject: { caseId: 'case-7', rung: 'supervisor' },
  target: 'https://hooks.example.com/T0K3N',
  body: { caseId: 'case-7', rung: 'supervisor' },
  attempt: 1,
};

describe('NotificationDispatcher.deliverOnce', () => {
  it('delivers with the key as idempotency key and records it once; a later firing does nothing', async () => {
    const ledger = new LedgerInMemory();
    const notifier = new ScriptedNotifier([{ outcome: 'delivered', statusCode: 202 }]);
    const dispatcher = new NotificationDispatcher(notifier, ledger, () => now);

    const result = await dispatcher.deliverOnce(tx, { ...request, attempt: 3 });
    expect(notifier.calls).toEqual([{ idempotencyKey: 'evt-42', target: request.target, body: request.body }]);
    expect(result).toEqual({ outcome: 'delivered', record: ledger.records.get('evt-42') });
    expect(ledger.records.get('evt-42')).toEqual({
      key: 'evt-42',
      tenant: 'shop-1',
      kind: 'sla-escalation',
      subject: { caseId: 'case-7', rung: 'supervisor' },
      outcome: 'delivered',
      target: 'https://hooks.example.com/T0K3N',
      statusCode: 202,
      attempts: 3,
      recordedAt: now,
      refused: null,
    });

    expect(await dispatcher.deliverOnce(tx, request)).toEqual({ outcome: 'already-recorded' });
    expect(notifier.calls).toHaveLength(1);
  });

  it('throws on a failed attempt and records nothing, so the retried timer delivers it under the same key', async () => {
    const ledger = new LedgerInMemory();
    const notifier = new ScriptedNotifier([
      { outcome: 'failed', statusCode: 503, reason: 'https://hooks.example.com answered 503' },
      { outcome: 'delivered', statusCode: 200 },
    ]);
    const dispatcher = new NotificationDispatcher(notifier, ledger, () => now);

    await expect(dispatcher.deliverOnce(tx, request)).rejects.toBeInstanceOf(NotificationDeliveryFailed);
    expect(ledger.records.size).toBe(0);
    expect((await dispatcher.deliverOnce(tx, { ...request, attempt: 2 })).outcome).toBe('delivered');
    expect(notifier.calls.map((call) => call.idempotencyKey)).toEqual(['evt-42', 'evt-42']);
    expect(ledger.records.get('evt-42')).toMatchObject({ statusCode: 200, attempts: 2 });
  });

  it('names the notification, the reason and the answer in the error', async () => {
    const notifier = new ScriptedNotifier([
      { outcome: 'failed', statusCode: null, reason: 'https://hooks.example.com unreachable (fetch failed)' },
    ]);
    const error = await new NotificationDispatcher(notifier, new LedgerInMemory(), () => now)
      .deliverOnce(tx, request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NOTIFICATION.DELIVERY_FAILED',
      message: 'sla-escalation evt-42 was not delivered: https://hooks.example.com unreachable (fetch failed)',
      statusCode: null,
    });
  });

  it('records a refusal for good with the reason and the origin only, without retrying', async () => {
    const ledger = new LedgerInMemory();
    const refusal = { rule: 'allowedHost' as const, detail: 'must point to …' };
    const notifier = new ScriptedNotifier([
      {
        outcome: 'refused',
        refusal,
        reason: 'allowedHost: webhook must point to …',
        target: 'https://hooks.example.com',
      },
    ]);
    const result = await new NotificationDispatcher(notifier, ledger, () => now).deliverOnce(tx, request);
    expect(result).toMatchObject({ outcome: 'refused', refusal });
    expect(ledger.records.get('evt-42')).toMatchObject({
      outcome: 'refused',
      target: 'https://hooks.example.com',
      statusCode: null,
      refused: 'allowedHost: webhook must point to …',
    });
  });

  it('records a notification without a target as delivered to none, calling nothing', async () => {
    const ledger = new LedgerInMemory();
    const notifier = new ScriptedNotifier([]);
    const result = await new NotificationDispatcher(notifier, ledger, () => now).deliverOnce(tx, {
      ...request,
      target: null,
    });
    expect(result.outcome).toBe('no-target');
    expect(notifier.calls).toEqual([]);
    expect(ledger.records.get('evt-42')).toMatchObject({ outcome: 'no-target', target: 'none', statusCode: null });
  });
});

describe('logDispatch: how a delivery ended, logged alike in every service', () => {
  const record = (
    outcome: DeliveryRecord<Subject>['outcome'],
    refused: string | null = null,
  ): DeliveryRecord<Subject> => ({
    key: 'evt-1',
    tenant: 't1',
    kind: 'sla-escalation',
    subject: { caseId: 'c1', rung: 'supervisor' },
    outcome,
    target: 'https://hooks.example.com',
    statusCode: outcome === 'delivered' ? 202 : null,
    attempts: 2,
    recordedAt: new Date(0),
    refused,
  });
  const logged = () => {
    const lines: Array<[string, object, string]> = [];
    const logger = {
      info: (d: object, m: string) => void lines.push(['info', d, m]),
      warn: (d: object, m: string) => void lines.push(['warn', d, m]),
      error: (d: object, m: string) => void lines.push(['error', d, m]),
    };
    return { lines, logger };
  };
  const report = {
    notice: 'escalation notice',
    receiver: 'supervisor',
    target: 'https://hooks.example.com/secret-path?token=T0K3N',
    about: { key: 'evt-1' },
  };

  it('logs a delivery at info with its attempts, a refusal at error with the origin only, nothing for a repeat', () => {
    const { lines, logger } = logged();
    logDispatch(logger, { outcome: 'delivered', record: record('delivered') }, report);
    logDispatch(
      logger,
      {
        outcome: 'refused',
        record: record('refused', 'allowedHost: not on the allow-list'),
        refusal: { rule: 'allowedHost', detail: 'not on the allow-list' } as never,
      },
      report,
    );
    logDispatch(logger, { outcome: 'already-recorded' }, report);
    expect(lines).toEqual([
      ['info', { key: 'evt-1', attempts: 2 }, 'escalation notice delivered'],
      [
        'error',
        { key: 'evt-1', receiver: 'https://hooks.example.com', reason: 'allowedHost: not on the allow-list' },
        'escalation notice refused for good, not retried',
      ],
    ]);
    expect(JSON.stringify(lines)).not.toContain('T0K3N');
  });

  it('warns about a missing webhook only when the service says what that leaves', () => {
    const { lines, logger } = logged();
    logDispatch(logger, { outcome: 'no-target', record: record('no-target') }, { ...report, target: null });
    logDispatch(
      logger,
      { outcome: 'no-target', record: record('no-target') },
      { ...report, target: null, noTarget: 'no supervisor webhook: the breach is only in the events' },
    );
    expect(lines).toEqual([['warn', { key: 'evt-1' }, 'no supervisor webhook: the breach is only in the events']]);
  });
});

describe('NotificationDispatcher.deliverMany', () => {
  it('reads what is recorded in one call, calls the receivers side by side, records what ended in one call', async () => {
    const ledger = new LedgerInMemory();
    await ledger.record(tx, {
      key: 'evt-done',
      tenant: 'shop-1',
      kind: 'sla-escalation',
      subject: { caseId: 'case-0', rung: 'agent' },
      outcome: 'delivered',
      target: request.target,
      statusCode: 200,
      attempts: 1,
      recordedAt: now,
      refused: null,
    });
    const notifier = new ScriptedNotifier([
      { outcome: 'delivered', statusCode: 202 },
      { outcome: 'failed', reason: 'status 503', statusCode: 503 },
    ]);
    const dispatcher = new NotificationDispatcher(notifier, ledger, () => now);
    const results = await dispatcher.deliverMany(tx, [
      { ...request, key: 'evt-done' },
      { ...request, key: 'evt-1' },
      { ...request, key: 'evt-2' },
      { ...request, key: 'evt-3', target: null },
      { ...request, key: 'evt-1' },
    ]);
    expect(results.map((r) => (r instanceof NotificationDeliveryFailed ? `failed ${r.key}` : r.outcome))).toEqual([
      'already-recorded',
      'delivered',
      'failed evt-2',
      'no-target',
      'already-recorded',
    ]);
    // Two receiver calls (the recorded one, the one without target and the repeated key call nobody).
    expect(notifier.calls.map((c) => c.idempotencyKey)).toEqual(['evt-1', 'evt-2']);
    expect([...ledger.records.keys()].sort()).toEqual(['evt-1', 'evt-3', 'evt-done']);
    expect(ledger.records.get('evt-3')).toMatchObject({ outcome: 'no-target', target: 'none', statusCode: null });
    // One read and one write, whatever the number of notifications (the record of evt-done was the setup's own).
    expect(ledger.statements).toBe(2);
  });
});
