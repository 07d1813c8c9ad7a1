import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SolutionKinds } from './case-lifecycle.vocabulary';

/**
 * `aftersales.intake.case-resolved.v1` — a case was resolved: the customer was told the outcome, its basis and the
 * route to object, and until when they may (seed 000 §2.3 "result notification"). Surveys follow it. Published on
 * `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseResolvedV1 } from '@aftersales/contracts';
 * const event: CaseResolvedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   solutionKind: 'reship',
 *   outcome: 'Replacement kettle delivered on 15 March',
 *   basis: 'Transit damage confirmed by the carrier; the carrier pays under the shipping contract',
 *   objectionRoute: 'Reply to this chat or call 400-000-0000 within 7 days',
 *   reopenableUntil: '2025-03-22T11:00:00.000Z',
 *   resolvedAt: '2025-03-15T11:00:00.000Z',
 * };
 * ```
 */
export const CaseResolvedV1 = defineEvent({
  service: 'intake',
  name: 'case-resolved',
  version: 1,
  summary: 'A case was resolved: outcome, basis and the route to object told to the customer.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      solutionKind: StringEnum(SolutionKinds, { description: 'What the executed solution did.' }),
      outcome: Type.String({ minLength: 1, description: 'The outcome, as told to the customer.' }),
      basis: Type.String({
        minLength: 1,
        description: 'The basis of the decision (policy, facts), as told to the customer.',
      }),
      objectionRoute: Type.String({ minLength: 1, description: 'How the customer may object, as told to them.' }),
      reopenableUntil: Type.String({
        format: 'date-time',
        description: "Until when an objection reopens the case (the tenant's reopen window from resolution).",
      }),
      resolvedAt: Type.String({ format: 'date-time', description: 'When it was resolved.' }),
    },
    {
      $id: 'aftersales.intake.case-resolved.v1',
      title: 'CaseResolved v1',
      description:
        'A case was resolved; the customer was told the outcome, its basis and how to object, and until when.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          solutionKind: 'reship',
          outcome: 'Replacement kettle delivered on 15 March',
          basis: 'Transit damage confirmed by the carrier; the carrier pays under the shipping contract',
          objectionRoute: 'Reply to this chat or call 400-000-0000 within 7 days',
          reopenableUntil: '2025-03-22T11:00:00.000Z',
          resolvedAt: '2025-03-15T11:00:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-resolved.v1`. */
export type CaseResolvedV1 = EventData<typeof CaseResolvedV1>;
