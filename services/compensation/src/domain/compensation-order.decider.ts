import { assertNever, type Command, type Decider, type DomainEvent } from '@aftersales/domain';
import { CompensationRuleBroken } from './compensation-order.errors';
import {
  ApproverRoles,
  MoneyBackInstruments,
  PaidInstruments,
  approverRoleOf,
  roleRank,
  type ApproverRole,
  type CompensationPolicy,
  type Instrument,
} from './compensation-policy';

/** Integer minor units and an ISO 4217 currency: never floats. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

/** Why the customer is compensated (domain.md §4: every order has a cause). */
export const CauseKinds = ['case', 'return', 'shipment', 'incident', 'survey_follow_up'] as const;
export type CauseKind = (typeof CauseKinds)[number];
export interface Cause {
  readonly kind: CauseKind;
  /** The case, return, shipment, incident id (the incident for a survey follow-up). */
  readonly id: string;
  /** What happened to it, when one cause can call for several compensations (`lost_in_transit`). */
  readonly reason?: string;
}

/** Who asked: a member of staff over the API, or another service's request (ADR 14). */
export const RequestSources = ['staff', 'returns', 'logistics', 'incidents', 'surveys'] as const;
export type RequestSource = (typeof RequestSources)[number];

/** What the service knows of the order the compensation is about, when it knows it. */
export interface OrderFacts {
  /** What the order is worth (the base of the retention allowance's share and the large-order discount). */
  readonly orderValue: Money | null;
  /** What the customer paid: money back on the order never exceeds it. */
  readonly paidAmount: Money | null;
  /** Money back on the order already committed (approved refunds and allowances, paid or under way). */
  readonly moneyBackCommittedMinor: number;
  readonly itemCount: number | null;
  readonly specialPrice: boolean;
  /** The product's rules allow a gift / free shipping (domain.md §4). */
  readonly productAllowsGift: boolean;
  readonly productAllowsFreeShipping: boolean;
}

/** The budget an order draws on: the tenant's month, or an incident's emergency fund. */
export type BudgetScope =
  { readonly kind: 'month'; readonly month: string } | { readonly kind: 'incident'; readonly incidentId: string };

/**
 * The budget as read (locked) by the command's transaction: what is still available in the slice of it the
 * transaction holds (ADR 17: a budget is kept in slices so approvals do not queue on one row). The slice covers the
 * order whenever the whole budget can; `availableMinor` below the amount means the whole budget cannot.
 */
export interface BudgetFacts {
  readonly scope: BudgetScope;
  readonly availableMinor: number;
  /** The slice locked for this order (absent: the budget's only slice, 0). */
  readonly slice?: number;
}

/** Why a request is declined without an approver (a service's request is answered, never dead-lettered). */
export const DeclineReasons = [
  'exceeds_amount_paid',
  'allowance_above_share',
  'instrument_not_offered',
  'product_rules_forbid',
  'above_every_limit',
  'budget_exhausted',
  'currency_mismatch',
] as const;
export type DeclineReason = (typeof DeclineReasons)[number];

/** What was asked, as recorded. */
export interface CompensationTerms {
  readonly compensationId: string;
  readonly tenant: string;
  readonly cause: Cause;
  readonly caseId: string | null;
  readonly orderId: string | null;
  readonly instrument: Instrument;
  readonly amount: Money;
  readonly warrantyMonths: number | null;
  readonly source: RequestSource;
  /** The request's idempotency key (a service's key, or `<cause>:<instrument>` for staff). */
  readonly requestKey: string;
  readonly requestedBy: string;
  readonly customerConsented: boolean;
  readonly requestedAt: string;
}

export type RequestCompensation = Command<
  'RequestCompensation',
  {
    readonly compensationId: string;
    readonly cause: Cause;
    readonly caseId: string | null;
    readonly orderId: string | null;
    readonly instrument: Instrument;
    /** `null`: the policy decides (the coupon's value, the full refund of what is left, none for warranty). */
    readonly amount: Money | null;
    readonly facts: OrderFacts;
    readonly source: RequestSource;
    readonly requestKey: string;
    /** Another service already decided it (returns' refund and allowance decisions). */
    readonly preApproved: boolean;
    /** The customer already agreed (returns' requests): approved, it is paid at once. */
    readonly customerConsented: boolean;
    /** The budget the order would draw on, `null` when it draws on none (a return's refund). */
    readonly budget: BudgetFacts | null;
    readonly policy: CompensationPolicy;
  }
>;
export type ApproveCompensation = Command<'ApproveCompensation', { readonly budget: BudgetFacts | null }>;
export type RejectCompensation = Command<'RejectCompensation', { readonly note: string }>;
export type AcceptCompensation = Command<'AcceptCompensation', Record<string, never>>;
export type RefuseCompensation = Command<'RefuseCompensation', { readonly note: string }>;
/** A durable timer's check: a pending approval or an unanswered offer past its expiry ends. */
export type ExpireCompensation = Command<'ExpireCompensation', Record<string, never>>;
export type RecordPayoutSent = Command<
  'RecordPayoutSent',
  { readonly attempt: number; readonly providerReference: string }
>;
export type RecordPayoutFailed = Command<
  'RecordPayoutFailed',
  { readonly attempt: number; readonly error: string; readonly maxAttempts: number; readonly retryBaseMs: number }
>;
export type RecordPayoutConfirmed = Command<
  'RecordPayoutConfirmed',
  { readonly providerReference: string; readonly paymentChannel: string; readonly confirmedAt: string }
