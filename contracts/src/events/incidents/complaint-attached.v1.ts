import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.incidents.complaint-attached.v1` — a complaint (and so its customer) became part of an incident.
 * Surveys uses it to know whom to survey when the incident is resolved.
 */
export const ComplaintAttachedV1 = defineEvent({
  service: 'incidents',
  name: 'complaint-attached',
  version: 1,
  summary: 'A complaint and its customer were attached to an incident.',
  subject: 'incidentId',
  schema: Type.Object(
    {
      incidentId: Type.String({ format: 'uuid' }),
      tenantId: Type.String({ minLength: 1 }),
      complaintId: Type.String({ format: 'uuid' }),
      customerId: Type.String({ minLength: 1, description: 'Opaque customer reference (never personal data).' }),
      attachedAt: Type.String({ format: 'date-time' }),
    },
    { $id: 'aftersales.incidents.complaint-attached.v1' },
  ),
});
export type ComplaintAttachedV1 = EventData<typeof ComplaintAttachedV1>;
