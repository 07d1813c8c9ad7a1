import { assertNever, GrowingSet, type Command, type Decider, type DomainEvent } from '@aftersales/domain';
import type {
  LogisticsCompensationInstrument,
  LogisticsCompensationReason,
  ShipmentPurpose,
} from '@aftersales/contracts';
import { terminalScanStatuses, type ScanStatus } from './scan-status';
import {
  EvidenceRequired,
  NoCarrierForReshipment,
  OrderChangeEmpty,
  ShipmentNotDelivered,
  LargeOrderNotConfirmed,
  ShipmentAlreadyRegistered,
  ShipmentAlreadyPickedUp,
  ShipmentEnded,
  ShipmentNotFound,
  TrackingAlreadyBooked,
} from './shipment.errors';
import type { TrackingRules } from './tracking-policy';

/** An amount in integer minor units of its currency. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export interface Line {
  readonly sku: string;
  readonly quantity: number;
}

/** What makes a shipment slower or riskier (seed 003 "shipping process"): remote area, transfer, overseas warehouse. */
export interface ShipmentFlags {
  readonly remote: boolean;
  readonly transfer: boolean;
  readonly overseasWarehouse: boolean;
}

/** One carrier scan, normalised, as recorded in the shipment's history. */
export interface Scan {
  /** The carrier's event id: a scan is recorded once whatever the number of deliveries. */
  readonly eventId: string;
  readonly status: ScanStatus;
  /** The carrier's own word for it. */
  readonly carrierStatus: string;
  readonly location: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly exceptionCode: string | null;
  /** What the receiving warehouse counted, on a return parcel's delivery scan. */
  readonly counted: readonly Line[] | null;
}

export const TrackingTimeouts = ['pickup', 'transit', 'awaiting_signature'] as const;
export type TrackingTimeout = (typeof TrackingTimeouts)[number];
export type StallReason = 'no_scan' | 'stuck_at_location';
export type ClaimCause = 'lost' | 'transit_damage';
/** Why goods are sent again: lost or damaged in transit, a wrong or missing item, an order changed after shipping. */
export type ReshipmentCause = ClaimCause | 'wrong_item' | 'missing_item' | 'order_change';
export type WrongItemKind = 'wrong_item' | 'missing_item';
/** What a wrong or missing item comes to (domain.md §3, seed 003 "wrong shipment"). */
export type WrongItemResolution = 'keep_with_compensation' | 'reship_without_return' | 'return_then_exchange';
export type DamageResponsibility = 'carrier' | 'packaging';
export type ClaimKind = 'find_and_return' | 'indemnity';

/** Where a shipment stands: awaiting pickup, travelling (in transit, out for delivery, exception), stalled, lost, ended. */
export const ShipmentStatuses = [
  'awaiting_pickup',
  'in_transit',
  'out_for_delivery',
  'exception',
  'stalled',
  'lost',
  'delivered',
  'returned_to_sender',
  'cancelled',
] as const;
export type ShipmentStatus = (typeof ShipmentStatuses)[number];

export const endedStatuses: readonly ShipmentStatus[] = ['delivered', 'returned_to_sender', 'cancelled'];

// ---------------------------------------------------------------------------------------------------------- commands

type Cmd<T extends string, D> = Command<T, D>;

export type RegisterShipment = Cmd<
  'RegisterShipment',
  {
    readonly shipmentId: string;
    readonly orderId: string;
    readonly caseId: string | null;
    readonly purpose: ShipmentPurpose;
    readonly returnId: string | null;
    readonly carrier: string | null;
    readonly trackingNumber: string | null;
    readonly originRegion: string;
    readonly destinationRegion: string;
    readonly flags: ShipmentFlags;
    readonly packages: number;
    readonly items: readonly Line[];
    readonly goodsValue: Money | null;
    /** The tenant's shipping deadline for this shipment (urge-shipping checks it). */
    readonly shipBy: string | null;
    /** The shipment this one reships (a lost parcel), if any. */
    readonly replaces: string | null;
    /** From the tenant's policy: orders of this many items or more need address and packing confirmed. */
    readonly largeOrderItems: number;
  }
>;
/** The label: the carrier and its tracking number, before the parcel leaves. */
export type BookCarrier = Cmd<'BookCarrier', { readonly carrier: string; readonly trackingNumber: string }>;
export type ConfirmLargeOrder = Cmd<
  'ConfirmLargeOrder',
  { readonly addressConfirmed: true; readonly packing: 'together' | 'separately' }
>;
export type RecordScan = Cmd<'RecordScan', { readonly scan: Scan }>;
/**
 * A tracking timer fired: the rules are evaluated at the command's time. Lost asks for a reshipment with
 * `reshipCarrier` (another carrier of the tenant, null when there is none) under the new id `reshipmentId`.
 */
export type CheckTracking = Cmd<
  'CheckTracking',
  {
    readonly rules: TrackingRules;
    readonly reshipmentId: string;
    readonly reshipCarrier: string | null;
    readonly claimId: string;
  }
>;
export type CancelShipment = Cmd<'CancelShipment', { readonly reason: string }>;

/** Ids and the carrier the application chose for what a remedy may need: a claim, a reshipment. */
export interface Remedy {
  readonly reshipmentId: string;
  /** The carrier a reshipment goes with (null: none available). */
  readonly reshipCarrier: string | null;
  readonly claimId: string;
}

