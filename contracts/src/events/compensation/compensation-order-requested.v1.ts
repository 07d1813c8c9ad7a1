import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';
import { CompensationApproverRoles } from './vocabulary';

/**
 * `aftersales.compensation.compensation-order-requested.v1` — A compensation was requested for a cause and an instrument; `requiredRole` approves it. Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const CompensationOrderRequestedV1 = defineEvent({
  service: 'compensation',
  name: 'compensation-order-requested',
  version: 1,
  summary: 'A compensation was requested for a cause and an instrument; `requiredRole` approves it.',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      requiredRole: StringEnum(CompensationApproverRoles, { description: 'The lowest role that approves it.' }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.compensation-order-requested.v1',
      title: 'CompensationOrderRequested v1',
      description:
        "A compensation order was requested under the tenant's policy: its amount and the lowest role whose limit covers it (the request waits for that role unless the requester holds it).",
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          requiredRole: 'agent',
          requestedAt: '2025-03-18T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.compensation-order-requested.v1`. */
export type CompensationOrderRequestedV1 = EventData<typeof CompensationOrderRequestedV1>;
