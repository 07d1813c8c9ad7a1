import { addTime, type ClockBasis } from '@aftersales/business-time';
import { assertNever, type Command, type CommandContext, type Decider, type DomainEvent } from '@aftersales/domain';
import { DifferenceSettlements, type DifferenceSettlement } from '@aftersales/contracts';
import type {
  Disposition,
  InspectionGrade,
  MismatchKind,
  ProblemSeverity,
  RefundFailureReason,
  ReturnDeadline,
  ReturnClosure,
  ReturnKind,
  ReturnReason,
  ReturnResolution,
  ReturnRule,
  ShippingPayer,
} from '@aftersales/contracts';
import { ReturnCaseUnknown, ReturnRuleBroken } from './return-request.errors';
import type { ReturnsPolicy } from './returns-policy';

/** An amount in integer minor units of its currency. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

/** The state the customer says the goods are in (seed 000 §4.4: unused, packaging complete; seed 003 §9: tags). */
export interface ItemCondition {
  readonly unused: boolean;
  readonly tagsAttached: boolean;
  readonly packagingIntact: boolean;
}

/** A line of the request: what, how many, what was paid per unit, when it was delivered, in what state. */
export interface RequestedItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  readonly specialPrice: boolean;
  readonly deliveredAt: string;
  readonly condition: ItemCondition;
  /** End of the goods' warranty, when known (a repair in warranty is free; seed 003 §8). */
  readonly warrantyUntil: string | null;
}

export interface Line {
  readonly sku: string;
  readonly quantity: number;
}

/** A line of the goods an exchange sends instead: another product or specification, how many, its price per unit. */
export interface ExchangeItem {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPrice: Money;
}

/** How an exchange's price difference is settled (`DifferenceSettlements` of the contracts' vocabulary). */
export { DifferenceSettlements };
/** An exchange for another product: the goods sent instead and the price difference against the goods sent back. */
export interface ExchangeTerms {
  readonly items: readonly ExchangeItem[];
  /** What was paid for the goods sent back (at the decision: the goods asked for; at inspection: what arrived). */
  readonly returnedValue: Money;
  readonly replacementValue: Money;
  readonly settlement: DifferenceSettlement;
  /** The difference's absolute amount (0 when settled by nothing). */
  readonly difference: Money;
}

/** Eligibility as assessed when the request arrives (the no-reason window runs to the request, not the decision). */
export type Eligibility =
  | {
      readonly eligible: true;
      readonly rule: ReturnRule;
      readonly shippingPaidBy: ShippingPayer;
      /** Outcomes the problem allows (domain.md §2 "outcomes by problem"), the customer's ask first when allowed. */
      readonly resolutions: readonly ReturnResolution[];
    }
  | { readonly eligible: false; readonly rule: ReturnRule; readonly explanation: string };

// ---------------------------------------------------------------------------------------------------------- commands

type Cmd<T extends string, D> = Command<T, D>;

/** What compensation and logistics report: the recording command's data and its event's are the same facts. */
type RefundPaidFacts = {
  readonly compensationId: string;
  readonly amount: Money;
  readonly paymentChannel: string;
  readonly paidAt: string;
};
type RefundFailedFacts = {
  readonly compensationId: string;
  readonly reason: RefundFailureReason;
  readonly failedAt: string;
};
type AllowancePaidFacts = { readonly compensationId: string; readonly amount: Money; readonly paidAt: string };
type ReplacementShippedFacts = {
  readonly shipmentId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly shippedAt: string;
};

export type RequestReturn = Cmd<
  'RequestReturn',
  {
    readonly returnId: string;
    readonly caseId: string | null;
    /** Whether the case reached this service (intake's CaseOpened); ignored without a case. */
    readonly caseKnown: boolean;
    readonly orderId: string;
    readonly kind: ReturnKind;
    readonly reason: ReturnReason;
    readonly severity: ProblemSeverity | null;
    readonly mismatch: MismatchKind | null;
    readonly items: readonly RequestedItem[];
    readonly orderPaid: Money;
    readonly evidenceRefs: readonly string[];
    readonly policy: ReturnsPolicy;
  }
>;
export type OfferAllowance = Cmd<'OfferAllowance', { readonly amount: Money; readonly policy: ReturnsPolicy }>;
export type AnswerAllowance = Cmd<'AnswerAllowance', { readonly accepted: boolean }>;
export type DecideReturn = Cmd<
  'DecideReturn',
  {
    /** The outcome chosen among those the problem allows; the customer's ask when absent. */
    readonly resolution: ReturnResolution | null;
    /** The amount of a partial refund (minor flaw): at most what was paid for the items. */
    readonly partialRefund: Money | null;
    /** An exchange for another product or specification: the goods sent instead (the same goods when absent). */
    readonly exchangeFor: readonly ExchangeItem[] | null;
    readonly policy: ReturnsPolicy;
  }
>;
export type RecordReceipt = Cmd<
  'RecordReceipt',
  { readonly items: readonly Line[]; readonly shipmentId: string | null; readonly policy: ReturnsPolicy }
>;
export type InspectReturn = Cmd<
  'InspectReturn',
  { readonly grade: InspectionGrade; readonly disposition: Disposition; readonly policy: ReturnsPolicy }
>;
export type CompleteRepair = Cmd<'CompleteRepair', { readonly policy: ReturnsPolicy }>;
/** The fee of an out-of-warranty repair, quoted to the customer before any work (seed 000 §4.6, seed 003 §8). */
export type QuoteRepairFee = Cmd<'QuoteRepairFee', { readonly fee: Money }>;
/** The customer's consent to the quoted fee (work starts) or refusal (the goods go back unrepaired). */
export type AnswerRepairQuote = Cmd<
  'AnswerRepairQuote',
  { readonly accepted: boolean; readonly policy: ReturnsPolicy }
>;
/** Where the repair stands, visible to agents (seed 003 §8: the repair register shared with customer service). */
export type RecordRepairProgress = Cmd<'RecordRepairProgress', { readonly stage: RepairStage }>;
export type RecordRefundPaid = Cmd<'RecordRefundPaid', RefundPaidFacts>;
export type RecordRefundFailed = Cmd<'RecordRefundFailed', RefundFailedFacts>;
export type RecordAllowancePaid = Cmd<'RecordAllowancePaid', AllowancePaidFacts>;
export type RecordReplacementShipped = Cmd<'RecordReplacementShipped', ReplacementShippedFacts>;
/**
 * The customer's answer to an exchange's price difference to pay: paid (the shop's payment reference and the amount,
 * which must be the difference due: the replacement then ships) or declined (the goods that arrived are refunded).
 */
export type AnswerExchangeDifference = Cmd<
  'AnswerExchangeDifference',
  {
    readonly paid: boolean;
    /** The shop's payment reference and the amount paid: both present exactly when paid. */
    readonly paymentRef: string | null;
    readonly amount: Money | null;
    readonly policy: ReturnsPolicy;
  }
>;
export type CancelReturn = Cmd<'CancelReturn', { readonly reason: string }>;
/** A deadline's durable timer fired: the deadline is breached when it is still open and due. */
export type RecordDeadlineBreach = Cmd<'RecordDeadlineBreach', { readonly deadline: ReturnDeadline }>;

export type ReturnCommand =
  | RequestReturn
  | OfferAllowance
  | AnswerAllowance
  | DecideReturn
  | RecordReceipt
  | InspectReturn
  | CompleteRepair
  | QuoteRepairFee
  | AnswerRepairQuote
  | RecordRepairProgress
  | RecordRefundPaid
  | RecordRefundFailed
  | RecordAllowancePaid
  | RecordReplacementShipped
  | AnswerExchangeDifference
  | CancelReturn
  | RecordDeadlineBreach;

// ------------------------------------------------------------------------------------------------------------ events

