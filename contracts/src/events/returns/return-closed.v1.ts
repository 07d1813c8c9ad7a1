import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, ReturnCaseId, ReturnClosures, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-closed.v1` — a return ended: refunded, exchanged, repaired, reshipped, kept with an
 * allowance, explained, or refused on receipt. Intake may resolve the case with it.
 */
export const ReturnClosedV1 = defineEvent({
  service: 'returns',
  name: 'return-closed',
  version: 1,
  summary: 'A return ended: how (refunded, exchanged, repaired, reshipped, kept with an allowance, …).',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      closure: StringEnum(ReturnClosures, { description: 'How the return ended.' }),
      closedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-closed.v1',
      title: 'ReturnClosed v1',
      description: 'A return ended, and how.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          closure: 'refunded',
          closedAt: '2025-03-17T11:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-closed.v1`. */
export type ReturnClosedV1 = EventData<typeof ReturnClosedV1>;
