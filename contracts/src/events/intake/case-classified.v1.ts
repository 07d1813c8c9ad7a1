import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ProblemTypes } from './vocabulary';

/**
 * `aftersales.intake.case-classified.v1` — a case was classified, or reclassified (then with the previous category and
 * the reason). Published on `aftersales.intake.events`, keyed by `caseId`.
 *
 * @example
 * ```ts
 * import { CaseClassifiedV1 } from '@aftersales/contracts';
 * const event: CaseClassifiedV1 = {
 *   caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   tenantId: 'acme',
 *   category: 'logistics',
 *   previousCategory: 'quality',
 *   reason: 'The parcel arrived crushed: transit damage, not a defect',
 *   classifiedAt: '2025-03-14T09:31:02.000Z',
 * };
 * ```
 */
export const CaseClassifiedV1 = defineEvent({
  service: 'intake',
  name: 'case-classified',
  version: 1,
  summary: 'A case was classified or reclassified.',
  subject: 'caseId',
  schema: Type.Object(
    {
      caseId: Type.String({ format: 'uuid', description: 'Case (aggregate) id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the case belongs to.' }),
      category: StringEnum(ProblemTypes, { description: 'The category the case is handled under from now on.' }),
      previousCategory: Type.Optional(
        StringEnum(ProblemTypes, { description: 'Reclassifications: the category it had before.' }),
      ),
      reason: Type.Optional(Type.String({ minLength: 1, description: 'Why it was (re)classified, when stated.' })),
      classifiedAt: Type.String({ format: 'date-time', description: 'When it was classified.' }),
    },
    {
      $id: 'aftersales.intake.case-classified.v1',
      title: 'CaseClassified v1',
      description: 'A case was classified, or reclassified with the previous category and the reason.',
      examples: [
        {
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          tenantId: 'acme',
          category: 'logistics',
          previousCategory: 'quality',
          reason: 'The parcel arrived crushed: transit damage, not a defect',
          classifiedAt: '2025-03-14T09:31:02.000Z',
        },
      ],
    },
  ),
});

/** Payload of `aftersales.intake.case-classified.v1`. */
export type CaseClassifiedV1 = EventData<typeof CaseClassifiedV1>;
