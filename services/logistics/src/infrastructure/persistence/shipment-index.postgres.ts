import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ShipmentPurpose } from '@aftersales/contracts';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { ShipmentIndex, ShipmentSummary } from '../../application/shipment-index.port';
import type { ShipmentStatus } from '../../domain/shipment.decider';

interface Row {
  shipment_id: string;
  case_id: string | null;
  return_id: string | null;
  order_id: string;
  purpose: ShipmentPurpose;
  carrier: string | null;
  tracking_number: string | null;
  destination_region: string;
  status: ShipmentStatus;
  registered_at: Date;
}

/** {@link ShipmentIndex} in the service's database (table `shipments_index`). */
@Injectable()
export class PostgresShipmentIndex implements ShipmentIndex {
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async record(tx: PoolClient, tenant: string, s: ShipmentSummary): Promise<void> {
    await this.recordAll(tx, tenant, [s]);
  }

  async recordAll(tx: PoolClient, tenant: string, summaries: readonly ShipmentSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    // In shipment id order: concurrent batches lock their rows in the same order, so they cannot deadlock. A row
    // whose state, carrier and tracking number are unchanged (scans of a parcel in transit) is not rewritten.
    const rows = [...summaries].sort((a, b) =>
      a.shipmentId < b.shipmentId ? -1 : a.shipmentId > b.shipmentId ? 1 : 0,
    );
    await tx.query(
      `INSERT INTO shipments_index (tenant, shipment_id, case_id, return_id, order_id, purpose, carrier, tracking_number,
                                    destination_region, status, registered_at)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                                $9::text[], $10::text[], $11::timestamptz[])
       ON CONFLICT (tenant, shipment_id) DO UPDATE SET status = EXCLUDED.status, carrier = EXCLUDED.carrier,
         tracking_number = EXCLUDED.tracking_number
       WHERE (shipments_index.status, shipments_index.carrier, shipments_index.tracking_number)
             IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.carrier, EXCLUDED.tracking_number)`,
      [
        tenant,
        rows.map((s) => s.shipmentId),
        rows.map((s) => s.caseId),
        rows.map((s) => s.returnId),
        rows.map((s) => s.orderId),
        rows.map((s) => s.purpose),
        rows.map((s) => s.carrier),
        rows.map((s) => s.trackingNumber),
        rows.map((s) => s.destinationRegion),
        rows.map((s) => s.status),
        rows.map((s) => s.registeredAt),
      ],
    );
  }

  async list(
    tenant: string,
    filter: { status?: ShipmentStatus; caseId?: string; limit: number },
  ): Promise<ShipmentSummary[]> {
    const { rows } = await this.database.pool.query<Row>(
      `SELECT * FROM shipments_index
        WHERE tenant = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR case_id = $3)
        ORDER BY registered_at DESC, shipment_id LIMIT $4`,
      [tenant, filter.status ?? null, filter.caseId ?? null, filter.limit],
    );
    return rows.map((r) => ({
      shipmentId: r.shipment_id,
      caseId: r.case_id,
      returnId: r.return_id,
      orderId: r.order_id,
      purpose: r.purpose,
      carrier: r.carrier,
      trackingNumber: r.tracking_number,
      destinationRegion: r.destination_region,
      status: r.status,
      registeredAt: r.registered_at.toISOString(),
    }));
  }

  async byTrackingNumbers(
    tx: PoolClient,
    tenant: string,
    carrier: string,
    trackingNumbers: readonly string[],
  ): Promise<Map<string, string>> {
    const { rows } = await tx.query<{ tracking_number: string; shipment_id: string }>(
      `SELECT tracking_number, shipment_id FROM shipments_index
        WHERE tenant = $1 AND carrier = $2 AND tracking_number = ANY($3::text[])`,
      [tenant, carrier, trackingNumbers],
    );
    return new Map(rows.map((r) => [r.tracking_number, r.shipment_id]));
  }

  async byReturn(tx: PoolClient, tenant: string, returnId: string, purpose: ShipmentPurpose): Promise<string | null> {
    const { rows } = await tx.query<{ shipment_id: string }>(
      `SELECT shipment_id FROM shipments_index WHERE tenant = $1 AND return_id = $2 AND purpose = $3
        ORDER BY registered_at LIMIT 1`,
      [tenant, returnId, purpose],
    );
    return rows[0]?.shipment_id ?? null;
  }
}
