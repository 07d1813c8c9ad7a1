import { historyOf, specOf } from '@aftersales/testing/decider';
import {
  returnRequestDecider,
  type RequestedItem,
  type RequestReturn,
  type ReturnCommand,
  type ReturnEvent,
} from './return-request.decider';
import { ReturnCaseUnknown, ReturnRuleBroken } from './return-request.errors';
import { defaultReturnsPolicy, InvalidReturnsPolicy, returnsPolicyDecider } from './returns-policy';

// Rules: domain.md §2; seed 000 §2.4 and §4.1–§4.6; seed 001 (7 days without reason); seed 002 §2–§3; seed 003 §8,
// §9, §12 (repair, exchange, return, the 30 % allowance).
const policy = defaultReturnsPolicy;
const returnId = 'a3c1e5f7-2b4d-4f6a-8c0e-1d3f5b7a9c2e';
const caseId = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
const delivered = new Date('2026-12-01T10:00:00.000Z');
const daysAfterDelivery = (days: number) => new Date(delivered.getTime() + days * 24 * 3600 * 1000);
let now = daysAfterDelivery(2);
const agent = { id: 'agent-7', roles: ['agent'] };
const supervisor = { id: 'sup-1', roles: ['supervisor'] };
const ctx = (actor = agent) => ({ tenant: 'shop-1', actor, now });
const cmd = <C extends ReturnCommand>(type: C['type'], data: C['data'], actor = agent) =>
  ({ type, data, context: ctx(actor) }) as unknown as C;

const kettle = (changes: Partial<RequestedItem> = {}): RequestedItem => ({
  sku: 'KETTLE-1L',
  quantity: 2,
  unitPrice: { amountMinor: 10_000, currency: 'CNY' },
  specialPrice: false,
  deliveredAt: delivered.toISOString(),
  condition: { unused: true, tagsAttached: true, packagingIntact: true },
  warrantyUntil: null,
  ...changes,
});
const aRequest = (changes: Partial<RequestReturn['data']> = {}): RequestReturn =>
  cmd<RequestReturn>('RequestReturn', {
    returnId,
    caseId,
    caseKnown: true,
    orderId: 'ORD-1',
    kind: 'return',
    reason: 'non_quality',
    severity: null,
    mismatch: null,
    items: [kettle()],
    orderPaid: { amountMinor: 25_000, currency: 'CNY' },
    evidenceRefs: [],
    policy,
    ...changes,
  });
const given = specOf(returnRequestDecider);
const history = (...commands: ReturnCommand[]): ReturnEvent[] => historyOf(returnRequestDecider, commands);
const decideIt = (
  data: Partial<{
    resolution: string;
    partialRefund: { amountMinor: number; currency: string };
    exchangeFor: Array<{ sku: string; quantity: number; unitPrice: { amountMinor: number; currency: string } }>;
  }> = {},
) => cmd('DecideReturn', { resolution: null, partialRefund: null, exchangeFor: null, policy, ...data } as never);
const receive = (quantity = 2, shipmentId: string | null = 'b7d9f1a3-5c2e-4a8b-9d6f-3e1c5a7b9d0f') =>
  cmd('RecordReceipt', { items: [{ sku: 'KETTLE-1L', quantity }], shipmentId, policy });
const eligibilityOf = (events: ReturnEvent[]) =>
  (events[0] as Extract<ReturnEvent, { type: 'ReturnRequested' }>).data.eligibility;
const requested = (changes: Partial<RequestReturn['data']> = {}) => eligibilityOf(history(aRequest(changes)));

beforeEach(() => {
  now = daysAfterDelivery(2);
});

