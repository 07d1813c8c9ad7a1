import {
  CompensationRequestedV1,
  RegionalAlarmRaisedV1,
  ReplacementShippedV1,
  ShipmentDeliveredV1,
  ShipmentLostV1,
  ShipmentReshippedV1,
  ShipmentStalledV1,
} from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { integrationEventsByType } from '@aftersales/messaging';
import type { RegionalAlarmRaised } from '../../domain/regional-alarm';
import type { ShipmentEvent } from '../../domain/shipment.decider';

const caseOf = (caseId: string | null) => (caseId ? { caseId } : {});

/**
 * Domain → contract mapping at the edge: what returns, compensation, incidents and the case timeline see of a shipment.
 * Fields are copied explicitly so an internal change never leaks onto the wire; every event is keyed by the shipment
 * and names its case when it has one. ADR 14's `shipment-delivered.v1` and `replacement-shipped.v1` carry the return's
 * id. Internal steps (each scan, status changes, bookings, timeouts, claims) stay in the event store and the API: they
 * have no entry in the table, so the relay does not even read their payloads (ADR 36) — a carrier's scans are most of
 * the store.
 */
export const logisticsIntegrationEvents = integrationEventsByType({
  RegionalAlarmRaised: (stored) =>
    stored.streamId.startsWith('regional-alarm-') ? regionalAlarm(stored.data as RegionalAlarmRaised['data']) : null,
  ShipmentDelivered: shipmentEvent,
  ShipmentDeparted: shipmentEvent,
  ShipmentStalled: shipmentEvent,
  ShipmentLost: shipmentEvent,
  ReshipmentArranged: shipmentEvent,
  CompensationRequested: shipmentEvent,
});

/** A shipment's event as its contract, or `null` for one it does not publish (a departure not of a replacement). */
function shipmentEvent(stored: StoredEvent) {
  if (!stored.streamId.startsWith('shipment-')) return null;
  const event = { type: stored.type, data: stored.data } as ShipmentEvent;
  const tenantId = stored.metadata.tenant;
  const subject = event.data.shipmentId;
  const head = { shipmentId: subject, tenantId, ...caseOf(event.data.caseId) };
  switch (event.type) {
    case 'ShipmentDelivered': {
      const d = event.data;
      const data: ShipmentDeliveredV1 = {
        ...head,
        purpose: d.purpose,
        ...(d.returnId ? { returnId: d.returnId } : {}),
        ...(d.purpose === 'return' ? { items: d.items.map(({ sku, quantity }) => ({ sku, quantity })) } : {}),
        carrier: d.carrier,
        trackingNumber: d.trackingNumber,
        deliveredAt: d.deliveredAt,
      };
      return { type: ShipmentDeliveredV1.type, subject, data };
    }
    case 'ShipmentDeparted': {
      const d = event.data;
      if (d.purpose !== 'replacement' || !d.returnId) return null;
      const data: ReplacementShippedV1 = {
        ...head,
        returnId: d.returnId,
        items: d.items.map(({ sku, quantity }) => ({ sku, quantity })),
        carrier: d.carrier,
        trackingNumber: d.trackingNumber,
        shippedAt: d.departedAt,
      };
      return { type: ReplacementShippedV1.type, subject, data };
    }
    case 'ShipmentStalled': {
      const d = event.data;
      const data: ShipmentStalledV1 = {
        ...head,
        orderId: d.orderId,
        reason: d.reason,
        carrier: d.carrier,
        trackingNumber: d.trackingNumber,
        destinationRegion: d.destinationRegion,
        lastScanAt: d.lastScanAt,
        stalledAt: d.stalledAt,
      };
      return { type: ShipmentStalledV1.type, subject, data };
    }
    case 'ShipmentLost': {
      const d = event.data;
      const data: ShipmentLostV1 = {
        ...head,
        orderId: d.orderId,
        carrier: d.carrier,
        trackingNumber: d.trackingNumber,
        destinationRegion: d.destinationRegion,
        lastScanAt: d.lastScanAt,
        claimId: d.claimId,
        lostAt: d.lostAt,
      };
      return { type: ShipmentLostV1.type, subject, data };
    }
    case 'ReshipmentArranged': {
      const d = event.data;
      const data: ShipmentReshippedV1 = {
        ...head,
        orderId: d.orderId,
        reshipmentId: d.reshipmentId,
        cause: d.cause,
        previousCarrier: d.previousCarrier,
        carrier: d.carrier,
        reshippedAt: d.arrangedAt,
      };
      return { type: ShipmentReshippedV1.type, subject, data };
    }
    case 'CompensationRequested': {
      const d = event.data;
      const data: CompensationRequestedV1 = {
        ...head,
        orderId: d.orderId,
        reason: d.reason,
        proposedInstrument: d.proposedInstrument,
        ...(d.goodsValue ? { goodsValue: d.goodsValue } : {}),
        idempotencyKey: d.idempotencyKey,
        requestedAt: d.requestedAt,
      };
      return { type: CompensationRequestedV1.type, subject, data };
    }
    default:
      return null;
  }
}

/** `regional-alarm-raised.v1`, keyed by the alarm; the cause is `unknown` until someone finds out (weather, holiday…). */
function regionalAlarm(d: RegionalAlarmRaised['data']) {
  const data: RegionalAlarmRaisedV1 = {
    alarmId: d.alarmId,
    tenantId: d.tenant,
    region: d.region,
    stalledShipments: d.tally.stalledShipments,
    lostShipments: d.tally.lostShipments,
    affectedCustomers: d.tally.affectedCustomers,
    threshold: d.threshold,
    windowStartedAt: d.window.startedAt,
    windowEndsAt: d.window.endsAt,
    carriers: [...d.tally.carriers],
    cause: 'unknown',
    caseIds: [...d.tally.caseIds],
    raisedAt: d.raisedAt,
  };
  return { type: RegionalAlarmRaisedV1.type, subject: d.alarmId, data };
}
