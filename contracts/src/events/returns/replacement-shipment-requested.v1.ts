import { Type } from '@sinclair/typebox';
import { defineEvent, type EventData } from '../../define-event';
import { StringEnum } from '../../schema';
import { ExampleIds, ReturnCaseId, ReturnId, ReturnLine, ShippingPayers, TenantId } from './vocabulary';

/**
 * `aftersales.returns.replacement-shipment-requested.v1` — logistics is asked to ship goods to the customer for a
 * return: the replacement of an exchange (same specification: within 24 h, domain.md §2), the reshipment of a wrong or
 * missing item, a repaired item going back. Logistics (issue 11) answers with
 * `aftersales.logistics.replacement-shipped.v1` and, on arrival, `shipment-delivered.v1` (purpose `replacement`).
 */
export const ReplacementShipmentRequestedV1 = defineEvent({
  service: 'returns',
  name: 'replacement-shipment-requested',
  version: 1,
  summary: 'Logistics is asked to ship a replacement, reshipment or repaired item to the customer, by a deadline.',
  subject: 'returnId',
  schema: Type.Object(
    {
      returnId: ReturnId,
      tenantId: TenantId,
      caseId: ReturnCaseId,
      orderId: Type.String({ minLength: 1, maxLength: 64, description: "The shop's order id." }),
      items: Type.Array(ReturnLine, { minItems: 1, description: 'What is shipped to the customer.' }),
      deliveryAddressRef: Type.String({
        minLength: 1,
        description:
          "Reference of the customer's address (the order's delivery address in the shop), never the address.",
      }),
      shippingPaidBy: StringEnum(ShippingPayers, { description: 'Who pays the shipping.' }),
      shipBy: Type.String({ format: 'date-time', description: 'When it must have shipped.' }),
      requestedAt: Type.String({ format: 'date-time' }),
    },
    {
      $id: 'aftersales.returns.replacement-shipment-requested.v1',
      title: 'ReplacementShipmentRequested v1',
      description:
        'Logistics is asked to ship a replacement (exchange), a reshipment (wrong or missing item) or a repaired item to the customer by `shipBy`.',
      examples: [
        {
          returnId: ExampleIds.returnId,
          tenantId: 'acme',
          caseId: ExampleIds.caseId,
          orderId: 'ORD-2025-000314',
          items: [{ sku: 'KETTLE-1L-WHT', quantity: 1 }],
          deliveryAddressRef: 'order:ORD-2025-000314:delivery-address',
          shippingPaidBy: 'platform',
          shipBy: '2025-03-13T10:00:00.000Z',
          requestedAt: '2025-03-12T10:00:00.000Z',
        },
      ],
    },
  ),
});
/** Payload of `aftersales.returns.replacement-shipment-requested.v1`. */
export type ReplacementShipmentRequestedV1 = EventData<typeof ReplacementShipmentRequestedV1>;