describe('eligibility (assessed when the request arrives)', () => {
  it('a personal-reason return of unused goods with tags and packaging within 7 days is eligible; the customer pays shipping', () => {
    now = daysAfterDelivery(7);
    expect(requested()).toEqual({
      eligible: true,
      rule: 'no_reason_window',
      shippingPaidBy: 'customer',
      resolutions: ['return_and_refund', 'exchange'],
    });
  });

  it('refuses a personal-reason return after the 7-day window, naming the days', () => {
    now = new Date(daysAfterDelivery(7).getTime() + 1);
    expect(requested()).toEqual({
      eligible: false,
      rule: 'no_reason_window',
      explanation:
        'Returns for a personal reason are accepted within 7 days of delivery; KETTLE-1L was delivered 7 days ago',
    });
  });

  it("measures the window with the tenant's own number of days", () => {
    now = daysAfterDelivery(10);
    expect(requested({ policy: { ...policy, noReasonWindowDays: 15 } })).toMatchObject({ eligible: true });
  });

  it('refuses worn or soiled goods returned for a personal reason', () => {
    const worn = kettle({ condition: { unused: false, tagsAttached: true, packagingIntact: true } });
    expect(requested({ items: [worn] })).toMatchObject({ eligible: false, rule: 'worn_or_soiled' });
  });

  it('refuses goods without tags or packaging returned for a personal reason, saying what is missing', () => {
    const opened = kettle({ condition: { unused: true, tagsAttached: false, packagingIntact: false } });
    expect(requested({ items: [opened] })).toMatchObject({
      eligible: false,
      rule: 'goods_intact',
      explanation: expect.stringContaining('lacks its tags and packaging'),
    });
  });

  it('excludes special-price goods from personal-reason returns', () => {
    expect(requested({ items: [kettle({ specialPrice: true })] })).toMatchObject({
      eligible: false,
      rule: 'special_price_exclusion',
    });
  });

  it('always takes quality problems, even used, late and special-price goods; the merchant pays shipping', () => {
    now = daysAfterDelivery(90);
    const used = kettle({
      specialPrice: true,
      condition: { unused: false, tagsAttached: false, packagingIntact: false },
    });
    expect(requested({ reason: 'quality', severity: 'unusable', items: [used] })).toEqual({
      eligible: true,
      rule: 'quality_always_eligible',
      shippingPaidBy: 'merchant',
      resolutions: ['return_and_refund', 'repair', 'exchange'],
    });
  });

  it('always takes a significant description mismatch; a subjective one is explained', () => {
    expect(requested({ reason: 'description_mismatch', mismatch: 'significant' })).toMatchObject({
      eligible: true,
      rule: 'significant_mismatch_always_eligible',
      shippingPaidBy: 'merchant',
    });
    expect(requested({ reason: 'description_mismatch', mismatch: 'subjective' })).toMatchObject({
      eligible: true,
      rule: 'subjective_mismatch_explained',
      resolutions: ['explanation'],
    });
  });

  it('always takes wrong and missing items (the platform pays the extra shipping) and transit damage (the carrier)', () => {
    expect(requested({ kind: 'claim_wrong_item', reason: 'wrong_item' })).toMatchObject({
      eligible: true,
      rule: 'seller_error_always_eligible',
      shippingPaidBy: 'platform',
      resolutions: ['return_and_resend', 'reship', 'refund_only'],
    });
    expect(requested({ kind: 'claim_missing_item', reason: 'missing_item' })).toMatchObject({
      shippingPaidBy: 'platform',
      resolutions: ['reship', 'refund_only'],
    });
    expect(requested({ kind: 'claim_damaged_item', reason: 'logistics_damage' })).toMatchObject({
      shippingPaidBy: 'carrier',
    });
  });

  it('gives outcomes by problem: minor flaw → partial refund; safety hazard → return and refund', () => {
    expect(requested({ reason: 'quality', severity: 'minor_flaw' })).toMatchObject({ resolutions: ['partial_refund'] });
    expect(requested({ reason: 'quality', severity: 'safety_hazard' })).toMatchObject({
      resolutions: ['return_and_refund'],
    });
  });

  it('refuses a request for a case that has not reached the service, and mixed currencies', () => {
    given([])
      .when(aRequest({ caseKnown: false }))
      .thenThrows(ReturnCaseUnknown, { kind: 'invalid' });
    const dollars = kettle({ unitPrice: { amountMinor: 100, currency: 'USD' } });
    given([])
      .when(aRequest({ items: [dollars] }))
      .thenThrows(ReturnRuleBroken, { kind: 'invalid', code: 'RETURN.CURRENCY_MISMATCH' });
  });

  it('takes the same request again as a no-op', () => {
    given(history(aRequest())).when(aRequest()).thenNothing();
  });
});

