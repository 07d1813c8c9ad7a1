import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { SlaClockIds } from './sla-clock.vocabulary';

/**
 * `aftersales.intake.sla-clock-met.v1` — the target of an SLA clock of a case was achieved (first response given, reply sent, dispatch requested, case resolved, progress reported): on time or late, with the time it used. Published on `aftersales.intake.events`,
 * keyed by `caseId`. No personal data: ids, the clock and instants only.
 *
 * @example
 * ```ts
 * import { SlaClockMetV1 } from '@aftersales/contracts';
 * const event: SlaClockMetV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   clockId: 'first_response',
 *   metAt: '2025-03-14T09:40:00.000Z',
 *   late: false,
 *   consumedMs: 2400000,
 * };
 * ```
 */
export const SlaClockMetV1 = defineEvent({
  service: 'intake',
  name: 'sla-clock-met',
  version: 1,
  summary: 'An SLA clock of a case was met, on time or late.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      clockId: StringEnum(SlaClockIds, { description: 'Which clock of the case.' }),
      metAt: Type.String({ format: 'date-time', description: 'When the target was achieved.' }),
      late: Type.Boolean({ description: 'True when the whole budget had been used by then.' }),
      consumedMs: Type.Integer({
        minimum: 0,
        description: 'Milliseconds of its basis the clock used, pauses excluded.',
      }),
    },
    {
      $id: 'aftersales.intake.sla-clock-met.v1',
      title: 'SlaClockMet v1',
      description:
        'The target of an SLA clock of a case was achieved (first response given, reply sent, dispatch requested, case resolved, progress reported): on time or late, with the time it used.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          clockId: 'first_response',
          metAt: '2025-03-14T09:40:00.000Z',
          late: false,
          consumedMs: 2400000,
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.sla-clock-met.v1`. */
export type SlaClockMetV1 = EventData<typeof SlaClockMetV1>;