/** Every event names its return and, when there is one, its case (intake's case timeline reads it). */
type Ev<T extends string, D> = DomainEvent<T, D & { readonly returnId: string; readonly caseId: string | null }>;

export type ReturnRequested = Ev<
  'ReturnRequested',
  Omit<RequestReturn['data'], 'caseKnown' | 'policy'> & {
    readonly tenant: string;
    readonly eligibility: Eligibility;
    readonly requestedAt: string;
    readonly requestedBy: string;
  }
>;
export type AllowanceOffered = Ev<
  'AllowanceOffered',
  {
    readonly amount: Money;
    readonly orderPaid: Money;
    readonly approvedBy: string | null;
    readonly offeredAt: string;
    readonly offeredBy: string;
  }
>;
export type AllowanceDeclined = Ev<'AllowanceDeclined', { readonly amount: Money; readonly declinedAt: string }>;
export type AllowanceAccepted = Ev<
  'AllowanceAccepted',
  { readonly orderId: string; readonly amount: Money; readonly idempotencyKey: string; readonly acceptedAt: string }
>;
export type AllowancePaid = Ev<'AllowancePaid', AllowancePaidFacts>;
export type ReturnApproved = Ev<
  'ReturnApproved',
  {
    readonly rule: ReturnRule;
    readonly resolution: ReturnResolution;
    readonly goodsReturn: boolean;
    readonly shippingPaidBy: ShippingPayer;
    /** An exchange for another product: the goods sent instead and the price difference quoted at the decision. */
    readonly exchange: ExchangeTerms | null;
    readonly approvedAt: string;
    readonly approvedBy: string;
  }
>;
export type ReturnRefused = Ev<
  'ReturnRefused',
  {
    readonly rule: ReturnRule;
    readonly explanation: string;
    readonly objectionRoute: string;
    readonly refusedAt: string;
    readonly refusedBy: string;
  }
>;
export type ReturnShipmentRequested = Ev<
  'ReturnShipmentRequested',
  {
    readonly orderId: string;
    readonly items: readonly Line[];
    readonly pickupAddressRef: string;
    readonly returnAddressRef: string;
    readonly method: string;
    readonly packaging: string;
    readonly shippingPaidBy: ShippingPayer;
    readonly requestedAt: string;
  }
>;
export type ReplacementShipmentRequested = Ev<
  'ReplacementShipmentRequested',
  {
    readonly orderId: string;
    readonly items: readonly Line[];
    readonly deliveryAddressRef: string;
    readonly shippingPaidBy: ShippingPayer;
    readonly shipBy: string;
    readonly requestedAt: string;
  }
>;
export type ReturnReceived = Ev<
  'ReturnReceived',
  {
    readonly items: readonly Line[];
    readonly complete: boolean;
    readonly shipmentId: string | null;
    readonly receivedAt: string;
  }
>;
export type ReturnInspected = Ev<
  'ReturnInspected',
  {
    readonly grade: InspectionGrade;
    readonly disposition: Disposition;
    readonly accepted: boolean;
    readonly inspectedAt: string;
    readonly inspectedBy: string;
  }
>;
export type RefundRequested = Ev<
  'RefundRequested',
  {
    readonly orderId: string;
    readonly amount: Money;
    readonly paidAmount: Money;
    readonly resolution: ReturnResolution;
    readonly idempotencyKey: string;
    readonly requestedAt: string;
  }
>;
export type RefundPaid = Ev<'RefundPaid', RefundPaidFacts>;
export type RefundFailed = Ev<'RefundFailed', RefundFailedFacts>;
export type ReplacementShipped = Ev<'ReplacementShipped', ReplacementShippedFacts>;
/** The goods were accepted and the replacement costs more than what was paid for them: the customer pays first. */
export type ExchangeDifferenceDue = Ev<
  'ExchangeDifferenceDue',
  { readonly orderId: string; readonly terms: ExchangeTerms; readonly dueAt: string }
>;
export type ExchangeDifferencePaid = Ev<
  'ExchangeDifferencePaid',
  { readonly amount: Money; readonly paymentRef: string; readonly paidAt: string; readonly recordedBy: string }
>;
/** The customer would not pay the difference: the goods that arrived are refunded instead of exchanged. */
export type ExchangeDifferenceDeclined = Ev<
  'ExchangeDifferenceDeclined',
  { readonly amount: Money; readonly declinedAt: string; readonly recordedBy: string }
>;
export type ReturnClosed = Ev<'ReturnClosed', { readonly closure: ReturnClosure; readonly closedAt: string }>;
export type ReturnCancelled = Ev<
  'ReturnCancelled',
  { readonly reason: string; readonly cancelledAt: string; readonly cancelledBy: string }
>;

/** A deadline started: its basis, budget and due instant on the tenant's calendar at the time. */
export type ReturnDeadlineSet = Ev<
  'ReturnDeadlineSet',
  {
    readonly deadline: ReturnDeadline;
    readonly basis: ClockBasis;
    readonly budgetMs: number;
    readonly startedAt: string;
    readonly dueAt: string;
  }
>;
export type ReturnDeadlineMet = Ev<
  'ReturnDeadlineMet',
  { readonly deadline: ReturnDeadline; readonly metAt: string; readonly late: boolean }
>;
export type ReturnDeadlineBreached = Ev<
  'ReturnDeadlineBreached',
  { readonly deadline: ReturnDeadline; readonly startedAt: string; readonly dueAt: string; readonly breachedAt: string }
>;

/** The stages of a repair agents see. */
export const RepairStages = ['diagnosed', 'parts_ordered', 'repairing', 'testing'] as const;
export type RepairStage = (typeof RepairStages)[number];

/** The warranty was checked when the goods were accepted for repair. */
export type RepairWarrantyChecked = Ev<'RepairWarrantyChecked', { readonly inWarranty: boolean; readonly at: string }>;
export type RepairFeeQuoted = Ev<
  'RepairFeeQuoted',
  { readonly fee: Money; readonly quotedAt: string; readonly quotedBy: string }
>;
export type RepairQuoteAnswered = Ev<
  'RepairQuoteAnswered',
  { readonly accepted: boolean; readonly fee: Money; readonly answeredAt: string; readonly recordedBy: string }
>;
/** Work started: in warranty at once, out of warranty only after the customer consented to the fee. */
export type RepairStarted = Ev<'RepairStarted', { readonly fee: Money | null; readonly startedAt: string }>;
export type RepairProgressRecorded = Ev<
  'RepairProgressRecorded',
  { readonly stage: RepairStage; readonly at: string; readonly by: string }
>;

export type ReturnEvent =
  | ReturnRequested
  | AllowanceOffered
  | AllowanceDeclined
  | AllowanceAccepted
  | AllowancePaid
  | ReturnApproved
  | ReturnRefused
  | ReturnShipmentRequested
  | ReplacementShipmentRequested
  | ReturnReceived
  | ReturnInspected
  | RefundRequested
  | RefundPaid
  | RefundFailed
  | ReplacementShipped
  | ExchangeDifferenceDue
  | ExchangeDifferencePaid
  | ExchangeDifferenceDeclined
  | ReturnClosed
  | ReturnCancelled
  | ReturnDeadlineSet
  | ReturnDeadlineMet
  | ReturnDeadlineBreached
  | RepairWarrantyChecked
  | RepairFeeQuoted
  | RepairQuoteAnswered
  | RepairStarted
  | RepairProgressRecorded;

// ------------------------------------------------------------------------------------------------------------- state

/** Where a return stands (Medusa's requested, received, partially received, canceled, widened by the saga's waits). */
export const ReturnStatuses = [
  'requested',
  'retention_offered',
  'allowance_accepted',
  'awaiting_goods',
  'partially_received',
  'received',
  'repair_quote_pending',
  'awaiting_repair_consent',
  'in_repair',
  'awaiting_difference_payment',
  'refund_pending',
  'refund_failed',
  'replacement_pending',
  'refused',
  'closed',
  'cancelled',
] as const;
export type ReturnStatus = (typeof ReturnStatuses)[number];

