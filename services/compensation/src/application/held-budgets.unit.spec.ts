import { budgetKeyOf, HeldBudgets } from './held-budgets';

describe('HeldBudgets: what the slices a batch of requests holds can still take', () => {
  const scope = { kind: 'month' as const, month: '2026-12' };
  const budget = budgetKeyOf('shop-1', scope);
  const reserve = (slice: number, amountMinor: number) => ({
    tenant: 'shop-1',
    effect: { kind: 'reserve' as const, scope, slice, amountMinor },
  });

  it('draws on a held slice until it cannot cover the next order, and tells the book what it reserved', () => {
    const held = new HeldBudgets();
    expect(held.fitting(budget, 100)).toBeNull();
    held.held(budget, [{ slice: 2, availableMinor: 250 }]);
    expect(held.fitting(budget, 100)).toEqual({ slice: 2, availableMinor: 250 });
    held.drawn([reserve(2, 100)]);
    expect(held.fitting(budget, 100)).toEqual({ slice: 2, availableMinor: 150 });
    held.drawn([reserve(2, 100)]);
    expect(held.fitting(budget, 100)).toBeNull();
    expect(held.pending(budget)).toEqual(new Map([[2, 200]]));
    // Another budget (the next month, another tenant) shares nothing.
    expect(held.pending(budgetKeyOf('shop-2', scope))).toEqual(new Map());
  });

  it('takes what a rebalance left each slice, its reservations so far kept', () => {
    const held = new HeldBudgets();
    held.held(budget, [{ slice: 0, availableMinor: 100 }]);
    held.drawn([reserve(0, 100)]);
    // The book rebalanced: slice 0 got a share again, slice 1 is new to the batch.
    held.held(budget, [
      { slice: 0, availableMinor: 40 },
      { slice: 1, availableMinor: 300 },
    ]);
    expect(held.fitting(budget, 50)).toEqual({ slice: 1, availableMinor: 300 });
    expect(held.fitting(budget, 40)).toEqual({ slice: 0, availableMinor: 40 });
    expect(held.pending(budget)).toEqual(
      new Map([
        [0, 100],
        [1, 0],
      ]),
    );
  });

  it('a release gives room back; a spending changes nothing of what is used', () => {
    const held = new HeldBudgets();
    held.held(budget, [{ slice: 3, availableMinor: 100 }]);
    held.drawn([reserve(3, 100)]);
    held.drawn([{ tenant: 'shop-1', effect: { kind: 'spend', scope, slice: 3, amountMinor: 100 } }]);
    expect(held.fitting(budget, 1)).toBeNull();
    held.drawn([{ tenant: 'shop-1', effect: { kind: 'release', scope, slice: 3, amountMinor: 60 } }]);
    expect(held.fitting(budget, 60)).toEqual({ slice: 3, availableMinor: 60 });
    expect(held.pending(budget)).toEqual(new Map([[3, 40]]));
  });
});
