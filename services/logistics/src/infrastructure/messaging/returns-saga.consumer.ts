import { Controller, Inject } from '@nestjs/common';
import { ReplacementShipmentRequestedV1, ReturnCancelledV1, ReturnShipmentRequestedV1 } from '@aftersales/contracts';
import { deterministicUuid } from '@aftersales/eventstore';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { LogisticsPoliciesService } from '../../application/logistics-policies.service';
import { ShipmentsService } from '../../application/shipments.service';

/** Every return asks for at most one shipment of each purpose: its id follows from the return. */
const shipmentIdFor = (tenant: string, returnId: string, purpose: 'return' | 'replacement') =>
  deterministicUuid(`shipment|${tenant}|${purpose}|${returnId}`);

/**
 * Consumer `returns-saga` (ADR 14): what returns asks of logistics, each in the inbox transaction (exactly once). A
 * return shipment brings the goods back from the customer (purpose `return`, carrying `returnId`: its delivery is
 * returns' receipt); a replacement shipment takes goods to the customer (`replacement`: `replacement-shipped.v1` when
 * it leaves); a cancelled return cancels its return shipment while the carrier has not picked it up (after pickup the
 * goods are on their way and arrive as a receipt). Both shipments await their label (`POST /shipments/:id/label`) with
 * the tenant's first carrier.
 */
@Controller()
export class ReturnsSagaConsumer {
  constructor(
    @Inject(ShipmentsService) private readonly shipments: ShipmentsService,
    @Inject(LogisticsPoliciesService) private readonly policies: LogisticsPoliciesService,
  ) {}

  @Handles(ReturnShipmentRequestedV1)
  async onReturnShipmentRequested({ tx, data, origin }: InboxEvent<ReturnShipmentRequestedV1>): Promise<void> {
    const shipmentId = shipmentIdFor(origin.tenant, data.returnId, 'return');
    if (await this.shipments.hasForReturn(tx, origin.tenant, data.returnId, 'return')) return;
    const policy = await this.policies.forTenant(origin.tenant, tx);
    await this.shipments.register(
      origin,
      {
        shipmentId,
        orderId: data.orderId,
        caseId: data.caseId ?? null,
        purpose: 'return',
        returnId: data.returnId,
        carrier: policy.carriers[0] ?? null,
        trackingNumber: null,
        // Addresses travel by reference only (ADR 14 §4): the regions are those of the references.
        originRegion: data.pickupAddressRef,
        destinationRegion: data.returnAddressRef,
        flags: { remote: false, transfer: false, overseasWarehouse: false },
        packages: 1,
        items: data.items.map(({ sku, quantity }) => ({ sku, quantity })),
        goodsValue: null,
        shipBy: null,
        replaces: null,
      },
      tx,
      policy,
    );
  }

  @Handles(ReplacementShipmentRequestedV1)
  async onReplacementShipmentRequested({
    tx,
    data,
    origin,
  }: InboxEvent<ReplacementShipmentRequestedV1>): Promise<void> {
    const shipmentId = shipmentIdFor(origin.tenant, data.returnId, 'replacement');
    if (await this.shipments.hasForReturn(tx, origin.tenant, data.returnId, 'replacement')) return;
    const policy = await this.policies.forTenant(origin.tenant, tx);
    await this.shipments.register(
      origin,
      {
        shipmentId,
        orderId: data.orderId,
        caseId: data.caseId ?? null,
        purpose: 'replacement',
        returnId: data.returnId,
        carrier: policy.carriers[0] ?? null,
        trackingNumber: null,
        originRegion: 'warehouse',
        destinationRegion: data.deliveryAddressRef,
        flags: { remote: false, transfer: false, overseasWarehouse: false },
        packages: 1,
        items: data.items.map(({ sku, quantity }) => ({ sku, quantity })),
        goodsValue: null,
        shipBy: data.shipBy,
        replaces: null,
      },
      tx,
      policy,
    );
  }

  @Handles(ReturnCancelledV1)
  async onReturnCancelled({ tx, data, origin }: InboxEvent<ReturnCancelledV1>): Promise<void> {
    const shipment = await this.shipments.forReturn(tx, origin.tenant, data.returnId, 'return');
    if (!shipment || shipment.status !== 'awaiting_pickup' || shipment.tracking.departedAt !== null) return;
    await this.shipments.execute(
      origin,
      shipment.shipment.shipmentId,
      { type: 'CancelShipment', data: { reason: `return cancelled: ${data.reason}` } },
      tx,
    );
  }
}
