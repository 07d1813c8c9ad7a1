import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
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
      caseIds: CaseIds('After-sales cases the incident concerns: those of its complaints that arose from a case.'),
    },
    {
      $id: 'aftersales.incidents.response-team-paged.v1',
      title: 'ResponseTeamPaged v1',
      description:
        'A response team (or, after a missed contact deadline, the next tier up) was paged; pager integrations deduplicate on pageId.',
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          pageId: 'f1d2c3b4-a596-4878-9a0b-1c2d3e4f5a6b',
          level: 'L2',
          trigger: 'upgrade',
          team: { lead: 'cs-director', members: ['tech-support', 'logistics'] },
          reason: '10 customers within 24 h reached the L2 threshold of 10',
          pagedAt: '2026-11-25T08:40:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
        },
      ],
    },
  ),
});
export type ResponseTeamPagedV1 = EventData<typeof ResponseTeamPagedV1>;
