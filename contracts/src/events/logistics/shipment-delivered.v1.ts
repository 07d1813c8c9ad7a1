import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, ReturnLine } from '../returns/vocabulary';
import { ShipmentPurposes } from './vocabulary';

/**
 * `aftersales.logistics.shipment-delivered.v1` — a shipment arrived at its destination. For a return parcel (purpose
 * `return`) the destination is the tenant's return address and `items` are what the receiving warehouse counted (a
 * partial receipt when fewer than asked); returns records the receipt. For a `replacement` the customer received it.
 * Declared by returns (ADR 14); logistics (issue 11) publishes it on `aftersales.logistics.events`, keyed by
 * `shipmentId`, and must carry `returnId` on every shipment it made for a returns request.
 */
export const ShipmentDeliveredV1 = defineEvent({
  service: 'logistics',
  name: 'shipment-delivered',
  version: 1,
  summary: 'A shipment arrived: a return parcel at the tenant (what was counted) or a replacement at the customer.',
  subject: 'shipmentId',
  schema: Type.Object(
    {
      shipmentId: Type.String({ format: 'uuid', description: 'Shipment (aggregate) id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the shipment belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      purpose: StringEnum(ShipmentPurposes, { description: 'Why the shipment travelled.' }),
      returnId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The return it was made for (purposes `return`, `replacement`).' }),
      ),
      items: Type.Optional(
        Type.Array(ReturnLine, { description: 'What the receiving warehouse counted in a return parcel.' }),
      ),
      carrier: Type.String({ minLength: 1, description: 'The carrier.' }),
      trackingNumber: Type.String({ minLength: 1, description: "The carrier's tracking number." }),
      deliveredAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.shipment-delivered.v1',
      title: 'ShipmentDelivered v1',
      description:
        'A shipment arrived. A return parcel (`purpose: return`) names its return and what the warehouse counted in it.',
      examples: [
        {
          shipmentId: ExampleIds.shipmentId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          purpose: 'return',
          returnId: ExampleIds.returnId,
          items: [{ sku: 'KETTLE-1L-WHT', quantity: 1 }],
          carrier: 'SF Express',
          trackingNumber: 'SF1234567890',
          deliveredAt: '2025-03-14T15:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.shipment-delivered.v1`. */
export type ShipmentDeliveredV1 = EventData<typeof ShipmentDeliveredV1>;
