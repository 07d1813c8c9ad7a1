import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels } from './vocabulary';

/** `aftersales.incidents.incident-escalated.v1` — an incident's level was raised (e.g. L3 → L2 at the 10th complaint). */
export const IncidentEscalatedV1 = defineEvent({
  service: 'incidents',
  name: 'incident-escalated',
  version: 1,
  summary: "An incident's level was raised.",
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      fromLevel: StringEnum(IncidentLevels),
      toLevel: StringEnum(IncidentLevels),
      reason: Type.String({ minLength: 1 }),
      escalatedAt: Type.String({ format: 'date-time' }),
    },
    { $id: 'aftersales.incidents.incident-escalated.v1' },
  ),
});
export type IncidentEscalatedV1 = EventData<typeof IncidentEscalatedV1>;