/** The customer asks where the order is (seed 003 "urge shipping"): the shipping deadline decides the answer. */
export type UrgeShipping = Cmd<'UrgeShipping', { readonly investigationId: string }>;
/**
 * The order changes (domain.md §3): before pickup the details change and go to the customer to confirm; after pickup
 * only the address, through the carrier; other goods need an interception, a return to sender, then a new shipment.
 */
export type ChangeOrder = Cmd<
  'ChangeOrder',
  {
    readonly deliveryAddressRef: string | null;
    readonly items: readonly Line[] | null;
    readonly reshipmentId: string;
    readonly reshipCarrier: string | null;
  }
>;
/** The customer received a wrong item or misses one, with the label and photos as evidence. */
export type ReportWrongItem = Cmd<
  'ReportWrongItem',
  {
    readonly kind: WrongItemKind;
    readonly labelRef: string | null;
    readonly photoRefs: readonly string[];
    /** What the affected goods are worth, and what shipping them back would cost. */
    readonly affectedValue: Money;
    readonly returnShippingCost: Money;
    /** The customer accepted to keep the goods with a compensation. */
    readonly customerKeeps: boolean;
    /** The tenant's threshold of valuable goods (minor units). */
    readonly valuableGoodsMinor: number;
    readonly remedy: Remedy;
  }
>;
/** Goods arrived damaged: who is responsible, the evidence, and what the customer chose (reship or refund). */
export type ReportTransitDamage = Cmd<
  'ReportTransitDamage',
  {
    readonly responsibility: DamageResponsibility;
    readonly evidenceRefs: readonly string[];
    readonly customerChoice: 'reship' | 'refund';
    readonly remedy: Remedy;
  }
>;

export type ShipmentCommand =
  | RegisterShipment
  | BookCarrier
  | ConfirmLargeOrder
  | RecordScan
  | CheckTracking
  | CancelShipment
  | UrgeShipping
  | ChangeOrder
  | ReportWrongItem
  | ReportTransitDamage;

// ------------------------------------------------------------------------------------------------------------ events

/** Every event names its shipment and, when there is one, its case (intake's case timeline reads it). */
type Ev<T extends string, D> = DomainEvent<T, D & { readonly shipmentId: string; readonly caseId: string | null }>;

export type ShipmentRegistered = Ev<
  'ShipmentRegistered',
  Omit<RegisterShipment['data'], 'largeOrderItems'> & {
    readonly tenant: string;
    readonly largeOrder: boolean;
    readonly registeredAt: string;
    readonly registeredBy: string;
  }
>;
export type CarrierBooked = Ev<
  'CarrierBooked',
  { readonly carrier: string; readonly trackingNumber: string; readonly bookedAt: string }
>;
export type LargeOrderConfirmed = Ev<
  'LargeOrderConfirmed',
  { readonly packing: 'together' | 'separately'; readonly confirmedAt: string; readonly confirmedBy: string }
>;
/** A scan joined the history; `current` when it is the newest (it moved the status and reset the timers). */
export type ScanRecorded = Ev<'ScanRecorded', { readonly scan: Scan; readonly current: boolean }>;
export type ShipmentStatusChanged = Ev<
  'ShipmentStatusChanged',
  { readonly from: ShipmentStatus; readonly to: ShipmentStatus; readonly at: string }
>;
/** The parcel left with the carrier (its first pickup or later scan). */
export type ShipmentDeparted = Ev<
  'ShipmentDeparted',
  {
    readonly orderId: string;
    readonly purpose: ShipmentPurpose;
    readonly returnId: string | null;
    readonly items: readonly Line[];
    readonly carrier: string;
    readonly trackingNumber: string;
    readonly departedAt: string;
  }
>;
export type ShipmentDelivered = Ev<
  'ShipmentDelivered',
  {
    readonly purpose: ShipmentPurpose;
    readonly returnId: string | null;
    /** What was counted on arrival (a return parcel), else what was shipped. */
    readonly items: readonly Line[];
    readonly carrier: string;
    readonly trackingNumber: string;
    readonly deliveredAt: string;
  }
>;
export type ShipmentReturnedToSender = Ev<'ShipmentReturnedToSender', { readonly at: string }>;
export type ShipmentStalled = Ev<
  'ShipmentStalled',
  {
    readonly orderId: string;
    readonly reason: StallReason;
    readonly carrier: string;
    readonly trackingNumber: string;
    readonly destinationRegion: string;
    readonly lastScanAt: string;
    readonly location: string;
    readonly stalledAt: string;
  }
>;
export type ShipmentLost = Ev<
  'ShipmentLost',
  {
    readonly orderId: string;
    readonly carrier: string;
    readonly trackingNumber: string;
    readonly destinationRegion: string;
    readonly lastScanAt: string;
    /** The claim filed with the carrier for it. */
    readonly claimId: string;
    readonly lostAt: string;
  }
>;
export type CarrierClaimFiled = Ev<
  'CarrierClaimFiled',
  {
    readonly claimId: string;
    readonly cause: ClaimCause;
    readonly kind: ClaimKind;
    readonly carrier: string;
    readonly trackingNumber: string;
    readonly goodsValue: Money | null;
    readonly filedAt: string;
  }
>;
export type ReshipmentArranged = Ev<
  'ReshipmentArranged',
  {
    readonly reshipmentId: string;
    readonly orderId: string;
    readonly cause: ReshipmentCause;
    readonly items: readonly Line[];
    readonly previousCarrier: string;
    readonly carrier: string;
    readonly arrangedAt: string;
  }
