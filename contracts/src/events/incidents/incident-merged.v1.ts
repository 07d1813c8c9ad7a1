import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels } from './vocabulary';

/**
 * `aftersales.incidents.incident-merged.v1` — an incident was found to be a duplicate and merged into another one, the
 * survivor. Published on `aftersales.incidents.events`, keyed by the duplicate's `incidentId`. The duplicate ends here:
 * no further event of it follows, and complaints of its cluster arriving later are attached to the survivor.
 *
 * Only the duplicate's side of a merge is published. The survivor records the merge internally (`DuplicateAbsorbed`),
 * which has no contract of its own: `survivorIncidentId` already tells integrators where the duplicate went, and what
 * the merge changes on the survivor is published on the survivor's key as usual — an `incident-escalated.v1` (and a
 * `response-team-paged.v1`) when the duplicate was more severe. Note that this event and the survivor's are keyed by
 * different incidents, so they may be read in either order.
 *
 * @example
 * ```ts
 * const merged: IncidentMergedV1 = { incidentId, tenantId: 'acme', survivorIncidentId, level: 'L2',
 *   reason: 'Same batch as the declared one', mergedAt: '2026-11-25T09:45:00.000Z' };
 * ```
 */
export const IncidentMergedV1 = defineEvent({
  service: 'incidents',
  name: 'incident-merged',
  version: 1,
  summary: 'A duplicate incident was merged into a surviving incident.',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({
        format: 'uuid',
        description: 'Id of the duplicate incident, which ends with this event; also ce_subject and Kafka key.',
      }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) both incidents belong to.' }),
      survivorIncidentId: Type.String({
        format: 'uuid',
        description: 'Id of the incident the duplicate was merged into, which carries on.',
      }),
      level: StringEnum(IncidentLevels, {
        description: 'Level of the duplicate when merged; the survivor takes it on when it is more severe.',
      }),
      reason: Type.String({ minLength: 1, description: 'Why the incidents are the same.' }),
      mergedAt: Type.String({ format: 'date-time', description: 'When the merge was decided.' }),
      caseIds: CaseIds(
        'After-sales cases the merged (duplicate) incident concerned: those of its complaints that arose from a case.',
      ),
    },
    {
      $id: 'aftersales.incidents.incident-merged.v1',
      title: 'IncidentMerged v1',
      description: 'A duplicate incident was merged into a surviving incident.',
      examples: [
        {
          incidentId: '9d4e2c71-5b3a-4f60-8e1d-2a7b6c5d4e03',
          tenantId: 'acme',
          survivorIncidentId: '3b0f6a52-8c1d-4e7f-9a2b-5c6d7e8f9a01',
          level: 'L2',
          reason: 'Same batch as the declared one',
          mergedAt: '2026-11-25T09:45:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
        },
      ],
    },
  ),
});

/** Payload of `aftersales.incidents.incident-merged.v1`. */
export type IncidentMergedV1 = EventData<typeof IncidentMergedV1>;
