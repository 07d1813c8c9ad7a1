import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels } from './vocabulary';

/** `aftersales.incidents.incident-closed.v1` — the incident was closed after follow-up and retrospective. */
export const IncidentClosedV1 = defineEvent({
  service: 'incidents',
  name: 'incident-closed',
  version: 1,
  summary: 'An incident was closed.',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      level: StringEnum(IncidentLevels),
      closedAt: Type.String({ format: 'date-time' }),
      caseIds: CaseIds('After-sales cases the incident concerns: those of its complaints that arose from a case.'),
    },
    {
      $id: 'aftersales.incidents.incident-closed.v1',
      title: 'IncidentClosed v1',
      description: 'An incident was closed after follow-up and retrospective.',
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          level: 'L2',
          closedAt: '2026-12-01T11:00:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c', '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c'],
        },
      ],
    },
  ),
});
export type IncidentClosedV1 = EventData<typeof IncidentClosedV1>;
