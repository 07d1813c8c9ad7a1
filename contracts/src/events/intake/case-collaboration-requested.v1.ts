import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { CollaborationParties } from './case-lifecycle.vocabulary';

/**
 * `aftersales.intake.case-collaboration-requested.v1` — executing a case's accepted solution needs the merchant, the
 * warehouse or logistics: the requirement, the deadline and who owns it (seed 000 §3.3.3). Published on
 * `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseCollaborationRequestedV1 } from '@aftersales/contracts';
 * const event: CaseCollaborationRequestedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   collaborationId: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
 *   party: 'warehouse',
 *   requirement: 'Ship a replacement kettle (SKU KT-200, blue) with SF Express',
 *   deadline: '2025-03-15T10:00:00.000Z',
 *   owner: 'warehouse-shanghai',
 *   requestedAt: '2025-03-14T10:05:00.000Z',
 * };
 * ```
 */
export const CaseCollaborationRequestedV1 = defineEvent({
  service: 'intake',
  name: 'case-collaboration-requested',
  version: 1,
  summary: 'A case needs the merchant, the warehouse or logistics: requirement, deadline, owner.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      collaborationId: Type.String({ format: 'uuid', description: 'The request, within the case.' }),
      party: StringEnum(CollaborationParties, { description: 'Who is asked.' }),
      requirement: Type.String({ minLength: 1, description: 'What they are asked to do.' }),
      deadline: Type.String({ format: 'date-time', description: 'By when.' }),
      owner: Type.String({
        minLength: 1,
        description: 'Who answers for it on their side (a staff or team reference).',
      }),
      requestedAt: Type.String({ format: 'date-time', description: 'When it was requested.' }),
    },
    {
      $id: 'aftersales.intake.case-collaboration-requested.v1',
      title: 'CaseCollaborationRequested v1',
      description:
        "Executing a case's accepted solution needs the merchant, the warehouse or logistics: what, by when, owned by whom.",
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          collaborationId: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
          party: 'warehouse',
          requirement: 'Ship a replacement kettle (SKU KT-200, blue) with SF Express',
          deadline: '2025-03-15T10:00:00.000Z',
          owner: 'warehouse-shanghai',
          requestedAt: '2025-03-14T10:05:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-collaboration-requested.v1`. */
export type CaseCollaborationRequestedV1 = EventData<typeof CaseCollaborationRequestedV1>;
