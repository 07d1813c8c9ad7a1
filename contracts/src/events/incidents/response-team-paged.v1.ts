import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels, PageTriggers } from './vocabulary';

/**
 * `aftersales.incidents.response-team-paged.v1` — a response team (or, after a missed deadline, the next tier up)
 * was paged. `pageId` is stable: pager integrations deduplicate on it.
 */
export const ResponseTeamPagedV1 = defineEvent({
  service: 'incidents',
  name: 'response-team-paged',
  version: 1,
  summary: 'A response team or escalation tier was paged.',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      pageId: Type.String({ format: 'uuid', description: 'Stable id of this page (the event id).' }),
      level: StringEnum(IncidentLevels),
      trigger: StringEnum(PageTriggers),
      team: Type.Object({
        lead: Type.String({ minLength: 1, description: 'Role leading the response (e.g. cs-director).' }),
        members: Type.Array(Type.String({ minLength: 1 }), { description: 'Supporting roles (e.g. pr, legal).' }),
      }),
      reason: Type.String(),
      pagedAt: Type.String({ format: 'date-time' }),
    },
    { $id: 'aftersales.incidents.response-team-paged.v1' },
  ),
});
export type ResponseTeamPagedV1 = EventData<typeof ResponseTeamPagedV1>;