/** A deadline of the return as it stands. */
export interface DeadlineState {
  readonly startedAt: string;
  readonly dueAt: string;
  readonly status: 'open' | 'met' | 'breached';
  readonly late: boolean;
}

export interface OpenReturnState {
  readonly status: ReturnStatus;
  readonly request: ReturnRequested['data'];
  readonly offer: AllowanceOffered['data'] | null;
  readonly approval: ReturnApproved['data'] | null;
  readonly partialRefund: Money | null;
  readonly refusal: ReturnRefused['data'] | null;
  readonly received: readonly Line[];
  readonly receiptShipments: readonly string[];
  readonly inspection: ReturnInspected['data'] | null;
  readonly refund: {
    readonly requested: RefundRequested['data'];
    readonly paid: RefundPaid['data'] | null;
    readonly failed: RefundFailed['data'] | null;
  } | null;
  readonly replacement: {
    readonly requested: ReplacementShipmentRequested['data'];
    readonly shipped: ReplacementShipped['data'] | null;
  } | null;
  /** An exchange for another product: its terms at inspection (the difference due, paid or declined). */
  readonly exchange: {
    readonly due: ExchangeDifferenceDue['data'] | null;
    readonly paid: ExchangeDifferencePaid['data'] | null;
    readonly declined: ExchangeDifferenceDeclined['data'] | null;
  } | null;
  readonly closure: ReturnClosed['data'] | null;
  readonly cancellation: ReturnCancelled['data'] | null;
  readonly deadlines: Readonly<Partial<Record<ReturnDeadline, DeadlineState>>>;
  readonly repair: RepairState | null;
}

/** A repair as it stands: warranty, the fee and the customer's answer, the progress agents see. */
export interface RepairState {
  readonly inWarranty: boolean;
  readonly fee: Money | null;
  readonly consented: boolean | null;
  readonly startedAt: string | null;
  readonly progress: readonly RepairProgressRecorded['data'][];
}

export type ReturnState = { readonly status: 'none' } | OpenReturnState;

// ------------------------------------------------------------------------------------------------------- eligibility

const DAY_MS = 24 * 60 * 60 * 1000;

/** What the customer asks for, read as the outcome it means. */
const askedResolution: Readonly<Record<ReturnKind, ReturnResolution>> = {
  return: 'return_and_refund',
  exchange: 'exchange',
  refund_only: 'refund_only',
  repair: 'repair',
  claim_wrong_item: 'return_and_resend',
  claim_missing_item: 'reship',
  claim_damaged_item: 'reship',
};

/** Outcomes by problem (domain.md §2; seed 000 §4.1–§4.5; seed 002 §2 "problem assessment"). */
function outcomesFor(
  reason: ReturnReason,
  severity: ProblemSeverity | null,
  mismatch: MismatchKind | null,
): ReturnResolution[] {
  switch (reason) {
    case 'quality':
      if (severity === 'minor_flaw') return ['partial_refund'];
      if (severity === 'safety_hazard') return ['return_and_refund'];
      return ['repair', 'exchange', 'return_and_refund'];
    case 'description_mismatch':
      return mismatch === 'subjective' ? ['explanation'] : ['return_and_refund', 'exchange'];
    case 'logistics_damage':
      if (severity === 'minor_flaw') return ['partial_refund', 'reship', 'return_and_refund'];
      return ['reship', 'return_and_refund', 'refund_only'];
    case 'wrong_item':
      return ['reship', 'return_and_resend', 'refund_only'];
    case 'missing_item':
      return ['reship', 'refund_only'];
    case 'non_quality':
      return ['return_and_refund', 'exchange'];
    default:
      return assertNever(reason);
  }
}

const asksFirst = (asked: ReturnResolution, allowed: ReturnResolution[]) =>
  allowed.includes(asked) ? [asked, ...allowed.filter((r) => r !== asked)] : allowed;

/**
 * The eligibility rules (domain.md §2, seed 000 §2.4 and §4.1–§4.5, seed 001 "7 days no reason", seed 002 §2): quality
 * problems, significant description mismatches, wrong or missing items and transit damage are always eligible (the
 * responsible party pays shipping: the merchant, or the platform for its shipping errors, or the carrier for transit
 * damage); a subjective mismatch is explained; a personal-reason return must be within the window from delivery, the
 * goods unused with tags and packaging, and not sold at a special price (the customer pays shipping).
 */
export function assessEligibility(
  request: Pick<RequestReturn['data'], 'kind' | 'reason' | 'severity' | 'mismatch' | 'items'>,
  policy: ReturnsPolicy,
  at: Date,
): Eligibility {
  const { kind, reason, severity, mismatch, items } = request;
  const allowed = asksFirst(askedResolution[kind], outcomesFor(reason, severity, mismatch));
  switch (reason) {
    case 'quality':
      return { eligible: true, rule: 'quality_always_eligible', shippingPaidBy: 'merchant', resolutions: allowed };
    case 'description_mismatch':
      return mismatch === 'subjective'
        ? { eligible: true, rule: 'subjective_mismatch_explained', shippingPaidBy: 'customer', resolutions: allowed }
        : {
            eligible: true,
            rule: 'significant_mismatch_always_eligible',
            shippingPaidBy: 'merchant',
            resolutions: allowed,
          };
    case 'logistics_damage':
      return { eligible: true, rule: 'seller_error_always_eligible', shippingPaidBy: 'carrier', resolutions: allowed };
    case 'wrong_item':
    case 'missing_item':
      return { eligible: true, rule: 'seller_error_always_eligible', shippingPaidBy: 'platform', resolutions: allowed };
    case 'non_quality':
      return personalReasonEligibility(items, policy, at, allowed);
    default:
      return assertNever(reason);
  }
}

function personalReasonEligibility(
  items: readonly RequestedItem[],
  policy: ReturnsPolicy,
  at: Date,
  allowed: ReturnResolution[],
): Eligibility {
  const worn = items.find((i) => !i.condition.unused);
  if (worn) {
    return {
      eligible: false,
      rule: 'worn_or_soiled',
      explanation: `${worn.sku} has been used: goods returned for a personal reason must be unused`,
    };
  }
  const windowMs = policy.noReasonWindowDays * DAY_MS;
  const late = items.find((i) => at.getTime() - new Date(i.deliveredAt).getTime() > windowMs);
  if (late) {
    const days = Math.floor((at.getTime() - new Date(late.deliveredAt).getTime()) / DAY_MS);
    return {
      eligible: false,
      rule: 'no_reason_window',
      explanation: `Returns for a personal reason are accepted within ${policy.noReasonWindowDays} days of delivery; ${late.sku} was delivered ${days} days ago`,
    };
  }
  const opened = items.find((i) => !i.condition.tagsAttached || !i.condition.packagingIntact);
  if (opened) {
    const missing = [!opened.condition.tagsAttached && 'tags', !opened.condition.packagingIntact && 'packaging'].filter(
      Boolean,
    );
    return {
      eligible: false,
      rule: 'goods_intact',
      explanation: `Goods returned for a personal reason need their tags and packaging; ${opened.sku} lacks its ${missing.join(' and ')}`,
    };
  }
  const special = items.find((i) => i.specialPrice);
  if (special) {
    return {
      eligible: false,
      rule: 'special_price_exclusion',
      explanation: `${special.sku} was sold at a special price, excluded from returns for a personal reason`,
    };
  }
  return { eligible: true, rule: 'no_reason_window', shippingPaidBy: 'customer', resolutions: allowed };
}

// ---------------------------------------------------------------------------------------------------------- helpers

