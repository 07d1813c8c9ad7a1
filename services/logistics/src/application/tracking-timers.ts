import { TimerWrites, type Queryable } from '@aftersales/eventstore';
import { nextTrackingCheck, type OpenShipment, type ShipmentEvent } from '../domain/shipment.decider';
import type { TrackingRules } from '../domain/tracking-policy';

/** The kinds of the service's durable timers. */
export const logisticsTimerKinds = {
  /** The earliest tracking rule of a shipment's state: `CheckTracking`. */
  tracking: 'shipment-tracking',
  /** A notice to the customer or to operations, delivered once. */
  notice: 'shipment-notice',
} as const;

export interface TrackingTimerPayload {
  readonly shipmentId: string;
}

/** Who a notice is for, and what it says (ids and codes only: no personal data). */
export interface ShipmentNotice {
  readonly key: string;
  readonly tenant: string;
  readonly shipmentId: string;
  readonly caseId: string | null;
  readonly orderId: string;
  readonly audience: 'customer' | 'operations';
  readonly notice:
    | 'shipped'
    | 'delayed'
    | 'reassurance'
    | 'reshipped'
    | 'order_change_confirmation'
    | 'carrier_contact'
    | 'carrier_claim'
    | 'shipping_investigation'
    | 'carrier_address_change'
    | 'interception'
    | 'shipping_error';
  readonly carrier: string | null;
  readonly trackingNumber: string | null;
  readonly detail: string;
}

/**
 * A shipment's tracking timer is named after the state it was computed from (`tracking:<id>:<version>`): every change
 * (a scan above all) cancels the previous state's timer and schedules the next rule's instant, so a timer that fired
 * never has to be moved, and a stale one (cancelled too late) finds nothing to do.
 */
export const trackingTimerId = (shipmentId: string, version: number) => `tracking:${shipmentId}:${version}`;

export async function rescheduleTracking(
  tx: Queryable,
  tenant: string,
  state: OpenShipment,
  appended: number,
  rules: TrackingRules,
): Promise<void> {
  const writes = new TimerWrites();
  writeTracking(writes, tenant, state, appended, rules);
  await writes.flush(tx);
}

/**
 * {@link rescheduleTracking} into a caller's {@link TimerWrites}: the timer of the state before the last `appended`
 * events is cancelled, the one of the state now scheduled (a batch of scans for one shipment moves it once).
 */
export function writeTracking(
  writes: TimerWrites,
  tenant: string,
  state: OpenShipment,
  appended: number,
  rules: TrackingRules,
): void {
  const id = state.shipment.shipmentId;
  writes.cancel(trackingTimerId(id, state.version - appended));
  const due = nextTrackingCheck(state, rules);
  if (!due) return;
  const payload: TrackingTimerPayload = { shipmentId: id };
  writes.schedule({
    id: trackingTimerId(id, state.version),
    tenant,
    kind: logisticsTimerKinds.tracking,
    dueAt: due,
    payload,
  });
}

/** The notices new events ask for, each a timer due now keyed by the event (a retried command adds none). */
export function noticesOf(
  tenant: string,
  state: OpenShipment,
  events: readonly ShipmentEvent[],
  eventIds: readonly string[],
): ShipmentNotice[] {
  const { shipmentId, caseId, orderId, carrier, trackingNumber } = state.shipment;
  const base = { tenant, shipmentId, caseId, orderId, carrier, trackingNumber };
  const notices: ShipmentNotice[] = [];
  events.forEach((event, index) => {
    const key = (audience: string) => `notice:${eventIds[index]}:${audience}`;
    switch (event.type) {
      case 'ShipmentDeparted':
        notices.push({
          ...base,
          key: key('customer'),
          audience: 'customer',
          notice: 'shipped',
          detail: `Shipped with ${event.data.carrier}`,
        });
        return;
      case 'TrackingTimeoutReached':
        notices.push({
          ...base,
          key: key('customer'),
          audience: 'customer',
          notice: 'delayed',
          detail: `${event.data.timeout} timeout`,
        });
        return;
      case 'ShipmentStalled':
        notices.push(
          {
            ...base,
            key: key('operations'),
            audience: 'operations',
            notice: 'carrier_contact',
            detail: `Contact ${event.data.carrier}: ${event.data.reason} since ${event.data.lastScanAt}`,
          },
          {
            ...base,
            key: key('customer'),
            audience: 'customer',
            notice: 'reassurance',
            detail: 'Your parcel is delayed; we are in touch with the carrier',
          },
        );
        return;
      case 'CarrierClaimFiled':
        notices.push({
          ...base,
          key: key('operations'),
          audience: 'operations',
          notice: 'carrier_claim',
          detail: `${event.data.kind} claim ${event.data.claimId} (${event.data.cause})`,
        });
        return;
      case 'ReshipmentArranged':
        notices.push({
          ...base,
          key: key('customer'),
          audience: 'customer',
          notice: 'reshipped',
          detail: `Reshipped with ${event.data.carrier} as ${event.data.reshipmentId}`,
        });
        return;
      case 'ShippingUrged':
        if (event.data.outcome !== 'deadline_missed') {
          notices.push({
            ...base,
            key: key('customer'),
            audience: 'customer',
            notice: 'reassurance',
            detail: event.data.outcome,
          });
        }
        return;
      case 'ShippingDeadlineMissed':
        notices.push({
          ...base,
          key: key('operations'),
          audience: 'operations',
          notice: 'shipping_investigation',
          detail: `Investigation ${event.data.investigationId}: warehouse miss or out of stock (due ${event.data.shipBy})`,
        });
        return;
      case 'OrderChangeProposed':
        notices.push({
          ...base,
          key: key('customer'),
          audience: 'customer',
          notice: 'order_change_confirmation',
          detail: 'Please confirm the corrected order details',
        });
        return;
      case 'CarrierAddressChangeRequested':
        notices.push({
          ...base,
          key: key('operations'),
          audience: 'operations',
          notice: 'carrier_address_change',
          detail: `Ask ${event.data.carrier} to deliver to ${event.data.deliveryAddressRef}`,
        });
        return;
      case 'InterceptionRequested':
        notices.push({
          ...base,
          key: key('operations'),
          audience: 'operations',
          notice: 'interception',
          detail: `Ask ${event.data.carrier} to intercept and return to sender`,
        });
        return;
      case 'WrongItemReported':
        notices.push({
          ...base,
          key: key('operations'),
          audience: 'operations',
          notice: 'shipping_error',
          detail: `${event.data.kind}: ${event.data.resolution}`,
        });
        return;
      default:
        return;
    }
  });
  return notices;
}

export async function scheduleNotices(tx: Queryable, notices: readonly ShipmentNotice[], now: Date): Promise<void> {
  const writes = new TimerWrites();
  writeNotices(writes, notices, now);
  await writes.flush(tx);
}

/** {@link scheduleNotices} into a caller's {@link TimerWrites}. */
export function writeNotices(writes: TimerWrites, notices: readonly ShipmentNotice[], now: Date): void {
  for (const notice of notices) {
    writes.schedule({
      id: notice.key,
      tenant: notice.tenant,
      kind: logisticsTimerKinds.notice,
      dueAt: now,
      payload: notice,
    });
  }
}
