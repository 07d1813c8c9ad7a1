import type { Timer } from '@aftersales/eventstore';
import type { BudgetEffect } from '../domain/ledger';
import type { CompensationSummary, LedgerMovement } from './compensation.ports';

/**
 * What commands move besides their events — budgets, committed money back, ledger movements, the orders list, durable
 * timers — gathered so that they are written together ({@link CompensationService.book}): each kind in one statement
 * however many commands moved it. A command on its own books its gatherings at once; a batch of commands (the
 * provider's confirmations) gathers each command's into its own {@link Bookings}, adds those of the commands that
 * succeeded to the batch's ({@link Bookings.add}) and books them once, just before its commit — so the budget slices
 * it spends are locked only for the commit, not from the first command of the batch on.
 */
export class Bookings {
  readonly budget: Array<{ readonly tenant: string; readonly effect: BudgetEffect }> = [];
  readonly moneyBack: Array<{ readonly tenant: string; readonly orderId: string; readonly deltaMinor: number }> = [];
  readonly movements: Array<{ readonly tenant: string; readonly movement: LedgerMovement }> = [];
  /** The orders list: the last status of each order wins. */
  readonly orders = new Map<string, { readonly tenant: string; readonly summary: CompensationSummary }>();
  /** Timers to schedule or cancel, by id: the last plan of each timer wins. */
  readonly timers = new Map<string, Timer | 'cancel'>();

  /** Adds another's gatherings after this one's (they were decided after them). */
  add(other: Bookings): void {
    this.budget.push(...other.budget);
    this.moneyBack.push(...other.moneyBack);
    this.movements.push(...other.movements);
    for (const [key, order] of other.orders) {
      this.orders.delete(key);
      this.orders.set(key, order);
    }
    for (const [id, plan] of other.timers) {
      this.timers.delete(id);
      this.timers.set(id, plan);
    }
  }

  get empty(): boolean {
    return (
      this.budget.length === 0 &&
      this.moneyBack.length === 0 &&
      this.movements.length === 0 &&
      this.orders.size === 0 &&
      this.timers.size === 0
    );
  }
}
