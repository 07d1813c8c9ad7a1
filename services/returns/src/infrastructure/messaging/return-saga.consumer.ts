import { Controller, Inject } from '@nestjs/common';
import {
  AllowancePaidV1,
  RefundFailedV1,
  RefundPaidV1,
  ReplacementShippedV1,
  ShipmentDeliveredV1,
} from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { ReturnsService } from '../../application/returns.service';

/**
 * Consumer `return-saga`: what logistics and compensation report about returns (ADR 14), each a step of its return in
 * the inbox transaction (exactly once per event; the decider makes a redelivered or reordered report a no-op). A
 * return parcel delivered is its receipt; a refund or allowance paid ends the return; a refund refused routes the
 * return back to its case; a replacement shipped records its tracking number and ends the return. A report about a
 * return this service does not know in the event's tenant is dead-lettered (`RETURN.NOT_FOUND`).
 */
@Controller()
export class ReturnSagaConsumer {
  constructor(@Inject(ReturnsService) private readonly returns: ReturnsService) {}

  @Handles(ShipmentDeliveredV1)
  async onShipmentDelivered({ tx, data, origin }: InboxEvent<ShipmentDeliveredV1>): Promise<void> {
    if (data.purpose !== 'return' || !data.returnId) return;
    const items =
      data.items ??
      (await this.returns.get(origin.tenant, data.returnId)).request.items.map(({ sku, quantity }) => ({
        sku,
        quantity,
      }));
    await this.returns.execute(
      origin,
      data.returnId,
      { type: 'RecordReceipt', data: { items, shipmentId: data.shipmentId } },
      tx,
    );
  }

  @Handles(ReplacementShippedV1)
  async onReplacementShipped({ tx, data, origin }: InboxEvent<ReplacementShippedV1>): Promise<void> {
    const { shipmentId, carrier, trackingNumber, shippedAt } = data;
    await this.returns.execute(
      origin,
      data.returnId,
      { type: 'RecordReplacementShipped', data: { shipmentId, carrier, trackingNumber, shippedAt } },
      tx,
    );
  }

  @Handles(RefundPaidV1)
  async onRefundPaid({ tx, data, origin }: InboxEvent<RefundPaidV1>): Promise<void> {
    const { compensationId, amount, paymentChannel, paidAt } = data;
    await this.returns.execute(
      origin,
      data.returnId,
      { type: 'RecordRefundPaid', data: { compensationId, amount, paymentChannel, paidAt } },
      tx,
    );
  }

  @Handles(RefundFailedV1)
  async onRefundFailed({ tx, data, origin }: InboxEvent<RefundFailedV1>): Promise<void> {
    const { compensationId, failureReason, failedAt } = data;
    await this.returns.execute(
      origin,
      data.returnId,
      { type: 'RecordRefundFailed', data: { compensationId, reason: failureReason, failedAt } },
      tx,
    );
  }

  @Handles(AllowancePaidV1)
  async onAllowancePaid({ tx, data, origin }: InboxEvent<AllowancePaidV1>): Promise<void> {
    const { compensationId, amount, paidAt } = data;
    await this.returns.execute(
      origin,
      data.returnId,
      { type: 'RecordAllowancePaid', data: { compensationId, amount, paidAt } },
      tx,
    );
  }
}
