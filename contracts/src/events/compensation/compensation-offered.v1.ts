import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';
import { CompensationApproverRoles } from './vocabulary';

/**
 * `aftersales.compensation.compensation-offered.v1` — An approved compensation was offered to the customer (compensation first). Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const CompensationOfferedV1 = defineEvent({
  service: 'compensation',
  name: 'compensation-offered',
  version: 1,
  summary: 'An approved compensation was offered to the customer (compensation first).',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      approvedBy: Type.String({ minLength: 1, description: 'Who approved it (a person or a service).' }),
      approverRole: Type.Optional(StringEnum(CompensationApproverRoles)),
      offerExpiresAt: Type.String({ format: 'date-time' }),
      offeredAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.compensation-offered.v1',
      title: 'CompensationOffered v1',
      description:
        "A compensation order was approved (by the requester's limit, an approver above it, or another service's decision), its budget reserved, and offered to the customer until `offerExpiresAt`.",
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          approvedBy: 'agent-7',
          approverRole: 'agent',
          offerExpiresAt: '2025-03-21T09:00:00.000Z',
          offeredAt: '2025-03-18T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.compensation-offered.v1`. */
export type CompensationOfferedV1 = EventData<typeof CompensationOfferedV1>;