const iso = (context: CommandContext) => context.now.toISOString();
const ids = (request: { returnId: string; caseId: string | null }) => ({
  returnId: request.returnId,
  caseId: request.caseId,
});
const paidFor = (items: readonly { sku: string; quantity: number }[], request: ReturnRequested['data']): Money => {
  const amountMinor = items.reduce((sum, line) => {
    const item = request.items.find((i) => i.sku === line.sku);
    return sum + (item ? item.unitPrice.amountMinor * line.quantity : 0);
  }, 0);
  return { amountMinor, currency: request.orderPaid.currency };
};
const linesOf = (items: readonly { sku: string; quantity: number }[]): Line[] =>
  items.map(({ sku, quantity }) => ({ sku, quantity }));
const deliveryAddressRef = (orderId: string) => `order:${orderId}:delivery-address`;
const goodsComeBack = (resolution: ReturnResolution) =>
  resolution === 'return_and_refund' ||
  resolution === 'exchange' ||
  resolution === 'repair' ||
  resolution === 'return_and_resend';

function broken(code: string, message: string, rule: string, kind?: 'conflict' | 'invalid' | 'forbidden'): never {
  throw new ReturnRuleBroken(code, message, rule, kind);
}

function requireStatus(state: OpenReturnState, allowed: readonly ReturnStatus[], action: string): void {
  if (!allowed.includes(state.status)) {
    broken(
      'WRONG_STATUS',
      `A return that is ${state.status} cannot ${action}`,
      `Only a return that is ${allowed.join(' or ')} can ${action}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------- decide

function decide(command: ReturnCommand, state: ReturnState): ReturnEvent[] {
  if (command.type === 'RequestReturn') return request(command, state);
  if (state.status === 'none') return broken('NOT_REQUESTED', 'No such return', 'A return is requested first');
  switch (command.type) {
    case 'OfferAllowance':
      return offerAllowance(command, state);
    case 'AnswerAllowance':
      return answerAllowance(command, state);
    case 'DecideReturn':
      return decideReturn(command, state);
    case 'RecordReceipt':
      return recordReceipt(command, state);
    case 'InspectReturn':
      return inspect(command, state);
    case 'CompleteRepair':
      return completeRepair(command, state);
    case 'QuoteRepairFee':
      return quoteRepairFee(command, state);
    case 'AnswerRepairQuote':
      return answerRepairQuote(command, state);
    case 'RecordRepairProgress':
      return recordRepairProgress(command, state);
    case 'RecordRefundPaid':
      return refundPaid(command, state);
    case 'RecordRefundFailed':
      return refundFailed(command, state);
    case 'RecordAllowancePaid':
      return allowancePaid(command, state);
    case 'RecordReplacementShipped':
      return replacementShipped(command, state);
    case 'AnswerExchangeDifference':
      return answerExchangeDifference(command, state);
    case 'CancelReturn':
      return cancel(command, state);
    case 'RecordDeadlineBreach':
      return deadlineBreach(command, state);
    default:
      return assertNever(command);
  }
}

function request({ context, data }: RequestReturn, state: ReturnState): ReturnEvent[] {
  const { caseKnown, policy, ...requested } = data;
  if (state.status !== 'none') {
    if (state.request.tenant === context.tenant && state.request.orderId === data.orderId) return [];
    return broken('ALREADY_REQUESTED', `Return ${data.returnId} already exists`, 'An id names one return');
  }
  if (data.caseId && !caseKnown) throw new ReturnCaseUnknown(data.caseId);
  const currency = data.orderPaid.currency;
  if (data.items.some((i) => i.unitPrice.currency !== currency)) {
    broken(
      'CURRENCY_MISMATCH',
      `Items are priced in another currency than the order's ${currency}`,
      'A return is in the currency the order was paid in',
      'invalid',
    );
  }
  const skus = new Set(data.items.map((i) => i.sku));
  if (skus.size !== data.items.length) broken('DUPLICATE_SKU', 'An SKU appears twice', 'One line per SKU', 'invalid');
  const paid = paidFor(data.items, { ...requested, orderPaid: data.orderPaid } as ReturnRequested['data']);
  if (paid.amountMinor > data.orderPaid.amountMinor) {
    broken(
      'ITEMS_OVER_ORDER',
      `The items cost ${paid.amountMinor}, more than the ${data.orderPaid.amountMinor} paid for the order`,
      'Items are priced at what was paid for them',
      'invalid',
    );
  }
  const eligibility = assessEligibility(data, policy, context.now);
  return [
    {
      type: 'ReturnRequested',
      data: {
        ...requested,
        tenant: context.tenant,
        eligibility,
        requestedAt: iso(context),
        requestedBy: context.actor.id,
      },
    },
  ];
}

const SUPERVISORS = ['supervisor', 'cs-manager', 'cs-director'];

/**
 * Retention first (seed 003 §12): the customer may keep the goods with an allowance of at most the policy's share of
 * what was paid for the order (30 %); above the agent's limit only a supervisor offers it (domain.md §4 approvals).
 */
function offerAllowance({ context, data }: OfferAllowance, state: OpenReturnState): ReturnEvent[] {
  requireStatus(state, ['requested', 'retention_offered'], 'be offered an allowance');
  const { amount, policy } = data;
  const { orderPaid } = state.request;
  if (amount.currency !== orderPaid.currency) {
    broken(
      'CURRENCY_MISMATCH',
      `The allowance is not in the order's ${orderPaid.currency}`,
      'An allowance is in the currency the order was paid in',
      'invalid',
    );
  }
  const ceiling = Math.floor((orderPaid.amountMinor * policy.allowanceMaxPercent) / 100);
  if (amount.amountMinor > ceiling) {
    broken(
      'ALLOWANCE_OVER_SHARE',
      `${amount.amountMinor} is more than ${policy.allowanceMaxPercent} % of the ${orderPaid.amountMinor} paid (${ceiling})`,
      `An allowance is at most ${policy.allowanceMaxPercent} % of the order value`,
    );
  }
  const supervisor = context.actor.roles.some((r) => SUPERVISORS.includes(r));
  if (amount.amountMinor > policy.agentAllowanceLimitMinor && !supervisor) {
    broken(
      'ALLOWANCE_NEEDS_SUPERVISOR',
      `${amount.amountMinor} is above the agent's limit of ${policy.agentAllowanceLimitMinor}`,
      "An allowance above the agent's limit is offered by a supervisor",
      'forbidden',
    );
  }
  if (state.offer && state.status === 'retention_offered' && state.offer.amount.amountMinor === amount.amountMinor)
    return [];
  const approvedBy = amount.amountMinor > policy.agentAllowanceLimitMinor ? context.actor.id : null;
  return [
    {
      type: 'AllowanceOffered',
      data: {
        ...ids(state.request),
        amount,
        orderPaid,
        approvedBy,
        offeredAt: iso(context),
        offeredBy: context.actor.id,
      },
    },
  ];
}

function answerAllowance({ context, data }: AnswerAllowance, state: OpenReturnState): ReturnEvent[] {
  if (data.accepted && state.status === 'allowance_accepted') return [];
  if (!data.accepted && state.status === 'requested' && state.offer) return [];
  requireStatus(state, ['retention_offered'], 'answer an allowance');
  const { returnId, caseId, orderId } = state.request;
  const amount = state.offer!.amount;
  return data.accepted
    ? [
        {
          type: 'AllowanceAccepted',
          data: {
            returnId,
            caseId,
            orderId,
            amount,
            idempotencyKey: `allowance:${returnId}`,
            acceptedAt: iso(context),
          },
        },
      ]
    : [{ type: 'AllowanceDeclined', data: { returnId, caseId, amount, declinedAt: iso(context) } }];
}

