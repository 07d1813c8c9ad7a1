import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.intake.case-acknowledged.v1` — the customer was told the case is accepted, with the expected cycle or
 * the next step (seed 000 §2.1); off hours, an automatic acknowledgement saying from when it will be handled (seed 002
 * §1.1). Published on `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseAcknowledgedV1 } from '@aftersales/contracts';
 * const event: CaseAcknowledgedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   automatic: false,
 *   expectedCycle: '3–5 working days',
 *   nextStep: 'We check the parcel photos with the carrier',
 *   acknowledgedAt: '2025-03-14T09:27:40.000Z',
 * };
 * ```
 */
export const CaseAcknowledgedV1 = defineEvent({
  service: 'intake',
  name: 'case-acknowledged',
  version: 1,
  summary: 'The customer was told the case is accepted, with the expected cycle or next step.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      automatic: Type.Boolean({
        description: 'True for an automatic (off-hours) acknowledgement; such an acknowledgement is no first response.',
      }),
      expectedCycle: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'The processing cycle the customer was told, e.g. `3–5 working days`.',
        }),
      ),
      nextStep: Type.Optional(Type.String({ minLength: 1, description: 'The next step the customer was told.' })),
      handledFrom: Type.Optional(
        Type.String({
          format: 'date-time',
          description: 'Automatic acknowledgements: when the case will be handled (the next working time).',
        }),
      ),
      acknowledgedAt: Type.String({ format: 'date-time', description: 'When the customer was told.' }),
    },
    {
      $id: 'aftersales.intake.case-acknowledged.v1',
      title: 'CaseAcknowledged v1',
      description:
        'The customer was told the case is accepted, with the expected cycle or next step; off hours, automatically, with the time it will be handled from.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          automatic: false,
          expectedCycle: '3–5 working days',
          nextStep: 'We check the parcel photos with the carrier',
          acknowledgedAt: '2025-03-14T09:27:40.000Z',
        },
        {
          caseId: '9b3e1d2c-4a5f-4e6d-8c7b-1a2b3c4d5e6f',
          tenantId: 'acme',
          automatic: true,
          nextStep: 'An agent takes over when the service opens',
          handledFrom: '2025-03-15T01:00:00.000Z',
          acknowledgedAt: '2025-03-14T15:02:10.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-acknowledged.v1`. */
export type CaseAcknowledgedV1 = EventData<typeof CaseAcknowledgedV1>;
