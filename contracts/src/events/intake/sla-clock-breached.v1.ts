import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SlaClockIds } from './sla-clock.vocabulary';

/**
 * `aftersales.intake.sla-clock-breached.v1` — an SLA clock of a case used its whole budget without being met: it is breached from its due time on, and the case goes up its escalation ladder (supervisor, then the complaint team). Published on `aftersales.intake.events`,
 * keyed by `caseId`. No personal data: ids, the clock and instants only.
 *
 * @example
 * ```ts
 * import { SlaClockBreachedV1 } from '@aftersales/contracts';
 * const event: SlaClockBreachedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   clockId: 'first_response',
 *   breachedAt: '2025-03-14T10:00:00.000Z',
 * };
 * ```
 */
export const SlaClockBreachedV1 = defineEvent({
  service: 'intake',
  name: 'sla-clock-breached',
  version: 1,
  summary: 'An SLA clock of a case used its whole budget without being met; the case escalates.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      clockId: StringEnum(SlaClockIds, { description: 'Which clock of the case.' }),
      breachedAt: Type.String({
        format: 'date-time',
        description: "When the budget ran out: the clock's due time (not when it was noticed).",
      }),
    },
    {
      $id: 'aftersales.intake.sla-clock-breached.v1',
      title: 'SlaClockBreached v1',
      description:
        'An SLA clock of a case used its whole budget without being met: it is breached from its due time on, and the case goes up its escalation ladder (supervisor, then the complaint team).',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          clockId: 'first_response',
          breachedAt: '2025-03-14T10:00:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.sla-clock-breached.v1`. */
export type SlaClockBreachedV1 = EventData<typeof SlaClockBreachedV1>;
