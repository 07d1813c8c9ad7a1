import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { Money } from '../intake/case-lifecycle.vocabulary';

/**
 * `aftersales.compensation.invoice-issued.v1` — an invoice was issued (in request order, or ahead of it when it was
 * expedited). Published by compensation (issue 12) on `aftersales.compensation.events`, keyed by `invoiceRequestId`,
 * naming the case when there is one (case timeline).
 */
export const InvoiceIssuedV1 = defineEvent({
  service: 'compensation',
  name: 'invoice-issued',
  version: 1,
  summary: 'An invoice was issued for an order.',
  subject: 'invoiceRequestId',
  schema: Type.Object(
    {
      invoiceRequestId: Type.String({ format: 'uuid', description: 'Invoice request id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the invoice belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      orderId: Type.String({ minLength: 1, description: 'The order the invoice is for.' }),
      amount: Money,
      invoiceNumber: Type.String({ minLength: 1, description: 'The number finance gave the invoice.' }),
      expedited: Type.Boolean({ description: 'Issued ahead of the queue because it was urgent.' }),
      issuedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.compensation.invoice-issued.v1',
      title: 'InvoiceIssued v1',
      description: 'An invoice was issued: in the order it was requested, or ahead of the queue when it was expedited.',
      examples: [
        {
          invoiceRequestId: '0f6b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
          tenantId: 'acme',
          caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
          orderId: 'ORD-2025-000123',
          amount: { amountMinor: 19900, currency: 'CNY' },
          invoiceNumber: 'INV-2025-0042',
          expedited: true,
          issuedAt: '2025-03-18T15:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.compensation.invoice-issued.v1`. */
export type InvoiceIssuedV1 = EventData<typeof InvoiceIssuedV1>;
