import type { PoolClient } from 'pg';
import type { ShipmentPurpose } from '@aftersales/contracts';
import type { ShipmentStatus } from '../domain/shipment.decider';

/** A line of the shipments list: enough to find a shipment; the shipment itself is read from its stream. */
export interface ShipmentSummary {
  readonly shipmentId: string;
  readonly caseId: string | null;
  readonly returnId: string | null;
  readonly orderId: string;
  readonly purpose: ShipmentPurpose;
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly destinationRegion: string;
  readonly status: ShipmentStatus;
  readonly registeredAt: string;
}

/** DI token of the {@link ShipmentIndex}. */
export const SHIPMENT_INDEX = Symbol('SHIPMENT_INDEX');

/** The tenant's shipments by state, case, return and tracking number, kept in each command's transaction. */
export interface ShipmentIndex {
  record(tx: PoolClient, tenant: string, summary: ShipmentSummary): Promise<void>;
  /** {@link ShipmentIndex.record} for several shipments in one statement (at most one summary per shipment). */
  recordAll(tx: PoolClient, tenant: string, summaries: readonly ShipmentSummary[]): Promise<void>;
  list(
    tenant: string,
    filter: { readonly status?: ShipmentStatus; readonly caseId?: string; readonly limit: number },
  ): Promise<ShipmentSummary[]>;
  /** The shipments a carrier's tracking numbers name, in the tenant (tracking number → shipment id). */
  byTrackingNumbers(
    tx: PoolClient,
    tenant: string,
    carrier: string,
    trackingNumbers: readonly string[],
  ): Promise<Map<string, string>>;
  /** The shipment made for a return, of one purpose. */
  byReturn(tx: PoolClient, tenant: string, returnId: string, purpose: ShipmentPurpose): Promise<string | null>;
}
