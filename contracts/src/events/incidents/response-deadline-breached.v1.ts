import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
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
      caseIds: CaseIds('After-sales cases the incident concerns: those of its complaints that arose from a case.'),
    },
    {
      $id: 'aftersales.incidents.response-deadline-breached.v1',
      title: 'ResponseDeadlineBreached v1',
      description:
        "The incident's contact deadline passed without a customer contact; the next tier up the escalation ladder is paged.",
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          level: 'L2',
          dueAt: '2026-11-25T09:40:00.000Z',
          escalatedTo: 'general-manager',
          breachedAt: '2026-11-25T09:40:02.318Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
        },
      ],
    },
  ),
});
export type ResponseDeadlineBreachedV1 = EventData<typeof ResponseDeadlineBreachedV1>;
