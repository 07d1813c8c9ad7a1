import { TimerWrites, type Queryable } from '@aftersales/eventstore';
import {
  nextTrackingCheck,
  type OpenShipment,
  type ShipmentEvent,
  type ShipmentState,
} from '../domain/shipment.decider';
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
 * A shipment's tracking timer: one row per shipment (`tracking:<id>`), armed no later than the instant of the next
 * rule, cancelled when no rule applies any more (delivered). The check it fires reads the shipment as it is then, so a
 * check that finds the shipment moved on appends nothing; the check that appends a stall re-arms the same row for the
 * next rule (lost), which the timer worker leaves armed.
 *
 * Moved lazily (ADR 33): a change that brings the next rule's instant earlier, or gives a rule to a shipment that had
 * none, moves the row; a change that only puts it later — every scan of a parcel in transit: 48 h after this scan
 * instead of 48 h after the last — leaves the row where it is. It then fires early, its check finds nothing due and
 * re-arms it at the rule's instant of that moment ({@link rearmTracking}): one firing per rule period of a parcel
 * scanned all along, instead of a row update per scan. Invariant: while a rule applies, the row is armed no later
 * than the rule's instant, so no stall or loss is ever noticed late.
 */
export const trackingTimerId = (shipmentId: string) => `tracking:${shipmentId}`;

/**
 * The tracking timer of a shipment's state into a caller's {@link TimerWrites}, given its state `before` the
 * transaction's changes (whose timer the row holds, or an earlier instant): moved when the next rule's instant comes
 * earlier than before's, or when before had none; left alone when it comes later; cancelled when no rule applies
 * any more (a transaction that changes a shipment several times writes once, for its last state).
 */
export function writeTracking(
  writes: Pick<TimerWrites, 'cancel' | 'rearm'>,
  tenant: string,
  state: OpenShipment,
  rules: TrackingRules,
  before: ShipmentState,
): void {
  const due = nextTrackingCheck(state, rules);
  const armed = nextTrackingCheck(before, rules);
  if (!due) {
    // Cancelled already when before had no rule either (a late scan of a delivered parcel).
    if (armed) writes.cancel(trackingTimerId(state.shipment.shipmentId));
    return;
  }
  if (armed && armed.getTime() <= due.getTime()) return;
  rearmTracking(writes, tenant, state, rules);
}

/**
 * The tracking timer at the next rule's instant of `state`, or cancelled when none applies: after a command whose
 * state before is not at hand, and by a check that found nothing due (the row fired early: {@link writeTracking}).
 */
export function rearmTracking(
  writes: Pick<TimerWrites, 'cancel' | 'rearm'>,
  tenant: string,
  state: OpenShipment,
  rules: TrackingRules,
): void {
  const id = state.shipment.shipmentId;
  const due = nextTrackingCheck(state, rules);
  if (!due) {
    writes.cancel(trackingTimerId(id));
    return;
  }
  const payload: TrackingTimerPayload = { shipmentId: id };
  writes.rearm({
    id: trackingTimerId(id),
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
