import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { regionalTallyKey, type RegionalSignal, type RegionalSignals } from '../../application/regional-signals.port';
import type { RegionalTally } from '../../domain/regional-alarm';

/** {@link RegionalSignals} in the service's database (table `regional_signals`). */
@Injectable()
export class PostgresRegionalSignals implements RegionalSignals {
  async record(tx: PoolClient, tenant: string, s: RegionalSignal): Promise<RegionalTally> {
    const tallies = await this.recordAll(tx, tenant, [s]);
    return tallies.get(regionalTallyKey(s.region, s.window)) as RegionalTally;
  }

  async recordAll(
    tx: PoolClient,
    tenant: string,
    signals: readonly RegionalSignal[],
  ): Promise<Map<string, RegionalTally>> {
    if (signals.length === 0) return new Map();
    await tx.query(
      `INSERT INTO regional_signals (tenant, region, window_start, shipment_id, kind, carrier, order_id, case_id)
       SELECT $1, * FROM unnest($2::text[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                                $8::uuid[])
       ON CONFLICT DO NOTHING`,
      [
        tenant,
        signals.map((s) => s.region),
        signals.map((s) => s.window.startedAt),
        signals.map((s) => s.shipmentId),
        signals.map((s) => s.kind),
        signals.map((s) => s.carrier),
        signals.map((s) => s.orderId),
        signals.map((s) => s.caseId),
      ],
    );
    const windows = new Map(signals.map((s) => [regionalTallyKey(s.region, s.window), s]));
    const { rows } = await tx.query<{
      region: string;
      window_start: Date;
      stalled: number;
      lost: number;
      shipments: number;
      orders: number;
      carriers: string[];
      case_ids: string[] | null;
    }>(
      `SELECT region, window_start,
              count(DISTINCT shipment_id) FILTER (WHERE kind = 'stalled')::int AS stalled,
              count(DISTINCT shipment_id) FILTER (WHERE kind = 'lost')::int AS lost,
              count(DISTINCT shipment_id)::int AS shipments,
              count(DISTINCT order_id)::int AS orders,
              array_agg(DISTINCT carrier ORDER BY carrier) AS carriers,
              (array_agg(DISTINCT case_id) FILTER (WHERE case_id IS NOT NULL))[1:500] AS case_ids
         FROM regional_signals
        WHERE tenant = $1 AND (region, window_start) IN (SELECT * FROM unnest($2::text[], $3::timestamptz[]))
        GROUP BY region, window_start`,
      [tenant, [...windows.values()].map((s) => s.region), [...windows.values()].map((s) => s.window.startedAt)],
    );
    const tallies = new Map<string, RegionalTally>();
    for (const [key, s] of windows) {
      const row = rows.find(
        (r) => r.region === s.region && r.window_start.getTime() === Date.parse(s.window.startedAt),
      );
      tallies.set(key, {
        stalledShipments: row?.stalled ?? 0,
        lostShipments: row?.lost ?? 0,
        shipments: row?.shipments ?? 0,
        affectedCustomers: row?.orders ?? 0,
        carriers: row?.carriers ?? [],
        caseIds: row?.case_ids ?? [],
      });
    }
    return tallies;
  }
}