/**
 * The decision: an eligible request is approved, never refused (seed 000 §2.4 "符合条件的申请,不得无故拒绝"), with an
 * outcome its problem allows; an ineligible one is refused naming its rule, its figures and how to object.
 */
function decideReturn({ context, data }: DecideReturn, state: OpenReturnState): ReturnEvent[] {
  if (state.refusal) return [];
  if (state.approval) {
    // The same decision again changes nothing; another outcome for a decided return is a conflict.
    if (data.resolution === null || data.resolution === state.approval.resolution) return [];
    broken('ALREADY_DECIDED', `The return was approved for ${state.approval.resolution}`, 'A return is decided once');
  }
  requireStatus(state, ['requested', 'retention_offered'], 'be decided');
  const { request } = state;
  const { returnId, caseId, eligibility } = request;
  const at = iso(context);
  if (!eligibility.eligible) {
    const refused: ReturnRefused = {
      type: 'ReturnRefused',
      data: {
        returnId,
        caseId,
        rule: eligibility.rule,
        explanation: eligibility.explanation,
        objectionRoute: data.policy.objectionRoute,
        refusedAt: at,
        refusedBy: context.actor.id,
      },
    };
    return [refused];
  }
  const resolution = data.resolution ?? eligibility.resolutions[0]!;
  if (!eligibility.resolutions.includes(resolution)) {
    broken(
      'RESOLUTION_NOT_FOR_PROBLEM',
      `${resolution} is not an outcome of this problem (${eligibility.resolutions.join(', ')})`,
      'Outcomes follow the problem: minor flaw → partial refund; unusable → repair, exchange or return; safety hazard → return and refund; wrong or missing item → reship, return-and-resend or refund of the part; subjective mismatch → explanation',
    );
  }
  const paid = paidFor(request.items, request);
  if (resolution === 'partial_refund') {
    const amount = data.partialRefund;
    if (!amount)
      broken(
        'PARTIAL_REFUND_AMOUNT',
        'A partial refund needs its amount',
        'A partial refund names its amount',
        'invalid',
      );
    if (amount.currency !== paid.currency || amount.amountMinor < 1 || amount.amountMinor > paid.amountMinor) {
      broken(
        'REFUND_OVER_PAID',
        `A partial refund is 1 to ${paid.amountMinor} ${paid.currency}`,
        'A refund is never more than was paid',
      );
    }
  }
  const exchange = data.exchangeFor ? exchangeTerms(data.exchangeFor, resolution, paid) : null;
  const goodsReturn = goodsComeBack(resolution);
  const approved: ReturnApproved = {
    type: 'ReturnApproved',
    data: {
      returnId,
      caseId,
      rule: eligibility.rule,
      resolution,
      goodsReturn,
      shippingPaidBy: eligibility.shippingPaidBy,
      exchange,
      approvedAt: at,
      approvedBy: context.actor.id,
    },
  };
  const events: ReturnEvent[] = [approved];
  if (goodsReturn) {
    events.push({
      type: 'ReturnShipmentRequested',
      data: {
        returnId,
        caseId,
        orderId: request.orderId,
        items: linesOf(request.items),
        pickupAddressRef: deliveryAddressRef(request.orderId),
        returnAddressRef: data.policy.returnAddressRef,
        method: data.policy.returnMethod,
        packaging: data.policy.packagingInstructions,
        shippingPaidBy: eligibility.shippingPaidBy,
        requestedAt: at,
      },
    });
  } else if (resolution === 'refund_only' || resolution === 'partial_refund') {
    events.push(
      refundRequest(request, resolution, resolution === 'partial_refund' ? data.partialRefund! : paid, at),
      deadlineSet(
        request,
        'refund_completion',
        'business',
        data.policy.refundCompletionWorkingHours,
        data.policy,
        context.now,
      ),
    );
  } else if (resolution === 'reship') {
    events.push(
      ...replacementWithDeadline(request, linesOf(request.items), eligibility.shippingPaidBy, data.policy, context),
    );
  } else {
    events.push({ type: 'ReturnClosed', data: { returnId, caseId, closure: 'explained', closedAt: at } });
  }
  return events;
}

/**
 * The terms of an exchange for another product (seed 000 §4.3: "another product → price difference charged or
 * refunded"): the goods sent instead, priced in the order's currency, against what was paid for the goods sent back.
 */
function exchangeTerms(items: readonly ExchangeItem[], resolution: ReturnResolution, returned: Money): ExchangeTerms {
  if (resolution !== 'exchange') {
    broken(
      'EXCHANGE_ITEMS_WITHOUT_EXCHANGE',
      `Goods to send instead are named for an exchange, not for ${resolution}`,
      'Only an exchange sends other goods instead',
      'invalid',
    );
  }
  if (items.length === 0 || new Set(items.map((i) => i.sku)).size !== items.length) {
    broken('EXCHANGE_ITEMS_INVALID', 'One line per SKU, at least one', 'One line per SKU', 'invalid');
  }
  if (items.some((i) => i.unitPrice.currency !== returned.currency || i.quantity < 1 || i.unitPrice.amountMinor < 0)) {
    broken(
      'CURRENCY_MISMATCH',
      `Goods sent instead are priced in the order's ${returned.currency}, at least one of each`,
      'An exchange is priced in the currency the order was paid in',
      'invalid',
    );
  }
  return termsAgainst(items, returned);
}

/** The price difference of the goods sent instead against what was paid for the goods sent back. */
function termsAgainst(items: readonly ExchangeItem[], returned: Money): ExchangeTerms {
  const replacementValue = {
    amountMinor: items.reduce((sum, i) => sum + i.unitPrice.amountMinor * i.quantity, 0),
    currency: returned.currency,
  };
  const delta = replacementValue.amountMinor - returned.amountMinor;
  return {
    items: items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
    returnedValue: returned,
    replacementValue,
    settlement: delta === 0 ? 'none' : delta > 0 ? 'customer_pays' : 'refund_due',
    difference: { amountMinor: Math.abs(delta), currency: returned.currency },
  };
}

function refundRequest(
  request: ReturnRequested['data'],
  resolution: ReturnResolution,
  amount: Money,
  at: string,
): RefundRequested {
  const paidAmount = paidFor(request.items, request);
  return {
    type: 'RefundRequested',
    data: {
      ...ids(request),
      orderId: request.orderId,
      amount,
      paidAmount,
      resolution,
      idempotencyKey: request.returnId,
      requestedAt: at,
    },
  };
}

function replacementRequest(
  request: ReturnRequested['data'],
  items: Line[],
  shippingPaidBy: ShippingPayer,
  policy: ReturnsPolicy,
  context: CommandContext,
): ReplacementShipmentRequested {
  const shipBy = new Date(context.now.getTime() + policy.replacementShipWithinHours * 60 * 60 * 1000).toISOString();
  return {
    type: 'ReplacementShipmentRequested',
    data: {
      ...ids(request),
      orderId: request.orderId,
      items,
      deliveryAddressRef: deliveryAddressRef(request.orderId),
      shippingPaidBy,
      shipBy,
      requestedAt: iso(context),
    },
  };
}

const HOUR_MS = 3_600_000;

/** Starts a deadline: its due instant counted on the tenant's calendar (business hours) or the wall clock (elapsed). */
function deadlineSet(
  request: ReturnRequested['data'],
  deadline: ReturnDeadline,
  basis: ClockBasis,
  hours: number,
  policy: ReturnsPolicy,
  now: Date,
): ReturnDeadlineSet {
  const budgetMs = hours * HOUR_MS;
  const dueAt = addTime(basis, policy.calendar, now, budgetMs).toISOString();
  return {
    type: 'ReturnDeadlineSet',
    data: { ...ids(request), deadline, basis, budgetMs, startedAt: now.toISOString(), dueAt },
  };
}

