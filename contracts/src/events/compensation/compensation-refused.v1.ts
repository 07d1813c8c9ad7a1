import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { CompensationHead, ExampleCompensationHead } from './shared';

/**
 * `aftersales.compensation.compensation-refused.v1` — The customer refused a compensation; the case goes on to return, exchange or indemnity. Published by compensation (issue 12) on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the case when there is one (case timeline).
 */
export const CompensationRefusedV1 = defineEvent({
  service: 'compensation',
  name: 'compensation-refused',
  version: 1,
  summary: 'The customer refused a compensation; the case goes on to return, exchange or indemnity.',
  subject: 'compensationId',
  schema: Type.Object(
    {
      ...CompensationHead,
      amount: Money,
      nextStep: StringEnum(['three_guarantees'] as const, { description: 'Where the case goes next.' }),
      refusedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.compensation-refused.v1',
      title: 'CompensationRefused v1',
      description:
        'The customer refused the compensation offered; its budget is released and the case goes on to the three guarantees (return, exchange, indemnity).',
      examples: [
        {
          ...ExampleCompensationHead,
          amount: { amountMinor: 5000, currency: 'CNY' },
          nextStep: 'three_guarantees',
          refusedAt: '2025-03-18T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.compensation-refused.v1`. */
export type CompensationRefusedV1 = EventData<typeof CompensationRefusedV1>;
