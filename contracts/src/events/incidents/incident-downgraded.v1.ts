import { Type } from '@sinclair/typebox';
import { CaseIds } from '../../case-references';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { IncidentLevels } from './vocabulary';

/**
 * `aftersales.incidents.incident-downgraded.v1` — an incident's level was lowered (e.g. L2 → L3) by a role the
 * tenant's policy allows to downgrade that level. Published on `aftersales.incidents.events`, keyed by `incidentId`.
 *
 * A downgrade never moves the contact deadline: the deadline set at activation or tightened by an upgrade stays as it
 * was, so this event carries none. No team is paged for a downgrade.
 *
 * @example
 * ```ts
 * const downgraded: IncidentDowngradedV1 = { incidentId, tenantId: 'acme', fromLevel: 'L2', toLevel: 'L3',
 *   reason: 'Complaints traced to one retailer; reach is local', decidedBy: { id: 'dir-1', role: 'cs-director' },
 *   downgradedAt: '2026-11-25T09:30:00.000Z' };
 * ```
 */
export const IncidentDowngradedV1 = defineEvent({
  service: 'incidents',
  name: 'incident-downgraded',
  version: 1,
  summary: "An incident's level was lowered by an authorised role.",
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid', description: 'Incident id; also ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant (merchant) the incident belongs to.' }),
      fromLevel: StringEnum(IncidentLevels, { description: 'Level before the downgrade (the more severe one).' }),
      toLevel: StringEnum(IncidentLevels, { description: 'Level after the downgrade (the less severe one).' }),
      reason: Type.String({
        minLength: 1,
        description: 'Why the incident was downgraded; a downgrade is never recorded without one.',
      }),
      decidedBy: Type.Object(
        {
          id: Type.String({
            minLength: 1,
            description: 'Opaque id of the authenticated principal (the token subject); never a name or e-mail.',
          }),
          role: Type.String({
            minLength: 1,
            description: "The role under which the downgrade was allowed by the tenant's policy (e.g. cs-director).",
          }),
        },
        { description: 'Who downgraded the incident.' },
      ),
      downgradedAt: Type.String({ format: 'date-time', description: 'When the downgrade was decided.' }),
      caseIds: CaseIds('After-sales cases the incident concerns: those of its complaints that arose from a case.'),
    },
    {
      $id: 'aftersales.incidents.incident-downgraded.v1',
      title: 'IncidentDowngraded v1',
      description: "An incident's level was lowered by an authorised role; its contact deadline is unchanged.",
      examples: [
        {
          incidentId: '3b0f6a52-8c1d-4e7f-9a2b-5c6d7e8f9a01',
          tenantId: 'acme',
          fromLevel: 'L2',
          toLevel: 'L3',
          reason: 'Complaints traced to one retailer; reach is local',
          decidedBy: { id: 'dir-1', role: 'cs-director' },
          downgradedAt: '2026-11-25T09:30:00.000Z',
          caseIds: ['6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c'],
        },
      ],
    },
  ),
});

/** Payload of `aftersales.incidents.incident-downgraded.v1`. */
export type IncidentDowngradedV1 = EventData<typeof IncidentDowngradedV1>;
