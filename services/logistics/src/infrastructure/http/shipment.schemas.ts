import { Type, type Static } from '@sinclair/typebox';
import { CarrierScanLine, ShipmentPurposes, StringEnum } from '@aftersales/contracts';
import { DateTime } from '@aftersales/platform-http';
import { ScanStatuses } from '../../domain/scan-status';
import { ShipmentStatuses, TrackingTimeouts } from '../../domain/shipment.decider';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Region = Type.String({ minLength: 1, maxLength: 100 });
const Money = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
  },
  { additionalProperties: false },
);
const Line = Type.Object(
  { sku: Type.String({ minLength: 1, maxLength: 64 }), quantity: Type.Integer({ minimum: 1, maximum: 100_000 }) },
  { additionalProperties: false },
);

/** Body of `POST /shipments`. */
export const RegisterShipmentRequest = Type.Object(
  {
    shipmentId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Client-chosen id; derived from Idempotency-Key, else new' }),
    ),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    caseId: Type.Optional(Type.String({ format: 'uuid', description: 'The after-sales case (intake), if any' })),
    purpose: Type.Optional(StringEnum(ShipmentPurposes, { description: 'order (default), return, replacement' })),
    returnId: Type.Optional(Type.String({ format: 'uuid' })),
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    trackingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    originRegion: Region,
    destinationRegion: Region,
    flags: Type.Optional(
      Type.Object(
        { remote: Type.Boolean(), transfer: Type.Boolean(), overseasWarehouse: Type.Boolean() },
        { additionalProperties: false },
      ),
    ),
    packages: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    items: Type.Array(Line, { minItems: 1, maxItems: 500 }),
    goodsValue: Type.Optional(Money),
    shipBy: Type.Optional(DateTime({ description: "The tenant's shipping deadline for this order" })),
  },
  { additionalProperties: false, title: 'RegisterShipmentRequest' },
);
export type RegisterShipmentRequest = Static<typeof RegisterShipmentRequest>;

export const BookCarrierRequest = Type.Object(
  {
    carrier: Type.String({ minLength: 1, maxLength: 100 }),
    trackingNumber: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false, title: 'BookCarrierRequest' },
);
export type BookCarrierRequest = Static<typeof BookCarrierRequest>;

export const ConfirmLargeOrderRequest = Type.Object(
  { addressConfirmed: Type.Literal(true), packing: StringEnum(['together', 'separately'] as const) },
  { additionalProperties: false, title: 'ConfirmLargeOrderRequest' },
);
export type ConfirmLargeOrderRequest = Static<typeof ConfirmLargeOrderRequest>;

export const CancelShipmentRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false, title: 'CancelShipmentRequest' },
);
export type CancelShipmentRequest = Static<typeof CancelShipmentRequest>;

export const ListShipmentsQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(ShipmentStatuses)),
    caseId: Type.Optional(Type.String({ format: 'uuid' })),
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$', description: 'Page size, 1 to 500 (100).' }),
    ),
  },
  { additionalProperties: false, title: 'ListShipmentsQuery' },
);
export type ListShipmentsQuery = Static<typeof ListShipmentsQuery>;

const ScanView = Type.Object({
  eventId: Type.String(),
  status: StringEnum(ScanStatuses),
  carrierStatus: Type.String(),
  location: Type.String(),
  occurredAt: DateTime(),
  receivedAt: DateTime(),
  exceptionCode: Nullable(Type.String()),
});

/** A shipment as read, with its scan history: never the tenant. */
export const ShipmentView = Type.Object(
  {
    shipmentId: Type.String({ format: 'uuid' }),
    orderId: Type.String(),
    caseId: Nullable(Type.String({ format: 'uuid' })),
    purpose: StringEnum(ShipmentPurposes),
    returnId: Nullable(Type.String({ format: 'uuid' })),
    state: StringEnum(ShipmentStatuses),
    carrier: Nullable(Type.String()),
    trackingNumber: Nullable(Type.String()),
    originRegion: Type.String(),
    destinationRegion: Type.String(),
    items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
    largeOrder: Type.Boolean(),
    largeOrderPacking: Nullable(StringEnum(['together', 'separately'] as const)),
    shipBy: Nullable(DateTime()),
    replaces: Nullable(Type.String({ format: 'uuid' })),
    reshipmentId: Nullable(Type.String({ format: 'uuid' })),
    lastScanAt: Nullable(DateTime()),
    stall: Nullable(Type.Object({ reason: Type.String(), at: DateTime() })),
    lostAt: Nullable(DateTime()),
    claims: Type.Array(Type.Object({ claimId: Type.String(), cause: Type.String(), kind: Type.String() })),
    timeoutsReached: Type.Array(StringEnum(TrackingTimeouts)),
    compensationKeys: Type.Array(Type.String()),
    interception: Nullable(
      Type.Object({
        items: Type.Array(Type.Object({ sku: Type.String(), quantity: Type.Integer() })),
        reshipmentId: Type.String({ format: 'uuid' }),
        carrier: Type.String(),
      }),
    ),
    wrongItems: Type.Array(StringEnum(['wrong_item', 'missing_item'] as const)),
    damageRecorded: Type.Boolean(),
    scans: Type.Array(ScanView, { description: 'Every scan, in the order they happened' }),
    registeredAt: DateTime(),
  },
  { title: 'ShipmentView' },
);
export type ShipmentView = Static<typeof ShipmentView>;