/** Meets a deadline that is open or breached (late when at or after its due instant: the due instant is breached). */
function deadlineMet(state: OpenReturnState, deadline: ReturnDeadline, at: string): ReturnDeadlineMet[] {
  const current = state.deadlines[deadline];
  if (!current || current.status === 'met') return [];
  const late = Date.parse(at) >= Date.parse(current.dueAt);
  return [{ type: 'ReturnDeadlineMet', data: { ...ids(state.request), deadline, metAt: at, late } }];
}

/** A replacement asked of logistics, with its shipping deadline (the same instant as its `shipBy`). */
function replacementWithDeadline(
  request: ReturnRequested['data'],
  items: Line[],
  shippingPaidBy: ShippingPayer,
  policy: ReturnsPolicy,
  context: CommandContext,
): ReturnEvent[] {
  return [
    replacementRequest(request, items, shippingPaidBy, policy, context),
    deadlineSet(request, 'replacement_shipment', 'elapsed', policy.replacementShipWithinHours, policy, context.now),
  ];
}

/** Receipt, in full or in part (Medusa's received / partially received); a shipment counted twice counts once. */
function recordReceipt({ context, data }: RecordReceipt, state: OpenReturnState): ReturnEvent[] {
  if (data.shipmentId && state.receiptShipments.includes(data.shipmentId)) return [];
  requireStatus(state, ['awaiting_goods', 'partially_received'], 'receive goods');
  const totals = new Map(state.received.map((l) => [l.sku, l.quantity]));
  for (const line of data.items) {
    const asked = state.request.items.find((i) => i.sku === line.sku);
    const total = (totals.get(line.sku) ?? 0) + line.quantity;
    if (!asked || total > asked.quantity) {
      broken(
        'RECEIPT_NOT_ASKED',
        `${line.quantity} × ${line.sku} is more than the return asked for`,
        'Only the goods a return asked for are received on it',
      );
    }
    totals.set(line.sku, total);
  }
  const items = [...totals].map(([sku, quantity]) => ({ sku, quantity }));
  const complete = state.request.items.every((i) => totals.get(i.sku) === i.quantity);
  return [
    {
      type: 'ReturnReceived',
      data: {
        ...ids(state.request),
        items,
        complete,
        shipmentId: data.shipmentId,
        receivedAt: iso(context),
      },
    },
    // The first goods to arrive start the inspection deadline and, for a refund, the refund's (seed 000 §2.4).
    ...(state.received.length > 0
      ? []
      : [
          deadlineSet(
            state.request,
            'inspection',
            'business',
            data.policy.inspectionWorkingHours,
            data.policy,
            context.now,
          ),
          ...(state.approval?.resolution === 'return_and_refund'
            ? [
                deadlineSet(
                  state.request,
                  'refund_completion',
                  'business',
                  data.policy.refundCompletionWorkingHours,
                  data.policy,
                  context.now,
                ),
              ]
            : []),
        ]),
  ];
}

/**
 * Inspection (QC, seed 000 §2.4): the grade and the disposition. Goods not matching the sale, and goods returned for a
 * personal reason found used or damaged, are refused on receipt and sent back (domain.md §2: worn goods and ineligible
 * exchanges are refused on receipt). Accepted goods go on: the refund requested once for what arrived, the replacement
 * shipped, the repair started.
 */
function inspect({ context, data }: InspectReturn, state: OpenReturnState): ReturnEvent[] {
  if (state.inspection) return [];
  requireStatus(state, ['received', 'partially_received'], 'be inspected');
  const { request } = state;
  const personal = request.reason === 'non_quality';
  const accepted = data.grade !== 'not_matching' && !(personal && (data.grade === 'used' || data.grade === 'damaged'));
  if (!accepted && data.disposition !== 'send_back') {
    broken(
      'REFUSED_GOODS_GO_BACK',
      `Goods refused on receipt (${data.grade}) are sent back, not ${data.disposition}`,
      'Goods refused on receipt go back to the customer',
    );
  }
  const at = iso(context);
  const { returnId, caseId } = request;
  const events: ReturnEvent[] = [
    {
      type: 'ReturnInspected',
      data: {
        returnId,
        caseId,
        grade: data.grade,
        disposition: data.disposition,
        accepted,
        inspectedAt: at,
        inspectedBy: context.actor.id,
      },
    },
    ...deadlineMet(state, 'inspection', at),
  ];
  if (!accepted)
    return [
      ...events,
      { type: 'ReturnClosed', data: { returnId, caseId, closure: 'refused_on_receipt', closedAt: at } },
    ];
  const resolution = state.approval!.resolution;
  if (resolution === 'return_and_refund')
    events.push(refundRequest(request, resolution, paidFor(state.received, request), at));
  if (resolution === 'exchange' && state.approval!.exchange) {
    events.push(...exchangeForAnotherProduct(state, state.approval!.exchange, data.policy, context));
  } else if (resolution === 'exchange' || resolution === 'return_and_resend') {
    events.push(
      ...replacementWithDeadline(request, [...state.received], state.approval!.shippingPaidBy, data.policy, context),
    );
  }
  if (resolution === 'repair') {
    // Warranty check (seed 003 §8): every item under warranty today → the repair starts; otherwise a fee is quoted
    // and the customer consents before any work (seed 000 §4.6).
    const inWarranty = request.items.every(
      (i) => i.warrantyUntil !== null && Date.parse(i.warrantyUntil) >= context.now.getTime(),
    );
    events.push({ type: 'RepairWarrantyChecked', data: { returnId, caseId, inWarranty, at } });
    if (inWarranty) events.push(...repairStart(request, null, data.policy, context));
  }
  return events;
}

/**
 * Accepted goods of an exchange for another product (seed 000 §4.3): the difference is settled against what arrived.
 * The same price → the replacement ships; it costs less → it ships and the difference is refunded (once, key = the
 * return id, never more than paid); it costs more → the customer pays the difference first (the shop collects it).
 */
function exchangeForAnotherProduct(
  state: OpenReturnState,
  quoted: ExchangeTerms,
  policy: ReturnsPolicy,
  context: CommandContext,
): ReturnEvent[] {
  const { request } = state;
  const terms = termsAgainst(quoted.items, paidFor(state.received, request));
  const replacement = () =>
    replacementWithDeadline(request, linesOf(terms.items), state.approval!.shippingPaidBy, policy, context);
  switch (terms.settlement) {
    case 'none':
      return replacement();
    case 'refund_due':
      return [
        refundRequest(request, 'exchange', terms.difference, iso(context)),
        deadlineSet(request, 'refund_completion', 'business', policy.refundCompletionWorkingHours, policy, context.now),
        ...replacement(),
      ];
    case 'customer_pays':
      return [
        {
          type: 'ExchangeDifferenceDue',
          data: { ...ids(request), orderId: request.orderId, terms, dueAt: iso(context) },
        },
      ];
    default:
      return assertNever(terms.settlement);
  }
}

