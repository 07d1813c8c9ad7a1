import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { ExampleIds } from '../returns/vocabulary';

/**
 * `aftersales.compensation.allowance-paid.v1` — an allowance a customer accepted to keep the goods
 * (`aftersales.returns.allowance-accepted.v1`) was paid, once per its idempotency key. Declared by returns (ADR 14);
 * compensation (issue 12) publishes it on `aftersales.compensation.events`, keyed by `compensationId`.
 */
export const AllowancePaidV1 = defineEvent({
  service: 'compensation',
  name: 'allowance-paid',
  version: 1,
  summary: 'An allowance a customer accepted to keep the goods was paid.',
  subject: 'compensationId',
  schema: Type.Object(
    {
      compensationId: Type.String({ format: 'uuid', description: 'Compensation order id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the allowance belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      returnId: Type.String({ format: 'uuid', description: 'The return the allowance ended.' }),
      idempotencyKey: Type.String({
        minLength: 1,
        description: 'The key of the request it paid (`allowance:<returnId>`).',
      }),
      amount: Money,
      paymentChannel: Type.String({ minLength: 1, description: 'The channel paid, e.g. `alipay`, `card`.' }),
      paidAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.allowance-paid.v1',
      title: 'AllowancePaid v1',
      description: 'An allowance a customer accepted to keep the goods was paid, once per idempotency key.',
      examples: [
        {
          compensationId: ExampleIds.compensationId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          returnId: ExampleIds.returnId,
          idempotencyKey: `allowance:${ExampleIds.returnId}`,
          amount: { amountMinor: 5000, currency: 'CNY' },
          paymentChannel: 'alipay',
          paidAt: '2025-03-12T12:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.allowance-paid.v1`. */
export type AllowancePaidV1 = EventData<typeof AllowancePaidV1>;
