import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds, ExchangeTerms, Money, ReturnCaseId, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.exchange-difference-due.v1` — the goods of an exchange for another product were accepted and the
 * goods sent instead cost more than what was paid for them (seed 000 §4.3: the price difference is charged): the shop
 * collects `amount` from the customer and records the payment (`POST /returns/{returnId}/exchange-difference-answer`),
 * then the replacement ships; declined, what arrived is refunded instead. Published on `aftersales.returns.events`,
 * keyed by `returnId`.
 */
export const ExchangeDifferenceDueV1 = defineEvent({
  service: 'returns',
  name: 'exchange-difference-due',
  version: 1,
  summary: 'The customer owes the price difference of an exchange for dearer goods before the replacement ships.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      amount: Money,
      terms: ExchangeTerms,
      dueSince: Type.String({ format: 'date-time', description: 'When the goods were accepted.' }),
    },
    {
      $id: 'aftersales.returns.exchange-difference-due.v1',
      title: 'ExchangeDifferenceDue v1',
      description:
        'An exchange for dearer goods: the customer owes `amount` (the price difference) before the replacement ships.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          amount: { amountMinor: 5000, currency: 'CNY' },
          terms: {
            items: [{ sku: 'KETTLE-1.5L-WHT', quantity: 1, unitPrice: { amountMinor: 24900, currency: 'CNY' } }],
            returnedValue: { amountMinor: 19900, currency: 'CNY' },
            replacementValue: { amountMinor: 24900, currency: 'CNY' },
            settlement: 'customer_pays',
            difference: { amountMinor: 5000, currency: 'CNY' },
          },
          dueSince: '2025-03-15T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.exchange-difference-due.v1`. */
export type ExchangeDifferenceDueV1 = EventData<typeof ExchangeDifferenceDueV1>;