>;
export type CompensationRequested = Ev<
  'CompensationRequested',
  {
    readonly orderId: string;
    readonly reason: LogisticsCompensationReason;
    readonly proposedInstrument: LogisticsCompensationInstrument;
    readonly goodsValue: Money | null;
    readonly idempotencyKey: string;
    readonly requestedAt: string;
  }
>;
export type TrackingTimeoutReached = Ev<
  'TrackingTimeoutReached',
  { readonly timeout: TrackingTimeout; readonly since: string; readonly reachedAt: string }
>;
export type ShipmentCancelled = Ev<
  'ShipmentCancelled',
  { readonly reason: string; readonly cancelledAt: string; readonly cancelledBy: string }
>;

export type ShippingUrged = Ev<
  'ShippingUrged',
  {
    readonly outcome: 'within_deadline' | 'already_shipped' | 'deadline_missed';
    readonly shipBy: string | null;
    readonly urgedAt: string;
    readonly urgedBy: string;
  }
>;
/** The shipping deadline passed unshipped: a follow-up record and an investigation (warehouse miss or out of stock). */
export type ShippingDeadlineMissed = Ev<
  'ShippingDeadlineMissed',
  { readonly orderId: string; readonly shipBy: string; readonly investigationId: string; readonly missedAt: string }
>;
export type OrderChangeProposed = Ev<
  'OrderChangeProposed',
  {
    readonly deliveryAddressRef: string | null;
    readonly items: readonly Line[] | null;
    readonly proposedAt: string;
    readonly proposedBy: string;
  }
>;
export type CarrierAddressChangeRequested = Ev<
  'CarrierAddressChangeRequested',
  { readonly carrier: string; readonly deliveryAddressRef: string; readonly requestedAt: string }
>;
export type InterceptionRequested = Ev<
  'InterceptionRequested',
  {
    readonly carrier: string;
    readonly items: readonly Line[];
    readonly reshipmentId: string;
    readonly reshipCarrier: string;
    readonly requestedAt: string;
  }
>;
export type WrongItemReported = Ev<
  'WrongItemReported',
  {
    readonly kind: WrongItemKind;
    readonly labelRef: string;
    readonly photoRefs: readonly string[];
    readonly resolution: WrongItemResolution;
    /** The platform pays the extra shipping of a wrong or missing item (domain.md §2). */
    readonly extraShippingPaidBy: 'platform';
    readonly reportedAt: string;
    readonly reportedBy: string;
  }
>;
export type TransitDamageRecorded = Ev<
  'TransitDamageRecorded',
  {
    readonly responsibility: DamageResponsibility;
    readonly evidenceRefs: readonly string[];
    readonly customerChoice: 'reship' | 'refund';
    readonly recordedAt: string;
    readonly recordedBy: string;
  }
>;

export type ShipmentEvent =
  | ShippingUrged
  | ShippingDeadlineMissed
  | OrderChangeProposed
  | CarrierAddressChangeRequested
  | InterceptionRequested
  | WrongItemReported
  | TransitDamageRecorded
  | ShipmentRegistered
  | CarrierBooked
  | LargeOrderConfirmed
  | ScanRecorded
  | ShipmentStatusChanged
  | ShipmentDeparted
  | ShipmentDelivered
  | ShipmentReturnedToSender
  | ShipmentStalled
  | ShipmentLost
  | CarrierClaimFiled
  | ReshipmentArranged
  | CompensationRequested
  | TrackingTimeoutReached
  | ShipmentCancelled;

// ------------------------------------------------------------------------------------------------------------- state

/**
 * Where tracking stands: the bases of every rule's clock. The scans themselves are not kept: a decision needs only
 * which carrier events were recorded and the clocks they moved; the history is {@link scanHistory} of the events.
 */
export interface Tracking {
  /** The carrier's event ids of every scan recorded (a scan delivered again is recorded once). */
  readonly scanIds: GrowingSet<string>;
  readonly lastScanAt: string | null;
  readonly location: string | null;
  /** Since when the parcel has been scanned at `location` (stuck at one location). */
  readonly locationSince: string | null;
  readonly bookedAt: string | null;
  readonly departedAt: string | null;
  readonly outForDeliveryAt: string | null;
  /** Timeouts reached in the current phase (each is reported once per phase). */
  readonly timeoutsReached: readonly TrackingTimeout[];
}

export type RegisteredShipment = Omit<ShipmentRegistered['data'], 'shipmentId'> & { readonly shipmentId: string };

export interface OpenShipment {
  readonly status: ShipmentStatus;
  readonly shipment: RegisteredShipment;
  readonly tracking: Tracking;
  readonly largeOrderPacking: 'together' | 'separately' | null;
  readonly stall: { readonly reason: StallReason; readonly at: string } | null;
  readonly loss: { readonly at: string } | null;
  readonly claims: readonly { readonly claimId: string; readonly cause: ClaimCause; readonly kind: ClaimKind }[];
  readonly reshipmentId: string | null;
  readonly compensationKeys: readonly string[];
  /** An interception asked for (other goods after pickup): on its return to sender, these goods ship anew. */
  readonly interception: {
    readonly items: readonly Line[];
    readonly reshipmentId: string;
    readonly carrier: string;
  } | null;
  readonly wrongItems: readonly WrongItemKind[];
  readonly damageRecorded: boolean;
  /** Events folded so far: names the tracking timer of this state (a new state, a new timer). */
  readonly version: number;
}

export type ShipmentState = { readonly status: 'none'; readonly version: number } | OpenShipment;

const HOUR = 3_600_000;
const ms = (iso: string) => new Date(iso).getTime();

