import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `notification_deliveries`: each notification a service delivered, once, keyed by its idempotency key: what
 * (`kind`, `subject`), to where (`target`: the URL, `none`, or a refused webhook's origin), how it ended (`outcome`,
 * the receiver's `status_code`, the `refused` reason), after how many `attempts`, and when.
 */
export class CreateNotificationDeliveries1733000000000 implements MigrationInterface {
  name = 'CreateNotificationDeliveries1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_deliveries (
        idempotency_key text        PRIMARY KEY,
        tenant          text        NOT NULL,
        kind            text        NOT NULL,
        subject         jsonb       NOT NULL,
        outcome         text        NOT NULL CHECK (outcome IN ('delivered', 'no-target', 'refused')),
        target          text        NOT NULL,
        status_code     integer,
        attempts        integer     NOT NULL,
        recorded_at     timestamptz NOT NULL,
        refused         text
      )`);
    await q.query('CREATE INDEX notification_deliveries_tenant ON notification_deliveries (tenant, kind, recorded_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE notification_deliveries');
  }
}

/** The notification ledger's table; a service adds it to its `migrations` when it binds `PostgresDeliveryLedger`. */
export const NotificationMigrations = [CreateNotificationDeliveries1733000000000];
