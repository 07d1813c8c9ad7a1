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
      satisfactionTarget: Type.Number({ minimum: 0, maximum: 100, description: 'Percent of satisfied customers required.' }),
      retrospectiveDueAt: Type.String({ format: 'date-time' }),
      resolvedAt: Type.String({ format: 'date-time' }),
    },
    { $id: 'aftersales.incidents.incident-resolved.v1' },
  ),
});
export type IncidentResolvedV1 = EventData<typeof IncidentResolvedV1>;