describe('decision: an eligible request is never refused; a refusal names its rule and the way to object', () => {
  it('approves an eligible return: the return shipment asked of logistics, addresses by reference, who pays', () => {
    given(history(aRequest()))
      .when(decideIt())
      .thenMatches([
        {
          type: 'ReturnApproved',
          data: {
            rule: 'no_reason_window',
            resolution: 'return_and_refund',
            goodsReturn: true,
            shippingPaidBy: 'customer',
          },
        },
        {
          type: 'ReturnShipmentRequested',
          data: {
            orderId: 'ORD-1',
            items: [{ sku: 'KETTLE-1L', quantity: 2 }],
            pickupAddressRef: 'order:ORD-1:delivery-address',
            returnAddressRef: 'warehouse:default',
            shippingPaidBy: 'customer',
          },
        },
      ]);
  });

  it('refuses an ineligible one with its rule, explanation and the objection route', () => {
    now = daysAfterDelivery(9);
    const events = history(aRequest());
    given(events)
      .when(decideIt())
      .thenMatches([
        {
          type: 'ReturnRefused',
          data: {
            rule: 'no_reason_window',
            explanation: expect.stringContaining('within 7 days'),
            objectionRoute: policy.objectionRoute,
          },
        },
      ]);
  });

  it('refuses an outcome the problem does not allow, naming the rule', () => {
    given(history(aRequest({ reason: 'quality', severity: 'minor_flaw' })))
      .when(decideIt({ resolution: 'return_and_refund' }))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.RESOLUTION_NOT_FOR_PROBLEM' });
  });

  it('a partial refund for a minor flaw is requested at once, never more than was paid (20 000)', () => {
    const flawed = history(aRequest({ reason: 'quality', severity: 'minor_flaw' }));
    given(flawed)
      .when(decideIt({ partialRefund: { amountMinor: 20_001, currency: 'CNY' } }))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.REFUND_OVER_PAID' });
    given(flawed)
      .when(decideIt({ partialRefund: { amountMinor: 3_000, currency: 'CNY' } }))
      .thenMatches([
        { type: 'ReturnApproved', data: { resolution: 'partial_refund', goodsReturn: false } },
        {
          type: 'RefundRequested',
          data: {
            amount: { amountMinor: 3_000, currency: 'CNY' },
            paidAmount: { amountMinor: 20_000, currency: 'CNY' },
            idempotencyKey: returnId,
          },
        },
        // 3–5 working days (40 working hours) on the default calendar, 09:00–22:30 Shanghai: from Thursday 18:00,
        // 4 h 30 that day, 13 h 30 on Friday and on Saturday, then 8 h 30 on Sunday → Sunday 17:30 (09:30Z).
        {
          type: 'ReturnDeadlineSet',
          data: {
            deadline: 'refund_completion',
            basis: 'business',
            startedAt: now.toISOString(),
            dueAt: '2026-12-06T09:30:00.000Z',
          },
        },
      ]);
  });

  it('a missing item is reshipped within 24 h, the platform paying', () => {
    given(history(aRequest({ kind: 'claim_missing_item', reason: 'missing_item' })))
      .when(decideIt())
      .thenMatches([
        { type: 'ReturnApproved', data: { resolution: 'reship', goodsReturn: false, shippingPaidBy: 'platform' } },
        {
          type: 'ReplacementShipmentRequested',
          data: { shippingPaidBy: 'platform', shipBy: new Date(now.getTime() + 24 * 3600 * 1000).toISOString() },
        },
        {
          type: 'ReturnDeadlineSet',
          data: { deadline: 'replacement_shipment', basis: 'elapsed', dueAt: '2026-12-04T10:00:00.000Z' },
        },
      ]);
  });

  it('a subjective mismatch is explained and closed, no automatic refund', () => {
    given(history(aRequest({ reason: 'description_mismatch', mismatch: 'subjective' })))
      .when(decideIt())
      .thenMatches([
        { type: 'ReturnApproved', data: { resolution: 'explanation' } },
        { type: 'ReturnClosed', data: { closure: 'explained' } },
      ]);
  });
});

describe('retention first: keep the goods with an allowance of at most 30 % of the order', () => {
  const offer = (amountMinor: number, actor = agent) =>
    cmd('OfferAllowance', { amount: { amountMinor, currency: 'CNY' }, policy }, actor);

  it('an agent offers up to the limit of 5 000; the offer is at most 30 % of 25 000 (7 500)', () => {
    given(history(aRequest()))
      .when(offer(5_000))
      .thenMatches([{ type: 'AllowanceOffered', data: { amount: { amountMinor: 5_000 }, approvedBy: null } }]);
    given(history(aRequest()))
      .when(offer(6_000))
      .thenThrows(ReturnRuleBroken, { kind: 'forbidden', code: 'RETURN.ALLOWANCE_NEEDS_SUPERVISOR' });
    given(history(aRequest()))
      .when(offer(7_500, supervisor))
      .thenMatches([{ type: 'AllowanceOffered', data: { approvedBy: 'sup-1' } }]);
    given(history(aRequest()))
      .when(offer(7_501, supervisor))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.ALLOWANCE_OVER_SHARE' });
  });

  it('accepted, compensation is asked to pay it once and its payment ends the return', () => {
    const offered = history(aRequest(), offer(5_000));
    given(offered)
      .when(cmd('AnswerAllowance', { accepted: true }))
      .then([
        {
          type: 'AllowanceAccepted',
          data: {
            returnId,
            caseId,
            orderId: 'ORD-1',
            amount: { amountMinor: 5_000, currency: 'CNY' },
            idempotencyKey: `allowance:${returnId}`,
            acceptedAt: now.toISOString(),
          },
        },
      ]);
    const accepted = history(aRequest(), offer(5_000), cmd('AnswerAllowance', { accepted: true }));
    const paid = cmd('RecordAllowancePaid', {
      compensationId: 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e',
      amount: { amountMinor: 5_000, currency: 'CNY' },
      paidAt: now.toISOString(),
    });
    given(accepted)
      .when(paid)
      .thenMatches([{ type: 'AllowancePaid' }, { type: 'ReturnClosed', data: { closure: 'kept_with_allowance' } }]);
    given(history(aRequest(), offer(5_000), cmd('AnswerAllowance', { accepted: true }), paid))
      .when(paid)
      .thenNothing();
  });

  it('declined, the request is decided as it would have been: eligible, approved', () => {
    given(history(aRequest(), offer(5_000), cmd('AnswerAllowance', { accepted: false })))
      .when(decideIt())
      .thenMatches([{ type: 'ReturnApproved' }, { type: 'ReturnShipmentRequested' }]);
  });
});

