import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SlaClockIds } from './sla-clock.vocabulary';

/**
 * `aftersales.intake.sla-clock-resumed.v1` — an SLA clock of a case runs again (the reply came); its due time moved by the time the pause covered. Published on `aftersales.intake.events`,
 * keyed by `caseId`. No personal data: ids, the clock and instants only.
 *
 * @example
 * ```ts
 * import { SlaClockResumedV1 } from '@aftersales/contracts';
 * const event: SlaClockResumedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   clockId: 'resolution',
 *   resumedAt: '2025-03-14T13:00:00.000Z',
 *   dueAt: '2025-03-14T13:30:00.000Z',
 * };
 * ```
 */
export const SlaClockResumedV1 = defineEvent({
  service: 'intake',
  name: 'sla-clock-resumed',
  version: 1,
  summary: 'An SLA clock of a case runs again; its due time moved by the pause.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      clockId: StringEnum(SlaClockIds, { description: 'Which clock of the case.' }),
      resumedAt: Type.String({ format: 'date-time', description: 'When the clock ran again.' }),
      dueAt: Type.String({ format: 'date-time', description: 'When the budget runs out now if the clock runs on.' }),
    },
    {
      $id: 'aftersales.intake.sla-clock-resumed.v1',
      title: 'SlaClockResumed v1',
      description:
        'An SLA clock of a case runs again (the reply came); its due time moved by the time the pause covered.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          clockId: 'resolution',
          resumedAt: '2025-03-14T13:00:00.000Z',
          dueAt: '2025-03-14T13:30:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.sla-clock-resumed.v1`. */
export type SlaClockResumedV1 = EventData<typeof SlaClockResumedV1>;
