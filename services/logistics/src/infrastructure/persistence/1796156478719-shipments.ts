import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The shipments list (by state, case, return, tracking number) and the tenants' carrier integrations. */
export class Shipments1796156478719 implements MigrationInterface {
  name = 'Shipments1796156478719';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shipments_index (
        tenant             text NOT NULL,
        shipment_id        uuid NOT NULL,
        case_id            uuid,
        return_id          uuid,
        order_id           text NOT NULL,
        purpose            text NOT NULL,
        carrier            text,
        tracking_number    text,
        destination_region text NOT NULL,
        status             text NOT NULL,
        registered_at      timestamptz NOT NULL,
        PRIMARY KEY (tenant, shipment_id)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX shipments_by_tracking ON shipments_index (tenant, carrier, tracking_number)
        WHERE tracking_number IS NOT NULL`,
    );
    await q.query('CREATE INDEX shipments_by_status ON shipments_index (tenant, status, registered_at DESC)');
    await q.query('CREATE INDEX shipments_by_case ON shipments_index (tenant, case_id) WHERE case_id IS NOT NULL');
    await q.query(
      'CREATE INDEX shipments_by_return ON shipments_index (tenant, return_id, purpose) WHERE return_id IS NOT NULL',
    );
    await q.query(`
      CREATE TABLE carrier_integrations (
        integration_id text PRIMARY KEY,
        tenant         text NOT NULL,
        carrier        text NOT NULL,
        secret         text NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE carrier_integrations');
    await q.query('DROP TABLE shipments_index');
  }
}