>;

/** How a person with authority ends a payout's manual review (ADR 17 §manual review). */
export const ManualReviewResolutions = ['retry', 'paid_outside', 'abandoned'] as const;
export type ManualReviewResolution = (typeof ManualReviewResolutions)[number];
/**
 * A payout in manual review resolved by a person: sent again under a new payout key (`retry`), recorded as paid by
 * other means (`paid_outside`, with the reference of that payment), or given up (`abandoned`: the budget and the
 * money back released). The application only asks once the provider said the payout under its current key failed or
 * never arrived, so nothing the provider still holds can be paid twice.
 */
export type ResolveManualReview = Command<
  'ResolveManualReview',
  { readonly resolution: ManualReviewResolution; readonly note: string; readonly externalReference: string | null }
>;

export type CompensationCommand =
  | ResolveManualReview
  | RequestCompensation
  | ApproveCompensation
  | RejectCompensation
  | AcceptCompensation
  | RefuseCompensation
  | ExpireCompensation
  | RecordPayoutSent
  | RecordPayoutFailed
  | RecordPayoutConfirmed;

type Id = { readonly compensationId: string };
/** What a published event says of its order (the outbox maps each stored event alone). */
export interface OrderRef {
  readonly caseId: string | null;
  readonly cause: Cause;
  readonly orderId: string | null;
  readonly instrument: Instrument;
  readonly amount: Money;
  readonly source: RequestSource;
  readonly requestKey: string;
}
type Ref = { readonly ref: OrderRef };
export const refOf = (terms: CompensationTerms): OrderRef => ({
  caseId: terms.caseId,
  cause: terms.cause,
  orderId: terms.orderId,
  instrument: terms.instrument,
  amount: terms.amount,
  source: terms.source,
  requestKey: terms.requestKey,
});
/** The answer a settled order gives again. */
export type Answer =
  | { readonly outcome: 'paid'; readonly paymentChannel: string; readonly paidAt: string }
  | { readonly outcome: 'declined'; readonly reason: DeclineReason; readonly declinedAt: string };
/** A reservation of budget, recorded with the approval that made it. */
export interface Reservation {
  readonly scope: BudgetScope;
  readonly amountMinor: number;
  /** The slice it was taken from, where its release or spending goes back (absent before ADR 17: slice 0). */
  readonly slice?: number;
}

export type CompensationRequested = DomainEvent<
  'CompensationRequested',
  CompensationTerms & {
    readonly requiredRole: ApproverRole;
    /** Why an approver above the limit is needed besides the amount (special price, large-order discount). */
    readonly constraints: readonly string[];
  }
>;
export type CompensationDeclined = DomainEvent<
  'CompensationDeclined',
  CompensationTerms & { readonly reason: DeclineReason; readonly declinedAt: string }
>;
export type ApprovalRequested = DomainEvent<
  'ApprovalRequested',
  Id & { readonly requiredRole: ApproverRole; readonly expiresAt: string }
>;
export type CompensationApproved = DomainEvent<
  'CompensationApproved',
  Id &
    Ref & {
      /** `requester_limit`: within the requester's own limit; `approver`: a higher role approved; `service_decision`. */
      readonly basis: 'requester_limit' | 'approver' | 'service_decision';
      readonly approvedBy: string;
      readonly approverRole: ApproverRole | null;
      readonly reservation: Reservation | null;
      readonly offerExpiresAt: string;
      readonly approvedAt: string;
    }
>;
export type CompensationRejected = DomainEvent<
  'CompensationRejected',
  Id & Ref & { readonly rejectedBy: string; readonly note: string; readonly rejectedAt: string }
>;
export type ApprovalExpired = DomainEvent<'ApprovalExpired', Id & Ref & { readonly expiredAt: string }>;
export type CompensationAccepted = DomainEvent<'CompensationAccepted', Id & Ref & { readonly acceptedAt: string }>;
export type CompensationRefused = DomainEvent<
  'CompensationRefused',
  Id &
    Ref & {
      readonly note: string;
      readonly released: Reservation | null;
      /** The case goes on to the "three guarantees": return, exchange or indemnity (seed 003). */
      readonly nextStep: 'three_guarantees';
      readonly refusedAt: string;
    }
>;
export type OfferExpired = DomainEvent<
  'OfferExpired',
  Id & Ref & { readonly released: Reservation | null; readonly expiredAt: string }
>;
export type CompensationIssued = DomainEvent<
  'CompensationIssued',
  Id &
    Ref & {
      readonly instrument: Instrument;
      readonly amount: Money;
      readonly warrantyMonths: number | null;
      readonly issuedAt: string;
    }
>;
export type PayoutRequested = DomainEvent<
  'PayoutRequested',
  Id & { readonly payoutKey: string; readonly amount: Money; readonly requestedAt: string }
>;
export type PayoutSent = DomainEvent<
  'PayoutSent',
  Id & { readonly attempt: number; readonly providerReference: string; readonly sentAt: string }
>;
export type PayoutFailed = DomainEvent<
  'PayoutFailed',
  Id & {
    readonly attempt: number;
    readonly error: string;
    readonly nextAttemptAt: string | null;
    readonly failedAt: string;
  }
>;
export type PayoutManualReviewRequired = DomainEvent<
  'PayoutManualReviewRequired',
  Id & Ref & { readonly attempts: number; readonly lastError: string; readonly at: string }
