import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { ExampleIds } from '../returns/vocabulary';

/**
 * `aftersales.logistics.shipment-lost.v1` — a shipment had no carrier scan for the tenant's lost threshold (72 h by
 * default) and is treated as lost (domain.md §3): a claim is filed with the carrier (`claimId`), the goods are reshipped
 * with another carrier (`shipment-reshipped.v1`) and compensation is asked for (`compensation-requested.v1`). Published
 * by logistics on `aftersales.logistics.events`, keyed by `shipmentId`.
 */
export const ShipmentLostV1 = defineEvent({
  service: 'logistics',
  name: 'shipment-lost',
  version: 1,
  summary: 'A shipment is treated as lost; a claim was filed with its carrier.',
  subject: 'shipmentId',
  schema: Type.Object(
    {
      shipmentId: Type.String({ format: 'uuid', description: 'Shipment (aggregate) id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the shipment belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      carrier: Type.String({ minLength: 1 }),
      trackingNumber: Type.String({ minLength: 1 }),
      destinationRegion: Type.String({ minLength: 1, maxLength: 100 }),
      lastScanAt: Type.String({ format: 'date-time', description: 'When the carrier last scanned it.' }),
      claimId: Type.String({ minLength: 1, description: 'The claim filed with the carrier (find and return).' }),
      lostAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.shipment-lost.v1',
      title: 'ShipmentLost v1',
      description: 'A shipment is treated as lost after the lost threshold without a scan; a carrier claim was filed.',
      examples: [
        {
          shipmentId: ExampleIds.shipmentId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          carrier: 'SF Express',
          trackingNumber: 'SF1234567890',
          destinationRegion: 'CN-GD',
          lastScanAt: '2025-03-16T09:00:00.000Z',
          claimId: '0d2f4b6a-8c1e-4a3b-9d5f-7e9a1c3b5d7f',
          lostAt: '2025-03-19T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.shipment-lost.v1`. */
export type ShipmentLostV1 = EventData<typeof ShipmentLostV1>;
