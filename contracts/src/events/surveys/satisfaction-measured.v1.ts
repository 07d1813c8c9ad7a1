import { Type } from '@sinclair/typebox';
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
    },
    { $id: 'aftersales.surveys.satisfaction-measured.v1' },
  ),
});
export type SatisfactionMeasuredV1 = EventData<typeof SatisfactionMeasuredV1>;
