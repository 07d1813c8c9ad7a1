import type { PoolClient } from 'pg';
import type { DeliveryLedger, DeliveryRecord } from '../delivery-ledger.port';

/** What a {@link PostgresDeliveryLedger} stores as a delivery's subject: a JSON object (ids, never personal data). */
export type JsonSubject = Readonly<Record<string, string | number | boolean | null>>;

/**
 * The {@link DeliveryLedger} on `notification_deliveries` (migration: `NotificationMigrations`), one row per
 * idempotency key. The subject is stored as JSON: ids that say what the notification was about, never personal data.
 */
export class PostgresDeliveryLedger implements DeliveryLedger<JsonSubject> {
  async isRecorded(tx: PoolClient, key: string): Promise<boolean> {
    const { rowCount } = await tx.query('SELECT 1 FROM notification_deliveries WHERE idempotency_key = $1', [key]);
    return Boolean(rowCount);
  }

  async record(tx: PoolClient, delivery: DeliveryRecord<JsonSubject>): Promise<void> {
    const { key, tenant, kind, subject, outcome, target, statusCode, attempts, recordedAt, refused } = delivery;
    await tx.query(
      `INSERT INTO notification_deliveries
         (idempotency_key, tenant, kind, subject, outcome, target, status_code, attempts, recorded_at, refused)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (idempotency_key) DO NOTHING`,
      [key, tenant, kind, JSON.stringify(subject), outcome, target, statusCode, attempts, recordedAt, refused],
    );
  }
}
