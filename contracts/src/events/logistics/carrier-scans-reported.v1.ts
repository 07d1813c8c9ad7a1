import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';

/** One carrier scan as a carrier integration reports it (the webhook's and the ingress topic's line). */
export const CarrierScanLine = Type.Object(
  {
    eventId: Type.String({ minLength: 1, maxLength: 200, description: "The carrier's event id: recorded once." }),
    trackingNumber: Type.String({ minLength: 1, maxLength: 64 }),
    status: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        'The carrier status: one of created, picked_up, in_transit, out_for_delivery, delivered, exception, returned_to_sender, or a known carrier word (InTransit, 签收, …).',
    }),
    location: Type.String({ minLength: 1, maxLength: 200 }),
    occurredAt: Type.String({ format: 'date-time', description: 'When the carrier scanned it.' }),
    exceptionCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    counted: Type.Optional(
      Type.Array(
        Type.Object({ sku: Type.String({ minLength: 1, maxLength: 64 }), quantity: Type.Integer({ minimum: 1 }) }),
        { maxItems: 200, description: 'On a return parcel delivered to the warehouse: what was counted.' },
      ),
    ),
  },
  { description: 'One carrier scan.' },
);

/**
 * `aftersales.logistics.carrier-scans-reported.v1` — the Kafka ingress for carrier integrations that push scans instead
 * of calling `POST /carrier-events`: a batch of one carrier's scans for one tenant, produced by the integrator onto
 * `aftersales.logistics.events` (topic ACLs authenticate it, as the HMAC signature does the webhook), keyed by
 * `batchId`. Logistics records each scan once by its `eventId`, in any order.
 */
export const CarrierScansReportedV1 = defineEvent({
  service: 'logistics',
  name: 'carrier-scans-reported',
  version: 1,
  summary: "A batch of one carrier's scans, pushed by its integration onto the logistics topic.",
  subject: 'batchId',
  schema: Type.Object(
    {
      batchId: Type.String({ minLength: 1, maxLength: 200, description: 'The batch; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant whose shipments the scans are about.' }),
      carrier: Type.String({ minLength: 1, maxLength: 100 }),
      scans: Type.Array(CarrierScanLine, { minItems: 1, maxItems: 1000 }),
    },
    {
      $id: 'aftersales.logistics.carrier-scans-reported.v1',
      title: 'CarrierScansReported v1',
      description: "A carrier integration's batch of scans for one tenant (ingress).",
      examples: [
        {
          batchId: 'sf-2025-03-18T09:00:00Z-0001',
          tenantId: 'acme',
          carrier: 'SF Express',
          scans: [
            {
              eventId: 'sf-evt-100001',
              trackingNumber: 'SF1234567890',
              status: 'InTransit',
              location: 'Guangzhou hub',
              occurredAt: '2025-03-18T08:55:00.000Z',
            },
          ],
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.carrier-scans-reported.v1`. */
export type CarrierScansReportedV1 = EventData<typeof CarrierScansReportedV1>;
