import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, ReturnCaseId, ReturnId, ReturnLine, ShippingPayers, TenantId } from './vocabulary';

/**
 * `aftersales.returns.return-shipment-requested.v1` — logistics is asked to bring goods back from the customer: the
 * items, the addresses by reference (never in plaintext), the method and packaging instructions, who pays. Logistics
 * (issue 11) answers with `aftersales.logistics.shipment-delivered.v1` (purpose `return`, this `returnId`) when the
 * parcel arrives. Published on `aftersales.returns.events`, keyed by `returnId`.
 */
export const ReturnShipmentRequestedV1 = defineEvent({
  service: 'returns',
  name: 'return-shipment-requested',
  version: 1,
  summary: 'Logistics is asked to ship goods back from the customer: items, addresses by reference, who pays.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      items: Type.Array(ReturnLine, { minItems: 1, description: 'What the customer ships back.' }),
      pickupAddressRef: Type.String({
        minLength: 1,
        description:
          "Reference of the customer's address (the order's delivery address in the shop), never the address.",
      }),
      returnAddressRef: Type.String({
        minLength: 1,
        description: "Reference of the tenant's return address (warehouse) the goods go to.",
      }),
      method: Type.String({ minLength: 1, description: 'Shipping method told to the customer (pickup, drop-off, …).' }),
      packaging: Type.String({ minLength: 1, description: 'Packaging instructions told to the customer.' }),
      shippingPaidBy: StringEnum(ShippingPayers, { description: 'Who pays the return shipping.' }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.return-shipment-requested.v1',
      title: 'ReturnShipmentRequested v1',
      description:
        'Logistics is asked to ship goods back from the customer to the tenant: items, address references, method, packaging and who pays.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          items: [{ sku: 'KETTLE-1L-WHT', quantity: 1 }],
          pickupAddressRef: 'order:ORD-2025-000314:delivery-address',
          returnAddressRef: 'warehouse:shanghai-1',
          method: 'carrier_pickup',
          packaging: 'Original box if available; wrap the glass jug',
          shippingPaidBy: 'merchant',
          requestedAt: '2025-03-12T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.return-shipment-requested.v1`. */
export type ReturnShipmentRequestedV1 = EventData<typeof ReturnShipmentRequestedV1>;
