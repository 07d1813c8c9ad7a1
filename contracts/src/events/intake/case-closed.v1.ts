import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.intake.case-closed.v1` — a resolved case was closed. An objection within the reopen window still
 * reopens it. Published on `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseClosedV1 } from '@aftersales/contracts';
 * const event: CaseClosedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   reopenableUntil: '2025-03-22T11:00:00.000Z',
 *   closedAt: '2025-03-16T09:00:00.000Z',
 * };
 * ```
 */
export const CaseClosedV1 = defineEvent({
  service: 'intake',
  name: 'case-closed',
  version: 1,
  summary: 'A resolved case was closed.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      reopenableUntil: Type.String({
        format: 'date-time',
        description: 'Until when an objection of the customer still reopens the case.',
      }),
      closedAt: Type.String({ format: 'date-time', description: 'When it was closed.' }),
    },
    {
      $id: 'aftersales.intake.case-closed.v1',
      title: 'CaseClosed v1',
      description: 'A resolved case was closed; an objection within the reopen window still reopens it.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          reopenableUntil: '2025-03-22T11:00:00.000Z',
          closedAt: '2025-03-16T09:00:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-closed.v1`. */
export type CaseClosedV1 = EventData<typeof CaseClosedV1>;