describe('receipt, inspection and the refund requested exactly once', () => {
  const approved = () => history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt());
  const inspectIt = (grade = 'damaged', disposition = 'scrap') =>
    cmd('InspectReturn', { grade, disposition, policy } as never);

  it('receives in part, then in full; a parcel counted twice counts once; never more than asked', () => {
    given(approved())
      .when(receive(1, 'b7d9f1a3-5c2e-4a8b-9d6f-3e1c5a7b9d0f'))
      .thenMatches([
        { type: 'ReturnReceived', data: { items: [{ sku: 'KETTLE-1L', quantity: 1 }], complete: false } },
        // The first goods to arrive start the inspection (24 working hours: Thursday 18:00 + 4 h 30 + 13 h 30 on
        // Friday + 6 h on Saturday → Saturday 15:00 Shanghai, 07:00Z) and the refund (40 working hours, as above).
        { type: 'ReturnDeadlineSet', data: { deadline: 'inspection', dueAt: '2026-12-05T07:00:00.000Z' } },
        { type: 'ReturnDeadlineSet', data: { deadline: 'refund_completion', dueAt: '2026-12-06T09:30:00.000Z' } },
      ]);
    const partly = history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt(), receive(1));
    given(partly).when(receive(1)).thenNothing();
    given(partly)
      .when(receive(1, 'd4f6b8a0-3c5e-4d7f-8a9b-0c2e4f6a8b1d'))
      .thenMatches([{ type: 'ReturnReceived', data: { items: [{ sku: 'KETTLE-1L', quantity: 2 }], complete: true } }]);
    given(partly)
      .when(receive(2, 'd4f6b8a0-3c5e-4d7f-8a9b-0c2e4f6a8b1d'))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.RECEIPT_NOT_ASKED' });
  });

  it('an accepted inspection requests the refund of what arrived (20 000), keyed by the return id, once', () => {
    const received = history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt(), receive(2));
    given(received)
      .when(inspectIt())
      .thenMatches([
        { type: 'ReturnInspected', data: { grade: 'damaged', disposition: 'scrap', accepted: true } },
        { type: 'ReturnDeadlineMet', data: { deadline: 'inspection', late: false } },
        {
          type: 'RefundRequested',
          data: {
            amount: { amountMinor: 20_000, currency: 'CNY' },
            idempotencyKey: returnId,
            resolution: 'return_and_refund',
          },
        },
      ]);
    const inspected = history(
      aRequest({ reason: 'quality', severity: 'unusable' }),
      decideIt(),
      receive(2),
      inspectIt(),
    );
    given(inspected).when(inspectIt()).thenNothing();
  });

  it('refuses on receipt goods returned for a personal reason found used: sent back, closed', () => {
    const received = history(aRequest(), decideIt(), receive(2));
    given(received)
      .when(inspectIt('used', 'restock'))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.REFUSED_GOODS_GO_BACK' });
    given(received)
      .when(inspectIt('used', 'send_back'))
      .thenMatches([
        { type: 'ReturnInspected', data: { accepted: false } },
        { type: 'ReturnDeadlineMet', data: { deadline: 'inspection' } },
        { type: 'ReturnClosed', data: { closure: 'refused_on_receipt' } },
      ]);
  });

  it('an accepted exchange ships its replacement within 24 h; shipped, it closes as exchanged', () => {
    const exchange = aRequest({ kind: 'exchange' });
    given(history(exchange, decideIt(), receive(2)))
      .when(inspectIt('as_new', 'restock'))
      .thenMatches([
        { type: 'ReturnInspected' },
        { type: 'ReturnDeadlineMet', data: { deadline: 'inspection' } },
        { type: 'ReplacementShipmentRequested', data: { shippingPaidBy: 'customer' } },
        { type: 'ReturnDeadlineSet', data: { deadline: 'replacement_shipment', dueAt: '2026-12-04T10:00:00.000Z' } },
      ]);
    const shipped = cmd('RecordReplacementShipped', {
      shipmentId: 'd4f6b8a0-3c5e-4d7f-8a9b-0c2e4f6a8b1d',
      carrier: 'SF',
      trackingNumber: 'SF1',
      shippedAt: now.toISOString(),
    });
    given(history(exchange, decideIt(), receive(2), inspectIt('as_new', 'restock')))
      .when(shipped)
      .thenMatches([
        { type: 'ReplacementShipped' },
        { type: 'ReturnDeadlineMet', data: { deadline: 'replacement_shipment', late: false } },
        { type: 'ReturnClosed', data: { closure: 'exchanged' } },
      ]);
  });

  describe('an exchange for another product settles the price difference (seed 000 §4.3: "另换商品 → 补差价或退差价")', () => {
    // Two kettles paid 10 000 each come back (20 000); the customer wants another model instead.
    const cny = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
    const instead = (unitPrice: number, quantity = 2) => [{ sku: 'KETTLE-1.5L', quantity, unitPrice: cny(unitPrice) }];
    const inspectedExchangeTo = (unitPrice: number) =>
      history(
        aRequest({ kind: 'exchange' }),
        decideIt({ exchangeFor: instead(unitPrice) }),
        receive(2),
        inspectIt('as_new', 'restock'),
      );
    const then = (past: ReturnEvent[], ...commands: ReturnCommand[]) => historyOf(returnRequestDecider, commands, past);
    const shipped = cmd('RecordReplacementShipped', {
      shipmentId: 'd4f6b8a0-3c5e-4d7f-8a9b-0c2e4f6a8b1d',
      carrier: 'SF',
      trackingNumber: 'SF2',
      shippedAt: now.toISOString(),
    });
    const refundPaid = (amountMinor: number) =>
      cmd('RecordRefundPaid', {
        compensationId: 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e',
        amount: cny(amountMinor),
        paymentChannel: 'alipay',
        paidAt: now.toISOString(),
      });
    const answer = (paid: boolean, amount = 5_000, paymentRef = 'PAY-77') =>
      cmd('AnswerExchangeDifference', {
        paid,
        paymentRef: paid ? paymentRef : null,
        amount: paid ? cny(amount) : null,
        policy,
      });

    it('the decision quotes the difference against what was paid for the goods sent back', () => {
      given(history(aRequest({ kind: 'exchange' })))
        .when(decideIt({ exchangeFor: instead(12_500) }))
        .thenMatches([
          {
            type: 'ReturnApproved',
            data: {
              resolution: 'exchange',
              exchange: {
                returnedValue: cny(20_000),
                replacementValue: cny(25_000),
                settlement: 'customer_pays',
                difference: cny(5_000),
              },
            },
          },
          { type: 'ReturnShipmentRequested' },
        ]);
    });

    it('other goods are named only for an exchange, and in the order currency', () => {
      given(history(aRequest({ kind: 'return' })))
        .when(decideIt({ resolution: 'return_and_refund', exchangeFor: instead(10_000) }))
        .thenThrows(ReturnRuleBroken, { kind: 'invalid', code: 'RETURN.EXCHANGE_ITEMS_WITHOUT_EXCHANGE' });
      given(history(aRequest({ kind: 'exchange' })))
        .when(decideIt({ exchangeFor: [{ sku: 'X', quantity: 1, unitPrice: { amountMinor: 1, currency: 'USD' } }] }))
        .thenThrows(ReturnRuleBroken, { kind: 'invalid', code: 'RETURN.CURRENCY_MISMATCH' });
    });

    it('the same price: the replacement (the other goods) ships, nothing to settle', () => {
      given(history(aRequest({ kind: 'exchange' }), decideIt({ exchangeFor: instead(10_000) }), receive(2)))
        .when(inspectIt('as_new', 'restock'))
        .thenMatches([
          { type: 'ReturnInspected' },
          { type: 'ReturnDeadlineMet', data: { deadline: 'inspection' } },
          { type: 'ReplacementShipmentRequested', data: { items: [{ sku: 'KETTLE-1.5L', quantity: 2 }] } },
          { type: 'ReturnDeadlineSet', data: { deadline: 'replacement_shipment' } },
        ]);
    });

    it('cheaper goods: the replacement ships and the difference (3 000) is refunded once; closed when both are done, in either order', () => {
      given(history(aRequest({ kind: 'exchange' }), decideIt({ exchangeFor: instead(8_500) }), receive(2)))
        .when(inspectIt('as_new', 'restock'))
        .thenMatches([
          { type: 'ReturnInspected' },
          { type: 'ReturnDeadlineMet', data: { deadline: 'inspection' } },
          {
            type: 'RefundRequested',
            data: { amount: cny(3_000), paidAmount: cny(20_000), resolution: 'exchange', idempotencyKey: returnId },
          },
          { type: 'ReturnDeadlineSet', data: { deadline: 'refund_completion' } },
          { type: 'ReplacementShipmentRequested', data: { items: [{ sku: 'KETTLE-1.5L', quantity: 2 }] } },
          { type: 'ReturnDeadlineSet', data: { deadline: 'replacement_shipment' } },
        ]);
      const inspected = inspectedExchangeTo(8_500);
      // Shipped first: the return waits for the refund, which then closes it as exchanged.
      given(inspected)
        .when(shipped)
        .thenMatches([{ type: 'ReplacementShipped' }, { type: 'ReturnDeadlineMet' }]);
      given(then(inspected, shipped))
        .when(refundPaid(3_000))
        .thenMatches([
          { type: 'RefundPaid' },
          { type: 'ReturnDeadlineMet', data: { deadline: 'refund_completion' } },
          { type: 'ReturnClosed', data: { closure: 'exchanged' } },
        ]);
      // Paid first (reordered): the shipment closes it.
      given(inspected)
        .when(refundPaid(3_000))
        .thenMatches([{ type: 'RefundPaid' }, { type: 'ReturnDeadlineMet' }]);
      given(then(inspected, refundPaid(3_000)))
        .when(shipped)
        .thenMatches([
          { type: 'ReplacementShipped' },
          { type: 'ReturnDeadlineMet' },
          { type: 'ReturnClosed', data: { closure: 'exchanged' } },
        ]);
    });

    it('dearer goods: the customer pays exactly the difference (5 000) first; paid, the replacement ships', () => {
      given(history(aRequest({ kind: 'exchange' }), decideIt({ exchangeFor: instead(12_500) }), receive(2)))
        .when(inspectIt('as_new', 'restock'))
        .thenMatches([
          { type: 'ReturnInspected' },
          { type: 'ReturnDeadlineMet', data: { deadline: 'inspection' } },
          {
            type: 'ExchangeDifferenceDue',
            data: { orderId: 'ORD-1', terms: { settlement: 'customer_pays', difference: cny(5_000) } },
          },
        ]);
      const due = inspectedExchangeTo(12_500);
      given(due).when(shipped).thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.WRONG_STATUS' });
      given(due)
        .when(answer(true, 4_000))
        .thenThrows(ReturnRuleBroken, { kind: 'invalid', code: 'RETURN.DIFFERENCE_AMOUNT' });
      given(due)
        .when(answer(true))
        .thenMatches([
          { type: 'ExchangeDifferencePaid', data: { amount: cny(5_000), paymentRef: 'PAY-77' } },
          { type: 'ReplacementShipmentRequested', data: { items: [{ sku: 'KETTLE-1.5L', quantity: 2 }] } },
          { type: 'ReturnDeadlineSet', data: { deadline: 'replacement_shipment' } },
        ]);
      given(then(due, answer(true)))
        .when(answer(true))
        .thenNothing();
      given(then(due, answer(true)))
        .when(shipped)
        .thenMatches([
          { type: 'ReplacementShipped' },
          { type: 'ReturnDeadlineMet' },
          { type: 'ReturnClosed', data: { closure: 'exchanged' } },
        ]);
    });

    it('dearer goods, the difference declined: what arrived is refunded instead (20 000), never more than paid', () => {
      const due = inspectedExchangeTo(12_500);
      given(due)
        .when(answer(false))
        .thenMatches([
          { type: 'ExchangeDifferenceDeclined', data: { amount: cny(5_000) } },
          { type: 'RefundRequested', data: { amount: cny(20_000), resolution: 'return_and_refund' } },
          { type: 'ReturnDeadlineSet', data: { deadline: 'refund_completion' } },
        ]);
      given(then(due, answer(false)))
        .when(answer(false))
        .thenNothing();
      given(then(due, answer(false)))
        .when(refundPaid(20_000))
        .thenMatches([
          { type: 'RefundPaid' },
          { type: 'ReturnDeadlineMet' },
          { type: 'ReturnClosed', data: { closure: 'refunded' } },
        ]);
    });
  });

  const paid = cmd('RecordRefundPaid', {
    compensationId: 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e',
    amount: { amountMinor: 20_000, currency: 'CNY' },
    paymentChannel: 'alipay',
    paidAt: now.toISOString(),
  });
  const failed = cmd('RecordRefundFailed', {
    compensationId: 'c2e4a6b8-1d3f-4b5a-9c7e-8f0a2b4c6d1e',
    reason: 'payment_declined',
    failedAt: now.toISOString(),
  });
  const refunding = () =>
    history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt(), receive(2), inspectIt());

  it('the refund paid closes the return; redelivered, nothing more', () => {
    given(refunding())
      .when(paid)
      .thenMatches([
        { type: 'RefundPaid' },
        { type: 'ReturnDeadlineMet', data: { deadline: 'refund_completion', late: false } },
        { type: 'ReturnClosed', data: { closure: 'refunded' } },
      ]);
    given(history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt(), receive(2), inspectIt(), paid))
      .when(paid)
      .thenNothing();
  });

  it('a failed refund routes the return back to its case; a failure after the payment (reordered) changes nothing', () => {
    given(refunding())
      .when(failed)
      .thenMatches([{ type: 'RefundFailed', data: { reason: 'payment_declined' } }]);
    given(history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt(), receive(2), inspectIt(), paid))
      .when(failed)
      .thenNothing();
  });
});

