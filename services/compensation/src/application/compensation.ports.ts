import type { PoolClient } from 'pg';
import type { BudgetEffect, LedgerEntry } from '../domain/ledger';
import type { BudgetScope, Cause, CompensationStatus, Money } from '../domain/compensation-order.decider';
import type { Instrument } from '../domain/compensation-policy';

export const BUDGET_BOOK = Symbol('BUDGET_BOOK');
export const LEDGER = Symbol('LEDGER');
export const MONEY_BACK_REGISTER = Symbol('MONEY_BACK_REGISTER');
export const COMPENSATION_INDEX = Symbol('COMPENSATION_INDEX');
export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

/** A budget as `GET /budgets` shows it: the limit, what approvals reserved and what payments spent. */
export interface BudgetView {
  readonly scope: BudgetScope;
  readonly currency: string;
  readonly limitMinor: number;
  readonly reservedMinor: number;
  readonly spentMinor: number;
  readonly availableMinor: number;
}

/** The budget slice a command's transaction holds (ADR 17), and what it can take from it. */
export interface HeldSlice {
  readonly slice: number;
  /** At least what was wanted whenever the whole budget can cover it; below it only when the whole budget cannot. */
  readonly availableMinor: number;
  /**
   * The slices whose room this call set or found — the order's slice, and every slice a rebalance gave a new
   * allocation — with what each can take now (what the transaction reserved on it and has not booked yet counted):
   * the transaction holds them to its end, so a batch goes on drawing on them without asking again.
   */
  readonly rooms: ReadonlyArray<{ readonly slice: number; readonly availableMinor: number }>;
}

/**
 * Budgets per tenant and month and per incident (emergency funds), kept in slices (ADR 17). `hold` locks, to the end of
 * the transaction, a slice that can cover `wantMinor` — rebalancing the slices when none it can take has room — so two
 * approvals never both take the last of a budget while approvals of one budget do not queue on one row; `applyAll`
 * books events' effects on the slices their reservations name.
 */
export interface BudgetBook {
  hold(
    tx: PoolClient,
    tenant: string,
    scope: BudgetScope,
    /** The month's limit by the tenant's policy (`null` for an incident's fund, set when it opened). */
    monthLimit: { limitMinor: number; currency: string } | null,
    wantMinor: number,
    /**
     * The slices of this budget the transaction holds already (a batch of requests), each with what the transaction
     * reserved on it and has not booked yet: a slice is never offered twice, and a rebalance counts those
     * reservations as used (they are written at the batch's end).
     */
    pending?: ReadonlyMap<number, number>,
  ): Promise<HeldSlice>;
  /** Books the effects (in one write: each slice once, whatever the order of the effects on it). */
  applyAll(
    tx: PoolClient,
    effects: ReadonlyArray<{ readonly tenant: string; readonly effect: BudgetEffect }>,
  ): Promise<void>;
  /** The tenant's policy changed: the month budgets from `fromMonth` on take the new limit (never below what they use). */
  setMonthLimits(tx: PoolClient, tenant: string, fromMonth: string, limitMinor: number): Promise<void>;
  /** Opens (or raises to `limitMinor`) an incident's emergency fund; never lowers it. */
  openIncidentFund(
    tx: PoolClient,
    tenant: string,
    incidentId: string,
    limitMinor: number,
    currency: string,
  ): Promise<void>;
  hasIncidentFund(tx: PoolClient, tenant: string, incidentId: string): Promise<boolean>;
  list(tenant: string, filter: { month?: string; incidentId?: string }): Promise<BudgetView[]>;
}

/** A booked movement: the entries of one event, balanced. */
export interface LedgerMovement {
  readonly movementId: string;
  readonly compensationId: string;
  readonly cause: Cause;
  readonly orderId: string | null;
  readonly instrument: Instrument;
  readonly entries: readonly LedgerEntry[];
  readonly bookedAt: string;
}

export interface LedgerBalance {
  readonly account: string;
  readonly currency: string;
  readonly balanceMinor: number;
}

/** The double-entry ledger: movements appended once (by movement id), balances derived from the entries. */
export interface Ledger {
  /** Books movements (each once, by its id) in one write. */
  book(tx: PoolClient, tenant: string, movements: readonly LedgerMovement[]): Promise<void>;
  movements(tenant: string, filter: { causeKind?: string; causeId?: string; limit: number }): Promise<LedgerMovement[]>;
  balances(tenant: string, filter: { causeKind?: string; causeId?: string }): Promise<LedgerBalance[]>;
}

