import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds, ReturnLine } from '../returns/vocabulary';

/**
 * `aftersales.logistics.replacement-shipped.v1` — goods a return asked for (`replacement-shipment-requested.v1`) left for
 * the customer: the tracking number returns records and tells the customer. Declared by returns (ADR 14); logistics
 * (issue 11) publishes it on `aftersales.logistics.events`, keyed by `shipmentId`.
 */
export const ReplacementShippedV1 = defineEvent({
  service: 'logistics',
  name: 'replacement-shipped',
  version: 1,
  summary: 'A replacement, reshipment or repaired item left for the customer, with its tracking number.',
  subject: 'shipmentId',
  schema: Type.Object(
    {
      shipmentId: Type.String({ format: 'uuid', description: 'Shipment (aggregate) id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the shipment belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      returnId: Type.String({ format: 'uuid', description: 'The return that asked for it.' }),
      items: Type.Array(ReturnLine, { minItems: 1, description: 'What was shipped.' }),
      carrier: Type.String({ minLength: 1, description: 'The carrier.' }),
      trackingNumber: Type.String({ minLength: 1, description: "The carrier's tracking number." }),
      shippedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.replacement-shipped.v1',
      title: 'ReplacementShipped v1',
      description: 'Goods a return asked for left for the customer, with the carrier and tracking number.',
      examples: [
        {
          shipmentId: ExampleIds.replacementShipmentId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          returnId: ExampleIds.returnId,
          items: [{ sku: 'KETTLE-1L-WHT', quantity: 1 }],
          carrier: 'SF Express',
          trackingNumber: 'SF0987654321',
          shippedAt: '2025-03-13T07:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.replacement-shipped.v1`. */
export type ReplacementShippedV1 = EventData<typeof ReplacementShippedV1>;
