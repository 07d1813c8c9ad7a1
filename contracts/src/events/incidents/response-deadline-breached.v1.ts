import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels } from './vocabulary';

/** `aftersales.incidents.response-deadline-breached.v1` — affected customers were not contacted by the deadline. */
export const ResponseDeadlineBreachedV1 = defineEvent({
  service: 'incidents',
  name: 'response-deadline-breached',
  version: 1,
  summary: 'The contact deadline passed without a customer contact; the next tier up is paged.',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      level: StringEnum(IncidentLevels),
      dueAt: Type.String({ format: 'date-time' }),
      escalatedTo: Type.String({ minLength: 1, description: 'Role paged because of the breach.' }),
      breachedAt: Type.String({ format: 'date-time' }),
    },
    { $id: 'aftersales.incidents.response-deadline-breached.v1' },
  ),
});
export type ResponseDeadlineBreachedV1 = EventData<typeof ResponseDeadlineBreachedV1>;