>;
export type PayoutConfirmed = DomainEvent<
  'PayoutConfirmed',
  Id &
    Ref & {
      readonly providerReference: string;
      readonly paymentChannel: string;
      readonly amount: Money;
      readonly confirmedAt: string;
    }
>;
/** Who resolved a manual review, as recorded (audited in the order's events). */
interface Resolver {
  readonly resolvedBy: string;
  readonly resolverRole: ApproverRole;
  readonly note: string;
}
export type PayoutRetried = DomainEvent<
  'PayoutRetried',
  Id & Resolver & { readonly attempt: number; readonly payoutKey: string; readonly at: string }
>;
export type PayoutSettledOutside = DomainEvent<
  'PayoutSettledOutside',
  Id & Ref & Resolver & { readonly externalReference: string; readonly amount: Money; readonly settledAt: string }
>;
export type PayoutAbandoned = DomainEvent<
  'PayoutAbandoned',
  Id & Ref & Resolver & { readonly released: Reservation | null; readonly abandonedAt: string }
>;
/** A service asked again for what is answered already: the same answer is given again (ADR 14). */
export type CompensationAnswerRepeated = DomainEvent<
  'CompensationAnswerRepeated',
  Id & Ref & { readonly answer: Answer; readonly at: string }
>;

export type CompensationEvent =
  | CompensationRequested
  | CompensationDeclined
  | ApprovalRequested
  | CompensationApproved
  | CompensationRejected
  | ApprovalExpired
  | CompensationAccepted
  | CompensationRefused
  | OfferExpired
  | CompensationIssued
  | PayoutRequested
  | PayoutSent
  | PayoutFailed
  | PayoutManualReviewRequired
  | PayoutConfirmed
  | PayoutRetried
  | PayoutSettledOutside
  | PayoutAbandoned
  | CompensationAnswerRepeated;

/** Where a payout stands. */
export interface Payout {
  readonly payoutKey: string;
  readonly status: 'requested' | 'sent' | 'failed' | 'manual_review' | 'confirmed' | 'abandoned';
  readonly attempts: number;
  readonly providerReference: string | null;
  readonly paymentChannel: string | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly confirmedAt: string | null;
}

export type CompensationStatus =
  | 'pending_approval'
  | 'offered'
  | 'paying'
  | 'paid'
  | 'issued'
  | 'refused'
  | 'declined'
  | 'rejected'
  | 'expired'
  | 'manual_review'
  | 'abandoned';

interface Common {
  readonly terms: CompensationTerms;
  readonly requiredRole: ApproverRole | null;
  readonly constraints: readonly string[];
  readonly approvalExpiresAt: string | null;
  readonly approval: CompensationApproved['data'] | null;
  readonly payout: Payout | null;
  readonly declineReason: DeclineReason | null;
  /** When it reached its current status. */
  readonly at: string;
}
export type OpenCompensationState = Common & { readonly status: CompensationStatus };
export type CompensationState = { readonly status: 'none' } | OpenCompensationState;

const initialState = (): CompensationState => ({ status: 'none' });

const TERMINAL: readonly CompensationStatus[] = [
  'paid',
  'issued',
  'refused',
  'declined',
  'rejected',
  'expired',
  'abandoned',
];
/** Ended: nothing more happens to it. */
export const isTerminal = (status: CompensationStatus) => TERMINAL.includes(status);

const HOUR = 3_600_000;
/** The payment channel of a payout a person recorded as paid by other means. */
export const PAID_OUTSIDE = 'paid_outside';
const later = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

/** The month budget of an instant (UTC calendar month `YYYY-MM`). */
export const monthOf = (at: Date) => at.toISOString().slice(0, 7);

/**
 * The budget an order draws on: an incident's emergency fund when the cause is an incident (or the follow-up of one)
 * that has one, else the
 * tenant's month; none for a refund of what was paid that returns decided (the customer's own money coming back).
 */
export function budgetScopeOf(
  request: { readonly cause: Cause; readonly instrument: Instrument; readonly source: RequestSource },
  now: Date,
  incidentHasFund: boolean,
): BudgetScope | null {
  if (request.source === 'returns' && (request.instrument === 'full_refund' || request.instrument === 'partial_refund'))
    return null;
  if ((request.cause.kind === 'incident' || request.cause.kind === 'survey_follow_up') && incidentHasFund)
    return { kind: 'incident', incidentId: request.cause.id };
  return { kind: 'month', month: monthOf(now) };
}

/** The lowest role whose limit for the instrument covers the amount, `null` when none does. */
export function limitRoleFor(
  policy: CompensationPolicy,
  instrument: Instrument,
  amountMinor: number,
): ApproverRole | null {
  return ApproverRoles.find((role) => policy.approvalMatrix[role][instrument] >= amountMinor) ?? null;
}

const higher = (a: ApproverRole, b: ApproverRole) => (roleRank(a) >= roleRank(b) ? a : b);

function decide(command: CompensationCommand, state: CompensationState): CompensationEvent[] {
  switch (command.type) {
    case 'RequestCompensation':
      return request(command, state);
    case 'ApproveCompensation':
      return approve(command, open(state));
    case 'RejectCompensation':
      return reject(command, open(state));
    case 'AcceptCompensation':
      return accept(command, open(state));
    case 'RefuseCompensation':
      return refuse(command, open(state));
    case 'ExpireCompensation':
      return expire(command, open(state));
    case 'RecordPayoutSent':
      return payoutSent(command, open(state));
    case 'RecordPayoutFailed':
      return payoutFailed(command, open(state));
    case 'RecordPayoutConfirmed':
      return payoutConfirmed(command, open(state));
    case 'ResolveManualReview':
      return resolveManualReview(command, open(state));
    default:
      return assertNever(command);
  }
}

