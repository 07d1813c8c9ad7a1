import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds, ReturnCaseId, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-cancelled.v1` — a return was cancelled before its goods arrived (Medusa's canceled). A
 * pending return shipment is no longer wanted: logistics (issue 11) cancels it if it has not been picked up.
 */
export const ReturnCancelledV1 = defineEvent({
  service: 'returns',
  name: 'return-cancelled',
  version: 1,
  summary: 'A return was cancelled before its goods arrived; a pending return shipment is no longer wanted.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why, as recorded (no personal data).' }),
      cancelledAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-cancelled.v1',
      title: 'ReturnCancelled v1',
      description: 'A return was cancelled before its goods arrived.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          reason: 'customer_withdrew',
          cancelledAt: '2025-03-13T08:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-cancelled.v1`. */
export type ReturnCancelledV1 = EventData<typeof ReturnCancelledV1>;
