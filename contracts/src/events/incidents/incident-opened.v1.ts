import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentCategories, IncidentLevels } from './vocabulary';

/**
 * `aftersales.incidents.incident-opened.v1` — an incident was identified and graded (activation), from a
 * complaint cluster crossing a threshold or declared by staff.
 *
 * @example
 * ```ts
 * const opened: IncidentOpenedV1 = { incidentId, tenantId: 'acme', category: 'product-quality', level: 'L3',
 *   summary: 'Battery swelling, batch B-7', reason: '1 complaint', openedAt: '2026-11-25T08:00:00.000Z' };
 * ```
 */
export const IncidentOpenedV1 = defineEvent({
  service: 'incidents',
  name: 'incident-opened',
  version: 1,
  summary: 'An incident was identified and graded (activation).',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid', description: 'Incident id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1 }),
      category: StringEnum(IncidentCategories),
      level: StringEnum(IncidentLevels, { description: 'Grade at activation.' }),
      summary: Type.String({ minLength: 1 }),
      reason: Type.String({ minLength: 1, description: 'Grading basis (threshold crossed, flag, declaration).' }),
      clusterKey: Type.Optional(
        Type.String({ description: 'Complaint cluster that raised it, when it came from one.' }),
      ),
      openedAt: Type.String({ format: 'date-time' }),
      caseIds: CaseIds(
        'After-sales cases the incident concerns when it opened: those of the complaints it was opened with.',
      ),
    },
    {
      $id: 'aftersales.incidents.incident-opened.v1',
      title: 'IncidentOpened v1',
      description:
        'An incident was identified and graded (activation), from a complaint cluster crossing a threshold or declared by staff.',
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          category: 'product-quality',
          level: 'L3',
          summary: 'Power banks PB-20000 of batch B-2025-07 swell while charging',
          reason: 'Declared by the quality team after a retailer reported swollen units from one batch',
          clusterKey: 'sku:PB-20000|batch:B-2025-07',
          openedAt: '2026-11-25T08:00:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
        },
      ],
    },
  ),
});
export type IncidentOpenedV1 = EventData<typeof IncidentOpenedV1>;
