import { specOf } from '@aftersales/testing/decider';
import {
  compensationOrderDecider,
  type CompensationCommand,
  type CompensationEvent,
  type RequestCompensation,
} from './compensation-order.decider';
import { CompensationRuleBroken } from './compensation-order.errors';
import { defaultCompensationPolicy, type CompensationPolicy } from './compensation-policy';

const given = specOf(compensationOrderDecider);
const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (hours: number) => new Date(T0.getTime() + hours * 3_600_000);
const ctx = (roles: string[] = ['agent'], id = 'agent-1', now = T0) => ({
  tenant: 'shop-1',
  actor: { id, roles },
  now,
});
const CNY = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
const ID = '0c3a4f3e-1111-4a5a-9a1b-2b3c4d5e6f70';
const month = { kind: 'month' as const, month: '2026-12' };

type RequestData = RequestCompensation['data'];
const aRequest = (
  over: Partial<RequestData> = {},
  roles = ['agent'],
  policy: CompensationPolicy = defaultCompensationPolicy,
): RequestCompensation => ({
  type: 'RequestCompensation',
  context: ctx(roles),
  data: {
    compensationId: ID,
    cause: { kind: 'case', id: 'case-1' },
    caseId: null,
    orderId: 'ORD-1',
    instrument: 'coupon',
    amount: null,
    facts: {
      orderValue: CNY(100_000),
      paidAmount: CNY(100_000),
      moneyBackCommittedMinor: 0,
      itemCount: 1,
      specialPrice: false,
      productAllowsGift: true,
      productAllowsFreeShipping: true,
    },
    source: 'staff',
    requestKey: 'case:case-1:coupon',
    preApproved: false,
    customerConsented: false,
    budget: { scope: month, availableMinor: 1_000_000 },
    policy,
    ...over,
  },
});
const fold = (events: readonly CompensationEvent[]) =>
  events.reduce(compensationOrderDecider.evolve, compensationOrderDecider.initialState());
const history = (command: RequestCompensation) => compensationOrderDecider.decide(command, { status: 'none' });
const step = (type: CompensationCommand['type'], data: object, roles = ['supervisor'], id = 'sup-1', now = T0) =>
  ({ type, data, context: ctx(roles, id, now) }) as CompensationCommand;