function open(state: CompensationState): OpenCompensationState {
  if (state.status === 'none')
    throw new CompensationRuleBroken(
      'NOT_REQUESTED',
      'No such compensation order',
      'A step needs a requested order',
      'invalid',
    );
  return state;
}

// ── Request ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** A rule a request breaks: staff are told (409), another service's request is declined. */
interface BrokenRule {
  readonly reason: DeclineReason;
  readonly code: string;
  readonly message: string;
  readonly rule: string;
}

function request(command: RequestCompensation, state: CompensationState): CompensationEvent[] {
  if (state.status !== 'none') return repeated(command, state);
  const { context, data } = command;
  const at = context.now.toISOString();
  const terms = termsOf(command, amountOf(data));
  const staff = data.source === 'staff';
  const refuse = (broken: BrokenRule): CompensationEvent[] => {
    if (staff) throw new CompensationRuleBroken(broken.code, broken.message, broken.rule);
    return [{ type: 'CompensationDeclined', data: { ...terms, reason: broken.reason, declinedAt: at } }];
  };
  const broken = brokenRule(data, terms.amount);
  if (broken) return refuse(broken);
  const { constraints, minimumRole } = approvalConstraints(data, terms.amount);
  const limitRole = limitRoleFor(data.policy, data.instrument, terms.amount.amountMinor);
  if (!limitRole && !data.preApproved)
    return refuse({
      reason: 'above_every_limit',
      code: 'ABOVE_EVERY_LIMIT',
      message: `${terms.amount.amountMinor} is above every role's limit for ${data.instrument}`,
      rule: 'An order is approved by a role whose limit covers it',
    });
  const requiredRole = limitRole ? higher(limitRole, minimumRole) : 'cs-director';
  const requested: CompensationEvent = { type: 'CompensationRequested', data: { ...terms, requiredRole, constraints } };

  const requesterRole = staff ? approverRoleOf(context.actor.roles) : 'agent';
  const withinOwnLimit = requesterRole !== null && roleRank(requesterRole) >= roleRank(requiredRole);
  if (!data.preApproved && !withinOwnLimit) {
    const expiresAt = later(context.now, data.policy.approvalExpiryHours * HOUR);
    return [
      requested,
      { type: 'ApprovalRequested', data: { compensationId: data.compensationId, requiredRole, expiresAt } },
    ];
  }
  const reservation = reserve(data.budget, terms.amount);
  if (reservation === 'exhausted')
    return refuse({
      reason: 'budget_exhausted',
      code: 'BUDGET_EXHAUSTED',
      message: 'The budget this order draws on cannot cover it',
      rule: 'Budgets are never exceeded',
    });
  const approved: CompensationApproved = {
    type: 'CompensationApproved',
    data: {
      compensationId: data.compensationId,
      ref: refOf(terms),
      basis: data.preApproved ? 'service_decision' : 'requester_limit',
      approvedBy: context.actor.id,
      approverRole: data.preApproved ? null : requesterRole,
      reservation,
      offerExpiresAt: later(context.now, data.policy.offerExpiryHours * HOUR),
      approvedAt: at,
    },
  };
  return [requested, approved, ...(data.customerConsented ? accepted(terms, at) : [])];
}

function termsOf({ context, data }: RequestCompensation, amount: Money): CompensationTerms {
  return {
    compensationId: data.compensationId,
    tenant: context.tenant,
    cause: data.cause,
    caseId: data.caseId,
    orderId: data.orderId,
    instrument: data.instrument,
    amount,
    warrantyMonths: data.instrument === 'extended_warranty' ? data.policy.warrantyExtensionMonths : null,
    source: data.source,
    requestKey: data.requestKey,
    requestedBy: context.actor.id,
    customerConsented: data.customerConsented,
    requestedAt: context.now.toISOString(),
  };
}

/** The first rule the request breaks, if any: offered instruments, what was paid, the allowance share, currencies. */
function brokenRule(data: RequestCompensation['data'], amount: Money): BrokenRule | null {
  const { policy, facts, instrument } = data;
  if (!policy.instruments.includes(instrument))
    return {
      reason: 'instrument_not_offered',
      code: 'INSTRUMENT_NOT_OFFERED',
      message: `The tenant does not offer ${instrument}`,
      rule: 'Only the instruments of the tenant policy are offered',
    };
  if (MoneyBackInstruments.includes(instrument)) {
    const broken = moneyBackRule(facts, amount, data.preApproved);
    if (broken) return broken;
  }
  if (instrument === 'allowance') {
    const base = facts.orderValue ?? facts.paidAmount;
    if (base && amount.amountMinor * 100 > base.amountMinor * policy.retentionAllowanceMaxPercent)
      return {
        reason: 'allowance_above_share',
        code: 'ALLOWANCE_ABOVE_SHARE',
        message: `${amount.amountMinor} is more than ${policy.retentionAllowanceMaxPercent} % of ${base.amountMinor}`,
        rule: `A retention allowance is at most ${policy.retentionAllowanceMaxPercent} % of the order value`,
      };
  }
  if (data.budget && amount.amountMinor > 0 && amount.currency !== policy.currency)
    return {
      reason: 'currency_mismatch',
      code: 'CURRENCY_MISMATCH',
      message: `${amount.currency} is not the tenant's ${policy.currency}`,
      rule: "Compensation is paid in the currency of the tenant's budget",
    };
  const giftLike = instrument === 'gift' || instrument === 'free_shipping';
  const allowed = instrument === 'gift' ? facts.productAllowsGift : facts.productAllowsFreeShipping;
  if (giftLike && !allowed)
    return {
      reason: 'product_rules_forbid',
      code: 'PRODUCT_RULES_FORBID',
      message: `The product's rules do not allow ${instrument}`,
      rule: "Gifts and free shipping only where the product's rules allow them",
    };
  return null;
}

