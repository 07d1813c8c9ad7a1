import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/**
 * `aftersales.compensation.invoice-expedite-requested.v1` — a customer needs an invoice urgently: finance is asked to
 * issue it ahead of the queue (seed 003 §11: "send the customer's ID to finance to expedite it"). Published by
 * compensation (issue 12) on `aftersales.compensation.events`, keyed by `invoiceRequestId`, naming the case when there
 * is one (case timeline). Finance's queue is `GET /invoice-requests/expedite-queue`.
 */
export const InvoiceExpediteRequestedV1 = defineEvent({
  service: 'compensation',
  name: 'invoice-expedite-requested',
  version: 1,
  summary: 'An invoice is needed urgently: finance is asked to issue it ahead of the queue.',
  subject: 'invoiceRequestId',
  schema: Type.Object(
    {
      invoiceRequestId: Type.String({ format: 'uuid', description: 'Invoice request id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the invoice belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      orderId: Type.String({ minLength: 1, description: 'The order the invoice is for.' }),
      customerId: Type.String({ minLength: 1, description: 'The customer who needs it (what finance looks up).' }),
      queuePosition: Type.Integer({ minimum: 1, description: "The request's place in the tenant's invoice queue." }),
      reason: Type.String({ minLength: 1, description: 'Why it is urgent.' }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.invoice-expedite-requested.v1',
      title: 'InvoiceExpediteRequested v1',
      description:
        'An invoice request was flagged urgent (when made, or later): finance issues it ahead of the requests made before it.',
      examples: [
        {
          invoiceRequestId: '0f6b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
          tenantId: 'acme',
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          orderId: 'ORD-2025-000123',
          customerId: 'cus_8841',
          queuePosition: 42,
          reason: 'Needed for a company expense claim due Friday',
          requestedAt: '2025-03-18T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.invoice-expedite-requested.v1`. */
export type InvoiceExpediteRequestedV1 = EventData<typeof InvoiceExpediteRequestedV1>;