/**
 * True for an instant in `toISOString()`'s form (`2026-12-03T10:15:00.000Z`: UTC, milliseconds, a four-digit year):
 * such instants order as text, so comparing two needs no parsing. Scans' instants arrive so from the webhook, which
 * normalises them; any other form (an offset, no milliseconds) is parsed.
 */
function canonical(iso: string): boolean {
  return (
    iso.length === 24 &&
    iso.charCodeAt(23) === 90 && // Z
    iso.charCodeAt(19) === 46 && // .
    iso.charCodeAt(10) === 84 && // T
    iso.charCodeAt(4) === 45 && // -
    iso.charCodeAt(7) === 45 &&
    iso.charCodeAt(13) === 58 && // :
    iso.charCodeAt(16) === 58
  );
}

/** True when instant `a` is later than `b` (the same instant written two ways is not later). */
export function isLater(a: string, b: string): boolean {
  return canonical(a) && canonical(b) ? a > b : ms(a) > ms(b);
}

// ----------------------------------------------------------------------------------------------------------- decide

function decide(command: ShipmentCommand, state: ShipmentState): ShipmentEvent[] {
  if (command.type === 'RegisterShipment') return register(command, state);
  if (state.status === 'none') throw new ShipmentNotFound('unknown');
  switch (command.type) {
    case 'BookCarrier':
      return bookCarrier(command, state);
    case 'ConfirmLargeOrder':
      return confirmLargeOrder(command, state);
    case 'RecordScan':
      return recordScan(command, state);
    case 'CheckTracking':
      return checkTracking(command, state);
    case 'CancelShipment':
      return cancel(command, state);
    case 'UrgeShipping':
      return urgeShipping(command, state);
    case 'ChangeOrder':
      return changeOrder(command, state);
    case 'ReportWrongItem':
      return reportWrongItem(command, state);
    case 'ReportTransitDamage':
      return reportTransitDamage(command, state);
    default:
      return assertNever(command);
  }
}

const head = (state: OpenShipment) => ({ shipmentId: state.shipment.shipmentId, caseId: state.shipment.caseId });

function register({ data, context }: RegisterShipment, state: ShipmentState): ShipmentEvent[] {
  if (state.status !== 'none') throw new ShipmentAlreadyRegistered(data.shipmentId);
  const { largeOrderItems, ...facts } = data;
  const itemCount = data.items.reduce((sum, line) => sum + line.quantity, 0);
  const at = context.now.toISOString();
  const events: ShipmentEvent[] = [
    {
      type: 'ShipmentRegistered',
      data: {
        ...facts,
        tenant: context.tenant,
        largeOrder: itemCount >= largeOrderItems,
        registeredAt: at,
        registeredBy: context.actor.id,
      },
    },
  ];
  if (data.carrier && data.trackingNumber) {
    events.push({
      type: 'CarrierBooked',
      data: {
        shipmentId: data.shipmentId,
        caseId: data.caseId,
        carrier: data.carrier,
        trackingNumber: data.trackingNumber,
        bookedAt: at,
      },
    });
  }
  return events;
}

function bookCarrier({ data, context }: BookCarrier, state: OpenShipment): ShipmentEvent[] {
  if (state.shipment.trackingNumber === data.trackingNumber && state.shipment.carrier === data.carrier) return [];
  if (state.status !== 'awaiting_pickup') throw new ShipmentAlreadyPickedUp(state.shipment.shipmentId, state.status);
  if (state.tracking.scanIds.size > 0) throw new TrackingAlreadyBooked(state.shipment.shipmentId);
  if (state.shipment.largeOrder && state.largeOrderPacking === null) {
    throw new LargeOrderNotConfirmed(state.shipment.shipmentId);
  }
  return [{ type: 'CarrierBooked', data: { ...head(state), ...data, bookedAt: context.now.toISOString() } }];
}

function confirmLargeOrder({ data, context }: ConfirmLargeOrder, state: OpenShipment): ShipmentEvent[] {
  if (endedStatuses.includes(state.status)) throw new ShipmentEnded(state.shipment.shipmentId, state.status);
  if (state.largeOrderPacking === data.packing) return [];
  if (state.status !== 'awaiting_pickup') throw new ShipmentAlreadyPickedUp(state.shipment.shipmentId, state.status);
  return [
    {
      type: 'LargeOrderConfirmed',
      data: {
        ...head(state),
        packing: data.packing,
        confirmedAt: context.now.toISOString(),
        confirmedBy: context.actor.id,
      },
    },
  ];
}

/** The status a scan moves an active shipment to. */
const statusOfScan = (scan: ScanStatus, current: ShipmentStatus): ShipmentStatus => {
  switch (scan) {
    case 'created':
      return current === 'awaiting_pickup' ? 'awaiting_pickup' : 'in_transit';
    case 'picked_up':
    case 'in_transit':
      return 'in_transit';
    case 'out_for_delivery':
      return 'out_for_delivery';
    case 'exception':
      return 'exception';
    case 'delivered':
      return 'delivered';
    case 'returned_to_sender':
      return 'returned_to_sender';
    default:
      return assertNever(scan);
  }
};

