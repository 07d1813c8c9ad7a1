import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { Money } from '../intake/case-lifecycle.vocabulary';
import { ExampleIds } from '../returns/vocabulary';
import { LogisticsCompensationInstruments, LogisticsCompensationReasons } from './vocabulary';

/**
 * `aftersales.logistics.compensation-requested.v1` — logistics asks compensation (issue 12) to compensate the customer
 * of a shipment: a parcel lost in transit, a missed shipping deadline (goodwill gift), a wrong or missing item, transit
 * damage. Published by logistics (issue 11) on `aftersales.logistics.events`, keyed by `shipmentId`. Compensation
 * creates at most one compensation order per `idempotencyKey` (`<reason>:<shipmentId>`), decides the instrument and
 * amount by its policy (the proposal is a proposal) and answers on `aftersales.compensation.events` naming the key.
 */
export const CompensationRequestedV1 = defineEvent({
  service: 'logistics',
  name: 'compensation-requested',
  version: 1,
  summary: 'Compensation is asked to compensate the customer of a shipment, once per idempotency key.',
  subject: 'shipmentId',
  schema: Type.Object(
    {
      shipmentId: Type.String({ format: 'uuid', description: 'Shipment (aggregate) id; ce_subject and Kafka key.' }),
      tenantId: Type.String({ minLength: 1, description: 'Tenant the shipment belongs to.' }),
      caseId: Type.Optional(
        Type.String({ format: 'uuid', description: 'The after-sales case. Absent when it concerns no case.' }),
      ),
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      reason: StringEnum(LogisticsCompensationReasons, { description: 'Why the customer is compensated.' }),
      proposedInstrument: StringEnum(LogisticsCompensationInstruments, {
        description: "What logistics proposes; compensation's policy decides.",
      }),
      goodsValue: Type.Optional(Money),
      proposedAmount: Type.Optional(Money),
      idempotencyKey: Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Compensate at most once per key: `<reason>:<shipmentId>`.',
      }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.logistics.compensation-requested.v1',
      title: 'CompensationRequested v1',
      description:
        'Logistics asks compensation to compensate the customer of a shipment (lost parcel, missed shipping deadline, wrong or missing item, transit damage), once per `idempotencyKey`.',
      examples: [
        {
          shipmentId: ExampleIds.shipmentId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          reason: 'lost_in_transit',
          proposedInstrument: 'full_refund',
          goodsValue: { amountMinor: 19900, currency: 'CNY' },
          idempotencyKey: `lost_in_transit:${ExampleIds.shipmentId}`,
          requestedAt: '2025-03-18T09:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.logistics.compensation-requested.v1`. */
export type CompensationRequestedV1 = EventData<typeof CompensationRequestedV1>;