describe('cancellation before receipt', () => {
  const cancel = cmd('CancelReturn', { reason: 'customer_withdrew' });
  it('cancels a requested or approved return before its goods arrive, once', () => {
    given(history(aRequest()))
      .when(cancel)
      .thenMatches([{ type: 'ReturnCancelled', data: { reason: 'customer_withdrew' } }]);
    given(history(aRequest(), decideIt()))
      .when(cancel)
      .thenMatches([{ type: 'ReturnCancelled' }]);
    given(history(aRequest(), cancel)).when(cancel).thenNothing();
  });

  it('refuses to cancel once goods have arrived, naming the rule', () => {
    given(history(aRequest(), decideIt(), receive(1)))
      .when(cancel)
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.CANCEL_AFTER_RECEIPT' });
  });
});

describe('returns policy', () => {
  const set = (changes: Partial<typeof policy>) => ({
    type: 'SetReturnsPolicy' as const,
    data: { ...policy, ...changes },
    context: { tenant: 'shop-1', actor: { id: 'mgr-1', roles: ['cs-manager'] }, now },
  });
  it('records who set which numbers when; the same policy again is a no-op; out of bounds is refused', () => {
    const spec = specOf(returnsPolicyDecider);
    spec([])
      .when(set({ noReasonWindowDays: 15 }))
      .thenMatches([{ type: 'ReturnsPolicySet', data: { noReasonWindowDays: 15, by: 'mgr-1' } }]);
    spec(historyOf(returnsPolicyDecider, [set({ noReasonWindowDays: 15 })]))
      .when(set({ noReasonWindowDays: 15 }))
      .thenNothing();
    spec([])
      .when(set({ allowanceMaxPercent: 101 }))
      .thenThrows(InvalidReturnsPolicy, { kind: 'invalid', code: 'RETURNS_POLICY.INVALID' });
  });
});