function recordScan({ data: { scan } }: RecordScan, state: OpenShipment): ShipmentEvent[] {
  if (state.tracking.scanIds.has(scan.eventId)) return [];
  const last = state.tracking.lastScanAt;
  const terminal = terminalScanStatuses.includes(scan.status);
  // Once ended, later scans are history only; before, the newest scan (or an ending one, in any order) decides.
  const ended = endedStatuses.includes(state.status);
  const current = !ended && (last === null || !isLater(last, scan.occurredAt) || terminal);
  const events: ShipmentEvent[] = [{ type: 'ScanRecorded', data: { ...head(state), scan, current } }];
  if (!current) return events;
  const to = statusOfScan(scan.status, state.status);
  if (to !== state.status) {
    events.push({
      type: 'ShipmentStatusChanged',
      data: { ...head(state), from: state.status, to, at: scan.occurredAt },
    });
  }
  const { carrier, trackingNumber } = state.shipment;
  if (carrier && trackingNumber && state.tracking.departedAt === null && scan.status !== 'created') {
    events.push({
      type: 'ShipmentDeparted',
      data: {
        ...head(state),
        orderId: state.shipment.orderId,
        purpose: state.shipment.purpose,
        returnId: state.shipment.returnId,
        items: state.shipment.items,
        carrier,
        trackingNumber,
        departedAt: scan.occurredAt,
      },
    });
  }
  if (scan.status === 'delivered' && carrier && trackingNumber) {
    events.push({
      type: 'ShipmentDelivered',
      data: {
        ...head(state),
        purpose: state.shipment.purpose,
        returnId: state.shipment.returnId,
        items: scan.counted ?? state.shipment.items,
        carrier,
        trackingNumber,
        deliveredAt: scan.occurredAt,
      },
    });
  }
  if (scan.status === 'returned_to_sender') {
    events.push({ type: 'ShipmentReturnedToSender', data: { ...head(state), at: scan.occurredAt } });
    const interception = state.interception;
    if (interception) {
      events.push({
        type: 'ReshipmentArranged',
        data: {
          ...head(state),
          reshipmentId: interception.reshipmentId,
          orderId: state.shipment.orderId,
          cause: 'order_change',
          items: interception.items,
          previousCarrier: state.shipment.carrier ?? '',
          carrier: interception.carrier,
          arrangedAt: scan.occurredAt,
        },
      });
    }
  }
  return events;
}

/** The tracking rules, each firing at its instant ({@link deadlineInstants}). */
export type TrackingRule = 'pickup' | 'stalled' | 'stuck' | 'lost' | 'transit' | 'awaitingSignature';

/**
 * The instants the rules fire at, in milliseconds since the epoch, from the shipment's state (null: that rule cannot
 * fire any more in this state). What the tracking timer and {@link checkTracking} compare: no instant is written out.
 */
export function deadlineInstants(state: OpenShipment, rules: TrackingRules): Record<TrackingRule, number | null> {
  const t = state.tracking;
  const active = !endedStatuses.includes(state.status);
  const travelling = active && t.departedAt !== null && state.status !== 'lost';
  const reached = (timeout: TrackingTimeout) => t.timeoutsReached.includes(timeout);
  const after = (iso: string, hours: number) => ms(iso) + hours * HOUR;
  return {
    pickup:
      active && t.departedAt === null && t.bookedAt && !reached('pickup')
        ? after(t.bookedAt, rules.pickupTimeoutHours)
        : null,
    stalled: travelling && state.status !== 'stalled' && t.lastScanAt ? after(t.lastScanAt, rules.stalledHours) : null,
    stuck:
      travelling && state.status !== 'stalled' && t.locationSince
        ? after(t.locationSince, rules.stuckAtLocationHours)
        : null,
    lost: travelling && t.lastScanAt ? after(t.lastScanAt, rules.lostHours) : null,
    transit: travelling && t.departedAt && !reached('transit') ? after(t.departedAt, rules.transitTimeoutHours) : null,
    awaitingSignature:
      travelling && state.status === 'out_for_delivery' && t.outForDeliveryAt && !reached('awaiting_signature')
        ? after(t.outForDeliveryAt, rules.awaitingSignatureHours)
        : null,
  };
}

/** When the tracking timer must next look at the shipment: the earliest rule still to fire, null when none can. */
export function nextTrackingCheck(state: ShipmentState, rules: TrackingRules): Date | null {
  if (state.status === 'none') return null;
  let earliest: number | null = null;
  for (const instant of Object.values(deadlineInstants(state, rules)))
    if (instant !== null && (earliest === null || instant < earliest)) earliest = instant;
  return earliest === null ? null : new Date(earliest);
}

function checkTracking({ data, context }: CheckTracking, state: OpenShipment): ShipmentEvent[] {
  const now = context.now.getTime();
  const at = context.now.toISOString();
  const due = deadlineInstants(state, data.rules);
  const passed = (instant: number | null) => instant !== null && instant <= now;
  const events: ShipmentEvent[] = [];
  const { carrier, trackingNumber } = state.shipment;
  const t = state.tracking;
  if (passed(due.pickup) && t.bookedAt) {
    events.push({
      type: 'TrackingTimeoutReached',
      data: { ...head(state), timeout: 'pickup', since: t.bookedAt, reachedAt: at },
    });
  }
  if (!carrier || !trackingNumber || !t.lastScanAt) return events;
  if (passed(due.transit) && t.departedAt) {
    events.push({
      type: 'TrackingTimeoutReached',
      data: { ...head(state), timeout: 'transit', since: t.departedAt, reachedAt: at },
    });
  }
  if (passed(due.awaitingSignature) && t.outForDeliveryAt) {
    events.push({
      type: 'TrackingTimeoutReached',
      data: { ...head(state), timeout: 'awaiting_signature', since: t.outForDeliveryAt, reachedAt: at },
    });
  }
  const lane = {
    orderId: state.shipment.orderId,
    carrier,
    trackingNumber,
    destinationRegion: state.shipment.destinationRegion,
  };
  if (passed(due.lost)) {
    events.push(
      { type: 'ShipmentStatusChanged', data: { ...head(state), from: state.status, to: 'lost', at } },
      {
        type: 'ShipmentLost',
        data: { ...head(state), ...lane, lastScanAt: t.lastScanAt, claimId: data.claimId, lostAt: at },
      },
      ...claimAndRemedy(state, 'lost', data, at),
    );
    return events;
  }
  const stalledBy: StallReason | null = passed(due.stalled)
    ? 'no_scan'
    : passed(due.stuck)
      ? 'stuck_at_location'
      : null;
  if (stalledBy) {
    events.push(
      { type: 'ShipmentStatusChanged', data: { ...head(state), from: state.status, to: 'stalled', at } },
      {
        type: 'ShipmentStalled',
        data: {
          ...head(state),
          ...lane,
          reason: stalledBy,
          lastScanAt: t.lastScanAt,
          location: t.location ?? '',
          stalledAt: at,
        },
      },
    );
  }
  return events;
}

