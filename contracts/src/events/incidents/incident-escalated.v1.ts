import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
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
      caseIds: CaseIds('After-sales cases the incident concerns: those of its complaints that arose from a case.'),
    },
    {
      $id: 'aftersales.incidents.incident-escalated.v1',
      title: 'IncidentEscalated v1',
      description: "An incident's level was raised (e.g. L3 → L2 when the complaint cluster reaches the L2 threshold).",
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          fromLevel: 'L3',
          toLevel: 'L2',
          reason: '10 customers within 24 h reached the L2 threshold of 10',
          escalatedAt: '2026-11-25T08:40:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c', '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c'],
        },
      ],
    },
  ),
});
export type IncidentEscalatedV1 = EventData<typeof IncidentEscalatedV1>;
