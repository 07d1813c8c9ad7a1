import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';

/**
 * `aftersales.compensation.compensation-paid.v1` — A compensation was paid (confirmed by the payment provider) or issued. Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const CompensationPaidV1 = defineEvent({
  service: 'compensation',
  name: 'compensation-paid',
  version: 1,
  summary: 'A compensation was paid (confirmed by the payment provider) or issued.',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      settlement: StringEnum(['paid', 'issued'] as const, { description: 'Money paid, or an instrument issued.' }),
      paymentChannel: Type.Optional(Type.String({ minLength: 1, description: 'The channel paid (money only).' })),
      warrantyMonths: Type.Optional(Type.Integer({ minimum: 1, description: 'Months added (extended warranty).' })),
      paidAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.compensation-paid.v1',
      title: 'CompensationPaid v1',
      description:
        'A compensation order was settled once: money confirmed paid by the payment provider (`paymentChannel`), or a coupon, gift, free shipping, warranty extension or priority handling issued.',
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          settlement: 'issued',
          paidAt: '2025-03-18T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.compensation-paid.v1`. */
export type CompensationPaidV1 = EventData<typeof CompensationPaidV1>;