/**
 * Money back on an order: in the currency paid, never more than what is left of what was paid (what another service
 * decided without naming the payment is its decision).
 */
function moneyBackRule(facts: OrderFacts, amount: Money, preApproved: boolean): BrokenRule | null {
  const paid = facts.paidAmount;
  // Returns decided an allowance against what was paid (its request names no payment); it still counts as money back.
  if (!paid && preApproved) return null;
  if (!paid)
    throw new CompensationRuleBroken(
      'PAID_AMOUNT_REQUIRED',
      'Money back on an order needs what was paid for it',
      'Refunds never exceed what was paid',
      'invalid',
    );
  if (paid.currency !== amount.currency)
    return {
      reason: 'currency_mismatch',
      code: 'CURRENCY_MISMATCH',
      message: `${amount.currency} is not the order's ${paid.currency}`,
      rule: 'Money back is paid in the currency paid',
    };
  const remainder = paid.amountMinor - facts.moneyBackCommittedMinor;
  // A full refund of nothing left (all of it refunded already) is over what was paid too.
  if (amount.amountMinor > remainder || amount.amountMinor <= 0)
    return {
      reason: 'exceeds_amount_paid',
      code: 'EXCEEDS_AMOUNT_PAID',
      message: `${amount.amountMinor} is more than the ${remainder} left of the ${paid.amountMinor} paid`,
      rule: 'Refunds and allowances on an order never exceed what was paid for it (partial refunds track the remainder)',
    };
  return null;
}

/** What asks for a higher approver than the amount does: special-price items, a large order's discount exceeded. */
function approvalConstraints(
  data: RequestCompensation['data'],
  amount: Money,
): { constraints: string[]; minimumRole: ApproverRole } {
  const { policy, facts, instrument } = data;
  const constraints: string[] = [];
  if ((instrument === 'gift' || instrument === 'free_shipping') && facts.specialPrice)
    constraints.push('special_price');
  const discount = instrument === 'partial_refund' || instrument === 'cash';
  const largeOrder = facts.itemCount !== null && facts.itemCount >= policy.largeOrderMinItems && facts.orderValue;
  if (discount && largeOrder && amount.amountMinor * 100 > largeOrder.amountMinor * policy.largeOrderDiscountPercent)
    constraints.push('large_order_above_discount');
  return { constraints, minimumRole: constraints.length > 0 ? 'supervisor' : 'agent' };
}

/**
 * What a request will cost (its amount, or the policy's default), so the service can lock a budget slice that covers
 * it before deciding. Throws what the decider would throw for an invalid amount.
 */
export function requestedAmountOf(data: Omit<RequestCompensation['data'], 'budget'>): Money {
  return amountOf(data);
}

function amountOf(data: Omit<RequestCompensation['data'], 'budget'>): Money {
  const { policy, instrument, facts } = data;
  if (instrument === 'extended_warranty' || instrument === 'priority_handling')
    return { amountMinor: 0, currency: data.amount?.currency ?? policy.currency };
  if (data.amount) {
    if (!Number.isInteger(data.amount.amountMinor) || data.amount.amountMinor <= 0)
      throw new CompensationRuleBroken(
        'AMOUNT_INVALID',
        'An amount is a positive whole number of minor units',
        'Money is integer minor units',
        'invalid',
      );
    return data.amount;
  }
  if (instrument === 'coupon') return { amountMinor: policy.couponAmountMinor, currency: policy.currency };
  if (instrument === 'full_refund' && facts.paidAmount)
    return {
      amountMinor: Math.max(0, facts.paidAmount.amountMinor - facts.moneyBackCommittedMinor),
      currency: facts.paidAmount.currency,
    };
  throw new CompensationRuleBroken(
    'AMOUNT_REQUIRED',
    `${instrument} needs an amount`,
    'Only coupons, full refunds, warranties and priority handling have a default amount',
    'invalid',
  );
}

function reserve(budget: BudgetFacts | null, amount: Money): Reservation | null | 'exhausted' {
  if (!budget || amount.amountMinor === 0) return null;
  if (budget.availableMinor < amount.amountMinor) return 'exhausted';
  return {
    scope: budget.scope,
    amountMinor: amount.amountMinor,
    ...(budget.slice !== undefined ? { slice: budget.slice } : {}),
  };
}

/** Accepted: a paid instrument goes to the payment provider, anything else is issued at once. */
function accepted(terms: CompensationTerms, at: string): CompensationEvent[] {
  const id = { compensationId: terms.compensationId, ref: refOf(terms) };
  const next: CompensationEvent = PaidInstruments.includes(terms.instrument)
    ? {
        type: 'PayoutRequested',
        data: {
          compensationId: terms.compensationId,
          payoutKey: `payout:${terms.compensationId}`,
          amount: terms.amount,
          requestedAt: at,
        },
      }
    : {
        type: 'CompensationIssued',
        data: {
          ...id,
          instrument: terms.instrument,
          amount: terms.amount,
          warrantyMonths: terms.warrantyMonths,
          issuedAt: at,
        },
      };
  return [{ type: 'CompensationAccepted', data: { ...id, acceptedAt: at } }, next];
}

