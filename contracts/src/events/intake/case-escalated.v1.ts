import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { EscalationReasons, EscalationRungs } from './case-lifecycle.vocabulary';

/**
 * `aftersales.intake.case-escalated.v1` — a case went up its escalation ladder (supervisor → complaint team → senior
 * management): an SLA breach, a complaint, a severe complaint or a person's decision. Published on
 * `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseEscalatedV1 } from '@aftersales/contracts';
 * const event: CaseEscalatedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   rung: 'complaint_team',
 *   previousRung: 'supervisor',
 *   reason: 'complaint',
 *   escalatedAt: '2025-03-14T12:00:00.000Z',
 * };
 * ```
 */
export const CaseEscalatedV1 = defineEvent({
  service: 'intake',
  name: 'case-escalated',
  version: 1,
  summary: 'A case went up its escalation ladder (supervisor, complaint team, senior management).',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      rung: StringEnum(EscalationRungs, { description: 'The rung the case is at now.' }),
      previousRung: Type.Optional(
        StringEnum(EscalationRungs, { description: 'The rung it was at; absent for its first escalation.' }),
      ),
      reason: StringEnum(EscalationReasons, { description: 'Why it was escalated.' }),
      escalatedAt: Type.String({ format: 'date-time', description: 'When it was escalated.' }),
    },
    {
      $id: 'aftersales.intake.case-escalated.v1',
      title: 'CaseEscalated v1',
      description:
        'A case went up its escalation ladder (supervisor → complaint team → senior management), with the reason.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          rung: 'complaint_team',
          previousRung: 'supervisor',
          reason: 'complaint',
          escalatedAt: '2025-03-14T12:00:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-escalated.v1`. */
export type CaseEscalatedV1 = EventData<typeof CaseEscalatedV1>;
