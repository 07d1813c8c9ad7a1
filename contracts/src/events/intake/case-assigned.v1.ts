import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

const Assignment = {
  queue: Type.String({ minLength: 1, description: 'The work queue the case sits in.' }),
  team: Type.String({ minLength: 1, description: 'The team responsible for it.' }),
  agentId: Type.Optional(Type.String({ minLength: 1, description: 'The agent handling it (a staff reference).' })),
};

/**
 * `aftersales.intake.case-assigned.v1` — a case was assigned to a queue, a team and possibly an agent; a reassignment
 * carries the previous assignment. Published on `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseAssignedV1 } from '@aftersales/contracts';
 * const event: CaseAssignedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   queue: 'logistics-claims',
 *   team: 'after-sales-east',
 *   agentId: 'agent-7',
 *   assignedAt: '2025-03-14T09:33:00.000Z',
 * };
 * ```
 */
export const CaseAssignedV1 = defineEvent({
  service: 'intake',
  name: 'case-assigned',
  version: 1,
  summary: 'A case was assigned (or reassigned) to a queue, a team and possibly an agent.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      ...Assignment,
      previous: Type.Optional(Type.Object(Assignment, { description: 'Reassignments: the assignment it replaces.' })),
      assignedAt: Type.String({ format: 'date-time', description: 'When it was assigned.' }),
    },
    {
      $id: 'aftersales.intake.case-assigned.v1',
      title: 'CaseAssigned v1',
      description:
        'A case was assigned to a queue, a team and possibly an agent; a reassignment names the previous one.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          queue: 'logistics-claims',
          team: 'after-sales-east',
          agentId: 'agent-7',
          assignedAt: '2025-03-14T09:33:00.000Z',
        },
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          queue: 'logistics-claims',
          team: 'after-sales-east',
          agentId: 'agent-12',
          previous: { queue: 'logistics-claims', team: 'after-sales-east', agentId: 'agent-7' },
          assignedAt: '2025-03-14T13:05:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-assigned.v1`. */
export type CaseAssignedV1 = EventData<typeof CaseAssignedV1>;
