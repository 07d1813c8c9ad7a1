import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { ExampleIds } from '../returns/vocabulary';
import { RefundFailureReasons } from './vocabulary';

/**
 * `aftersales.compensation.refund-failed.v1` — a refund a return asked for could not be paid, and why. Returns routes
 * the return back to its case for an agent. Declared by returns (ADR 14); compensation (issue 12) publishes it on
 * `aftersales.compensation.events`, keyed by `compensationId`, naming the `returnId`.
 */
export const RefundFailedV1 = defineEvent({
  service: 'compensation',
  name: 'refund-failed',
  version: 1,
  summary: "A return's refund could not be paid, with the reason.",
  subject: 'compensationId',
  schema: Type.Object(
    {
      compensationId: Type.String({ format: 'uuid', description: 'Compensation order id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the refund belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      returnId: Type.String({ format: 'uuid', description: 'The return whose refund this is.' }),
      idempotencyKey: Type.String({ minLength: 1, description: 'The key of the request that failed (the return id).' }),
      amount: Money,
      failureReason: StringEnum(RefundFailureReasons, { description: 'Why it could not be paid.' }),
      failedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.refund-failed.v1',
      title: 'RefundFailed v1',
      description: "A return's refund could not be paid; `failureReason` says why.",
      examples: [
        {
          compensationId: ExampleIds.compensationId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          returnId: ExampleIds.returnId,
          idempotencyKey: ExampleIds.returnId,
          amount: { amountMinor: 19900, currency: 'CNY' },
          failureReason: 'payment_not_refundable',
          failedAt: '2025-03-17T11:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.refund-failed.v1`. */
export type RefundFailedV1 = EventData<typeof RefundFailedV1>;
