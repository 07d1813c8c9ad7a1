import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from '@aftersales/platform-http';

/** Body of `POST /shipments`. */
export const OpenShipmentRequest = Type.Object(
  {
    shipmentId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Client-chosen id; derived from Idempotency-Key, else new' }),
    ),
    caseId: Type.String({ format: 'uuid', description: 'The after-sales case (intake) it is opened for' }),
    note: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false, title: 'OpenShipmentRequest' },
);
export type OpenShipmentRequest = Static<typeof OpenShipmentRequest>;

/** `POST /shipments`, `GET /shipments/:shipmentId`: never the tenant. */
export const ShipmentView = Type.Object(
  {
    shipmentId: Type.String({ format: 'uuid' }),
    caseId: Type.String({ format: 'uuid' }),
    customerId: Type.String(),
    orderId: Type.String(),
    note: Type.String(),
    status: Type.Literal('open'),
    openedAt: DateTime(),
    openedBy: Type.String({ description: 'Subject of the token that opened it' }),
  },
  { title: 'ShipmentView' },
);
export type ShipmentView = Static<typeof ShipmentView>;
