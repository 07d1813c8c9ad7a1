import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { RegionalSignal, RegionalSignals } from '../../application/regional-signals.port';
import type { RegionalTally } from '../../domain/regional-alarm';

/** {@link RegionalSignals} in the service's database (table `regional_signals`). */
@Injectable()
export class PostgresRegionalSignals implements RegionalSignals {
  async record(tx: PoolClient, tenant: string, s: RegionalSignal): Promise<RegionalTally> {
    await tx.query(
      `INSERT INTO regional_signals (tenant, region, window_start, shipment_id, kind, carrier, order_id, case_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [tenant, s.region, s.window.startedAt, s.shipmentId, s.kind, s.carrier, s.orderId, s.caseId],
    );
    const { rows } = await tx.query<{
      stalled: number;
      lost: number;
      shipments: number;
      orders: number;
      carriers: string[];
      case_ids: string[] | null;
    }>(
      `SELECT count(DISTINCT shipment_id) FILTER (WHERE kind = 'stalled')::int AS stalled,
              count(DISTINCT shipment_id) FILTER (WHERE kind = 'lost')::int AS lost,
              count(DISTINCT shipment_id)::int AS shipments,
              count(DISTINCT order_id)::int AS orders,
              array_agg(DISTINCT carrier ORDER BY carrier) AS carriers,
              (array_agg(DISTINCT case_id) FILTER (WHERE case_id IS NOT NULL))[1:500] AS case_ids
         FROM regional_signals WHERE tenant = $1 AND region = $2 AND window_start = $3`,
      [tenant, s.region, s.window.startedAt],
    );
    const row = rows[0];
    return {
      stalledShipments: row?.stalled ?? 0,
      lostShipments: row?.lost ?? 0,
      shipments: row?.shipments ?? 0,
      affectedCustomers: row?.orders ?? 0,
      carriers: row?.carriers ?? [],
      caseIds: row?.case_ids ?? [],
    };
  }
}