describe('a decision is taken once', () => {
  it('the same decision again changes nothing; another outcome for a decided return is a conflict', () => {
    const decided = history(aRequest({ reason: 'quality', severity: 'unusable' }), decideIt());
    given(decided).when(decideIt()).thenNothing();
    given(decided)
      .when(decideIt({ resolution: 'return_and_refund' }))
      .thenNothing();
    given(decided)
      .when(decideIt({ resolution: 'exchange' }))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.ALREADY_DECIDED' });
  });
});

describe('deadlines: durable timers on the business calendar, a breach recorded at its due instant', () => {
  const quality = () => aRequest({ reason: 'quality', severity: 'unusable' });
  const breach = (deadline: 'inspection' | 'refund_completion' | 'replacement_shipment') =>
    cmd('RecordDeadlineBreach', { deadline });
  const inspectIt = () => cmd('InspectReturn', { grade: 'damaged', disposition: 'scrap', policy } as never);

  it('the inspection not done by Saturday 15:00 Shanghai (24 working hours from Thursday 18:00) is breached then', () => {
    const received = history(quality(), decideIt(), receive(2));
    now = new Date('2026-12-05T06:59:59.999Z');
    given(received).when(breach('inspection')).thenThrows(ReturnRuleBroken, {
      kind: 'conflict',
      code: 'RETURN.DEADLINE_NOT_DUE',
    });
    now = new Date('2026-12-05T09:00:00.000Z');
    given(received)
      .when(breach('inspection'))
      .then([
        {
          type: 'ReturnDeadlineBreached',
          data: {
            returnId,
            caseId,
            deadline: 'inspection',
            startedAt: '2026-12-03T10:00:00.000Z',
            dueAt: '2026-12-05T07:00:00.000Z',
            breachedAt: '2026-12-05T07:00:00.000Z',
          },
        },
      ]);
  });

  it('a met deadline, a breach recorded once and an ended return change nothing; an inspection after the breach is late', () => {
    const steps = [quality(), decideIt(), receive(2)]; // received Thursday 18:00 Shanghai
    const inspectedInTime = inspectIt();
    const cancelled = cmd('CancelReturn', { reason: 'withdrawn' });
    now = new Date('2026-12-09T00:00:00.000Z'); // days after every deadline
    const late = breach('inspection');
    given(history(...steps, inspectedInTime))
      .when(late)
      .thenNothing();
    given(history(quality(), decideIt(), cancelled))
      .when(breach('refund_completion'))
      .thenNothing();
    const afterBreach = history(...steps, late);
    expect(afterBreach.at(-1)).toMatchObject({ type: 'ReturnDeadlineBreached', data: { deadline: 'inspection' } });
    given(afterBreach).when(late).thenNothing();
    given(afterBreach)
      .when(inspectIt())
      .thenMatches([
        { type: 'ReturnInspected' },
        { type: 'ReturnDeadlineMet', data: { deadline: 'inspection', late: true } },
        { type: 'RefundRequested' },
      ]);
  });

  it("counts working hours on the tenant's calendar: Monday to Friday 09:00–18:00 Shanghai, received on Friday 17:00", () => {
    const office = {
      ...policy,
      calendar: {
        timeZone: 'Asia/Shanghai',
        workingDays: [1, 2, 3, 4, 5] as Array<1 | 2 | 3 | 4 | 5>,
        shifts: [{ start: '09:00', end: '18:00' }],
        holidays: [],
      },
      inspectionWorkingHours: 10,
    };
    now = new Date('2026-12-04T09:00:00.000Z'); // Friday 17:00 Shanghai
    // 1 h on Friday, 9 h on Monday → Monday 18:00 Shanghai (10:00Z): the weekend does not count.
    given(history(quality(), decideIt()))
      .when(cmd('RecordReceipt', { items: [{ sku: 'KETTLE-1L', quantity: 2 }], shipmentId: null, policy: office }))
      .thenMatches([
        { type: 'ReturnReceived' },
        { type: 'ReturnDeadlineSet', data: { deadline: 'inspection', dueAt: '2026-12-07T10:00:00.000Z' } },
        { type: 'ReturnDeadlineSet', data: { deadline: 'refund_completion' } },
      ]);
  });
});

