import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, Money, ReturnCaseId, ReturnId, ReturnResolutions, TenantId } from './vocabulary';

/**
 * `aftersales.returns.refund-requested.v1` — compensation (issue 12) is asked to refund the customer for a return:
 * requested once per return, the amount never more than `paidAmount` (what the customer paid for the returned items).
 * Compensation pays at most once per `idempotencyKey` (= the return id) and answers with
 * `aftersales.compensation.refund-paid.v1` or `refund-failed.v1` naming this `returnId`.
 */
export const RefundRequestedV1 = defineEvent({
  service: 'returns',
  name: 'refund-requested',
  version: 1,
  summary: 'Compensation is asked to refund a return once: amount, ceiling and idempotency key (the return id).',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      orderId: Type.String({
        minLength: 1,
        maxLength: 64,
        description: "The shop's order id (the payment to refund).",
      }),
      amount: Money,
      paidAmount: Money,
      resolution: StringEnum(ReturnResolutions, { description: 'What the refund is for.' }),
      idempotencyKey: Type.String({ minLength: 1, description: 'Pay at most once per key: the return id.' }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.refund-requested.v1',
      title: 'RefundRequested v1',
      description:
        'Compensation is asked to refund a return, once per `idempotencyKey` (the return id); `amount` never exceeds `paidAmount`, what was paid for the returned items. The customer is told that arrival depends on the payment channel.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          amount: { amountMinor: 19900, currency: 'CNY' },
          paidAmount: { amountMinor: 19900, currency: 'CNY' },
          resolution: 'return_and_refund',
          idempotencyKey: ExampleIds.returnId,
          requestedAt: '2025-03-15T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.refund-requested.v1`. */
export type RefundRequestedV1 = EventData<typeof RefundRequestedV1>;
