import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds } from '../returns/vocabulary';
import { StallReasons } from './vocabulary';

/**
 * `aftersales.logistics.shipment-stalled.v1` — a shipment had no carrier scan for the tenant's stalled threshold (48 h
 * by default), or kept being scanned at one location that long (domain.md §3): logistics contacts the carrier and
 * reassures the customer. Published by logistics on `aftersales.logistics.events`, keyed by `shipmentId`; the case
 * timeline shows it, incidents may cluster it by region.
 */
export const ShipmentStalledV1 = defineEvent({
  service: 'logistics',
  name: 'shipment-stalled',
  version: 1,
  summary: 'A shipment stalled: no scan, or stuck at one location, for the stalled threshold.',
  subject: 'shipmentId',
  schema: Type.Object(
    {
      shipmentId: Type.String({ format: 'uuid', description: 'Shipment (aggregate) id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the shipment belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      reason: StringEnum(StallReasons, { description: 'No scan at all, or scans from one location only.' }),
      carrier: Type.String({ minLength: 1 }),
      trackingNumber: Type.String({ minLength: 1 }),
      destinationRegion: Type.String({ minLength: 1, maxLength: 100 }),
      lastScanAt: Type.String({ format: 'date-time', description: 'When the carrier last scanned it.' }),
      stalledAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.shipment-stalled.v1',
      title: 'ShipmentStalled v1',
      description: 'A shipment stalled; the carrier is contacted and the customer reassured.',
      examples: [
        {
          shipmentId: ExampleIds.shipmentId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          reason: 'no_scan',
          carrier: 'SF Express',
          trackingNumber: 'SF1234567890',
          destinationRegion: 'CN-GD',
          lastScanAt: '2025-03-16T09:00:00.000Z',
          stalledAt: '2025-03-18T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.shipment-stalled.v1`. */
export type ShipmentStalledV1 = EventData<typeof ShipmentStalledV1>;