export const ShipmentSummaryView = Type.Object(
  {
    shipmentId: Type.String({ format: 'uuid' }),
    caseId: Nullable(Type.String({ format: 'uuid' })),
    returnId: Nullable(Type.String({ format: 'uuid' })),
    orderId: Type.String(),
    purpose: StringEnum(ShipmentPurposes),
    carrier: Nullable(Type.String()),
    trackingNumber: Nullable(Type.String()),
    destinationRegion: Type.String(),
    state: StringEnum(ShipmentStatuses),
    registeredAt: DateTime(),
  },
  { title: 'ShipmentSummaryView' },
);
export const ShipmentListView = Type.Object(
  { shipments: Type.Array(ShipmentSummaryView) },
  { title: 'ShipmentListView' },
);
export type ShipmentListView = Static<typeof ShipmentListView>;

/** Body of `POST /carrier-events`: a batch of one integration's scans. */
export const CarrierEventsRequest = Type.Object(
  { events: Type.Array(CarrierScanLine, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false, title: 'CarrierEventsRequest' },
);
export type CarrierEventsRequest = Static<typeof CarrierEventsRequest>;

export const CarrierEventsResult = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        eventId: Type.String(),
        outcome: StringEnum(['recorded', 'duplicate', 'unknown_tracking_number', 'unknown_status'] as const),
        shipmentId: Type.Optional(Type.String({ format: 'uuid' })),
      }),
    ),
  },
  { title: 'CarrierEventsResult' },
);
export type CarrierEventsResult = Static<typeof CarrierEventsResult>;

export const CarrierIntegrationRequest = Type.Object(
  {
    carrier: Type.String({ minLength: 1, maxLength: 100 }),
    secret: Type.String({ minLength: 32, maxLength: 256, description: 'The HMAC-SHA256 key the carrier signs with' }),
  },
  { additionalProperties: false, title: 'CarrierIntegrationRequest' },
);
export type CarrierIntegrationRequest = Static<typeof CarrierIntegrationRequest>;

export const CarrierIntegrationView = Type.Object(
  { integrationId: Type.String(), carrier: Type.String() },
  { title: 'CarrierIntegrationView' },
);
export type CarrierIntegrationView = Static<typeof CarrierIntegrationView>;

const Hours = Type.Integer({ minimum: 1, maximum: 24 * 90 });
const TrackingRulesSchema = Type.Object(
  {
    normalHours: Hours,
    stalledHours: Hours,
    lostHours: Hours,
    stuckAtLocationHours: Hours,
    pickupTimeoutHours: Hours,
    transitTimeoutHours: Hours,
    awaitingSignatureHours: Hours,
  },
  { additionalProperties: false },
);

export const LogisticsPolicyBody = Type.Object(
  {
    tracking: TrackingRulesSchema,
    overrides: Type.Array(
      Type.Object(
        {
          carrier: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
          originRegion: Nullable(Region),
          destinationRegion: Nullable(Region),
          rules: Type.Partial(TrackingRulesSchema),
        },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
    carriers: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 }),
    regionalAlarm: Type.Object(
      { threshold: Type.Integer({ minimum: 1, maximum: 1_000_000 }), windowHours: Hours },
      { additionalProperties: false },
    ),
    largeOrderItems: Type.Integer({ minimum: 2, maximum: 10_000 }),
    valuableGoodsMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 }),
  },
  { additionalProperties: false, title: 'LogisticsPolicyBody' },
);
export type LogisticsPolicyBody = Static<typeof LogisticsPolicyBody>;

export const LogisticsPolicyView = Type.Object(
  { policy: LogisticsPolicyBody, updatedAt: Nullable(DateTime()), updatedBy: Nullable(Type.String()) },
  { title: 'LogisticsPolicyView' },
);
export type LogisticsPolicyView = Static<typeof LogisticsPolicyView>;

/** A carrier integration's id, chosen by the tenant admin. */
export const IntegrationId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{2,63}$', title: 'IntegrationId' });

const Refs = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 20, description });

export const ChangeOrderRequest = Type.Object(
  {
    deliveryAddressRef: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'Reference of the new address, never the address' }),
    ),
    items: Type.Optional(Type.Array(Line, { minItems: 1, maxItems: 500, description: 'The goods as they should be' })),
  },
  { additionalProperties: false, title: 'ChangeOrderRequest' },
);
export type ChangeOrderRequest = Static<typeof ChangeOrderRequest>;

export const WrongItemRequest = Type.Object(
  {
    kind: StringEnum(['wrong_item', 'missing_item'] as const),
    labelRef: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'The photo of the shipping label' }),
    ),
    photoRefs: Refs('Photos of what arrived'),
    affectedValue: Money,
    returnShippingCost: Money,
    customerKeeps: Type.Boolean({ description: 'The customer accepted to keep the goods with a compensation' }),
  },
  { additionalProperties: false, title: 'WrongItemRequest' },
);
export type WrongItemRequest = Static<typeof WrongItemRequest>;

export const TransitDamageRequest = Type.Object(
  {
    responsibility: StringEnum(['carrier', 'packaging'] as const),
    evidenceRefs: Refs('Photos of the damage and the packaging'),
    customerChoice: StringEnum(['reship', 'refund'] as const),
  },
  { additionalProperties: false, title: 'TransitDamageRequest' },
);
export type TransitDamageRequest = Static<typeof TransitDamageRequest>;

export const UrgeShippingRequest = Type.Object({}, { additionalProperties: false, title: 'UrgeShippingRequest' });
export type UrgeShippingRequest = Static<typeof UrgeShippingRequest>;
