import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { ExampleIds } from '../returns/vocabulary';

/**
 * `aftersales.compensation.refund-paid.v1` — a refund a return asked for (`aftersales.returns.refund-requested.v1`) was
 * paid, once per its idempotency key. Declared by returns (ADR 14); compensation (issue 12) publishes it on
 * `aftersales.compensation.events`, keyed by `compensationId` (its compensation order), naming the `returnId`.
 */
export const RefundPaidV1 = defineEvent({
  service: 'compensation',
  name: 'refund-paid',
  version: 1,
  summary: "A return's refund was paid to the customer's payment channel.",
  subject: 'compensationId',
  schema: Type.Object(
    {
      compensationId: Type.String({ format: 'uuid', description: 'Compensation order id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the refund belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      returnId: Type.String({ format: 'uuid', description: 'The return whose refund this is.' }),
      idempotencyKey: Type.String({ minLength: 1, description: 'The key of the request it paid (the return id).' }),
      amount: Money,
      paymentChannel: Type.String({
        minLength: 1,
        description: 'The channel refunded (arrival time depends on it), e.g. `alipay`, `card`.',
      }),
      paidAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.refund-paid.v1',
      title: 'RefundPaid v1',
      description: "A return's refund was paid, once per idempotency key, to the original payment channel.",
      examples: [
        {
          compensationId: ExampleIds.compensationId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          returnId: ExampleIds.returnId,
          idempotencyKey: ExampleIds.returnId,
          amount: { amountMinor: 19900, currency: 'CNY' },
          paymentChannel: 'alipay',
          paidAt: '2025-03-17T11:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.refund-paid.v1`. */
export type RefundPaidV1 = EventData<typeof RefundPaidV1>;
