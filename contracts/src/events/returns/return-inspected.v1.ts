import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Dispositions, ExampleIds, InspectionGrades, ReturnCaseId, ReturnId, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-inspected.v1` — returned goods were inspected (QC, seed 000 §2.4): the grade, what happens
 * to them, and whether the return goes on (an ineligible exchange is refused on receipt: domain.md §2). The result is
 * told to the customer.
 */
export const ReturnInspectedV1 = defineEvent({
  service: 'returns',
  name: 'return-inspected',
  version: 1,
  summary: 'Returned goods were inspected: grade, disposition and whether the return is accepted.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      grade: StringEnum(InspectionGrades, { description: 'The state the goods arrived in.' }),
      disposition: StringEnum(Dispositions, { description: 'What happens to the goods.' }),
      accepted: Type.Boolean({
        description: 'Whether the return goes on to its resolution (false: refused on receipt).',
      }),
      inspectedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-inspected.v1',
      title: 'ReturnInspected v1',
      description: 'Returned goods were inspected: grade, disposition, and whether the return is accepted.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          grade: 'damaged',
          disposition: 'scrap',
          accepted: true,
          inspectedAt: '2025-03-15T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-inspected.v1`. */
export type ReturnInspectedV1 = EventData<typeof ReturnInspectedV1>;
