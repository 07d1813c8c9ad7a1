import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stalled and lost shipments by tenant, region and alarm window (regional alarms count them). */
export class RegionalSignals1796156478720 implements MigrationInterface {
  name = 'RegionalSignals1796156478720';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE regional_signals (
        tenant       text NOT NULL,
        region       text NOT NULL,
        window_start timestamptz NOT NULL,
        shipment_id  uuid NOT NULL,
        kind         text NOT NULL,
        carrier      text NOT NULL,
        order_id     text NOT NULL,
        case_id      uuid,
        PRIMARY KEY (tenant, region, window_start, shipment_id, kind)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE regional_signals');
  }
}
