import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.surveys.satisfaction-measured.v1` — satisfaction of an incident's surveyed customers was measured
 * against the incident's target. Published on every new answer, so it always carries the latest figure.
 */
export const SatisfactionMeasuredV1 = defineEvent({
  service: 'surveys',
  name: 'satisfaction-measured',
  version: 1,
  summary: "An incident's customer satisfaction was measured against its target.",
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      satisfactionPercent: Type.Number({ minimum: 0, maximum: 100 }),
      targetPercent: Type.Number({ minimum: 0, maximum: 100 }),
      responses: Type.Integer({ minimum: 1 }),
      surveyed: Type.Integer({ minimum: 1 }),
      belowTarget: Type.Boolean(),
      measuredAt: Type.String({ format: 'date-time' }),
      surveyId: Type.Optional(
        Type.String({
          format: 'uuid',
          description: 'The survey whose answer moved the figure (surveys: `GET /surveys/{surveyId}`).',
        }),
      ),
      caseIds: CaseIds(
        "After-sales cases of the customer whose answer moved the figure (their complaints' cases in the incident).",
      ),
    },
    {
      $id: 'aftersales.surveys.satisfaction-measured.v1',
      title: 'SatisfactionMeasured v1',
      description:
        "Satisfaction of an incident's surveyed customers was measured against its target; published on every new answer.",
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          satisfactionPercent: 88.89,
          targetPercent: 85,
          responses: 18,
          surveyed: 24,
          belowTarget: false,
          measuredAt: '2026-11-30T14:20:00.000Z',
          surveyId: '3e7a9c1b-5d2f-4a8e-9b6c-1d0e2f3a4b5c',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
        },
      ],
    },
  ),
});
export type SatisfactionMeasuredV1 = EventData<typeof SatisfactionMeasuredV1>;
