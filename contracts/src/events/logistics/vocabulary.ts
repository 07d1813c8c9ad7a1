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
