import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';

/**
 * `aftersales.compensation.compensation-accepted.v1` — The customer accepted a compensation; it is paid or issued. Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const CompensationAcceptedV1 = defineEvent({
  service: 'compensation',
  name: 'compensation-accepted',
  version: 1,
  summary: 'The customer accepted a compensation; it is paid or issued.',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      acceptedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.compensation-accepted.v1',
      title: 'CompensationAccepted v1',
      description:
        'The customer accepted the compensation offered: a payout starts (money) or it is issued (coupon, gift, warranty...).',
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          acceptedAt: '2025-03-18T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.compensation-accepted.v1`. */
export type CompensationAcceptedV1 = EventData<typeof CompensationAcceptedV1>;
