import type { ScanStatus } from '../scan-status';
import type { Scan } from '../shipment.decider';

/** Builders of shipment commands for the decider's specs and the tracking-timer specs: one registration everywhere. */

/** The data of a `RegisterShipment`: an order of one kettle with SF Express, Zhejiang to Guangdong. */
export function registration(shipmentId: string, caseId: string | null, changes: Record<string, unknown> = {}) {
  return {
    shipmentId,
    orderId: 'ORD-1',
    caseId,
    purpose: 'order',
    returnId: null,
    carrier: 'SF Express',
    trackingNumber: 'SF1',
    originRegion: 'CN-ZJ',
    destinationRegion: 'CN-GD',
    flags: { remote: false, transfer: false, overseasWarehouse: false },
    packages: 1,
    items: [{ sku: 'KETTLE-1L', quantity: 1 }],
    goodsValue: { amountMinor: 19_900, currency: 'CNY' },
    shipBy: null,
    replaces: null,
    largeOrderItems: 5,
    ...changes,
  };
}

/** A carrier scan at `occurredAt`, received at `receivedAt` (default: when it happened), no exception, nothing counted. */
export function scanOf(
  eventId: string,
  status: ScanStatus,
  location: string,
  occurredAt: Date,
  receivedAt = occurredAt,
): Scan {
  return {
    eventId,
    status,
    carrierStatus: status,
    location,
    occurredAt: occurredAt.toISOString(),
    receivedAt: receivedAt.toISOString(),
    exceptionCode: null,
    counted: null,
  };
}
