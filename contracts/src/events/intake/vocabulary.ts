/**
 * Value lists shared by intake event contracts.
 *
 * These lists are part of published contracts: values may be ADDED (consumers must tolerate
 * unknown values) but never removed or renamed — the compatibility test enforces it.
 */

/** Customer channel a case was opened on. */
export const CaseChannels = ['chat', 'phone', 'email', 'order-page', 'social-media', 'app'] as const;
/** Customer channel a case was opened on. */
export type CaseChannel = (typeof CaseChannels)[number];

/** Problem category reported by the customer or assigned by the agent. */
export const ProblemTypes = [
  'quality',
  'non-quality',
  'logistics',
  'wrong-item',
  'missing-item',
  'description-mismatch',
  'repair',
  'shipping-urge',
  'order-change',
  'invoice',
  'complaint',
  'suggestion',
] as const;
/** Problem category of a case. */
export type ProblemType = (typeof ProblemTypes)[number];

/** How urgent a case is; `normal` when the opener does not say. SLA targets may depend on it. */
export const CasePriorities = ['low', 'normal', 'high', 'urgent'] as const;
/** How urgent a case is. */
export type CasePriority = (typeof CasePriorities)[number];

/** Resolution the customer asks for. */
export const DesiredResolutions = [
  'return',
  'exchange',
  'refund-only',
  'repair',
  'compensation',
  'information',
] as const;
/** Resolution the customer asks for. */
export type DesiredResolution = (typeof DesiredResolutions)[number];

/** Kind of evidence attached to a case. */
export const EvidenceKinds = ['photo', 'video', 'document'] as const;
/** Kind of evidence attached to a case. */
export type EvidenceKind = (typeof EvidenceKinds)[number];