/** The customer paid the difference (the replacement ships) or declined it (what arrived is refunded instead). */
function answerExchangeDifference({ context, data }: AnswerExchangeDifference, state: OpenReturnState): ReturnEvent[] {
  const answered = state.exchange;
  if (data.paid && answered?.paid?.paymentRef === data.paymentRef) return [];
  if (!data.paid && answered?.declined) return [];
  requireStatus(state, ['awaiting_difference_payment'], 'settle an exchange price difference');
  const { request } = state;
  const terms = answered!.due!.terms;
  const at = iso(context);
  if (data.paid) {
    const { amount, paymentRef } = data;
    if (!amount || !paymentRef) {
      broken(
        'DIFFERENCE_PAYMENT_UNNAMED',
        'A paid difference names its payment reference and amount',
        'A payment is recorded with its reference and amount',
        'invalid',
      );
    }
    if (amount.currency !== terms.difference.currency || amount.amountMinor !== terms.difference.amountMinor) {
      broken(
        'DIFFERENCE_AMOUNT',
        `The difference due is ${terms.difference.amountMinor} ${terms.difference.currency}, not ${amount.amountMinor} ${amount.currency}`,
        'The customer pays exactly the price difference due',
        'invalid',
      );
    }
    return [
      {
        type: 'ExchangeDifferencePaid',
        data: { ...ids(request), amount, paymentRef, paidAt: at, recordedBy: context.actor.id },
      },
      ...replacementWithDeadline(request, linesOf(terms.items), state.approval!.shippingPaidBy, data.policy, context),
    ];
  }
  return [
    {
      type: 'ExchangeDifferenceDeclined',
      data: { ...ids(request), amount: terms.difference, declinedAt: at, recordedBy: context.actor.id },
    },
    refundRequest(request, 'return_and_refund', paidFor(state.received, request), at),
    deadlineSet(
      request,
      'refund_completion',
      'business',
      data.policy.refundCompletionWorkingHours,
      data.policy,
      context.now,
    ),
  ];
}

function repairStart(
  request: ReturnRequested['data'],
  fee: Money | null,
  policy: ReturnsPolicy,
  context: CommandContext,
): ReturnEvent[] {
  return [
    { type: 'RepairStarted', data: { ...ids(request), fee, startedAt: iso(context) } },
    deadlineSet(request, 'repair', 'business', policy.repairWorkingHours, policy, context.now),
  ];
}

function quoteRepairFee({ context, data }: QuoteRepairFee, state: OpenReturnState): ReturnEvent[] {
  if (state.status === 'awaiting_repair_consent' && state.repair?.fee?.amountMinor === data.fee.amountMinor) return [];
  requireStatus(state, ['repair_quote_pending', 'awaiting_repair_consent'], 'be quoted a repair fee');
  if (data.fee.currency !== state.request.orderPaid.currency || data.fee.amountMinor < 1) {
    broken(
      'REPAIR_FEE_INVALID',
      `A repair fee is a positive amount in ${state.request.orderPaid.currency}`,
      'A repair fee is quoted in the currency the order was paid in',
      'invalid',
    );
  }
  return [
    {
      type: 'RepairFeeQuoted',
      data: { ...ids(state.request), fee: data.fee, quotedAt: iso(context), quotedBy: context.actor.id },
    },
  ];
}

function answerRepairQuote({ context, data }: AnswerRepairQuote, state: OpenReturnState): ReturnEvent[] {
  if (state.repair?.consented === data.accepted) return [];
  requireStatus(state, ['awaiting_repair_consent'], 'answer a repair quote');
  const fee = state.repair!.fee!;
  const answered: RepairQuoteAnswered = {
    type: 'RepairQuoteAnswered',
    data: {
      ...ids(state.request),
      accepted: data.accepted,
      fee,
      answeredAt: iso(context),
      recordedBy: context.actor.id,
    },
  };
  if (data.accepted) return [answered, ...repairStart(state.request, fee, data.policy, context)];
  // Declined: no work; the goods go back to the customer as they came.
  return [
    answered,
    ...replacementWithDeadline(
      state.request,
      [...state.received],
      state.approval!.shippingPaidBy,
      data.policy,
      context,
    ),
  ];
}

function recordRepairProgress({ context, data }: RecordRepairProgress, state: OpenReturnState): ReturnEvent[] {
  requireStatus(state, ['in_repair'], 'record repair progress');
  if (state.repair?.progress.at(-1)?.stage === data.stage) return [];
  return [
    {
      type: 'RepairProgressRecorded',
      data: { ...ids(state.request), stage: data.stage, at: iso(context), by: context.actor.id },
    },
  ];
}

function completeRepair({ context, data }: CompleteRepair, state: OpenReturnState): ReturnEvent[] {
  if (state.replacement) return [];
  requireStatus(state, ['in_repair'], 'complete a repair');
  return [
    ...deadlineMet(state, 'repair', iso(context)),
    ...replacementWithDeadline(
      state.request,
      [...state.received],
      state.approval!.shippingPaidBy,
      data.policy,
      context,
    ),
  ];
}

/** Compensation paid the refund: recorded once, whatever the redeliveries; the return closes. */
function refundPaid({ data }: RecordRefundPaid, state: OpenReturnState): ReturnEvent[] {
  if (state.refund?.paid) return [];
  // An exchange refunding a price difference ships its replacement at the same time.
  requireStatus(
    state,
    state.refund ? ['refund_pending', 'refund_failed', 'replacement_pending'] : ['refund_pending', 'refund_failed'],
    'record a refund paid',
  );
  const { returnId, caseId } = state.request;
  const events: ReturnEvent[] = [
    { type: 'RefundPaid', data: { returnId, caseId, ...data } },
    ...deadlineMet(state, 'refund_completion', data.paidAt),
  ];
  if (state.replacement && !state.replacement.shipped) return events;
  const closure = state.replacement ? (closureOf[state.approval!.resolution] ?? 'reshipped') : 'refunded';
  return [...events, { type: 'ReturnClosed', data: { returnId, caseId, closure, closedAt: data.paidAt } }];
}

/** Compensation could not pay: the return waits on its case (an agent decides); a later payment still closes it. */
function refundFailed({ data }: RecordRefundFailed, state: OpenReturnState): ReturnEvent[] {
  if (state.refund?.paid || state.refund?.failed?.compensationId === data.compensationId) return [];
  requireStatus(
    state,
    state.refund ? ['refund_pending', 'replacement_pending'] : ['refund_pending'],
    'record a refund failure',
  );
  return [{ type: 'RefundFailed', data: { ...ids(state.request), ...data } }];
}

function allowancePaid({ data }: RecordAllowancePaid, state: OpenReturnState): ReturnEvent[] {
  if (state.closure?.closure === 'kept_with_allowance') return [];
  requireStatus(state, ['allowance_accepted'], 'record an allowance paid');
  const { returnId, caseId } = state.request;
  return [
    { type: 'AllowancePaid', data: { returnId, caseId, ...data } },
    { type: 'ReturnClosed', data: { returnId, caseId, closure: 'kept_with_allowance', closedAt: data.paidAt } },
  ];
}

const closureOf: Partial<Record<ReturnResolution, ReturnClosure>> = {
  exchange: 'exchanged',
  return_and_resend: 'reshipped',
  reship: 'reshipped',
  repair: 'repaired',
};

function replacementShipped({ data }: RecordReplacementShipped, state: OpenReturnState): ReturnEvent[] {
  if (state.replacement?.shipped) return [];
  // An exchange refunding a price difference may still wait for that refund.
  requireStatus(
    state,
    state.replacement ? ['replacement_pending', 'refund_pending', 'refund_failed'] : ['replacement_pending'],
    'record a replacement shipped',
  );
  const { returnId, caseId } = state.request;
  const declined = state.repair?.consented === false;
  const closure = declined ? 'returned_unrepaired' : (closureOf[state.approval!.resolution] ?? 'reshipped');
  const events: ReturnEvent[] = [
    { type: 'ReplacementShipped', data: { returnId, caseId, ...data } },
    ...deadlineMet(state, 'replacement_shipment', data.shippedAt),
  ];
  if (state.refund && !state.refund.paid) return events;
  return [...events, { type: 'ReturnClosed', data: { returnId, caseId, closure, closedAt: data.shippedAt } }];
}

/**
 * A deadline's timer fired (domain.md §2: each deadline is a durable timer; a breach is an event): breached when it is
 * still open on a return still running, recorded at its due instant (timer lag never moves the fact). A stale timer
 * (the deadline met, the return ended) changes nothing; an early one is refused, and the timer ends.
 */