/**
 * A lost or damaged parcel (domain.md §3): a claim against the carrier (a lost parcel is searched for and returned, a
 * damaged one indemnified), a reshipment with another carrier when the tenant has one, and a compensation request for
 * the customer (a coupon for the trouble when the goods are reshipped, the goods refunded when they cannot be).
 */
function claimAndRemedy(
  state: OpenShipment,
  cause: ClaimCause,
  remedy: Remedy,
  at: string,
  options: { readonly claim: boolean; readonly compensate: boolean } = { claim: true, compensate: true },
): ShipmentEvent[] {
  const carrier = state.shipment.carrier ?? '';
  const events: ShipmentEvent[] = [];
  if (options.claim) {
    events.push({
      type: 'CarrierClaimFiled',
      data: {
        ...head(state),
        claimId: remedy.claimId,
        cause,
        kind: cause === 'lost' ? 'find_and_return' : 'indemnity',
        carrier,
        trackingNumber: state.shipment.trackingNumber ?? '',
        goodsValue: state.shipment.goodsValue,
        filedAt: at,
      },
    });
  }
  if (remedy.reshipCarrier) {
    events.push({
      type: 'ReshipmentArranged',
      data: {
        ...head(state),
        reshipmentId: remedy.reshipmentId,
        orderId: state.shipment.orderId,
        cause,
        items: state.shipment.items,
        previousCarrier: carrier,
        carrier: remedy.reshipCarrier,
        arrangedAt: at,
      },
    });
  }
  if (!options.compensate) return events;
  const reason: LogisticsCompensationReason = cause === 'lost' ? 'lost_in_transit' : 'transit_damage';
  events.push({
    type: 'CompensationRequested',
    data: {
      ...head(state),
      orderId: state.shipment.orderId,
      reason,
      proposedInstrument: remedy.reshipCarrier ? 'coupon' : 'full_refund',
      goodsValue: state.shipment.goodsValue,
      idempotencyKey: `${reason}:${state.shipment.shipmentId}`,
      requestedAt: at,
    },
  });
  return events;
}

// -------------------------------------------------------------------------------------------------------- workflows

function urgeShipping({ data, context }: UrgeShipping, state: OpenShipment): ShipmentEvent[] {
  if (endedStatuses.includes(state.status)) throw new ShipmentEnded(state.shipment.shipmentId, state.status);
  const at = context.now.toISOString();
  const { shipBy, shipmentId, orderId } = state.shipment;
  const shipped = state.tracking.departedAt !== null;
  const missed = !shipped && shipBy !== null && ms(shipBy) < context.now.getTime();
  const outcome = shipped ? 'already_shipped' : missed ? 'deadline_missed' : 'within_deadline';
  const events: ShipmentEvent[] = [
    { type: 'ShippingUrged', data: { ...head(state), outcome, shipBy, urgedAt: at, urgedBy: context.actor.id } },
  ];
  const key = `shipping_deadline_missed:${shipmentId}`;
  if (!missed || !shipBy || state.compensationKeys.includes(key)) return events;
  events.push(
    {
      type: 'ShippingDeadlineMissed',
      data: { ...head(state), orderId, shipBy, investigationId: data.investigationId, missedAt: at },
    },
    {
      type: 'CompensationRequested',
      data: {
        ...head(state),
        orderId,
        reason: 'shipping_deadline_missed',
        proposedInstrument: 'gift',
        goodsValue: state.shipment.goodsValue,
        idempotencyKey: key,
        requestedAt: at,
      },
    },
  );
  return events;
}

function changeOrder({ data, context }: ChangeOrder, state: OpenShipment): ShipmentEvent[] {
  if (endedStatuses.includes(state.status)) throw new ShipmentEnded(state.shipment.shipmentId, state.status);
  if (!data.deliveryAddressRef && !data.items) throw new OrderChangeEmpty(state.shipment.shipmentId);
  const at = context.now.toISOString();
  if (state.tracking.departedAt === null) {
    return [
      {
        type: 'OrderChangeProposed',
        data: {
          ...head(state),
          deliveryAddressRef: data.deliveryAddressRef,
          items: data.items,
          proposedAt: at,
          proposedBy: context.actor.id,
        },
      },
    ];
  }
  const carrier = state.shipment.carrier ?? '';
  if (data.items) {
    if (state.interception) return [];
    if (!data.reshipCarrier) throw new NoCarrierForReshipment(state.shipment.shipmentId);
    return [
      {
        type: 'InterceptionRequested',
        data: {
          ...head(state),
          carrier,
          items: data.items,
          reshipmentId: data.reshipmentId,
          reshipCarrier: data.reshipCarrier,
          requestedAt: at,
        },
      },
    ];
  }
  return [
    {
      type: 'CarrierAddressChangeRequested',
      data: { ...head(state), carrier, deliveryAddressRef: data.deliveryAddressRef ?? '', requestedAt: at },
    },
  ];
}

