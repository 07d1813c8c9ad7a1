import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds, Money, ReturnCaseId, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.allowance-accepted.v1` — the customer keeps the goods with the allowance offered; the return ends
 * without a return shipment. Compensation (issue 12) pays `amount` once per `idempotencyKey` (`allowance:<returnId>`)
 * and answers with `aftersales.compensation.allowance-paid.v1` naming this `returnId`.
 */
export const AllowanceAcceptedV1 = defineEvent({
  service: 'returns',
  name: 'allowance-accepted',
  version: 1,
  summary: 'The customer keeps the goods with the allowance; compensation is asked to pay it once.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      amount: Money,
      idempotencyKey: Type.String({ minLength: 1, description: 'Pay at most once per key: `allowance:<returnId>`.' }),
      acceptedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.allowance-accepted.v1',
      title: 'AllowanceAccepted v1',
      description: 'The customer keeps the goods with the allowance; compensation pays it once per `idempotencyKey`.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          amount: { amountMinor: 5000, currency: 'CNY' },
          idempotencyKey: `allowance:${ExampleIds.returnId}`,
          acceptedAt: '2025-03-12T10:05:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.allowance-accepted.v1`. */
export type AllowanceAcceptedV1 = EventData<typeof AllowanceAcceptedV1>;
