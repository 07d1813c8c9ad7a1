import fc from 'fast-check';
import { DomainError } from '@aftersales/domain';
import {
  compensationOrderDecider,
  type CompensationCommand,
  type CompensationEvent,
  type CompensationState,
  type OpenCompensationState,
} from '../src/domain/compensation-order.decider';
import { defaultCompensationPolicy, type Instrument } from '../src/domain/compensation-policy';
import { budgetEffectsOf, ledgerEntriesOf, moneyBackCommitmentOf, type LedgerEntry } from '../src/domain/ledger';

// CONTEXT: many orders of one tenant on one order and one monthly budget, driven by random steps through the real
// decider; the books (budget, money back, ledger) are kept only by the domain's own effect functions, as the service
// does in each command's transaction. Whatever the steps, the invariants of issue 12's "Money" hold.
const PAID = 30_000;
const BUDGET = 20_000;
const month = { kind: 'month' as const, month: '2026-12' };
const instruments: Instrument[] = [
  'coupon',
  'cash',
  'partial_refund',
  'full_refund',
  'allowance',
  'gift',
  'extended_warranty',
];

const stepArb = fc.record({
  order: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom('request', 'approve', 'reject', 'accept', 'refuse', 'expire', 'sent', 'fail', 'confirm'),
  instrument: fc.constantFrom(...instruments),
  amount: fc.integer({ min: 1, max: 25_000 }),
  hours: fc.integer({ min: 0, max: 100 }),
});

type Step = { order: number; kind: string; instrument: Instrument; amount: number; hours: number };
interface Books {
  reserved: number;
  spent: number;
  moneyBack: number;
  paidBack: number;
  readonly ledger: LedgerEntry[][];
}

const TYPES: Record<string, CompensationCommand['type']> = {
  request: 'RequestCompensation',
  approve: 'ApproveCompensation',
  reject: 'RejectCompensation',
  accept: 'AcceptCompensation',
  refuse: 'RefuseCompensation',
  expire: 'ExpireCompensation',
  sent: 'RecordPayoutSent',
  fail: 'RecordPayoutFailed',
  confirm: 'RecordPayoutConfirmed',
};

function commandOf(s: Step, now: Date, books: Books): CompensationCommand {
  const id = `00000000-0000-4000-8000-00000000000${s.order}`;
  const context = {
    tenant: 't',
    actor: { id: s.kind === 'request' ? 'agent-1' : 'sup-1', roles: ['supervisor'] },
    now,
  };
  const budget = { scope: month, availableMinor: BUDGET - books.reserved - books.spent };
  const data: Record<string, unknown> = {
    request: {
      compensationId: id,
      cause: { kind: 'case', id: `case-${s.order}` },
      caseId: null,
      orderId: 'ORD-1',
      instrument: s.instrument,
      amount: s.instrument === 'extended_warranty' ? null : { amountMinor: s.amount, currency: 'CNY' },
      facts: {
        orderValue: { amountMinor: PAID, currency: 'CNY' },
        paidAmount: { amountMinor: PAID, currency: 'CNY' },
        moneyBackCommittedMinor: books.moneyBack,
        itemCount: 1,
        specialPrice: false,
        productAllowsGift: true,
        productAllowsFreeShipping: true,
      },
      source: 'staff',
      requestKey: `k-${s.order}`,
      preApproved: false,
      customerConsented: s.hours % 2 === 0,
      budget,
      policy: defaultCompensationPolicy,
    },
    approve: { budget },
    reject: { note: 'no' },
    accept: {},
    refuse: { note: 'no' },
    expire: {},
    sent: { attempt: 1, providerReference: 'r' },
    fail: { attempt: 1, error: 'x', maxAttempts: 2, retryBaseMs: 1 },
    confirm: { providerReference: 'r', paymentChannel: 'alipay', confirmedAt: now.toISOString() },
  };
  return { type: TYPES[s.kind], context, data: data[s.kind] } as CompensationCommand;
}

/** What the service does in the command's transaction, with the domain's effect functions only. */
function book(events: readonly CompensationEvent[], after: OpenCompensationState, books: Books): void {
  for (const event of events) {
    const entries = ledgerEntriesOf(event, after);
    if (entries.length > 0) books.ledger.push(entries);
    for (const effect of budgetEffectsOf(event, after)) {
      const sign = effect.kind === 'reserve' ? 1 : -1;
      books.reserved += sign * effect.amountMinor;
      if (effect.kind === 'spend') books.spent += effect.amountMinor;
    }
    books.moneyBack += moneyBackCommitmentOf(event, after);
    const moneyBack = ['partial_refund', 'full_refund', 'allowance'].includes(after.terms.instrument);
    if (event.type === 'PayoutConfirmed' && moneyBack) books.paidBack += event.data.amount.amountMinor;
  }
}

function decide(command: CompensationCommand, state: CompensationState): CompensationEvent[] {
  try {
    return compensationOrderDecider.decide(command, state);
  } catch (error) {
    if (error instanceof DomainError) return [];
    throw error;
  }
}

const balance = (books: Books, account: string) =>
  books.ledger
    .flat()
    .filter((e) => e.account === account)
    .reduce((sum, e) => sum + e.amountMinor, 0);

describe('ledger and budgets (property)', () => {
  it('every movement balances, money back never exceeds what was paid, budgets never go negative nor over', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const states = new Map<number, CompensationState>();
        const books: Books = { reserved: 0, spent: 0, moneyBack: 0, paidBack: 0, ledger: [] };
        let clock = new Date('2026-12-01T10:00:00.000Z').getTime();
        for (const s of steps) {
          clock += s.hours * 60_000;
          const state = states.get(s.order) ?? { status: 'none' };
          const events = decide(commandOf(s, new Date(clock), books), state);
          if (events.length === 0) continue;
          const after = events.reduce(compensationOrderDecider.evolve, state) as OpenCompensationState;
          book(events, after, books);
          states.set(s.order, after);
          expect(books.reserved).toBeGreaterThanOrEqual(0);
          expect(books.spent).toBeGreaterThanOrEqual(0);
          expect(books.reserved + books.spent).toBeLessThanOrEqual(BUDGET);
          expect(books.moneyBack).toBeGreaterThanOrEqual(0);
          expect(books.moneyBack).toBeLessThanOrEqual(PAID);
          expect(books.paidBack).toBeLessThanOrEqual(books.moneyBack);
        }
        for (const movement of books.ledger) expect(movement.reduce((sum, e) => sum + e.amountMinor, 0)).toBe(0);
        // Derived balances: customers got back exactly what the ledger says; the provider paid out at least that.
        expect(balance(books, 'customer_refunds')).toBe(books.paidBack);
        expect(-balance(books, 'payment_provider')).toBeGreaterThanOrEqual(books.paidBack);
      }),
      { numRuns: 300 },
    );
  });
});