/**
 * Wrong or missing item (domain.md §3; seed 003): the label and a photo are required; a customer who keeps the goods
 * gets a compensation; otherwise a missing item, or a wrong one whose return shipping costs more than it is worth, is
 * reshipped without return; a wrong item of valuable goods (and any other) comes back first, then is exchanged. The
 * platform pays the extra shipping; the shipping department is alerted (a notice).
 */
function reportWrongItem({ data, context }: ReportWrongItem, state: OpenShipment): ShipmentEvent[] {
  if (state.status !== 'delivered') throw new ShipmentNotDelivered(state.shipment.shipmentId, state.status);
  if (!data.labelRef || data.photoRefs.length === 0)
    throw new EvidenceRequired(state.shipment.shipmentId, 'the shipping label and at least one photo');
  if (state.wrongItems.includes(data.kind)) return [];
  const at = context.now.toISOString();
  const resolution = wrongItemResolution(data);
  const events: ShipmentEvent[] = [
    {
      type: 'WrongItemReported',
      data: {
        ...head(state),
        kind: data.kind,
        labelRef: data.labelRef,
        photoRefs: [...data.photoRefs],
        resolution,
        extraShippingPaidBy: 'platform',
        reportedAt: at,
        reportedBy: context.actor.id,
      },
    },
  ];
  if (resolution === 'keep_with_compensation') {
    events.push({
      type: 'CompensationRequested',
      data: {
        ...head(state),
        orderId: state.shipment.orderId,
        reason: data.kind,
        proposedInstrument: 'partial_refund',
        goodsValue: data.affectedValue,
        idempotencyKey: `${data.kind}:${state.shipment.shipmentId}`,
        requestedAt: at,
      },
    });
  } else if (resolution === 'reship_without_return') {
    if (!data.remedy.reshipCarrier) throw new NoCarrierForReshipment(state.shipment.shipmentId);
    events.push({
      type: 'ReshipmentArranged',
      data: {
        ...head(state),
        reshipmentId: data.remedy.reshipmentId,
        orderId: state.shipment.orderId,
        cause: data.kind,
        items: state.shipment.items,
        previousCarrier: state.shipment.carrier ?? '',
        carrier: data.remedy.reshipCarrier,
        arrangedAt: at,
      },
    });
  }
  return events;
}

function wrongItemResolution(data: ReportWrongItem['data']): WrongItemResolution {
  if (data.customerKeeps) return 'keep_with_compensation';
  if (data.kind === 'missing_item') return 'reship_without_return';
  if (data.affectedValue.amountMinor >= data.valuableGoodsMinor) return 'return_then_exchange';
  return data.returnShippingCost.amountMinor > data.affectedValue.amountMinor
    ? 'reship_without_return'
    : 'return_then_exchange';
}

/**
 * Transit damage (domain.md §3): responsibility recorded with its evidence; the carrier at fault gets an indemnity
 * claim; the customer gets what they chose, a reshipment or a refund (the compensation request).
 */
function reportTransitDamage({ data, context }: ReportTransitDamage, state: OpenShipment): ShipmentEvent[] {
  if (state.status !== 'delivered') throw new ShipmentNotDelivered(state.shipment.shipmentId, state.status);
  if (data.evidenceRefs.length === 0)
    throw new EvidenceRequired(state.shipment.shipmentId, 'at least one photo of the damage');
  if (state.damageRecorded) return [];
  if (data.customerChoice === 'reship' && !data.remedy.reshipCarrier)
    throw new NoCarrierForReshipment(state.shipment.shipmentId);
  const at = context.now.toISOString();
  const remedy = data.customerChoice === 'reship' ? data.remedy : { ...data.remedy, reshipCarrier: null };
  return [
    {
      type: 'TransitDamageRecorded',
      data: {
        ...head(state),
        responsibility: data.responsibility,
        evidenceRefs: [...data.evidenceRefs],
        customerChoice: data.customerChoice,
        recordedAt: at,
        recordedBy: context.actor.id,
      },
    },
    ...claimAndRemedy(state, 'transit_damage', remedy, at, {
      claim: data.responsibility === 'carrier',
      compensate: data.customerChoice === 'refund',
    }),
  ];
}

function cancel({ data, context }: CancelShipment, state: OpenShipment): ShipmentEvent[] {
  if (state.status === 'cancelled') return [];
  if (state.status !== 'awaiting_pickup' || state.tracking.departedAt !== null) {
    throw new ShipmentAlreadyPickedUp(state.shipment.shipmentId, state.status);
  }
  return [
    {
      type: 'ShipmentCancelled',
      data: {
        ...head(state),
        reason: data.reason,
        cancelledAt: context.now.toISOString(),
        cancelledBy: context.actor.id,
      },
    },
  ];
}

// ------------------------------------------------------------------------------------------------------------ evolve

/**
 * A shipment's scans as its events recorded them, in the order they happened (scans of one instant in the order they
 * arrived; a late one filed in its place): what `GET /shipments/:id` shows. Not part of the state a decision is made
 * on, which keeps only the scans' ids and the clocks they moved.
 */
