import type { Cause, Money } from './compensation-order.decider';
import type { CompensationPolicy, Instrument } from './compensation-policy';

/** What another service's request becomes: the instrument, the amount and what the order knows. */
export interface RequestPlan {
  readonly cause: Cause;
  readonly instrument: Instrument;
  readonly amount: Money | null;
  readonly paidAmount: Money | null;
  readonly productAllowsGift: boolean;
  readonly productAllowsFreeShipping: boolean;
  readonly customerConsented: boolean;
}

/** What logistics proposes (its contract's vocabulary). */
export type LogisticsProposal =
  'gift' | 'coupon' | 'full_refund' | 'partial_refund' | 'shipping_refund' | 'free_shipping';

/**
 * A logistics request (lost parcel, missed shipping deadline, wrong or missing item, transit damage): the proposal is a
 * proposal, the tenant's policy decides. An instrument the tenant does not offer becomes the apology coupon; a gift or
 * free shipping for a logistics failure is the goodwill the rule itself calls for (domain.md §3), so the product's
 * rules allow it; money back on the goods (refunds, shipping paid back) is the customer's own claim and paid once
 * approved, anything else is offered first.
 */
export function planLogisticsRequest(
  request: {
    readonly shipmentId: string;
    readonly reason: string;
    readonly proposedInstrument: LogisticsProposal;
    readonly goodsValue?: Money;
    readonly proposedAmount?: Money;
  },
  policy: CompensationPolicy,
): RequestPlan {
  const proposed: Instrument = request.proposedInstrument;
  const instrument: Instrument = policy.instruments.includes(proposed) ? proposed : 'coupon';
  const claim = instrument === 'full_refund' || instrument === 'partial_refund' || instrument === 'shipping_refund';
  const amount =
    instrument === 'coupon' && proposed !== 'coupon'
      ? null
      : instrument === 'gift' && !request.proposedAmount
        ? { amountMinor: policy.couponAmountMinor, currency: policy.currency }
        : (request.proposedAmount ?? null);
  return {
    cause: { kind: 'shipment', id: request.shipmentId, reason: request.reason },
    instrument,
    amount,
    paidAmount: request.goodsValue ?? null,
    productAllowsGift: true,
    productAllowsFreeShipping: true,
    customerConsented: claim,
  };
}
