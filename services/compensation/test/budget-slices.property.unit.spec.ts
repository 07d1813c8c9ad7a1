import fc from 'fast-check';
import { limitAfter, planSlices, sliceAvailable, type BudgetSlice } from '../src/domain/budget-slices';

// CONTEXT: ADR 17. A budget is kept in slices; approvals lock one slice, and only a transaction holding the budget's
// head moves allocations between slices (planSlices). Whatever the slices look like, a plan never allocates more than
// the limit, never takes a slice below what it uses, and gives the order a slice that covers it exactly when the held
// slices and the head can.
const sliceArb = (slice: number) =>
  fc
    .record({ reserved: fc.nat(50_000), spent: fc.nat(50_000), spare: fc.nat(50_000) })
    .map<BudgetSlice>(({ reserved, spent, spare }) => ({
      slice,
      reservedMinor: reserved,
      spentMinor: spent,
      allocatedMinor: reserved + spent + spare,
    }));

const budgetArb = fc
  .record({
    held: fc.integer({ min: 0, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => sliceArb(i)))),
    others: fc.array(sliceArb(100), { maxLength: 4 }),
    unallocated: fc.nat(200_000),
    want: fc.integer({ min: 1, max: 150_000 }),
    prefer: fc.integer({ min: -1, max: 6 }),
    spreadOver: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ held, others, unallocated, want, prefer, spreadOver }) => {
    const allocated = [...held, ...others].reduce((sum, s) => sum + s.allocatedMinor, 0);
    return {
      held: held as BudgetSlice[],
      othersAllocatedMinor: others.reduce((sum, s) => sum + s.allocatedMinor, 0),
      limitMinor: allocated + unallocated,
      wantMinor: want,
      prefer,
      spreadOver,
    };
  });

describe('budget slices (property, ADR 17)', () => {
  it('never allocates above the limit nor below what a slice uses; covers the order exactly when it can', () => {
    fc.assert(
      fc.property(budgetArb, (input) => {
        const plan = planSlices(input);
        const used = input.held.reduce((sum, s) => sum + s.reservedMinor + s.spentMinor, 0);
        const canCover =
          input.held.length > 0 && input.limitMinor - input.othersAllocatedMinor - used >= input.wantMinor;
        expect(plan.enough).toBe(canCover);
        if (!plan.enough) {
          expect(plan.availableMinor).toBeLessThan(input.held.length > 0 ? input.wantMinor : Infinity);
          return;
        }
        const after = input.held.map((s) => ({
          ...s,
          allocatedMinor: plan.allocations.find((a) => a.slice === s.slice)!.allocatedMinor,
        }));
        // Never above the limit.
        expect(after.reduce((sum, s) => sum + s.allocatedMinor, 0) + input.othersAllocatedMinor).toBeLessThanOrEqual(
          input.limitMinor,
        );
        // No slice below what it reserved and spent (its CHECK).
        for (const s of after) expect(sliceAvailable(s)).toBeGreaterThanOrEqual(0);
        // The order's slice covers it, and says how much it can take.
        const target = after.find((s) => s.slice === plan.slice)!;
        expect(sliceAvailable(target)).toBe(plan.availableMinor);
        expect(plan.availableMinor).toBeGreaterThanOrEqual(input.wantMinor);
        // The slice the transaction used last is kept when it holds it.
        if (input.held.some((s) => s.slice === input.prefer)) expect(plan.slice).toBe(input.prefer);
      }),
      { numRuns: 500 },
    );
  });

  it('a lowered limit never drops below what the budget reserved and spent', () => {
    fc.assert(
      fc.property(fc.array(sliceArb(0), { maxLength: 8 }), fc.nat(400_000), (slices, policy) => {
        const used = slices.reduce((sum, s) => sum + s.reservedMinor + s.spentMinor, 0);
        expect(limitAfter(policy, slices)).toBe(Math.max(policy, used));
      }),
    );
  });
});