describe('CompensationOrder decider', () => {
  describe('request: instrument and amount by the policy', () => {
    it('an apology coupon is the policy default (50.00) and, within the agent limit, approved and offered at once', () => {
      const events = given([])
        .when(aRequest())
        .thenMatches([
          { type: 'CompensationRequested', data: { amount: CNY(5_000), requiredRole: 'agent', instrument: 'coupon' } },
          {
            type: 'CompensationApproved',
            data: {
              basis: 'requester_limit',
              reservation: { scope: month, amountMinor: 5_000 },
              offerExpiresAt: at(72).toISOString(),
            },
          },
        ]);
      expect(events).toHaveLength(2);
    });

    it('an extended warranty adds the policy months (+6) and costs nothing', () => {
      given([])
        .when(aRequest({ instrument: 'extended_warranty' }))
        .thenMatches([
          { type: 'CompensationRequested', data: { warrantyMonths: 6, amount: CNY(0) } },
          { type: 'CompensationApproved', data: { reservation: null } },
        ]);
    });

    it('an instrument the tenant does not offer is refused (409 naming the rule)', () => {
      const policy = { ...defaultCompensationPolicy, instruments: ['coupon' as const] };
      given([])
        .when(aRequest({ instrument: 'cash', amount: CNY(100) }, ['agent'], policy))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.INSTRUMENT_NOT_OFFERED' });
    });

    it('a cash compensation needs an amount', () => {
      given([])
        .when(aRequest({ instrument: 'cash' }))
        .thenThrows(CompensationRuleBroken, { kind: 'invalid', code: 'COMPENSATION.AMOUNT_REQUIRED' });
    });

    it('a gift only where the product rules allow it', () => {
      const facts = { ...aRequest().data.facts, productAllowsGift: false };
      given([])
        .when(aRequest({ instrument: 'gift', amount: CNY(3_000), facts }))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.PRODUCT_RULES_FORBID' });
    });

    it('free shipping on a special-price item waits for a supervisor even within the agent limit', () => {
      const facts = { ...aRequest().data.facts, specialPrice: true };
      given([])
        .when(aRequest({ instrument: 'free_shipping', amount: CNY(1_000), facts }))
        .thenMatches([
          { type: 'CompensationRequested', data: { requiredRole: 'supervisor', constraints: ['special_price'] } },
          { type: 'ApprovalRequested', data: { requiredRole: 'supervisor', expiresAt: at(48).toISOString() } },
        ]);
    });

    it('a large order (5 items) gets 10 % off from an agent; more waits for a supervisor', () => {
      const facts = { ...aRequest().data.facts, itemCount: 5, orderValue: CNY(40_000) };
      // 10 % of 400.00 = 40.00: within the discount and the agent's 50.00 limit.
      given([])
        .when(aRequest({ instrument: 'partial_refund', amount: CNY(4_000), facts }))
        .thenMatches([
          { type: 'CompensationRequested', data: { requiredRole: 'agent', constraints: [] } },
          { type: 'CompensationApproved' },
        ]);
      // 40.01 is above 10 % of 400.00, still within the agent's amount limit: the discount rule asks a supervisor.
      given([])
        .when(aRequest({ instrument: 'partial_refund', amount: CNY(4_001), facts }))
        .thenMatches([
          {
            type: 'CompensationRequested',
            data: { requiredRole: 'supervisor', constraints: ['large_order_above_discount'] },
          },
          { type: 'ApprovalRequested' },
        ]);
    });

    it('a retention allowance is at most 30 % of the order value', () => {
      // 30 % of 1 000.00 = 300.00
      given([])
        .when(aRequest({ instrument: 'allowance', amount: CNY(30_001) }, ['cs-director']))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.ALLOWANCE_ABOVE_SHARE' });
      given([])
        .when(aRequest({ instrument: 'allowance', amount: CNY(30_000) }, ['cs-director']))
        .thenMatches([{ type: 'CompensationRequested' }, { type: 'CompensationApproved' }]);
    });
  });

  describe('refunds never exceed what was paid', () => {
    it('a refund above the remainder of what was paid is refused to staff', () => {
      const facts = { ...aRequest().data.facts, paidAmount: CNY(19_900), moneyBackCommittedMinor: 10_000 };
      given([])
        .when(aRequest({ instrument: 'partial_refund', amount: CNY(9_901), facts }, ['cs-director']))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.EXCEEDS_AMOUNT_PAID' });
    });

    it("and declined for a service's request (refund-failed exceeds_amount_paid)", () => {
      const facts = { ...aRequest().data.facts, paidAmount: CNY(19_900) };
      given([])
        .when(
          aRequest({
            instrument: 'full_refund',
            amount: CNY(19_901),
            facts,
            source: 'returns',
            preApproved: true,
            customerConsented: true,
            budget: null,
          }),
        )
        .thenMatches([{ type: 'CompensationDeclined', data: { reason: 'exceeds_amount_paid', amount: CNY(19_901) } }]);
    });

    it('a full refund with nothing left of what was paid is declined', () => {
      const facts = { ...aRequest().data.facts, paidAmount: CNY(19_900), moneyBackCommittedMinor: 24_900 };
      given([])
        .when(
          aRequest({ instrument: 'full_refund', facts, source: 'logistics', customerConsented: true, budget: null }),
        )
        .thenMatches([{ type: 'CompensationDeclined', data: { reason: 'exceeds_amount_paid', amount: CNY(0) } }]);
    });

    it('a full refund without an amount refunds what is left of what was paid', () => {
      const facts = { ...aRequest().data.facts, paidAmount: CNY(19_900), moneyBackCommittedMinor: 4_900 };
      given([])
        .when(
          aRequest({
            instrument: 'full_refund',
            facts,
            source: 'returns',
            preApproved: true,
            customerConsented: true,
            budget: null,
          }),
        )
        .thenMatches([
          { type: 'CompensationRequested', data: { amount: CNY(15_000) } },
          { type: 'CompensationApproved', data: { basis: 'service_decision', reservation: null } },
          { type: 'CompensationAccepted' },
          { type: 'PayoutRequested', data: { payoutKey: `payout:${ID}`, amount: CNY(15_000) } },
        ]);
    });
  });

  describe('approval matrix', () => {
    const pending = () => history(aRequest({ instrument: 'cash', amount: CNY(15_000) }, ['agent']));

    it('above the agent limit the request waits for the lowest role whose limit covers it', () => {
      // cash: agent 50.00, supervisor 200.00 → 150.00 needs a supervisor
      expect(pending()).toMatchObject([
        { type: 'CompensationRequested', data: { requiredRole: 'supervisor' } },
        { type: 'ApprovalRequested' },
      ]);
    });

    it('a supervisor approves it and the budget is reserved', () => {
      given(pending())
        .when(step('ApproveCompensation', { budget: { scope: month, availableMinor: 20_000 } }))
        .thenMatches([
          {
            type: 'CompensationApproved',
            data: {
              basis: 'approver',
              approvedBy: 'sup-1',
              approverRole: 'supervisor',
              reservation: { scope: month, amountMinor: 15_000 },
            },
          },
        ]);
    });

    it('the approver is never the requester', () => {
      given(pending())
        .when(step('ApproveCompensation', { budget: null }, ['agent', 'supervisor'], 'agent-1'))
        .thenThrows(CompensationRuleBroken, { kind: 'forbidden', code: 'COMPENSATION.APPROVER_IS_REQUESTER' });
    });

    it('a role below the required one cannot approve', () => {
      given(pending())
        .when(step('ApproveCompensation', { budget: null }, ['agent'], 'agent-2'))
        .thenThrows(CompensationRuleBroken, { kind: 'forbidden', code: 'COMPENSATION.APPROVER_LIMIT_TOO_LOW' });
    });

    it('an amount above every limit is refused', () => {
      given([])
        .when(aRequest({ instrument: 'cash', amount: CNY(100_000_001) }))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.ABOVE_EVERY_LIMIT' });
    });

    it('a pending approval expires at its expiry, not before; then nobody approves it', () => {
      given(pending())
        .when(step('ExpireCompensation', {}, ['system'], 'timer', at(47)))
        .thenNothing();
      given(pending())
        .when(step('ExpireCompensation', {}, ['system'], 'timer', at(48)))
        .thenMatches([{ type: 'ApprovalExpired' }]);
      given(pending())
        .when(step('ApproveCompensation', { budget: null }, ['supervisor'], 'sup-1', at(48)))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.APPROVAL_EXPIRED' });
    });

    it('a rejection ends it; nothing was reserved', () => {
      given(pending())
        .when(step('RejectCompensation', { note: 'Not justified' }))
        .thenMatches([{ type: 'CompensationRejected', data: { rejectedBy: 'sup-1' } }]);
    });
  });

  describe('budgets: never exceeded', () => {
    it('an approval the budget cannot cover is refused (409), the request keeps waiting', () => {
      const pending = history(aRequest({ instrument: 'cash', amount: CNY(15_000) }));
      given(pending)
        .when(step('ApproveCompensation', { budget: { scope: month, availableMinor: 14_999 } }))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.BUDGET_EXHAUSTED' });
    });

    it("a service's request the budget cannot cover is declined", () => {
      given([])
        .when(aRequest({ source: 'incidents', budget: { scope: month, availableMinor: 4_999 } }))
        .thenMatches([{ type: 'CompensationDeclined', data: { reason: 'budget_exhausted' } }]);
    });
  });

  describe('compensation first: offered, then accepted or refused', () => {
    const offered = () => history(aRequest({ instrument: 'cash', amount: CNY(2_000) }));

    it('accepted: money goes to the payment provider', () => {
      given(offered())
        .when(step('AcceptCompensation', {}, ['agent']))
        .thenMatches([{ type: 'CompensationAccepted' }, { type: 'PayoutRequested', data: { amount: CNY(2_000) } }]);
    });

    it('accepted: a coupon is issued at once', () => {
      given(history(aRequest()))
        .when(step('AcceptCompensation', {}, ['agent']))
        .thenMatches([
          { type: 'CompensationAccepted' },
          { type: 'CompensationIssued', data: { instrument: 'coupon', amount: CNY(5_000) } },
        ]);
    });

    it('refused: the reservation is released and the case goes on to the three guarantees', () => {
      given(offered())
        .when(step('RefuseCompensation', { note: 'Wants a return' }, ['agent']))
        .thenMatches([
          {
            type: 'CompensationRefused',
            data: { released: { scope: month, amountMinor: 2_000 }, nextStep: 'three_guarantees' },
          },
        ]);
    });

    it('the budget slice the approval reserved from is recorded; the release goes back to it (ADR 17)', () => {
      const sliced = history(
        aRequest({ instrument: 'cash', amount: CNY(2_000), budget: { scope: month, availableMinor: 2_000, slice: 7 } }),
      );
      expect(sliced[1]).toMatchObject({
        type: 'CompensationApproved',
        data: { reservation: { scope: month, amountMinor: 2_000, slice: 7 } },
      });
      given(sliced)
        .when(step('RefuseCompensation', { note: 'no' }, ['agent']))
        .thenMatches([{ type: 'CompensationRefused', data: { released: { amountMinor: 2_000, slice: 7 } } }]);
    });

    it('a slice that cannot cover the order means the whole budget cannot: declined as exhausted', () => {
      given([])
        .when(
          aRequest({
            source: 'incidents',
            instrument: 'cash',
            amount: CNY(2_000),
            budget: { scope: month, availableMinor: 1_999, slice: 3 },
          }),
        )
        .thenMatches([{ type: 'CompensationDeclined', data: { reason: 'budget_exhausted' } }]);
    });

    it('an unanswered offer expires and releases its reservation', () => {
      given(offered())
        .when(step('ExpireCompensation', {}, ['system'], 'timer', at(72)))
        .thenMatches([{ type: 'OfferExpired', data: { released: { amountMinor: 2_000 } } }]);
    });

    it('a pending request cannot be accepted before it is approved', () => {
      given(history(aRequest({ instrument: 'cash', amount: CNY(15_000) })))
        .when(step('AcceptCompensation', {}, ['agent']))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.NOT_OFFERED' });
    });
  });

  describe('one cause and instrument is never paid twice', () => {
    const paying = (): CompensationEvent[] => [
      ...history(aRequest({ instrument: 'cash', amount: CNY(2_000), customerConsented: true })),
    ];

    it('the same request again changes nothing', () => {
      given(paying())
        .when(aRequest({ instrument: 'cash', amount: CNY(2_000), customerConsented: true }))
        .thenNothing();
    });

    it('a service asking again about a settled order is answered the same again', () => {
      const refund = aRequest({
        instrument: 'full_refund',
        amount: CNY(19_901),
        source: 'returns',
        preApproved: true,
        customerConsented: true,
        budget: null,
        facts: { ...aRequest().data.facts, paidAmount: CNY(19_900) },
      });
      given(history(refund))
        .when(refund)
        .thenMatches([
          {
            type: 'CompensationAnswerRepeated',
            data: { answer: { outcome: 'declined', reason: 'exceeds_amount_paid' } },
          },
        ]);
    });
  });

  describe('payout: requested → sent → confirmed, failed → retried → manual review', () => {
    const paying = (): CompensationEvent[] => [
      ...history(aRequest({ instrument: 'cash', amount: CNY(2_000), customerConsented: true })),
    ];
    const sent = (): CompensationEvent[] => [
      ...paying(),
      {
        type: 'PayoutSent',
        data: { compensationId: ID, attempt: 1, providerReference: 'ref-1', sentAt: T0.toISOString() },
      },
    ];
    const fail = (attempt: number) =>
      step('RecordPayoutFailed', { attempt, error: '503', maxAttempts: 3, retryBaseMs: 1_000 }, ['system'], 'payouts');

    it('sent, then confirmed once (a second confirmation is a no-op)', () => {
      const confirm = step(
        'RecordPayoutConfirmed',
        { providerReference: 'ref-1', paymentChannel: 'alipay', confirmedAt: T0.toISOString() },
        ['system'],
        'payouts',
      );
      const confirmed = given(sent())
        .when(confirm)
        .thenMatches([{ type: 'PayoutConfirmed', data: { paymentChannel: 'alipay', amount: CNY(2_000) } }]);
      given([...sent(), ...confirmed])
        .when(confirm)
        .thenNothing();
    });

    it('a failed attempt is retried with exponential backoff', () => {
      given(paying())
        .when(fail(1))
        .thenMatches([
          { type: 'PayoutFailed', data: { attempt: 1, nextAttemptAt: new Date(T0.getTime() + 1_000).toISOString() } },
        ]);
      const twice: CompensationEvent[] = [
        ...paying(),
        {
          type: 'PayoutFailed',
          data: {
            compensationId: ID,
            attempt: 1,
            error: '503',
            nextAttemptAt: T0.toISOString(),
            failedAt: T0.toISOString(),
          },
        },
      ];
      given(twice)
        .when(fail(2))
        .thenMatches([
          { type: 'PayoutFailed', data: { attempt: 2, nextAttemptAt: new Date(T0.getTime() + 2_000).toISOString() } },
        ]);
    });

    it('after N failures the payout goes to manual review', () => {
      const failed = (attempt: number): CompensationEvent => ({
        type: 'PayoutFailed',
        data: {
          compensationId: ID,
          attempt,
          error: '503',
          nextAttemptAt: T0.toISOString(),
          failedAt: T0.toISOString(),
        },
      });
      given([...paying(), failed(1), failed(2)])
        .when(fail(3))
        .thenMatches([
          { type: 'PayoutFailed', data: { nextAttemptAt: null } },
          { type: 'PayoutManualReviewRequired', data: { attempts: 3 } },
        ]);
    });

    it('a late report of a superseded attempt changes nothing', () => {
      given(sent())
        .when(step('RecordPayoutSent', { attempt: 1, providerReference: 'ref-1' }, ['system'], 'payouts'))
        .thenNothing();
    });
  });

  describe('manual review resolved by a person with authority', () => {
    const reviewed = (): CompensationEvent[] => {
      const events = history(
        aRequest({ instrument: 'cash', amount: CNY(2_000), customerConsented: true, orderId: null }),
      );
      const failed = compensationOrderDecider.decide(
        step('RecordPayoutFailed', { attempt: 1, error: '503', maxAttempts: 1, retryBaseMs: 1 }, ['system'], 'payouts'),
        events.reduce(compensationOrderDecider.evolve, compensationOrderDecider.initialState()),
      );
      return [...events, ...failed];
    };
    const resolve = (data: object, roles = ['supervisor'], id = 'sup-1') =>
      step('ResolveManualReview', { note: 'Checked with finance', externalReference: null, ...data }, roles, id);

    it('retry: sent again under a new payout key, the attempt after the last one, audited', () => {
      given(reviewed())
        .when(resolve({ resolution: 'retry' }))
        .thenMatches([
          {
            type: 'PayoutRetried',
            data: {
              attempt: 2,
              payoutKey: `payout:${ID}:2`,
              resolvedBy: 'sup-1',
              resolverRole: 'supervisor',
              note: 'Checked with finance',
            },
          },
        ]);
      const state = [
        ...reviewed(),
        ...compensationOrderDecider.decide(resolve({ resolution: 'retry' }), fold(reviewed())),
      ];
      expect(fold(state)).toMatchObject({ status: 'paying', payout: { status: 'failed', attempts: 1 } });
    });

    it('paid outside: recorded paid with the reference of the other payment', () => {
      given(reviewed())
        .when(resolve({ resolution: 'paid_outside', externalReference: 'BANK-77' }))
        .thenMatches([
          {
            type: 'PayoutSettledOutside',
            data: { externalReference: 'BANK-77', amount: CNY(2_000), resolvedBy: 'sup-1' },
          },
        ]);
    });

    it('paid outside needs the reference of that payment', () => {
      given(reviewed())
        .when(resolve({ resolution: 'paid_outside' }))
        .thenThrows(CompensationRuleBroken, { kind: 'invalid', code: 'COMPENSATION.EXTERNAL_REFERENCE_REQUIRED' });
    });

    it('abandoned: the reservation is released, the order ends', () => {
      given(reviewed())
        .when(resolve({ resolution: 'abandoned' }, ['cs-manager'], 'mgr-1'))
        .thenMatches([
          {
            type: 'PayoutAbandoned',
            data: { released: { scope: month, amountMinor: 2_000 }, resolvedBy: 'mgr-1', resolverRole: 'cs-manager' },
          },
        ]);
    });

    it('an agent has no authority over a manual review', () => {
      given(reviewed())
        .when(resolve({ resolution: 'abandoned' }, ['agent'], 'agent-2'))
        .thenThrows(CompensationRuleBroken, { kind: 'forbidden', code: 'COMPENSATION.RESOLVER_LIMIT_TOO_LOW' });
    });

    it('an order that needed a manager needs a manager to resolve it', () => {
      const big = history(
        aRequest({
          instrument: 'cash',
          amount: CNY(50_000),
          customerConsented: true,
          preApproved: true,
          orderId: null,
        }),
      );
      const review = [
        ...big,
        ...compensationOrderDecider.decide(
          step(
            'RecordPayoutFailed',
            { attempt: 1, error: '503', maxAttempts: 1, retryBaseMs: 1 },
            ['system'],
            'payouts',
          ),
          fold(big),
        ),
      ];
      given(review)
        .when(resolve({ resolution: 'retry' }))
        .thenThrows(CompensationRuleBroken, { kind: 'forbidden', code: 'COMPENSATION.RESOLVER_LIMIT_TOO_LOW' });
      given(review)
        .when(resolve({ resolution: 'retry' }, ['cs-manager'], 'mgr-1'))
        .thenMatches([{ type: 'PayoutRetried' }]);
    });

    it('only a payout in manual review is resolved, once', () => {
      const abandoned = [
        ...reviewed(),
        ...compensationOrderDecider.decide(resolve({ resolution: 'abandoned' }), fold(reviewed())),
      ];
      given(abandoned)
        .when(resolve({ resolution: 'retry' }))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.NOT_IN_MANUAL_REVIEW' });
      given(history(aRequest({ instrument: 'cash', amount: CNY(2_000), customerConsented: true })))
        .when(resolve({ resolution: 'retry' }))
        .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.NOT_IN_MANUAL_REVIEW' });
    });
  });
});