/** Money back committed per order (refunds and allowances), read under a row lock. */
export interface MoneyBackRegister {
  lock(tx: PoolClient, tenant: string, orderId: string): Promise<number>;
  add(tx: PoolClient, tenant: string, orderId: string, deltaMinor: number): Promise<void>;
}

export interface CompensationSummary {
  readonly compensationId: string;
  readonly caseId: string | null;
  readonly cause: Cause;
  readonly instrument: Instrument;
  readonly amount: Money;
  readonly status: CompensationStatus;
  readonly requestedAt: string;
}

/** The tenant's orders, for lists and for the approvers' queue. */
export interface CompensationIndex {
  /** Records the orders' summaries (distinct orders) in one write. */
  recordAll(
    tx: PoolClient,
    orders: ReadonlyArray<{ readonly tenant: string; readonly summary: CompensationSummary }>,
  ): Promise<void>;
  list(
    tenant: string,
    filter: { status?: CompensationStatus; caseId?: string; limit: number },
  ): Promise<CompensationSummary[]>;
}

/** What the provider is asked to pay (once per `payoutKey`, its Idempotency-Key). */
export interface PayoutInstruction {
  readonly payoutKey: string;
  readonly tenant: string;
  readonly compensationId: string;
  readonly amount: Money;
}

/** What the provider knows of a payout, by its key. */
export type ProviderPayoutStatus =
  | { readonly status: 'unknown' }
  | { readonly status: 'pending'; readonly providerReference: string }
  | {
      readonly status: 'confirmed';
      readonly providerReference: string;
      readonly paymentChannel: string;
      readonly confirmedAt: string;
    }
  | { readonly status: 'failed'; readonly providerReference: string; readonly error: string };

/** What the provider answered for one payout of {@link PaymentProvider.sendMany}: its reference, or why it failed. */
export type ProviderSendResult = { readonly providerReference: string } | { readonly error: string };

/**
 * The payment-provider port: `send` is idempotent by the payout key (a second send of a key answers the first payout);
 * the confirmation arrives later by a signed webhook, or is found by `status` when reconciling.
 */
export interface PaymentProvider {
  send(payout: PayoutInstruction): Promise<{ readonly providerReference: string }>;
  /**
   * Several payouts at once (ADR 42), each idempotent by its own key as `send` is: one result per payout, in the order
   * given. Never rejects: a request that failed as a whole (refused, unreachable, timed out) is each payout's failure.
   */
  sendMany(payouts: readonly PayoutInstruction[]): Promise<readonly ProviderSendResult[]>;
  status(payoutKey: string): Promise<ProviderPayoutStatus>;
}

export const INVOICE_BOOK = Symbol('INVOICE_BOOK');

/** An invoice request as lists show it. */
export interface InvoiceSummary {
  readonly invoiceRequestId: string;
  readonly sequence: number;
  readonly orderId: string;
  readonly customerId: string;
  readonly caseId: string | null;
  readonly amount: Money;
  readonly status: 'queued' | 'issued';
  readonly urgent: boolean;
  readonly expediteReason: string | null;
  readonly expediteRequestedAt: string | null;
  readonly invoiceNumber: string | null;
  readonly requestedAt: string;
  readonly issuedAt: string | null;
}

/** The tenant's invoice queue: the request order (a sequence per tenant) and what is queued, issued or expedited. */
export interface InvoiceBook {
  /** The next place in the tenant's queue (taken in the request's transaction). */
  nextSequence(tx: PoolClient, tenant: string): Promise<number>;
  record(tx: PoolClient, tenant: string, summary: InvoiceSummary): Promise<void>;
  /** Requests still queued that were made before `sequence`. */
  queuedBefore(tx: PoolClient, tenant: string, sequence: number): Promise<number>;
  /** In request order. */
  list(tenant: string, filter: { status?: 'queued' | 'issued'; limit: number }): Promise<InvoiceSummary[]>;
  /** Finance's queue: urgent requests not issued yet, in the order they were flagged. */
  expediteQueue(tenant: string, limit: number): Promise<InvoiceSummary[]>;
}
