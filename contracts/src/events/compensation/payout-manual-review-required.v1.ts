import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';

/**
 * `aftersales.compensation.payout-manual-review-required.v1` — A payout failed every attempt and waits for a person (manual review). Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const PayoutManualReviewRequiredV1 = defineEvent({
  service: 'compensation',
  name: 'payout-manual-review-required',
  version: 1,
  summary: 'A payout failed every attempt and waits for a person (manual review).',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      attempts: Type.Integer({ minimum: 1 }),
      lastError: Type.String({ description: 'What the provider last answered.' }),
      at: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.payout-manual-review-required.v1',
      title: 'PayoutManualReviewRequired v1',
      description:
        'A payout failed `attempts` times at the payment provider (retried with backoff) and waits for manual review; it stays committed until resolved.',
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          instrument: 'cash',
          attempts: 5,
          lastError: 'provider answered 503: provider unavailable',
          at: '2025-03-18T11:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.payout-manual-review-required.v1`. */
export type PayoutManualReviewRequiredV1 = EventData<typeof PayoutManualReviewRequiredV1>;