/** The same cause and instrument asked again: nothing new; a service asking again about a settled one is answered again. */
function repeated(command: RequestCompensation, state: OpenCompensationState): CompensationEvent[] {
  const { data, context } = command;
  const same =
    state.terms.cause.kind === data.cause.kind &&
    state.terms.cause.id === data.cause.id &&
    state.terms.instrument === data.instrument;
  if (!same || state.terms.tenant !== context.tenant)
    throw new CompensationRuleBroken(
      'ALREADY_REQUESTED',
      'This order id belongs to another request',
      'One order per cause and instrument',
    );
  if (data.source !== 'staff' && (state.status === 'paid' || state.status === 'declined'))
    return [
      {
        type: 'CompensationAnswerRepeated',
        data: {
          compensationId: state.terms.compensationId,
          ref: refOf(state.terms),
          answer: answerOf(state),
          at: context.now.toISOString(),
        },
      },
    ];
  return [];
}

function answerOf(state: OpenCompensationState): Answer {
  if (state.status === 'paid' && state.payout)
    return {
      outcome: 'paid',
      paymentChannel: state.payout.paymentChannel ?? 'unknown',
      paidAt: state.payout.confirmedAt ?? state.at,
    };
  return { outcome: 'declined', reason: state.declineReason ?? 'exceeds_amount_paid', declinedAt: state.at };
}

// ── Approval ───────────────────────────────────────────────────────────────────────────────────────────────────────

function approverChecks(
  context: ApproveCompensation['context'],
  state: OpenCompensationState,
  action: string,
): ApproverRole {
  if (state.status !== 'pending_approval')
    throw new CompensationRuleBroken(
      'NOT_PENDING_APPROVAL',
      `Only a pending request can be ${action} (it is ${state.status})`,
      'An order is approved or rejected once, while it waits',
    );
  if (context.actor.id === state.terms.requestedBy)
    throw new CompensationRuleBroken(
      'APPROVER_IS_REQUESTER',
      'You requested this compensation',
      'The approver is never the requester',
      'forbidden',
    );
  const role = approverRoleOf(context.actor.roles);
  const required = state.requiredRole ?? 'agent';
  if (!role || roleRank(role) < roleRank(required))
    throw new CompensationRuleBroken(
      'APPROVER_LIMIT_TOO_LOW',
      `This order needs a ${required} or above`,
      "Above a role's limit the request waits for the next role",
      'forbidden',
    );
  if (state.approvalExpiresAt && context.now.toISOString() >= state.approvalExpiresAt)
    throw new CompensationRuleBroken(
      'APPROVAL_EXPIRED',
      'The request waited past its expiry',
      'Pending approvals expire',
    );
  return role;
}

function approve({ context, data }: ApproveCompensation, state: OpenCompensationState): CompensationEvent[] {
  const role = approverChecks(context, state, 'approved');
  const at = context.now.toISOString();
  const reservation = reserve(data.budget, state.terms.amount);
  if (reservation === 'exhausted')
    throw new CompensationRuleBroken(
      'BUDGET_EXHAUSTED',
      'The budget this order draws on cannot cover it',
      'Budgets are never exceeded',
    );
  const policyHours = Date.parse(state.approvalExpiresAt ?? at) - Date.parse(state.terms.requestedAt);
  const approved: CompensationApproved = {
    type: 'CompensationApproved',
    data: {
      compensationId: state.terms.compensationId,
      ref: refOf(state.terms),
      basis: 'approver',
      approvedBy: context.actor.id,
      approverRole: role,
      reservation,
      // The offer waits as long again as the approval could have.
      offerExpiresAt: later(context.now, Math.max(policyHours, HOUR)),
      approvedAt: at,
    },
  };
  return [approved, ...(state.terms.customerConsented ? accepted(state.terms, at) : [])];
}

function reject({ context, data }: RejectCompensation, state: OpenCompensationState): CompensationEvent[] {
  approverChecks(context, state, 'rejected');
  return [
    {
      type: 'CompensationRejected',
      data: {
        compensationId: state.terms.compensationId,
        ref: refOf(state.terms),
        rejectedBy: context.actor.id,
        note: data.note,
        rejectedAt: context.now.toISOString(),
      },
    },
  ];
}

// ── The customer's answer (compensation first) ─────────────────────────────────────────────────────────────────────

function answerable(context: AcceptCompensation['context'], state: OpenCompensationState, action: string): void {
  if (state.status !== 'offered')
    throw new CompensationRuleBroken(
      'NOT_OFFERED',
      `Only an approved offer can be ${action} (it is ${state.status})`,
      'Compensation first: offered, then accepted or refused',
    );
  if (state.approval && context.now.toISOString() >= state.approval.offerExpiresAt)
    throw new CompensationRuleBroken('OFFER_EXPIRED', 'The offer waited past its expiry', 'Unanswered offers expire');
}

function accept({ context }: AcceptCompensation, state: OpenCompensationState): CompensationEvent[] {
  if (state.status === 'paying' || state.status === 'paid' || state.status === 'issued') return [];
  answerable(context, state, 'accepted');
  return accepted(state.terms, context.now.toISOString());
}

