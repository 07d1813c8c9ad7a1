import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.surveys.satisfaction-below-target.v1` — an incident's satisfaction fell below its level's target:
 * the incident needs a follow-up before it may close.
 */
export const SatisfactionBelowTargetV1 = defineEvent({
  service: 'surveys',
  name: 'satisfaction-below-target',
  version: 1,
  summary: "An incident's satisfaction fell below its target; a follow-up is required.",
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      satisfactionPercent: Type.Number({ minimum: 0, maximum: 100 }),
      targetPercent: Type.Number({ minimum: 0, maximum: 100 }),
      responses: Type.Integer({ minimum: 1 }),
      measuredAt: Type.String({ format: 'date-time' }),
      caseIds: CaseIds(
        "After-sales cases of the incident's surveyed customers (their complaints' cases): the follow-up concerns them all.",
      ),
    },
    {
      $id: 'aftersales.surveys.satisfaction-below-target.v1',
      title: 'SatisfactionBelowTarget v1',
      description:
        "An incident's satisfaction fell below its level's target: the incident needs a follow-up before it may close.",
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          satisfactionPercent: 66.67,
          targetPercent: 85,
          responses: 6,
          measuredAt: '2026-11-28T09:05:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c', '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c'],
        },
      ],
    },
  ),
});
export type SatisfactionBelowTargetV1 = EventData<typeof SatisfactionBelowTargetV1>;
