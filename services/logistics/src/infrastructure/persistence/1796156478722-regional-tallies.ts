import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Regional alarm tallies kept as counters (ADR 29): one row per tenant, region and window, moved by each transaction's
 * new signals, where the tally was counted again from every signal of the window on every transaction (its cost grew
 * with the window, quadratic over a burst). `alarm_raised` records that the window's alarm was raised, so later signals
 * are only counted. `regional_orders` holds each window's orders once: a transaction's insert into it answers which of
 * its orders are new to the window (affected customers). Windows already counted are backfilled from their signals.
 */
export class RegionalTallies1796156478722 implements MigrationInterface {
  name = 'RegionalTallies1796156478722';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE regional_tallies (
        tenant             text NOT NULL,
        region             text NOT NULL,
        window_start       timestamptz NOT NULL,
        stalled_shipments  integer NOT NULL DEFAULT 0,
        lost_shipments     integer NOT NULL DEFAULT 0,
        shipments          integer NOT NULL DEFAULT 0,
        affected_customers integer NOT NULL DEFAULT 0,
        carriers           text[] NOT NULL DEFAULT '{}',
        case_ids           uuid[] NOT NULL DEFAULT '{}',
        alarm_raised       boolean NOT NULL DEFAULT false,
        PRIMARY KEY (tenant, region, window_start)
      )`);
    await q.query(`
      CREATE TABLE regional_orders (
        tenant       text NOT NULL,
        region       text NOT NULL,
        window_start timestamptz NOT NULL,
        order_id     text NOT NULL,
        PRIMARY KEY (tenant, region, window_start, order_id)
      )`);
    await q.query(`
      INSERT INTO regional_orders (tenant, region, window_start, order_id)
      SELECT DISTINCT tenant, region, window_start, order_id FROM regional_signals`);
    await q.query(`
      INSERT INTO regional_tallies (tenant, region, window_start, stalled_shipments, lost_shipments, shipments,
                                    affected_customers, carriers, case_ids)
      SELECT tenant, region, window_start,
             count(DISTINCT shipment_id) FILTER (WHERE kind = 'stalled'),
             count(DISTINCT shipment_id) FILTER (WHERE kind = 'lost'),
             count(DISTINCT shipment_id),
             count(DISTINCT order_id),
             array_agg(DISTINCT carrier ORDER BY carrier),
             coalesce((array_agg(DISTINCT case_id) FILTER (WHERE case_id IS NOT NULL))[1:500], '{}')
        FROM regional_signals
       GROUP BY tenant, region, window_start`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE regional_orders');
    await q.query('DROP TABLE regional_tallies');
  }
}
