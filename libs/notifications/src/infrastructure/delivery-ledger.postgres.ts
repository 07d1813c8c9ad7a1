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
    await this.recordAll(tx, [delivery]);
  }

  async recordedAmong(tx: PoolClient, keys: readonly string[]): Promise<ReadonlySet<string>> {
    if (keys.length === 0) return new Set();
    const { rows } = await tx.query<{ key: string }>(
      'SELECT idempotency_key AS key FROM notification_deliveries WHERE idempotency_key = ANY($1::text[])',
      [[...new Set(keys)]],
    );
    return new Set(rows.map((r) => r.key));
  }

  async recordAll(tx: PoolClient, deliveries: ReadonlyArray<DeliveryRecord<JsonSubject>>): Promise<void> {
    if (deliveries.length === 0) return;
    const column = <T>(pick: (d: DeliveryRecord<JsonSubject>) => T) => deliveries.map(pick);
    await tx.query(
      `INSERT INTO notification_deliveries
         (idempotency_key, tenant, kind, subject, outcome, target, status_code, attempts, recorded_at, refused)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::text[], $7::int[],
                            $8::int[], $9::timestamptz[], $10::text[])
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        column((d) => d.key),
        column((d) => d.tenant),
        column((d) => d.kind),
        column((d) => JSON.stringify(d.subject)),
        column((d) => d.outcome),
        column((d) => d.target),
        column((d) => d.statusCode),
        column((d) => d.attempts),
        column((d) => d.recordedAt),
        column((d) => d.refused),
      ],
    );
  }
}
