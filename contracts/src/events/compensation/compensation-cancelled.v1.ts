import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';
import { CompensationCancellationReasons } from './vocabulary';

/**
 * `aftersales.compensation.compensation-cancelled.v1` — A compensation ended unpaid: declined by a rule, rejected by an approver, or expired. Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const CompensationCancelledV1 = defineEvent({
  service: 'compensation',
  name: 'compensation-cancelled',
  version: 1,
  summary: 'A compensation ended unpaid: declined by a rule, rejected by an approver, or expired.',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      reason: StringEnum(CompensationCancellationReasons, { description: 'Why it ended unpaid.' }),
      cancelledAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.compensation-cancelled.v1',
      title: 'CompensationCancelled v1',
      description:
        'A compensation order ended without payment and without the customer refusing it; `reason` says why (a rule, an approver, an expiry).',
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          reason: 'approval_expired',
          cancelledAt: '2025-03-20T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.compensation-cancelled.v1`. */
export type CompensationCancelledV1 = EventData<typeof CompensationCancelledV1>;
