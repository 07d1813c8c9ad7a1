import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.intake.case-reopened.v1` — the customer objected to a resolved or closed case within the tenant's reopen
 * window; the case is worked on again. Published on `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseReopenedV1 } from '@aftersales/contracts';
 * const event: CaseReopenedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   objection: 'The replacement kettle leaks too',
 *   reopening: 1,
 *   reopenedAt: '2025-03-17T08:15:00.000Z',
 * };
 * ```
 */
export const CaseReopenedV1 = defineEvent({
  service: 'intake',
  name: 'case-reopened',
  version: 1,
  summary: 'The customer objected within the reopen window; the case is worked on again.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      objection: Type.String({ minLength: 1, description: "The customer's objection, as recorded." }),
      reopening: Type.Integer({
        minimum: 1,
        description: 'How many times the case has been reopened, this one included.',
      }),
      reopenedAt: Type.String({ format: 'date-time', description: 'When it was reopened.' }),
    },
    {
      $id: 'aftersales.intake.case-reopened.v1',
      title: 'CaseReopened v1',
      description:
        'The customer objected to a resolved or closed case within the reopen window; it is worked on again.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          objection: 'The replacement kettle leaks too',
          reopening: 1,
          reopenedAt: '2025-03-17T08:15:00.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-reopened.v1`. */
export type CaseReopenedV1 = EventData<typeof CaseReopenedV1>;
