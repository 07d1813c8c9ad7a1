import { Type, type Static } from '@sinclair/typebox';

/**
 * Value lists of the case lifecycle contracts (acknowledged → … → closed, reopened; escalation ladder).
 *
 * Part of published contracts: values may be ADDED (consumers must tolerate unknown values), never removed or
 * renamed. Lifecycle values are snake_case, as the case statuses are (`solution_proposed`, `in_execution`).
 */

/**
 * The rungs of a case's escalation ladder, lowest first: the agent's supervisor, the dedicated complaint team,
 * senior management (seed 000 §3.5: complaints a first-line agent cannot solve go up to the supervisor or the
 * complaint team; injury, major property loss, group events, media exposure or legal disputes to senior management).
 */
export const EscalationRungs = ['supervisor', 'complaint_team', 'senior_management'] as const;
/** A rung of the escalation ladder. */
export type EscalationRung = (typeof EscalationRungs)[number];

/**
 * Why a case was escalated: an SLA clock breached, the customer complained, a severe complaint (injury, major
 * property loss, group event, media exposure, legal dispute), or a person decided to.
 */
export const EscalationReasons = ['sla_breach', 'complaint', 'severe_complaint', 'manual'] as const;
/** Why a case was escalated. */
export type EscalationReason = (typeof EscalationReasons)[number];

/**
 * What a proposed solution does (domain.md §2 outcomes, seed 002 §3: repair, exchange, return and refund, partial
 * refund or cash compensation, reship, explanation; plus the fixes of order-change, invoice and shipping-urge cases).
 */
export const SolutionKinds = [
  'return_and_refund',
  'refund_only',
  'partial_refund',
  'exchange',
  'repair',
  'reship',
  'compensation',
  'order_change',
  'invoice',
  'expedite_shipping',
  'explanation',
] as const;
/** What a proposed solution does. */
export type SolutionKind = (typeof SolutionKinds)[number];

/** Who is responsible for the problem (seed 000 §3.2.3). */
export const ResponsibleParties = ['customer', 'merchant', 'carrier', 'platform'] as const;
/** Who is responsible for the problem. */
export type ResponsibleParty = (typeof ResponsibleParties)[number];

/** Who a collaboration request goes to while a solution is executed (seed 000 §3.3.3). */
export const CollaborationParties = ['merchant', 'warehouse', 'logistics'] as const;
/** Who a collaboration request goes to. */
export type CollaborationParty = (typeof CollaborationParties)[number];

/** An amount of money in integer minor units (fen, cents) and its ISO 4217 currency. */
export const Money = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, description: 'Integer minor units (e.g. fen, cents).' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code, e.g. `CNY`.' }),
  },
  { description: 'An amount of money in integer minor units of its currency.' },
);
/** An amount of money in integer minor units of its currency. */
export type Money = Static<typeof Money>;
