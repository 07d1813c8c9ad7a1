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

/**
 * What a compensation order gives (domain.md §4): money paid through the payment provider (refunds, the retention
 * allowance, cash, extra shipping paid back) or something issued (coupon, gift, free shipping, extended warranty,
 * priority handling). Added by compensation (issue 12).
 */
export const CompensationInstruments = [
  'coupon',
  'gift',
  'partial_refund',
  'full_refund',
  'allowance',
  'cash',
  'shipping_refund',
  'free_shipping',
  'extended_warranty',
  'priority_handling',
] as const;
export type CompensationInstrument = (typeof CompensationInstruments)[number];

/** What a compensation order is for: a case, a return, a shipment, an incident, a survey's follow-up. */
export const CompensationCauseKinds = ['case', 'return', 'shipment', 'incident', 'survey_follow_up'] as const;
export type CompensationCauseKind = (typeof CompensationCauseKinds)[number];

/** The roles of the approval matrix, lowest first. */
export const CompensationApproverRoles = ['agent', 'supervisor', 'cs-manager', 'cs-director'] as const;
export type CompensationApproverRole = (typeof CompensationApproverRoles)[number];

/**
 * Why an order ended unpaid without the customer refusing it: declined by a rule at once (`exceeds_amount_paid`,
 * `allowance_above_share`, `instrument_not_offered`, `product_rules_forbid`, `above_every_limit`, `budget_exhausted`,
 * `currency_mismatch`), rejected by an approver, or expired waiting for the approver or the customer; or its payout,
 * failed until manual review, given up by a person with authority (`payout_abandoned`, added by issue 12).
 */
export const CompensationCancellationReasons = [
  'exceeds_amount_paid',
  'allowance_above_share',
  'instrument_not_offered',
  'product_rules_forbid',
  'above_every_limit',
  'budget_exhausted',
  'currency_mismatch',
  'approval_rejected',
  'approval_expired',
  'offer_expired',
  'payout_abandoned',
] as const;
export type CompensationCancellationReason = (typeof CompensationCancellationReasons)[number];
