/**
 * Value lists of the compensation contracts (`aftersales.compensation.*`). Values may be ADDED, never removed or
 * renamed. Declared by returns (issue 10, ADR 14) before compensation exists; compensation (issue 12) owns them.
 */

/**
 * Why a refund could not be paid: the payment channel declined it, the original payment can no longer be refunded
 * (account closed, refund window of the channel passed), it would exceed what was paid, the tenant's budget is spent, or
 * an approver refused it (domain.md §4: per-role limits, never pay twice).
 */
export const RefundFailureReasons = [
  'payment_declined',
  'payment_not_refundable',
  'exceeds_amount_paid',
  'budget_exhausted',
  'approval_refused',
] as const;
/** Why a refund could not be paid. */
export type RefundFailureReason = (typeof RefundFailureReasons)[number];