export function scanHistory(events: Iterable<{ readonly type: string; readonly data: unknown }>): Scan[] {
  const scans: Scan[] = [];
  for (const event of events) {
    if (event.type !== 'ScanRecorded') continue;
    const scan = (event as ScanRecorded).data.scan;
    // Usually the newest, so appended after comparing with one other scan only.
    let i = scans.length;
    while (i > 0 && isLater((scans[i - 1] as Scan).occurredAt, scan.occurredAt)) i -= 1;
    scans.splice(i, 0, scan);
  }
  return scans;
}

/** The tracking after a scan: its id recorded; the newest one also moves the clocks' bases. */
function withScan(t: Tracking, status: ShipmentStatus, scan: Scan, current: boolean): Tracking {
  const scanIds = t.scanIds.with(scan.eventId);
  if (!current) return { ...t, scanIds };
  const moved = t.location !== scan.location;
  const outForDelivery = scan.status === 'out_for_delivery';
  const enteredDelivery = outForDelivery && status !== 'out_for_delivery';
  const stillOut = outForDelivery ? t.outForDeliveryAt : null;
  return {
    ...t,
    scanIds,
    lastScanAt: t.lastScanAt && isLater(t.lastScanAt, scan.occurredAt) ? t.lastScanAt : scan.occurredAt,
    location: scan.location,
    locationSince: moved ? scan.occurredAt : t.locationSince,
    outForDeliveryAt: enteredDelivery ? scan.occurredAt : stillOut,
    timeoutsReached: enteredDelivery ? t.timeoutsReached.filter((x) => x !== 'awaiting_signature') : t.timeoutsReached,
  };
}

function evolve(state: ShipmentState, event: ShipmentEvent): ShipmentState {
  const version = state.version + 1;
  if (event.type === 'ShipmentRegistered') {
    return {
      status: 'awaiting_pickup',
      shipment: { ...event.data, trackingNumber: null },
      tracking: {
        scanIds: GrowingSet.empty(),
        lastScanAt: null,
        location: null,
        locationSince: null,
        bookedAt: null,
        departedAt: null,
        outForDeliveryAt: null,
        timeoutsReached: [],
      },
      largeOrderPacking: null,
      stall: null,
      loss: null,
      claims: [],
      reshipmentId: null,
      compensationKeys: [],
      interception: null,
      wrongItems: [],
      damageRecorded: false,
      version,
    };
  }
  if (state.status === 'none') return { ...state, version };
  const s: OpenShipment = { ...state, version };
  const t = s.tracking;
  switch (event.type) {
    case 'CarrierBooked':
      return {
        ...s,
        shipment: { ...s.shipment, carrier: event.data.carrier, trackingNumber: event.data.trackingNumber },
        tracking: { ...t, bookedAt: event.data.bookedAt, timeoutsReached: [] },
      };
    case 'LargeOrderConfirmed':
      return { ...s, largeOrderPacking: event.data.packing };
    case 'ScanRecorded':
      return { ...s, tracking: withScan(t, s.status, event.data.scan, event.data.current) };
    case 'ShipmentStatusChanged':
      return {
        ...s,
        status: event.data.to,
        stall: event.data.to === 'stalled' ? s.stall : null,
        loss: event.data.to === 'lost' ? s.loss : null,
      };
    case 'ShipmentDeparted':
      return { ...s, tracking: { ...t, departedAt: event.data.departedAt } };
    case 'ShipmentStalled':
      return { ...s, stall: { reason: event.data.reason, at: event.data.stalledAt } };
    case 'ShipmentLost':
      return { ...s, loss: { at: event.data.lostAt } };
    case 'CarrierClaimFiled':
      return {
        ...s,
        claims: [...s.claims, { claimId: event.data.claimId, cause: event.data.cause, kind: event.data.kind }],
      };
    case 'ReshipmentArranged':
      return { ...s, reshipmentId: event.data.reshipmentId };
    case 'CompensationRequested':
      return { ...s, compensationKeys: [...s.compensationKeys, event.data.idempotencyKey] };
    case 'TrackingTimeoutReached':
      return { ...s, tracking: { ...t, timeoutsReached: [...t.timeoutsReached, event.data.timeout] } };
    case 'ShipmentCancelled':
      return { ...s, status: 'cancelled' };
    case 'OrderChangeProposed':
      return { ...s, shipment: { ...s.shipment, items: event.data.items ?? s.shipment.items } };
    case 'InterceptionRequested':
      return {
        ...s,
        interception: {
          items: event.data.items,
          reshipmentId: event.data.reshipmentId,
          carrier: event.data.reshipCarrier,
        },
      };
    case 'WrongItemReported':
      return { ...s, wrongItems: [...s.wrongItems, event.data.kind] };
    case 'TransitDamageRecorded':
      return { ...s, damageRecorded: true };
    case 'ShipmentDelivered':
    case 'ShipmentReturnedToSender':
    case 'ShippingUrged':
    case 'ShippingDeadlineMissed':
    case 'CarrierAddressChangeRequested':
      return s;
    default:
      return assertNever(event);
  }
}

export const shipmentDecider = {
  decide,
  evolve,
  initialState: (): ShipmentState => ({ status: 'none', version: 0 }),
} satisfies Decider<ShipmentState, ShipmentCommand, ShipmentEvent>;

/** A case intake opened, as this service registered it. */
export interface CaseFacts {
  readonly caseId: string;
  readonly customerId: string;
  readonly orderId: string;
}
