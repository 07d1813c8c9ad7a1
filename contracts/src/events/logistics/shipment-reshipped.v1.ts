import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds } from '../returns/vocabulary';
import { ReshipmentCauses } from './vocabulary';

/**
 * `aftersales.logistics.shipment-reshipped.v1` — the goods of a lost or damaged shipment are sent again as a new
 * shipment (`reshipmentId`, `GET /shipments/<reshipmentId>`) with another carrier. Published by logistics on
 * `aftersales.logistics.events`, keyed by the original `shipmentId`.
 */
export const ShipmentReshippedV1 = defineEvent({
  service: 'logistics',
  name: 'shipment-reshipped',
  version: 1,
  summary: 'The goods of a lost or damaged shipment are sent again, with another carrier.',
  subject: 'shipmentId',
  schema: Type.Object(
    {
      shipmentId: Type.String({ format: 'uuid', description: 'The original shipment; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the shipment belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      reshipmentId: Type.String({ format: 'uuid', description: 'The new shipment.' }),
      cause: StringEnum(ReshipmentCauses, { description: 'Why the goods are sent again.' }),
      previousCarrier: Type.String({ minLength: 1 }),
      carrier: Type.String({ minLength: 1, description: 'The carrier of the new shipment.' }),
      reshippedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.shipment-reshipped.v1',
      title: 'ShipmentReshipped v1',
      description: 'The goods of a lost or damaged shipment are sent again as a new shipment with another carrier.',
      examples: [
        {
          shipmentId: ExampleIds.shipmentId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          reshipmentId: ExampleIds.replacementShipmentId,
          cause: 'lost',
          previousCarrier: 'SF Express',
          carrier: 'JD Logistics',
          reshippedAt: '2025-03-19T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.shipment-reshipped.v1`. */
export type ShipmentReshippedV1 = EventData<typeof ShipmentReshippedV1>;
