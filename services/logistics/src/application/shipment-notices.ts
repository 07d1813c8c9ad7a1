import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Timer } from '@aftersales/eventstore';
import {
  DELIVERY_LEDGER,
  deliveryAttempt,
  NOTIFIER,
  NotificationDeliveryFailed,
  NotificationDispatcher,
  logDispatch,
  type DeliveryLedger,
  type DispatchResult,
  type NotificationRequest,
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
    const request = this.requestOf(timer);
    this.told(logger, request, await this.dispatcher.deliverOnce(tx, request));
  }

  /**
   * The notices of several timers at once (one claim; a burst of stalled shipments asks for two each): what is recorded
   * already read in one query, the webhooks called side by side, the deliveries recorded in one statement. Answers, per
   * timer id, `delivered` (recorded: delivered, without a webhook, refused for good, or recorded before) or the error
   * of a webhook that failed (nothing recorded: the timer is retried with backoff).
   */
  async deliverMany(
    timers: readonly Timer[],
    tx: PoolClient,
    logger: Logger,
  ): Promise<Map<string, 'delivered' | NotificationDeliveryFailed>> {
    return this.dispatcher.deliverTimers(
      tx,
      timers,
      (timer) => this.requestOf(timer),
      (request, result) => this.told(logger, request, result),
    );
  }

  private requestOf(timer: Timer): NotificationRequest<NoticeSubject, ShipmentNotice> {
    const notice = timer.payload as ShipmentNotice;
    return {
      key: notice.key,
      tenant: timer.tenant,
      kind: `shipment-${notice.notice.replace(/_/g, '-')}`,
      subject: { shipmentId: notice.shipmentId, caseId: notice.caseId, audience: notice.audience },
      target: this.config.notifier.webhookUrl,
      body: notice,
      attempt: deliveryAttempt(timer),
    };
  }

  private told(
    logger: Logger,
    request: NotificationRequest<NoticeSubject, ShipmentNotice>,
    result: DispatchResult<NoticeSubject>,
  ): void {
    const notice = request.body;
    const about = { tenant: request.tenant, key: notice.key, shipmentId: notice.shipmentId, notice: notice.notice };
    logDispatch(logger, result, {
      notice: 'shipment notice',
      receiver: 'notification',
      target: request.target,
      about,
    });
  }
}
