import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ProblemTypes } from '../intake/vocabulary';

/** Why a survey answer is improvement input: a dimension scored unsatisfied, a free-text suggestion, or both. */
export const ImprovementReasons = ['unsatisfied', 'suggestion'] as const;
/** Where the improvement input goes: a follow-up case with the customer, or the quality group's review. */
export const ImprovementRoutes = ['follow-up-case', 'quality-review'] as const;
/** The three dimensions of the survey (domain §6). */
export const SurveyDimensions = ['responseSpeed', 'result', 'attitude'] as const;

const Score = (description: string) => Type.Integer({ minimum: 1, maximum: 5, description });

/**
 * `aftersales.surveys.improvement-input-raised.v1` — a customer's survey answer about a resolved case was unsatisfied
 * on a dimension (a tenant-policy threshold) or carried a suggestion, and is routed to the responsible department as
 * improvement input (seed 000 §3.4 「對于客戶反饋的不滿意項或新的建議,應記錄並及時反饋給相關部門,作為服務改進的依據」).
 * Intake opens a follow-up case for it. Published on `aftersales.surveys.events`, keyed by `surveyId`. The suggestion's
 * text is not in the event (it may hold personal data): read it at surveys' `GET /case-surveys/{caseSurveyId}`.
 *
 * @example
 * ```ts
 * import { ImprovementInputRaisedV1 } from '@aftersales/contracts';
 * const event: ImprovementInputRaisedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   surveyId: '3e7a9c1b-5d2f-4a8e-9b6c-1d0e2f3a4b5c',
 *   customerId: 'cus-1',
 *   orderId: 'ORD-1',
 *   problemType: 'logistics',
 *   team: 'after-sales-east',
 *   agentId: 'agent-7',
 *   reasons: ['unsatisfied'],
 *   unsatisfiedDimensions: ['responseSpeed'],
 *   scores: { responseSpeed: 2, result: 4, attitude: 5 },
 *   route: 'follow-up-case',
 *   raisedAt: '2026-11-30T14:20:00.000Z',
 * };
 * ```
 */
export const ImprovementInputRaisedV1 = defineEvent({
  service: 'surveys',
  name: 'improvement-input-raised',
  version: 1,
  summary: 'An unsatisfied survey answer or a suggestion about a resolved case, routed as improvement input.',
  subject: 'surveyId',
  schema: Type.Object(
    {
      surveyId: Type.String({
        format: 'uuid',
        description:
          'The survey answered (surveys: `GET /case-surveys/{caseSurveyId}`); one improvement input per survey; also the Kafka key.',
      }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      caseId: Type.Optional(
        Type.String({
          format: 'uuid',
          description: 'The resolved case the answer is about (always present for a case survey).',
        }),
      ),
      customerId: Type.String({
        minLength: 1,
        description: 'Opaque customer reference. Never personal data in plaintext (no name, e-mail, phone).',
      }),
      orderId: Type.String({ minLength: 1, description: 'Order of the case.' }),
      problemType: StringEnum(ProblemTypes, { description: 'Problem category of the case when it was resolved.' }),
      team: Type.Optional(
        Type.String({ minLength: 1, description: 'The responsible department: the team that handled the case.' }),
      ),
      agentId: Type.Optional(Type.String({ minLength: 1, description: 'The agent who handled the case.' })),
      reasons: Type.Array(StringEnum(ImprovementReasons), {
        minItems: 1,
        uniqueItems: true,
        description: 'Why it is improvement input.',
      }),
      unsatisfiedDimensions: Type.Array(StringEnum(SurveyDimensions), {
        uniqueItems: true,
        description: "Dimensions scored at or below the tenant's unsatisfied threshold; empty for a suggestion only.",
      }),
      scores: Type.Object(
        {
          responseSpeed: Score('How fast the problem was handled, 1 (very poor) to 5 (very good).'),
          result: Score('How well it was solved, 1 to 5.'),
          attitude: Score("Staff's attitude, 1 to 5."),
        },
        { description: "The customer's scores." },
      ),
      route: StringEnum(ImprovementRoutes, {
        description: 'follow-up-case: an unsatisfied customer to follow up; quality-review: a suggestion to review.',
      }),
      raisedAt: Type.String({ format: 'date-time', description: 'When the answer was recorded.' }),
    },
    {
      $id: 'aftersales.surveys.improvement-input-raised.v1',
      title: 'ImprovementInputRaised v1',
      description:
        'An unsatisfied survey answer or a suggestion about a resolved case, routed to the responsible department as improvement input.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          surveyId: '3e7a9c1b-5d2f-4a8e-9b6c-1d0e2f3a4b5c',
          customerId: 'cus-1',
          orderId: 'ORD-1',
          problemType: 'logistics',
          team: 'after-sales-east',
          agentId: 'agent-7',
          reasons: ['unsatisfied'],
          unsatisfiedDimensions: ['responseSpeed'],
          scores: { responseSpeed: 2, result: 4, attitude: 5 },
          route: 'follow-up-case',
          raisedAt: '2026-11-30T14:20:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.surveys.improvement-input-raised.v1`. */
export type ImprovementInputRaisedV1 = EventData<typeof ImprovementInputRaisedV1>;