describe('repair: warranty checked, out of warranty a fee quoted and consented before any work, 3–5 working days', () => {
  const repairRequest = (warrantyUntil: string | null) =>
    aRequest({ kind: 'repair', reason: 'quality', severity: 'unusable', items: [kettle({ warrantyUntil })] });
  const inspectIt = () => cmd('InspectReturn', { grade: 'damaged', disposition: 'refurbish', policy } as never);
  const inWarranty = '2027-06-01T00:00:00.000Z';
  const expired = '2026-11-30T00:00:00.000Z';
  const received = (warrantyUntil: string | null) => [repairRequest(warrantyUntil), decideIt(), receive(2)];
  const quote = (amountMinor: number) => cmd('QuoteRepairFee', { fee: { amountMinor, currency: 'CNY' } });
  const answer = (accepted: boolean) => cmd('AnswerRepairQuote', { accepted, policy });

  it('in warranty, the repair starts at once, free, due in 40 working hours (Sunday 17:30 Shanghai)', () => {
    given(history(...received(inWarranty)))
      .when(inspectIt())
      .thenMatches([
        { type: 'ReturnInspected', data: { accepted: true } },
        { type: 'ReturnDeadlineMet', data: { deadline: 'inspection' } },
        { type: 'RepairWarrantyChecked', data: { inWarranty: true } },
        { type: 'RepairStarted', data: { fee: null } },
        { type: 'ReturnDeadlineSet', data: { deadline: 'repair', dueAt: '2026-12-06T09:30:00.000Z' } },
      ]);
  });

  it('out of warranty (or unknown), no work before the customer consents to the quoted fee', () => {
    given(history(...received(expired)))
      .when(inspectIt())
      .thenMatches([
        { type: 'ReturnInspected' },
        { type: 'ReturnDeadlineMet' },
        { type: 'RepairWarrantyChecked', data: { inWarranty: false } },
      ]);
    const quoted = history(...received(null), inspectIt(), quote(3_000));
    given(history(...received(null), inspectIt()))
      .when(cmd('RecordRepairProgress', { stage: 'repairing' }))
      .thenThrows(ReturnRuleBroken, { kind: 'conflict', code: 'RETURN.WRONG_STATUS' });
    given(quoted)
      .when(answer(true))
      .thenMatches([
        { type: 'RepairQuoteAnswered', data: { accepted: true, fee: { amountMinor: 3_000 } } },
        { type: 'RepairStarted', data: { fee: { amountMinor: 3_000, currency: 'CNY' } } },
        { type: 'ReturnDeadlineSet', data: { deadline: 'repair' } },
      ]);
    given(quoted).when(quote(3_000)).thenNothing();
  });

  it('a declined quote sends the goods back unrepaired; shipped, the return closes as returned unrepaired', () => {
    const declined = [...received(null), inspectIt(), quote(3_000), answer(false)];
    given(history(...received(null), inspectIt(), quote(3_000)))
      .when(answer(false))
      .thenMatches([
        { type: 'RepairQuoteAnswered', data: { accepted: false } },
        { type: 'ReplacementShipmentRequested', data: { items: [{ sku: 'KETTLE-1L', quantity: 2 }] } },
        { type: 'ReturnDeadlineSet', data: { deadline: 'replacement_shipment' } },
      ]);
    const shipped = cmd('RecordReplacementShipped', {
      shipmentId: 'd4f6b8a0-3c5e-4d7f-8a9b-0c2e4f6a8b1d',
      carrier: 'SF',
      trackingNumber: 'SF3',
      shippedAt: now.toISOString(),
    });
    given(history(...declined))
      .when(shipped)
      .thenMatches([
        { type: 'ReplacementShipped', data: { trackingNumber: 'SF3' } },
        { type: 'ReturnDeadlineMet' },
        { type: 'ReturnClosed', data: { closure: 'returned_unrepaired' } },
      ]);
  });

  it('progress is recorded for agents; done, the repaired goods ship back with their tracking number', () => {
    const repairing = [...received(inWarranty), inspectIt(), cmd('RecordRepairProgress', { stage: 'diagnosed' })];
    given(history(...repairing))
      .when(cmd('RecordRepairProgress', { stage: 'diagnosed' }))
      .thenNothing();
    given(history(...repairing))
      .when(cmd('RecordRepairProgress', { stage: 'parts_ordered' }))
      .thenMatches([{ type: 'RepairProgressRecorded', data: { stage: 'parts_ordered', by: 'agent-7' } }]);
    given(history(...repairing))
      .when(cmd('CompleteRepair', { policy }))
      .thenMatches([
        { type: 'ReturnDeadlineMet', data: { deadline: 'repair', late: false } },
        { type: 'ReplacementShipmentRequested' },
        { type: 'ReturnDeadlineSet', data: { deadline: 'replacement_shipment' } },
      ]);
  });
});
