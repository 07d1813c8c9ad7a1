/**
 * The normalised tracking statuses every carrier's scan maps to (AfterShip-style): the parcel is known to the carrier
 * (`created`), collected (`picked_up`), travelling (`in_transit`), with the courier (`out_for_delivery`), signed for
 * (`delivered`), held up by a problem the carrier reports (`exception`), on its way back (`returned_to_sender`).
 */
export const ScanStatuses = [
  'created',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'exception',
  'returned_to_sender',
] as const;
export type ScanStatus = (typeof ScanStatuses)[number];

/** Carriers' own status words (AfterShip tags, Chinese carriers' codes) and what they mean. */
const synonyms: Readonly<Record<string, ScanStatus>> = {
  inforeceived: 'created',
  label_created: 'created',
  accepted: 'picked_up',
  collected: 'picked_up',
  pickedup: 'picked_up',
  pickup: 'picked_up',
  揽收: 'picked_up',
  intransit: 'in_transit',
  transit: 'in_transit',
  arrived_at_facility: 'in_transit',
  departed_facility: 'in_transit',
  运输中: 'in_transit',
  outfordelivery: 'out_for_delivery',
  派送中: 'out_for_delivery',
  signed: 'delivered',
  签收: 'delivered',
  failedattempt: 'exception',
  failed_attempt: 'exception',
  held: 'exception',
  异常: 'exception',
  returntosender: 'returned_to_sender',
  returned: 'returned_to_sender',
  退回: 'returned_to_sender',
};

/** A carrier's status, normalised; null when it names no status this service knows. */
export function normaliseScanStatus(raw: string): ScanStatus | null {
  const word = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if ((ScanStatuses as readonly string[]).includes(word)) return word as ScanStatus;
  return synonyms[word] ?? synonyms[word.replace(/_/g, '')] ?? null;
}

/** Statuses after which the parcel travels no more: they apply even when they arrive out of order. */
export const terminalScanStatuses: readonly ScanStatus[] = ['delivered', 'returned_to_sender'];
