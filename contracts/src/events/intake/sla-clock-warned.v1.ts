import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SlaClockIds } from './sla-clock.vocabulary';

/**
 * `aftersales.intake.sla-clock-warned.v1` — an SLA clock of a case used the warning share of its budget (e.g. 80 %): the case is about to breach. Published on `aftersales.intake.events`,
 * keyed by `caseId`. No personal data: ids, the clock and instants only.
 *
 * @example
 * ```ts
 * import { SlaClockWarnedV1 } from '@aftersales/contracts';
 * const event: SlaClockWarnedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   clockId: 'first_response',
 *   warnedAt: '2025-03-14T09:48:00.000Z',
 *   dueAt: '2025-03-14T10:00:00.000Z',
 * };
 * ```
 */
export const SlaClockWarnedV1 = defineEvent({
  service: 'intake',
  name: 'sla-clock-warned',
  version: 1,
  summary: 'An SLA clock of a case used its warning share; the agent is told.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      clockId: StringEnum(SlaClockIds, { description: 'Which clock of the case.' }),
      warnedAt: Type.String({
        format: 'date-time',
        description: 'When the warning share was used (not when it was noticed).',
      }),
      dueAt: Type.String({
        format: 'date-time',
        description: 'When the whole budget will be used if the clock runs on.',
      }),
    },
    {
      $id: 'aftersales.intake.sla-clock-warned.v1',
      title: 'SlaClockWarned v1',
      description:
        'An SLA clock of a case used the warning share of its budget (e.g. 80 %): the case is about to breach.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          clockId: 'first_response',
          warnedAt: '2025-03-14T09:48:00.000Z',
          dueAt: '2025-03-14T10:00:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.sla-clock-warned.v1`. */
export type SlaClockWarnedV1 = EventData<typeof SlaClockWarnedV1>;
