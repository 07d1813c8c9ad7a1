import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SlaClockIds } from './sla-clock.vocabulary';

/**
 * `aftersales.intake.sla-clock-paused.v1` — an SLA clock of a case stopped because the case waits on the customer or a third party; it uses none of its budget until resumed. Published on `aftersales.intake.events`,
 * keyed by `caseId`. No personal data: ids, the clock and instants only.
 *
 * @example
 * ```ts
 * import { SlaClockPausedV1 } from '@aftersales/contracts';
 * const event: SlaClockPausedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   clockId: 'resolution',
 *   pausedAt: '2025-03-14T09:30:00.000Z',
 * };
 * ```
 */
export const SlaClockPausedV1 = defineEvent({
  service: 'intake',
  name: 'sla-clock-paused',
  version: 1,
  summary: 'An SLA clock of a case paused: the case waits on the customer or a third party.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      clockId: StringEnum(SlaClockIds, { description: 'Which clock of the case.' }),
      pausedAt: Type.String({ format: 'date-time', description: 'When the clock stopped.' }),
    },
    {
      $id: 'aftersales.intake.sla-clock-paused.v1',
      title: 'SlaClockPaused v1',
      description:
        'An SLA clock of a case stopped because the case waits on the customer or a third party; it uses none of its budget until resumed.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          clockId: 'resolution',
          pausedAt: '2025-03-14T09:30:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.sla-clock-paused.v1`. */
export type SlaClockPausedV1 = EventData<typeof SlaClockPausedV1>;
