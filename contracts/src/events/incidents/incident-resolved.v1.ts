import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels, IncidentSolutionKinds } from './vocabulary';

/**
 * `aftersales.incidents.incident-resolved.v1` — resolution ended; follow-up starts. Surveys surveys the affected
 * customers against `satisfactionTarget`.
 */
export const IncidentResolvedV1 = defineEvent({
  service: 'incidents',
  name: 'incident-resolved',
  version: 1,
  summary: 'An incident was resolved; follow-up (surveys, retrospective) starts.',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      level: StringEnum(IncidentLevels),
      summary: Type.String(),
      satisfactionTarget: Type.Number({
        minimum: 0,
        maximum: 100,
        description: 'Percent of satisfied customers required.',
      }),
      retrospectiveDueAt: Type.String({ format: 'date-time' }),
      resolvedAt: Type.String({ format: 'date-time' }),
      caseIds: CaseIds('After-sales cases the incident concerns: those of its complaints that arose from a case.'),
      solution: Type.Optional(
        Type.Object(
          {
            kind: StringEnum(IncidentSolutionKinds, { description: 'What kind of solution.' }),
            description: Type.String({ description: 'The solution as approved.' }),
          },
          {
            description:
              'The approved solution that resolved it (added by issue 12; absent from incidents resolved before). `compensation`: the affected customers (its cases) are compensated, once each.',
          },
        ),
      ),
    },
    {
      $id: 'aftersales.incidents.incident-resolved.v1',
      title: 'IncidentResolved v1',
      description:
        "An incident was resolved; follow-up starts: its customers are surveyed against the level's satisfaction target.",
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          level: 'L2',
          summary: 'Batch B-2025-07 recalled; affected customers refunded and sent replacement units',
          satisfactionTarget: 85,
          retrospectiveDueAt: '2026-11-29T16:00:00.000Z',
          resolvedAt: '2026-11-27T16:00:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c', '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c'],
          solution: { kind: 'recall', description: 'Recall batch B-2025-07 and refund the affected customers' },
        },
      ],
    },
  ),
});
export type IncidentResolvedV1 = EventData<typeof IncidentResolvedV1>;
