import type { PoolClient } from 'pg';

/** How a notification's delivery ended: taken by the receiver, nothing to call, or refused for good. */
export type DeliveryOutcome = 'delivered' | 'no-target' | 'refused';

/** One notification's delivery as recorded, once, in the transaction that ends its delivery timer. */
export interface DeliveryRecord<Subject> {
  /** The idempotency key (the id of the event that asked for the notification). */
  readonly key: string;
  readonly tenant: string;
  /** What was notified (`page`, `sla-escalation`, …). */
  readonly kind: string;
  /** What it was about, in the service's terms (an incident, a case and the rung of its escalation, …). */
  readonly subject: Subject;
  readonly outcome: DeliveryOutcome;
  /** The webhook URL it was delivered to, `none` (no webhook configured), or (refused) the webhook's origin only. */
  readonly target: string;
  /** The receiver's answer; `null` when nothing was called. */
  readonly statusCode: number | null;
  /** Delivery attempts, this one included. */
  readonly attempts: number;
  readonly recordedAt: Date;
  /** Why it was refused (the allow-list rule and detail); `null` otherwise. */
  readonly refused: string | null;
}

/**
 * Port: the record of delivered notifications, written in the transaction of the delivery timer that ends with it,
 * so a notification is recorded exactly when its timer is spent. Adapters: `PostgresDeliveryLedger`
 * (`notification_deliveries`, `@aftersales/notifications/infrastructure`), or a service's own table (incidents'
 * `pager_deliveries`).
 */
export interface DeliveryLedger<Subject> {
  /** Whether the notification was recorded already (delivered, without target, or refused). */
  isRecorded(tx: PoolClient, key: string): Promise<boolean>;
  /** Records the notification once; recording it again changes nothing. */
  record(tx: PoolClient, delivery: DeliveryRecord<Subject>): Promise<void>;
  /** Which of `keys` are recorded already, in one query. */
  recordedAmong(tx: PoolClient, keys: readonly string[]): Promise<ReadonlySet<string>>;
  /** {@link record} for several deliveries in one statement. */
  recordAll(tx: PoolClient, deliveries: ReadonlyArray<DeliveryRecord<Subject>>): Promise<void>;
}

/** DI token of a service's {@link DeliveryLedger} (for one ledger per service; name your own for more). */
export const DELIVERY_LEDGER = Symbol('DELIVERY_LEDGER');
