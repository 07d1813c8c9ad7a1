import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SlaClockBases, SlaClockIds } from './sla-clock.vocabulary';

/**
 * `aftersales.intake.sla-clock-started.v1` — an SLA clock of a case started (opening, a customer message, a need for another department, a restart): its budget, what it counts, and when it warns and falls due if it runs on without a pause. A restarted clock (the next response after each message, the progress update after each update) starts again with a new sla-clock-started. Published on `aftersales.intake.events`,
 * keyed by `caseId`. No personal data: ids, the clock and instants only.
 *
 * @example
 * ```ts
 * import { SlaClockStartedV1 } from '@aftersales/contracts';
 * const event: SlaClockStartedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   clockId: 'resolution',
 *   basis: 'business',
 *   budgetMs: 3600000,
 *   startedAt: '2025-03-14T09:00:00.000Z',
 *   dueAt: '2025-03-14T10:00:00.000Z',
 *   warnAt: '2025-03-14T09:48:00.000Z',
 * };
 * ```
 */
export const SlaClockStartedV1 = defineEvent({
  service: 'intake',
  name: 'sla-clock-started',
  version: 1,
  summary: 'An SLA clock of a case started, with its budget and due time.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      clockId: StringEnum(SlaClockIds, { description: 'Which clock of the case.' }),
      basis: StringEnum(SlaClockBases, {
        description: "What the budget counts: the tenant's business hours or elapsed time.",
      }),
      budgetMs: Type.Integer({ minimum: 1, description: 'The budget, in milliseconds of the basis.' }),
      startedAt: Type.String({ format: 'date-time', description: 'When the clock started.' }),
      dueAt: Type.String({
        format: 'date-time',
        description: 'When the budget runs out if the clock runs on without a pause.',
      }),
      warnAt: Type.String({
        format: 'date-time',
        description: "When the warning share of the budget (the tenant's, e.g. 80 %) is used.",
      }),
    },
    {
      $id: 'aftersales.intake.sla-clock-started.v1',
      title: 'SlaClockStarted v1',
      description:
        'An SLA clock of a case started (opening, a customer message, a need for another department, a restart): its budget, what it counts, and when it warns and falls due if it runs on without a pause. A restarted clock (the next response after each message, the progress update after each update) starts again with a new sla-clock-started.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          clockId: 'resolution',
          basis: 'business',
          budgetMs: 3600000,
          startedAt: '2025-03-14T09:00:00.000Z',
          dueAt: '2025-03-14T10:00:00.000Z',
          warnAt: '2025-03-14T09:48:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.sla-clock-started.v1`. */
export type SlaClockStartedV1 = EventData<typeof SlaClockStartedV1>;