function refuse({ context, data }: RefuseCompensation, state: OpenCompensationState): CompensationEvent[] {
  if (state.status === 'refused') return [];
  answerable(context, state, 'refused');
  return [
    {
      type: 'CompensationRefused',
      data: {
        compensationId: state.terms.compensationId,
        ref: refOf(state.terms),
        note: data.note,
        released: state.approval?.reservation ?? null,
        nextStep: 'three_guarantees',
        refusedAt: context.now.toISOString(),
      },
    },
  ];
}

function expire({ context }: ExpireCompensation, state: OpenCompensationState): CompensationEvent[] {
  const now = context.now.toISOString();
  const id = state.terms.compensationId;
  if (state.status === 'pending_approval' && state.approvalExpiresAt && now >= state.approvalExpiresAt)
    return [{ type: 'ApprovalExpired', data: { compensationId: id, ref: refOf(state.terms), expiredAt: now } }];
  if (state.status === 'offered' && state.approval && now >= state.approval.offerExpiresAt)
    return [
      {
        type: 'OfferExpired',
        data: { compensationId: id, ref: refOf(state.terms), released: state.approval.reservation, expiredAt: now },
      },
    ];
  return [];
}

// ── Payout (requested → sent → confirmed; failed → retried → manual review) ───────────────────────────────────────

/** Nothing is sent for it any more: confirmed (or paid outside), waiting for a person, or given up. */
export const isPayoutAtRest = (payout: Payout) =>
  payout.status === 'confirmed' || payout.status === 'manual_review' || payout.status === 'abandoned';

function payoutOf(state: OpenCompensationState): Payout {
  if (!state.payout)
    throw new CompensationRuleBroken(
      'NO_PAYOUT',
      'This order pays nothing through the provider',
      'Only paid instruments have a payout',
      'invalid',
    );
  return state.payout;
}

function payoutSent({ context, data }: RecordPayoutSent, state: OpenCompensationState): CompensationEvent[] {
  const payout = payoutOf(state);
  // A late report of an attempt that is already superseded, sent or settled changes nothing.
  if (isPayoutAtRest(payout) || data.attempt !== payout.attempts + 1) return [];
  return [
    {
      type: 'PayoutSent',
      data: {
        compensationId: state.terms.compensationId,
        attempt: data.attempt,
        providerReference: data.providerReference,
        sentAt: context.now.toISOString(),
      },
    },
  ];
}

function payoutFailed({ context, data }: RecordPayoutFailed, state: OpenCompensationState): CompensationEvent[] {
  const payout = payoutOf(state);
  if (isPayoutAtRest(payout)) return [];
  if (data.attempt !== payout.attempts && data.attempt !== payout.attempts + 1) return [];
  const id = state.terms.compensationId;
  const at = context.now.toISOString();
  if (data.attempt >= data.maxAttempts)
    return [
      {
        type: 'PayoutFailed',
        data: { compensationId: id, attempt: data.attempt, error: data.error, nextAttemptAt: null, failedAt: at },
      },
      {
        type: 'PayoutManualReviewRequired',
        data: { compensationId: id, ref: refOf(state.terms), attempts: data.attempt, lastError: data.error, at },
      },
    ];
  // Exponential backoff: base × 2^(attempt − 1).
  const nextAttemptAt = later(context.now, data.retryBaseMs * 2 ** (data.attempt - 1));
  return [
    {
      type: 'PayoutFailed',
      data: { compensationId: id, attempt: data.attempt, error: data.error, nextAttemptAt, failedAt: at },
    },
  ];
}

function payoutConfirmed({ data }: RecordPayoutConfirmed, state: OpenCompensationState): CompensationEvent[] {
  const payout = payoutOf(state);
  if (payout.status === 'confirmed') return [];
  // A confirmation found after a payout went to manual review still settles it: the money moved.
  return [
    {
      type: 'PayoutConfirmed',
      data: {
        compensationId: state.terms.compensationId,
        ref: refOf(state.terms),
        providerReference: data.providerReference,
        paymentChannel: data.paymentChannel,
        amount: state.terms.amount,
        confirmedAt: data.confirmedAt,
      },
    },
  ];
}

// ── Manual review, resolved by a person ────────────────────────────────────────────────────────────────────────

function resolveManualReview(
  { context, data }: ResolveManualReview,
  state: OpenCompensationState,
): CompensationEvent[] {
  const payout = payoutOf(state);
  if (state.status !== 'manual_review' || payout.status !== 'manual_review')
    throw new CompensationRuleBroken(
      'NOT_IN_MANUAL_REVIEW',
      `Only a payout in manual review can be resolved (the order is ${state.status})`,
      'A payout goes to manual review after N failed attempts; a person resolves it once',
    );
  // At least a supervisor, and a role whose approval limit covers the order.
  const required = higher('supervisor', state.requiredRole ?? 'agent');
  const role = approverRoleOf(context.actor.roles);
  if (!role || roleRank(role) < roleRank(required))
    throw new CompensationRuleBroken(
      'RESOLVER_LIMIT_TOO_LOW',
      `Resolving this payout needs a ${required} or above`,
      'A manual review is resolved by a role with authority over the order',
      'forbidden',
    );
  const id = state.terms.compensationId;
  const at = context.now.toISOString();
  const resolver: Resolver = { resolvedBy: context.actor.id, resolverRole: role, note: data.note };
  switch (data.resolution) {
    case 'retry': {
      const attempt = payout.attempts + 1;
      // A new key: under the old one the provider holds a failed payout (or none), and answers a key once.
      return [
        {
          type: 'PayoutRetried',
          data: { compensationId: id, ...resolver, attempt, payoutKey: `payout:${id}:${attempt}`, at },
        },
      ];
    }
    case 'paid_outside':
      if (!data.externalReference)
        throw new CompensationRuleBroken(
          'EXTERNAL_REFERENCE_REQUIRED',
          'A payout paid by other means needs the reference of that payment',
          'Every movement of money is attributable',
          'invalid',
        );
      return [
        {
          type: 'PayoutSettledOutside',
          data: {
            compensationId: id,
            ref: refOf(state.terms),
            ...resolver,
            externalReference: data.externalReference,
            amount: state.terms.amount,
            settledAt: at,
          },
        },
      ];
    case 'abandoned':
      return [
        {
          type: 'PayoutAbandoned',
          data: {
            compensationId: id,
            ref: refOf(state.terms),
            ...resolver,
            released: state.approval?.reservation ?? null,
            abandonedAt: at,
          },
        },
      ];
    default:
      return assertNever(data.resolution);
  }
}

