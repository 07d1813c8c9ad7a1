import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels } from './vocabulary';

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
        },
      ],
    },
  ),
});
export type IncidentResolvedV1 = EventData<typeof IncidentResolvedV1>;
