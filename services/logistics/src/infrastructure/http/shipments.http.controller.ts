import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { ShipmentsService, type ShipmentStep, type TrackedShipment } from '../../application/shipments.service';
import {
  BookCarrierRequest,
  CancelShipmentRequest,
  ChangeOrderRequest,
  TransitDamageRequest,
  UrgeShippingRequest,
  WrongItemRequest,
  ConfirmLargeOrderRequest,
  ListShipmentsQuery,
  ShipmentListView,
  RegisterShipmentRequest,
  ShipmentView,
} from './shipment.schemas';

const READERS = [Role.Agent, Role.Supervisor, Role.CsManager, Role.Logistics] as const;
const SHIPPERS = [Role.Logistics, Role.Integrator] as const;

export function shipmentView({ state, scans }: TrackedShipment): ShipmentView {
  const s = state.shipment;
  const t = state.tracking;
  return {
    shipmentId: s.shipmentId,
    orderId: s.orderId,
    caseId: s.caseId,
    purpose: s.purpose,
    returnId: s.returnId,
    state: state.status,
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    originRegion: s.originRegion,
    destinationRegion: s.destinationRegion,
    items: s.items.map(({ sku, quantity }) => ({ sku, quantity })),
    largeOrder: s.largeOrder,
    largeOrderPacking: state.largeOrderPacking,
    shipBy: s.shipBy,
    replaces: s.replaces,
    reshipmentId: state.reshipmentId,
    lastScanAt: t.lastScanAt,
    stall: state.stall,
    lostAt: state.loss?.at ?? null,
    claims: state.claims.map((c) => ({ ...c })),
    timeoutsReached: [...t.timeoutsReached],
    compensationKeys: [...state.compensationKeys],
    interception: state.interception
      ? { ...state.interception, items: state.interception.items.map(({ sku, quantity }) => ({ sku, quantity })) }
      : null,
    wrongItems: [...state.wrongItems],
    damageRecorded: state.damageRecorded,
    scans: scans.map(({ counted: _counted, ...scan }) => scan),
    registeredAt: s.registeredAt,
  };
}

/** Shipments: outbound, return and replacement, with their tracking (domain.md §3). */
@Controller('shipments')
export class ShipmentsHttpController {
  constructor(@Inject(ShipmentsService) private readonly shipments: ShipmentsService) {}

  /**
   * Registers a shipment (booked at once when carrier and tracking number are given). A case it names must have
   * reached this service (422 `SHIPMENT.CASE_UNKNOWN`). `Idempotency-Key` makes a retry return the same one.
   */
  @Post()
  @HttpCode(201)
  @Roles(...SHIPPERS, Role.Agent)
  @Responds(201, ShipmentView, { headers: { Location: '/shipments/{shipmentId}' } })
  async register(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(RegisterShipmentRequest)) body: RegisterShipmentRequest,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<ShipmentView> {
    const shipmentId = body.shipmentId ?? newAggregateId(origin, 'shipment');
    const shipment = await this.shipments.registerForCase(origin, {
      shipmentId,
      orderId: body.orderId,
      caseId: body.caseId ?? null,
      purpose: body.purpose ?? 'order',
      returnId: body.returnId ?? null,
      carrier: body.carrier ?? null,
      trackingNumber: body.trackingNumber ?? null,
      originRegion: body.originRegion,
      destinationRegion: body.destinationRegion,
      flags: body.flags ?? { remote: false, transfer: false, overseasWarehouse: false },
      packages: body.packages ?? 1,
      items: body.items,
      goodsValue: body.goodsValue ?? null,
      shipBy: body.shipBy ? new Date(body.shipBy).toISOString() : null,
      replaces: null,
    });
    res.setHeader('Location', `/shipments/${shipmentId}`);
    return shipmentView(shipment);
  }

