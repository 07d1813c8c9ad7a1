import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Timer } from '@aftersales/eventstore';
import {
  DELIVERY_LEDGER,
  deliveryAttempt,
  NOTIFIER,
  NotificationDispatcher,
  logDispatch,
  type DeliveryLedger,
  type Notifier,
} from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import { LOGISTICS_CONFIG, type LogisticsConfig } from './logistics.config';
import type { ShipmentNotice } from './tracking-timers';

type NoticeSubject = Readonly<Record<string, string | null>>;

/**
 * Delivers a shipment notice (a `shipment-notice` timer, in the timer's transaction) through
 * `@aftersales/notifications`, once: to the customer (shipped, delayed, reassurance, reshipped) or to operations
 * (carrier-contact task, carrier claim). Recorded in `notification_deliveries` under the notice's key; a failed attempt
 * is retried with backoff; without `LOGISTICS_NOTIFIER_WEBHOOK_URL` it is recorded to `none`.
 */
@Injectable()
export class ShipmentNotices {
  private readonly dispatcher: NotificationDispatcher<NoticeSubject>;

  constructor(
    @Inject(NOTIFIER) notifier: Notifier,
    @Inject(DELIVERY_LEDGER) ledger: DeliveryLedger<NoticeSubject>,
    @Inject(LOGISTICS_CONFIG) private readonly config: LogisticsConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.dispatcher = new NotificationDispatcher(notifier, ledger, clock);
  }

  async deliver(timer: Timer, tx: PoolClient, logger: Logger): Promise<void> {
    const notice = timer.payload as ShipmentNotice;
    const url = this.config.notifier.webhookUrl;
    const result = await this.dispatcher.deliverOnce(tx, {
      key: notice.key,
      tenant: timer.tenant,
      kind: `shipment-${notice.notice.replace(/_/g, '-')}`,
      subject: { shipmentId: notice.shipmentId, caseId: notice.caseId, audience: notice.audience },
      target: url,
      body: notice,
      attempt: deliveryAttempt(timer),
    });
    const about = { tenant: timer.tenant, key: notice.key, shipmentId: notice.shipmentId, notice: notice.notice };
    logDispatch(logger, result, { notice: 'shipment notice', receiver: 'notification', target: url, about });
  }
}