// ── Evolve ─────────────────────────────────────────────────────────────────────────────────────────────────────────

function evolve(state: CompensationState, event: CompensationEvent): CompensationState {
  if (event.type === 'CompensationRequested') {
    const { requiredRole, constraints, ...terms } = event.data;
    return {
      status: 'pending_approval',
      terms,
      requiredRole,
      constraints,
      approvalExpiresAt: null,
      approval: null,
      payout: null,
      declineReason: null,
      at: terms.requestedAt,
    };
  }
  if (event.type === 'CompensationDeclined') {
    const { reason, declinedAt, ...terms } = event.data;
    return {
      status: 'declined',
      terms,
      requiredRole: null,
      constraints: [],
      approvalExpiresAt: null,
      approval: null,
      payout: null,
      declineReason: reason,
      at: declinedAt,
    };
  }
  if (state.status === 'none') return state;
  const payout = state.payout;
  switch (event.type) {
    case 'ApprovalRequested':
      return { ...state, status: 'pending_approval', approvalExpiresAt: event.data.expiresAt };
    case 'CompensationApproved':
      return { ...state, status: 'offered', approval: event.data, at: event.data.approvedAt };
    case 'CompensationRejected':
      return { ...state, status: 'rejected', at: event.data.rejectedAt };
    case 'ApprovalExpired':
      return { ...state, status: 'expired', at: event.data.expiredAt };
    case 'CompensationAccepted':
      return { ...state, at: event.data.acceptedAt };
    case 'CompensationRefused':
      return { ...state, status: 'refused', at: event.data.refusedAt };
    case 'OfferExpired':
      return { ...state, status: 'expired', at: event.data.expiredAt };
    case 'CompensationIssued':
      return { ...state, status: 'issued', at: event.data.issuedAt };
    case 'PayoutRequested':
      return {
        ...state,
        status: 'paying',
        at: event.data.requestedAt,
        payout: {
          payoutKey: event.data.payoutKey,
          status: 'requested',
          attempts: 0,
          providerReference: null,
          paymentChannel: null,
          lastError: null,
          nextAttemptAt: null,
          confirmedAt: null,
        },
      };
    case 'PayoutSent':
      return payout
        ? {
            ...state,
            payout: {
              ...payout,
              status: 'sent',
              attempts: event.data.attempt,
              providerReference: event.data.providerReference,
              nextAttemptAt: null,
            },
          }
        : state;
    case 'PayoutFailed':
      return payout
        ? {
            ...state,
            payout: {
              ...payout,
              status: 'failed',
              attempts: event.data.attempt,
              lastError: event.data.error,
              nextAttemptAt: event.data.nextAttemptAt,
            },
          }
        : state;
    case 'PayoutManualReviewRequired':
      return payout
        ? { ...state, status: 'manual_review', at: event.data.at, payout: { ...payout, status: 'manual_review' } }
        : state;
    case 'PayoutConfirmed':
      return payout
        ? {
            ...state,
            status: 'paid',
            at: event.data.confirmedAt,
            payout: {
              ...payout,
              status: 'confirmed',
              providerReference: event.data.providerReference,
              paymentChannel: event.data.paymentChannel,
              confirmedAt: event.data.confirmedAt,
            },
          }
        : state;
    case 'PayoutRetried':
      return payout
        ? {
            ...state,
            status: 'paying',
            at: event.data.at,
            payout: { ...payout, payoutKey: event.data.payoutKey, status: 'failed', nextAttemptAt: event.data.at },
          }
        : state;
    case 'PayoutSettledOutside':
      return payout
        ? {
            ...state,
            status: 'paid',
            at: event.data.settledAt,
            payout: {
              ...payout,
              status: 'confirmed',
              providerReference: event.data.externalReference,
              paymentChannel: PAID_OUTSIDE,
              confirmedAt: event.data.settledAt,
            },
          }
        : state;
    case 'PayoutAbandoned':
      return payout
        ? { ...state, status: 'abandoned', at: event.data.abandonedAt, payout: { ...payout, status: 'abandoned' } }
        : state;
    case 'CompensationAnswerRepeated':
      return state;
    default:
      return assertNever(event);
  }
}

/** The CompensationOrder aggregate (stream `compensation-<compensationId>`). */
export const compensationOrderDecider = { decide, evolve, initialState } satisfies Decider<
  CompensationState,
  CompensationCommand,
  CompensationEvent
>;
