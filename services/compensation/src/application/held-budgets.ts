import type { BudgetScope } from '../domain/compensation-order.decider';
import type { BudgetEffect } from '../domain/ledger';

/** The key of a tenant's budget (its month, or an incident's fund). */
export const budgetKeyOf = (tenant: string, scope: BudgetScope): string =>
  `${tenant}\u0000${scope.kind}\u0000${scope.kind === 'month' ? scope.month : scope.incidentId}`;

interface HeldSlice {
  /** What the slice can still take: its allocation less what is stored and what the batch reserved on it. */
  room: number;
  /** What the batch's requests reserved on it, written at the batch's end. */
  pending: number;
}

/**
 * The budget slices one transaction of several requests holds (ADR 17, ADR 25), and what each can still take. A
 * request draws on a held slice in memory when one has room for it, and asks the {@link BudgetBook} for another only
 * when none has; its reservation is written with the batch's other bookings at the batch's end. The slices stay
 * locked to the transaction's end, so what is counted here is what the database will hold: a budget is never
 * exceeded (and its slices' CHECKs would refuse the batch's commit otherwise).
 */
export class HeldBudgets {
  private readonly budgets = new Map<string, Map<number, HeldSlice>>();

  /** A held slice of `budget` that covers `wantMinor` (the first found), and what it can take; `null` when none does. */
  fitting(budget: string, wantMinor: number): { readonly slice: number; readonly availableMinor: number } | null {
    for (const [slice, held] of this.budgets.get(budget) ?? [])
      if (held.room >= wantMinor) return { slice, availableMinor: held.room };
    return null;
  }

  /** The slices of `budget` the batch holds, each with what its requests reserved on it (for `BudgetBook.hold`). */
  pending(budget: string): ReadonlyMap<number, number> {
    return new Map([...(this.budgets.get(budget) ?? [])].map(([slice, held]) => [slice, held.pending]));
  }

  /** What the book says slices of `budget` the batch now holds can take (their pending reservations counted). */
  held(budget: string, rooms: ReadonlyArray<{ readonly slice: number; readonly availableMinor: number }>): void {
    const slices = this.slicesOf(budget);
    for (const { slice, availableMinor } of rooms) {
      const held = slices.get(slice);
      if (held) held.room = availableMinor;
      else slices.set(slice, { room: availableMinor, pending: 0 });
    }
  }

  /** A request of the batch succeeded: what it reserved (or released) moves its slices' room. */
  drawn(effects: ReadonlyArray<{ readonly tenant: string; readonly effect: BudgetEffect }>): void {
    for (const { tenant, effect } of effects) {
      const used = effect.kind === 'reserve' ? effect.amountMinor : effect.kind === 'release' ? -effect.amountMinor : 0;
      if (used === 0) continue;
      const slices = this.slicesOf(budgetKeyOf(tenant, effect.scope));
      const held = slices.get(effect.slice) ?? slices.set(effect.slice, { room: 0, pending: 0 }).get(effect.slice)!;
      held.room -= used;
      held.pending += used;
    }
  }

  private slicesOf(budget: string): Map<number, HeldSlice> {
    return this.budgets.get(budget) ?? this.budgets.set(budget, new Map()).get(budget)!;
  }
}
