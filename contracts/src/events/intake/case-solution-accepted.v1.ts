import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money, SolutionKinds } from './case-lifecycle.vocabulary';

/**
 * `aftersales.intake.case-solution-accepted.v1` — the customer accepted one of the solutions proposed for a case; its
 * execution starts (returns, compensation and logistics act on it). Published on `aftersales.intake.events`, keyed by
 * `caseId`.
 *
 * @example
 * ```ts
 * import { CaseSolutionAcceptedV1 } from '@aftersales/contracts';
 * const event: CaseSolutionAcceptedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   proposal: 1,
 *   option: 2,
 *   solution: { kind: 'reship', description: 'Reship the kettle with another carrier', expectedTime: '2 days' },
 *   acceptedAt: '2025-03-14T10:02:00.000Z',
 * };
 * ```
 */
export const CaseSolutionAcceptedV1 = defineEvent({
  service: 'intake',
  name: 'case-solution-accepted',
  version: 1,
  summary: 'The customer accepted a proposed solution; its execution starts.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      proposal: Type.Integer({
        minimum: 1,
        description: 'Which proposal of the case (1 for the first, 2 after a rejection…).',
      }),
      option: Type.Integer({ minimum: 1, maximum: 3, description: 'Which of the proposal’s 1–3 options.' }),
      solution: Type.Object(
        {
          kind: StringEnum(SolutionKinds, { description: 'What the solution does.' }),
          description: Type.String({ minLength: 1, description: 'The solution as proposed to the customer.' }),
          expectedTime: Type.String({ minLength: 1, description: 'How long it takes, as the customer was told.' }),
          amount: Type.Optional(Money),
        },
        { description: 'The accepted solution.' },
      ),
      acceptedAt: Type.String({ format: 'date-time', description: 'When the customer accepted it.' }),
    },
    {
      $id: 'aftersales.intake.case-solution-accepted.v1',
      title: 'CaseSolutionAccepted v1',
      description: 'The customer accepted one of the 1–3 solutions proposed for a case; its execution starts.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          proposal: 1,
          option: 2,
          solution: { kind: 'reship', description: 'Reship the kettle with another carrier', expectedTime: '2 days' },
          acceptedAt: '2025-03-14T10:02:00.000Z',
        },
        {
          caseId: '9b3e1d2c-4a5f-4e6d-8c7b-1a2b3c4d5e6f',
          tenantId: 'acme',
          proposal: 2,
          option: 1,
          solution: {
            kind: 'partial_refund',
            description: 'Keep the cup with the chipped rim; we refund part of the price',
            expectedTime: 'within 1 working day',
            amount: { amountMinor: 1500, currency: 'CNY' },
          },
          acceptedAt: '2025-03-15T02:40:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-solution-accepted.v1`. */
export type CaseSolutionAcceptedV1 = EventData<typeof CaseSolutionAcceptedV1>;
