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
      caseId: Type.Optional(
        Type.String({
          format: 'uuid',
          description: 'After-sales case the complaint arose from, when it arose from one.',
        }),
      ),
    },
    {
      $id: 'aftersales.incidents.complaint-attached.v1',
      title: 'ComplaintAttached v1',
      description: 'A complaint and its customer were attached to an incident; surveys learns whom to survey from it.',
      examples: [
        {
          incidentId: 'c5a8e2f1-7d3b-4e9a-8f6c-2b1d0e9f8a74',
          tenantId: 'acme',
          complaintId: 'a4b6c8d0-1e2f-4a3b-8c5d-6e7f8a9b0c1d',
          customerId: 'cus_3Kp8Wn2r',
          attachedAt: '2026-11-25T08:12:41.207Z',
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
        },
      ],
    },
  ),
});
export type ComplaintAttachedV1 = EventData<typeof ComplaintAttachedV1>;
