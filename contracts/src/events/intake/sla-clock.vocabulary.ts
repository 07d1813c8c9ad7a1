/**
 * Value lists of the SLA clock contracts of a case (`sla-clock-*.v1`).
 *
 * Part of published contracts: values may be ADDED (consumers must tolerate unknown values), never removed or renamed.
 */

/**
 * The clocks of a case (domain.md §1; seed 000 §2.1, §2.3): the first response, the next response to a customer's
 * message, the first dispatch to another department, the resolution (simple cases), and the progress update of a
 * complex case (restarted by each update).
 */
export const SlaClockIds = [
  'first_response',
  'next_response',
  'first_dispatch',
  'resolution',
  'progress_update',
] as const;
/** One of the clocks of a case. */
export type SlaClockIdV1 = (typeof SlaClockIds)[number];

/** What a clock counts: the tenant's business hours (its calendar), or elapsed wall-clock time. */
export const SlaClockBases = ['business', 'elapsed'] as const;
/** What a clock counts. */
export type SlaClockBasisV1 = (typeof SlaClockBases)[number];