  /** The tenant's shipments, newest first, by state and case. */
  @Get()
  @Roles(...READERS)
  @Responds(200, ShipmentListView)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListShipmentsQuery)) query: ListShipmentsQuery,
  ): Promise<ShipmentListView> {
    const summaries = await this.shipments.list(principal.tenant, {
      ...(query.state ? { status: query.state } : {}),
      ...(query.caseId ? { caseId: query.caseId } : {}),
      limit: query.limit ? Number(query.limit) : 100,
    });
    return { shipments: summaries.map(({ status, ...s }) => ({ ...s, state: status })) };
  }

  /** A shipment with its scan history. */
  @Get(':shipmentId')
  @Roles(...READERS)
  @Responds(200, ShipmentView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
  ): Promise<ShipmentView> {
    return shipmentView(await this.shipments.get(principal.tenant, id));
  }

  /** The label: carrier and tracking number, before pickup (a large order only once confirmed). */
  @Post(':shipmentId/label')
  @HttpCode(200)
  @Roles(...SHIPPERS)
  @Responds(200, ShipmentView)
  async book(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(BookCarrierRequest)) body: BookCarrierRequest,
  ): Promise<ShipmentView> {
    return this.step(origin, id, { type: 'BookCarrier', data: body });
  }

  /** A large order's address and packing (together or separately), confirmed with the customer before it ships. */
  @Post(':shipmentId/large-order-confirmation')
  @HttpCode(200)
  @Roles(Role.Agent, Role.Logistics)
  @Responds(200, ShipmentView)
  async confirmLargeOrder(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ConfirmLargeOrderRequest)) body: ConfirmLargeOrderRequest,
  ): Promise<ShipmentView> {
    return this.step(origin, id, { type: 'ConfirmLargeOrder', data: body });
  }

  /** Cancels a shipment the carrier has not picked up (409 `SHIPMENT.ALREADY_PICKED_UP` after). */
  @Post(':shipmentId/cancellation')
  @HttpCode(200)
  @Roles(Role.Agent, Role.Logistics)
  @Responds(200, ShipmentView)
  async cancel(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(CancelShipmentRequest)) body: CancelShipmentRequest,
  ): Promise<ShipmentView> {
    return this.step(origin, id, { type: 'CancelShipment', data: body });
  }

  /** The customer urges shipping: within the deadline → reassured; missed → follow-up, goodwill gift, investigation. */
  @Post(':shipmentId/urge')
  @HttpCode(200)
  @Roles(Role.Agent, Role.Logistics)
  @Responds(200, ShipmentView)
  async urge(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(UrgeShippingRequest)) _body: UrgeShippingRequest,
  ): Promise<ShipmentView> {
    return this.step(origin, id, { type: 'UrgeShipping', data: {} });
  }

  /** Before pickup the details change (sent to the customer to confirm); after, the address via the carrier, other goods by interception. */
  @Post(':shipmentId/order-change')
  @HttpCode(200)
  @Roles(Role.Agent, Role.Logistics)
  @Responds(200, ShipmentView)
  async changeOrder(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ChangeOrderRequest)) body: ChangeOrderRequest,
  ): Promise<ShipmentView> {
    const data = { deliveryAddressRef: body.deliveryAddressRef ?? null, items: body.items ?? null };
    return this.step(origin, id, { type: 'ChangeOrder', data });
  }

  /** A wrong or missing item, with the label and photos (422 `SHIPMENT.EVIDENCE_REQUIRED` without). */
  @Post(':shipmentId/wrong-item')
  @HttpCode(200)
  @Roles(Role.Agent, Role.Logistics)
  @Responds(200, ShipmentView)
  async wrongItem(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(WrongItemRequest)) body: WrongItemRequest,
  ): Promise<ShipmentView> {
    return this.step(origin, id, { type: 'ReportWrongItem', data: { ...body, labelRef: body.labelRef ?? null } });
  }

  /** Goods damaged in transit: responsibility, evidence, the customer's choice of reshipment or refund. */
  @Post(':shipmentId/transit-damage')
  @HttpCode(200)
  @Roles(Role.Agent, Role.Logistics)
  @Responds(200, ShipmentView)
  async transitDamage(
    @RequestOrigin() origin: CommandOrigin,
    @Param('shipmentId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(TransitDamageRequest)) body: TransitDamageRequest,
  ): Promise<ShipmentView> {
    return this.step(origin, id, { type: 'ReportTransitDamage', data: body });
  }

  private async step(origin: CommandOrigin, id: string, step: ShipmentStep): Promise<ShipmentView> {
    return shipmentView(await this.shipments.executeTracked(origin, id, step));
  }
}