function deadlineBreach({ context, data }: RecordDeadlineBreach, state: OpenReturnState): ReturnEvent[] {
  const current = state.deadlines[data.deadline];
  const ended = state.status === 'closed' || state.status === 'cancelled' || state.status === 'refused';
  if (!current || current.status !== 'open' || ended) return [];
  if (context.now.getTime() < Date.parse(current.dueAt)) {
    broken(
      'DEADLINE_NOT_DUE',
      `The ${data.deadline} deadline is due at ${current.dueAt}`,
      'A deadline is breached at its due instant',
    );
  }
  return [
    {
      type: 'ReturnDeadlineBreached',
      data: {
        ...ids(state.request),
        deadline: data.deadline,
        startedAt: current.startedAt,
        dueAt: current.dueAt,
        breachedAt: current.dueAt,
      },
    },
  ];
}

/** Cancellation before the goods arrive (Medusa's canceled); afterwards the return runs to its end. */
function cancel({ context, data }: CancelReturn, state: OpenReturnState): ReturnEvent[] {
  if (state.status === 'cancelled') return [];
  if (state.received.length > 0) {
    broken(
      'CANCEL_AFTER_RECEIPT',
      'Goods of this return have arrived',
      'A return is cancelled only before its goods arrive',
    );
  }
  requireStatus(state, ['requested', 'retention_offered', 'awaiting_goods'], 'be cancelled');
  return [
    {
      type: 'ReturnCancelled',
      data: {
        ...ids(state.request),
        reason: data.reason,
        cancelledAt: iso(context),
        cancelledBy: context.actor.id,
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------- evolve

function evolve(state: ReturnState, event: ReturnEvent): ReturnState {
  if (event.type === 'ReturnRequested') {
    return {
      status: 'requested',
      request: event.data,
      offer: null,
      approval: null,
      partialRefund: null,
      refusal: null,
      received: [],
      receiptShipments: [],
      inspection: null,
      refund: null,
      replacement: null,
      exchange: null,
      closure: null,
      cancellation: null,
      deadlines: {},
      repair: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AllowanceOffered':
      return { ...state, status: 'retention_offered', offer: event.data };
    case 'AllowanceDeclined':
      return { ...state, status: 'requested' };
    case 'AllowanceAccepted':
      return { ...state, status: 'allowance_accepted' };
    case 'AllowancePaid':
      return state;
    case 'ReturnApproved':
      return { ...state, status: event.data.goodsReturn ? 'awaiting_goods' : state.status, approval: event.data };
    case 'ReturnRefused':
      return { ...state, status: 'refused', refusal: event.data };
    case 'ReturnShipmentRequested':
      return { ...state, status: 'awaiting_goods' };
    case 'ReplacementShipmentRequested':
      return { ...state, status: 'replacement_pending', replacement: { requested: event.data, shipped: null } };
    case 'ReturnReceived':
      return {
        ...state,
        status: event.data.complete ? 'received' : 'partially_received',
        received: event.data.items,
        receiptShipments: event.data.shipmentId
          ? [...state.receiptShipments, event.data.shipmentId]
          : state.receiptShipments,
      };
    case 'ReturnInspected':
      return {
        ...state,
        inspection: event.data,
        status: state.status,
      };
    case 'RefundRequested':
      return { ...state, status: 'refund_pending', refund: { requested: event.data, paid: null, failed: null } };
    case 'RefundPaid':
      return {
        ...state,
        status: state.replacement && !state.replacement.shipped ? 'replacement_pending' : state.status,
        refund: state.refund && { ...state.refund, paid: event.data },
      };
    case 'RefundFailed':
      return { ...state, status: 'refund_failed', refund: state.refund && { ...state.refund, failed: event.data } };
    case 'ReplacementShipped':
      return {
        ...state,
        // An exchange's refunded difference still outstanding: the return waits for it.
        status: state.refund && !state.refund.paid && !state.refund.failed ? 'refund_pending' : state.status,
        replacement: state.replacement && { ...state.replacement, shipped: event.data },
      };
    case 'ExchangeDifferenceDue':
      return {
        ...state,
        status: 'awaiting_difference_payment',
        exchange: { due: event.data, paid: null, declined: null },
      };
    case 'ExchangeDifferencePaid':
      return { ...state, exchange: state.exchange && { ...state.exchange, paid: event.data } };
    case 'ExchangeDifferenceDeclined':
      return { ...state, exchange: state.exchange && { ...state.exchange, declined: event.data } };
    case 'ReturnClosed':
      return { ...state, status: 'closed', closure: event.data };
    case 'ReturnCancelled':
      return { ...state, status: 'cancelled', cancellation: event.data };
    case 'RepairWarrantyChecked':
    case 'RepairFeeQuoted':
    case 'RepairQuoteAnswered':
    case 'RepairStarted':
    case 'RepairProgressRecorded':
      return evolveRepair(state, event);
    case 'ReturnDeadlineSet':
    case 'ReturnDeadlineMet':
    case 'ReturnDeadlineBreached':
      return evolveDeadline(state, event);
    default:
      return assertNever(event);
  }
}

type RepairEvent = Extract<
  ReturnEvent,
  {
    type:
      'RepairWarrantyChecked' | 'RepairFeeQuoted' | 'RepairQuoteAnswered' | 'RepairStarted' | 'RepairProgressRecorded';
  }
>;

function evolveRepair(state: OpenReturnState, event: RepairEvent): OpenReturnState {
  switch (event.type) {
    case 'RepairWarrantyChecked':
      return {
        ...state,
        status: event.data.inWarranty ? state.status : 'repair_quote_pending',
        repair: { inWarranty: event.data.inWarranty, fee: null, consented: null, startedAt: null, progress: [] },
      };
    case 'RepairFeeQuoted':
      return {
        ...state,
        status: 'awaiting_repair_consent',
        repair: state.repair && { ...state.repair, fee: event.data.fee },
      };
    case 'RepairQuoteAnswered':
      return { ...state, repair: state.repair && { ...state.repair, consented: event.data.accepted } };
    case 'RepairStarted':
      return {
        ...state,
        status: 'in_repair',
        repair: state.repair && { ...state.repair, startedAt: event.data.startedAt },
      };
    case 'RepairProgressRecorded':
      return {
        ...state,
        repair: state.repair && { ...state.repair, progress: [...state.repair.progress, event.data] },
      };
    default:
      return assertNever(event);
  }
}

type DeadlineEvent = Extract<
  ReturnEvent,
  { type: 'ReturnDeadlineSet' | 'ReturnDeadlineMet' | 'ReturnDeadlineBreached' }
>;

function evolveDeadline(state: OpenReturnState, event: DeadlineEvent): OpenReturnState {
  switch (event.type) {
    case 'ReturnDeadlineSet': {
      const { deadline, startedAt, dueAt } = event.data;
      return {
        ...state,
        deadlines: { ...state.deadlines, [deadline]: { startedAt, dueAt, status: 'open', late: false } },
      };
    }
    case 'ReturnDeadlineMet': {
      const current = state.deadlines[event.data.deadline];
      if (!current) return state;
      const met = { ...current, status: 'met' as const, late: event.data.late };
      return { ...state, deadlines: { ...state.deadlines, [event.data.deadline]: met } };
    }
    case 'ReturnDeadlineBreached': {
      const current = state.deadlines[event.data.deadline];
      if (!current) return state;
      const breached = { ...current, status: 'breached' as const, late: true };
      return { ...state, deadlines: { ...state.deadlines, [event.data.deadline]: breached } };
    }
    default:
      return assertNever(event);
  }
}

/** The ReturnRequest aggregate (stream `return-<returnId>`): pure; the clock and the actor come in the command's context. */
export const returnRequestDecider = {
  decide,
  evolve,
  initialState: (): ReturnState => ({ status: 'none' }),
} satisfies Decider<ReturnState, ReturnCommand, ReturnEvent>;
