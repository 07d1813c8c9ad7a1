import { Controller, Inject } from '@nestjs/common';
import { CarrierScansReportedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { ShipmentsService } from '../../application/shipments.service';

/**
 * Consumer `carrier-scans`: the Kafka ingress of carrier integrations that push (`carrier-scans-reported.v1` on
 * `aftersales.logistics.events`), recorded exactly as `POST /carrier-events` records a batch, in the inbox transaction.
 * Scans of unknown tracking numbers or statuses are skipped (logged); each scan is recorded once by its event id.
 */
@Controller()
export class CarrierScansConsumer {
  constructor(@Inject(ShipmentsService) private readonly shipments: ShipmentsService) {}

  @Handles(CarrierScansReportedV1)
  async onCarrierScansReported({ tx, data, origin }: InboxEvent<CarrierScansReportedV1>): Promise<void> {
    await this.shipments.recordScans(origin, data.carrier, data.scans, tx);
  }
}
