import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, ReturnCaseId, ReturnDeadlines, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-deadline-breached.v1` — a deadline of a return passed unmet (inspection, refund
 * completion, replacement shipment): the supervisor is notified and the breach shows on the case's timeline.
 */
export const ReturnDeadlineBreachedV1 = defineEvent({
  service: 'returns',
  name: 'return-deadline-breached',
  version: 1,
  summary: 'A deadline of a return (inspection, refund, replacement) passed unmet; the supervisor is notified.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      deadline: StringEnum(ReturnDeadlines, { description: 'Which deadline.' }),
      startedAt: Type.String({ format: 'date-time', description: 'When it started (arrival, eligibility, request).' }),
      dueAt: Type.String({ format: 'date-time', description: "When it was due, on the tenant's business calendar." }),
      breachedAt: Type.String({ format: 'date-time', description: 'When it was breached: the due instant.' }),
    },
    {
      $id: 'aftersales.returns.return-deadline-breached.v1',
      title: 'ReturnDeadlineBreached v1',
      description: "A deadline of a return passed unmet, on the tenant's business calendar.",
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          deadline: 'inspection',
          startedAt: '2025-03-14T15:00:00.000Z',
          dueAt: '2025-03-16T07:30:00.000Z',
          breachedAt: '2025-03-16T07:30:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-deadline-breached.v1`. */
export type ReturnDeadlineBreachedV1 = EventData<typeof ReturnDeadlineBreachedV1>;
