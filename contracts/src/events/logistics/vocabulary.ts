/**
 * Value lists of the logistics contracts (`aftersales.logistics.*`). Values may be ADDED, never removed or renamed.
 * Declared by returns (issue 10, ADR 14) before logistics exists; logistics (issue 11) owns them from then on.
 */

/**
 * Why a shipment travels: an order's first delivery, goods coming back from the customer for a return (`return`), goods
 * going to the customer for a return (`replacement`: an exchange's replacement, a reshipped wrong or missing item, a
 * repaired item).
 */
export const ShipmentPurposes = ['order', 'return', 'replacement'] as const;
/** Why a shipment travels. */
export type ShipmentPurpose = (typeof ShipmentPurposes)[number];

/**
 * Why logistics asks compensation to compensate a customer (domain.md §3; seed 003): a parcel lost in transit (more
 * than 72 h without a scan), the shop's shipping deadline missed (urge-shipping: a goodwill gift), a wrong or missing
 * item shipped (keep with compensation, the platform paying extra shipping), goods damaged in transit.
 */
export const LogisticsCompensationReasons = [
  'lost_in_transit',
  'shipping_deadline_missed',
  'wrong_item',
  'missing_item',
  'transit_damage',
] as const;
/** Why logistics asks for a compensation. */
export type LogisticsCompensationReason = (typeof LogisticsCompensationReasons)[number];

/**
 * What logistics proposes compensation gives (compensation's policy decides and may ask an approver): a goodwill gift,
 * a coupon, a refund of the goods (full or partial), the extra shipping paid back, free shipping on the next order.
 */
export const LogisticsCompensationInstruments = [
  'gift',
  'coupon',
  'full_refund',
  'partial_refund',
  'shipping_refund',
  'free_shipping',
] as const;
/** What logistics proposes compensation gives. */
export type LogisticsCompensationInstrument = (typeof LogisticsCompensationInstruments)[number];

/** Why shipments in a region stall or get lost (what the alarm knows; `unknown` until someone finds out). */
export const RegionalAlarmCauses = ['weather', 'holiday', 'carrier_outage', 'unknown'] as const;
/** Why shipments in a region stall. */
export type RegionalAlarmCause = (typeof RegionalAlarmCauses)[number];

/** Why a shipment stalled: no scan at all for the threshold, or scans from one location only (domain.md §3). */
export const StallReasons = ['no_scan', 'stuck_at_location'] as const;
/** Why a shipment stalled. */
export type StallReason = (typeof StallReasons)[number];

/** Why goods are sent again: lost or damaged in transit, a wrong or missing item, other goods after an interception. */
export const ReshipmentCauses = ['lost', 'transit_damage', 'wrong_item', 'missing_item', 'order_change'] as const;
/** Why goods are sent again. */
export type ReshipmentCause = (typeof ReshipmentCauses)[number];
