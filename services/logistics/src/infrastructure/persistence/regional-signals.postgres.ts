import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  regionalTallyKey,
  TALLY_CASE_IDS,
  type RegionalSignal,
  type RegionalSignals,
  type RegionalWindow,
  type RegionalWindowTally,
} from '../../application/regional-signals.port';

interface TallyRow {
  region: string;
  window_start: Date;
  stalled_shipments: number;
  lost_shipments: number;
  shipments: number;
  affected_customers: number;
  carriers: string[];
  case_ids: string[];
  alarm_raised: boolean;
}

/**
 * {@link RegionalSignals} in the service's database: the signals in `regional_signals`, each window's tally as counters
 * in `regional_tallies`, its orders once in `regional_orders` (ADR 29). A transaction locks its windows' tallies first
 * (one statement, in key order: two transactions never wait on each other in a cycle), then, in one statement that
 * sees every transaction that held them before, records its signals and adds to the counters what the new ones change:
 * a shipment counts once per window whatever its signals, an order once, a carrier and a case once. Each of those
 * tests is a primary-key lookup (an insert's conflict or the signals' key), whatever the table's statistics say.
 */
@Injectable()
export class PostgresRegionalSignals implements RegionalSignals {
  async recordAll(
    tx: PoolClient,
    tenant: string,
    signals: readonly RegionalSignal[],
  ): Promise<Map<string, RegionalWindowTally>> {
    if (signals.length === 0) return new Map();
    const windows = keysOf(signals);
    await tx.query(
      `INSERT INTO regional_tallies AS t (tenant, region, window_start)
       SELECT $1, k.region, k.window_start FROM unnest($2::text[], $3::timestamptz[]) AS k(region, window_start)
        ORDER BY k.region, k.window_start
       ON CONFLICT (tenant, region, window_start) DO UPDATE SET tenant = t.tenant`,
      [tenant, windows.map((w) => w.region), windows.map((w) => w.window.startedAt)],
    );
    const { rows } = await tx.query<TallyRow>(
      `WITH input AS (
         SELECT DISTINCT ON (s.region, s.window_start, s.shipment_id, s.kind) s.*
           FROM unnest($2::text[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::uuid[])
                AS s(region, window_start, shipment_id, kind, carrier, order_id, case_id)
       ),
       recorded AS (
         INSERT INTO regional_signals (tenant, region, window_start, shipment_id, kind, carrier, order_id, case_id)
         SELECT $1, * FROM input
         ON CONFLICT DO NOTHING
         RETURNING region, window_start, shipment_id, kind, carrier, order_id, case_id
       ),
       orders AS (
         INSERT INTO regional_orders (tenant, region, window_start, order_id)
         SELECT DISTINCT $1, region, window_start, order_id FROM recorded
         ON CONFLICT DO NOTHING
         RETURNING region, window_start
       ),
       fresh AS (
         SELECT f.*,
                NOT EXISTS (SELECT 1 FROM regional_signals r
                             WHERE r.tenant = $1 AND r.region = f.region AND r.window_start = f.window_start
                               AND r.shipment_id = f.shipment_id) AS new_shipment
           FROM recorded f
       ),
       added AS (
         SELECT region, window_start,
                count(DISTINCT shipment_id) FILTER (WHERE kind = 'stalled') AS stalled,
                count(DISTINCT shipment_id) FILTER (WHERE kind = 'lost') AS lost,
                count(DISTINCT shipment_id) FILTER (WHERE new_shipment) AS shipments,
                (SELECT count(*) FROM orders o WHERE o.region = f.region AND o.window_start = f.window_start) AS orders,
                array_agg(DISTINCT carrier) AS carriers,
                coalesce(array_agg(DISTINCT case_id) FILTER (WHERE case_id IS NOT NULL), '{}') AS case_ids
           FROM fresh f
          GROUP BY region, window_start
       ),
       counted AS (
         UPDATE regional_tallies t
            SET stalled_shipments = t.stalled_shipments + a.stalled,
                lost_shipments = t.lost_shipments + a.lost,
                shipments = t.shipments + a.shipments,
                affected_customers = t.affected_customers + a.orders,
                carriers = ARRAY(SELECT DISTINCT c FROM unnest(t.carriers || a.carriers) AS c ORDER BY c),
                case_ids = (t.case_ids || ARRAY(SELECT c FROM unnest(a.case_ids) AS c
                                                 WHERE c <> ALL (t.case_ids) ORDER BY c))[1:${TALLY_CASE_IDS}]
           FROM added a
          WHERE t.tenant = $1 AND t.region = a.region AND t.window_start = a.window_start
         RETURNING t.region, t.window_start, t.stalled_shipments, t.lost_shipments, t.shipments, t.affected_customers,
                   t.carriers, t.case_ids, t.alarm_raised
       )
       SELECT * FROM counted
       UNION ALL
       SELECT t.region, t.window_start, t.stalled_shipments, t.lost_shipments, t.shipments, t.affected_customers,
              t.carriers, t.case_ids, t.alarm_raised
         FROM regional_tallies t
        WHERE t.tenant = $1
          AND (t.region, t.window_start) IN (SELECT * FROM unnest($9::text[], $10::timestamptz[]))
          AND NOT EXISTS (SELECT 1 FROM added a WHERE a.region = t.region AND a.window_start = t.window_start)`,
      [
        tenant,
        signals.map((s) => s.region),
        signals.map((s) => s.window.startedAt),
        signals.map((s) => s.shipmentId),
        signals.map((s) => s.kind),
        signals.map((s) => s.carrier),
        signals.map((s) => s.orderId),
        signals.map((s) => s.caseId),
        windows.map((w) => w.region),
        windows.map((w) => w.window.startedAt),
      ],
    );
    const tallies = new Map<string, RegionalWindowTally>();
    for (const row of rows) {
      tallies.set(regionalTallyKey(row.region, { startedAt: row.window_start.toISOString() }), {
        tally: {
          stalledShipments: row.stalled_shipments,
          lostShipments: row.lost_shipments,
          shipments: row.shipments,
          affectedCustomers: row.affected_customers,
          carriers: row.carriers,
          caseIds: row.case_ids,
        },
        alarmRaised: row.alarm_raised,
      });
    }
    return tallies;
  }

  async alarmsRaised(tx: PoolClient, tenant: string, windows: readonly RegionalWindow[]): Promise<void> {
    if (windows.length === 0) return;
    await tx.query(
      `UPDATE regional_tallies SET alarm_raised = true
        WHERE tenant = $1 AND (region, window_start) IN (SELECT * FROM unnest($2::text[], $3::timestamptz[]))`,
      [tenant, windows.map((w) => w.region), windows.map((w) => w.window.startedAt)],
    );
  }
}

/** The signals' windows, once each. */
function keysOf(signals: readonly RegionalSignal[]): RegionalWindow[] {
  return [...new Map(signals.map((s) => [regionalTallyKey(s.region, s.window), s])).values()].map(
    ({ region, window }) => ({ region, window }),
  );
}
