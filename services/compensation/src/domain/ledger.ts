import { MoneyBackInstruments, type Instrument } from './compensation-policy';
import type { BudgetScope, CompensationEvent, OpenCompensationState, Reservation } from './compensation-order.decider';

/**
 * The double-entry ledger's accounts: money leaves through the payment provider (`payment_provider`, credited) to
 * customers as money back on their orders (`customer_refunds`) or as compensation (`compensation_expense`); issued
 * instruments with a value (coupons, gifts, free shipping) are owed until used (`issued_<instrument>`).
 */
export type LedgerAccount =
  | 'customer_refunds'
  | 'compensation_expense'
  | 'payment_provider'
  /** Paid by other means than the provider (a payout in manual review a person recorded as paid outside). */
  | 'paid_outside'
  | `issued_${Instrument}`;

/** One side of a movement: positive debits, negative credits, in minor units. */
export interface LedgerEntry {
  readonly account: LedgerAccount;
  readonly amountMinor: number;
  readonly currency: string;
}

/** The balanced entries an event of an order moves (none for most events: only money moved is booked). */
export function ledgerEntriesOf(event: CompensationEvent, state: OpenCompensationState): LedgerEntry[] {
  const { instrument } = state.terms;
  switch (event.type) {
    case 'PayoutConfirmed':
    case 'PayoutSettledOutside': {
      const { amountMinor, currency } = event.data.amount;
      const debit: LedgerAccount = MoneyBackInstruments.includes(instrument)
        ? 'customer_refunds'
        : 'compensation_expense';
      const credit: LedgerAccount = event.type === 'PayoutConfirmed' ? 'payment_provider' : 'paid_outside';
      return [
        { account: debit, amountMinor, currency },
        { account: credit, amountMinor: -amountMinor, currency },
      ];
    }
    case 'CompensationIssued': {
      const { amountMinor, currency } = event.data.amount;
      if (amountMinor === 0) return [];
      return [
        { account: 'compensation_expense', amountMinor, currency },
        { account: `issued_${instrument}`, amountMinor: -amountMinor, currency },
      ];
    }
    default:
      return [];
  }
}

/** What an event does to the budget it draws on: reserve on approval, release on refusal or expiry, spend when paid. */
export interface BudgetEffect {
  readonly kind: 'reserve' | 'release' | 'spend';
  readonly scope: BudgetScope;
  /** The slice of the budget the reservation was taken from (ADR 17); its release and spending go back there. */
  readonly slice: number;
  readonly amountMinor: number;
}

const effect = (kind: BudgetEffect['kind'], reservation: Reservation | null): BudgetEffect[] =>
  reservation
    ? [{ kind, scope: reservation.scope, slice: reservation.slice ?? 0, amountMinor: reservation.amountMinor }]
    : [];

export function budgetEffectsOf(event: CompensationEvent, state: OpenCompensationState): BudgetEffect[] {
  switch (event.type) {
    case 'CompensationApproved':
      return effect('reserve', event.data.reservation);
    case 'CompensationRefused':
    case 'OfferExpired':
    case 'PayoutAbandoned':
      return effect('release', event.data.released);
    case 'PayoutConfirmed':
    case 'PayoutSettledOutside':
    case 'CompensationIssued':
      return effect('spend', state.approval?.reservation ?? null);
    default:
      return [];
  }
}

/**
 * Money back committed on an order (refunds and allowances): committed on approval, given back when the offer is
 * refused or expires, or its payout is abandoned; a payout in manual review stays committed (it may still have been
 * paid).
 */
export function moneyBackCommitmentOf(event: CompensationEvent, state: OpenCompensationState): number {
  if (!MoneyBackInstruments.includes(state.terms.instrument) || !state.terms.orderId) return 0;
  switch (event.type) {
    case 'CompensationApproved':
      return state.terms.amount.amountMinor;
    case 'CompensationRefused':
    case 'OfferExpired':
    case 'PayoutAbandoned':
      return -state.terms.amount.amountMinor;
    default:
      return 0;
  }
}
