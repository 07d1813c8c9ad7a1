/**
 * A budget kept in slices (ADR 17): the budget's head holds its limit; each slice holds an allocation of it and what
 * was reserved and spent from that allocation. An approval locks one slice that can cover it, so approvals of one
 * tenant's month do not queue on one row; the allocations are moved between slices only by a transaction that holds
 * the head, so the sum of the allocations never exceeds the limit (checked at commit by the database as well).
 */
export interface BudgetSlice {
  readonly slice: number;
  readonly allocatedMinor: number;
  readonly reservedMinor: number;
  readonly spentMinor: number;
}

const used = (s: BudgetSlice) => s.reservedMinor + s.spentMinor;

/** What a slice can still take without a new allocation. */
export const sliceAvailable = (s: BudgetSlice) => s.allocatedMinor - used(s);

export interface SlicePlanInput {
  readonly limitMinor: number;
  /** The slices this transaction holds locked (with the head). */
  readonly held: readonly BudgetSlice[];
  /** What the slices it does not hold have allocated: stable, allocations only move under the head's lock. */
  readonly othersAllocatedMinor: number;
  /** What the order needs. */
  readonly wantMinor: number;
  /** The slice to give the order when it holds it (the slice it used last). */
  readonly prefer?: number;
  /**
   * How many slices the budget's free money is spread over (at least the held ones): each held slice gets one such
   * share, the rest stays with the head for the slices held elsewhere when they run out.
   */
  readonly spreadOver?: number;
}

export type SlicePlan =
  /** The budget, as far as the transaction holds it, cannot cover the order: `availableMinor` is all it could give. */
  | { readonly enough: false; readonly availableMinor: number }
  | {
      readonly enough: true;
      /** The slice the order reserves from, and what it can take. */
      readonly slice: number;
      readonly availableMinor: number;
      /** The new allocation of every held slice. */
      readonly allocations: ReadonlyArray<{ readonly slice: number; readonly allocatedMinor: number }>;
    };

/**
 * Rebalances the held slices: what they do not use goes back to the head, the order's slice gets what it needs, and
 * each held slice gets one share of what is left (the free money spread over `spreadOver` slices), so the next
 * approvals find a slice with room without the head; the other shares and the remainder of an uneven split stay
 * unallocated. Pure: the adapter locks, reads and writes; the rules are here.
 */
export function planSlices(input: SlicePlanInput): SlicePlan {
  const { limitMinor, held, othersAllocatedMinor, wantMinor } = input;
  const heldUsed = held.reduce((sum, s) => sum + used(s), 0);
  const free = limitMinor - othersAllocatedMinor - heldUsed;
  if (held.length === 0 || free < wantMinor) return { enough: false, availableMinor: Math.max(0, free) };
  const target = held.find((s) => s.slice === input.prefer) ?? (held[0] as BudgetSlice);
  const share = Math.floor((free - wantMinor) / Math.max(held.length, input.spreadOver ?? 0));
  return {
    enough: true,
    slice: target.slice,
    availableMinor: wantMinor + share,
    allocations: held.map((s) => ({
      slice: s.slice,
      allocatedMinor: used(s) + share + (s.slice === target.slice ? wantMinor : 0),
    })),
  };
}

/**
 * A new limit (the tenant's policy changed): with every slice held, nothing unused stays allocated, and the limit never
 * drops below what is reserved and spent.
 */
export function limitAfter(policyLimitMinor: number, slices: readonly BudgetSlice[]): number {
  return Math.max(
    policyLimitMinor,
    slices.reduce((sum, s) => sum + used(s), 0),
  );
}
