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
import type { DeadlineNotice } from './return-deadline-timers';
import { ReturnsPoliciesService } from './returns-policies.service';
import { RETURNS_CONFIG, type ReturnsConfig } from './returns.config';

type NoticeSubject = Readonly<Record<string, string | null>>;

/**
 * Tells the supervisor a return's deadline was breached (a `return-deadline-notice` timer, in the timer's transaction)
 * through `@aftersales/notifications`, once: recorded in `notification_deliveries` under the notice's key; a failed
 * attempt throws and the timer is retried with backoff; a webhook outside `RETURNS_NOTIFIER_ALLOWED_HOSTS` is recorded
 * as refused. The receiver is the tenant's own (`supervisorWebhookUrl` of its returns policy), else the operator's
 * (`RETURNS_NOTIFIER_WEBHOOK_URL`); with neither the notice is recorded to `none`: `return-deadline-breached.v1` (on the
 * case's timeline) remains the integration point.
 */
@Injectable()
export class ReturnDeadlineNotices {
  private readonly dispatcher: NotificationDispatcher<NoticeSubject>;

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(NOTIFIER) notifier: Notifier,
    @Inject(DELIVERY_LEDGER) ledger: DeliveryLedger<NoticeSubject>,
    @Inject(RETURNS_CONFIG) private readonly config: ReturnsConfig,
    @Inject(ReturnsPoliciesService) private readonly policies: ReturnsPoliciesService,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.dispatcher = new NotificationDispatcher(notifier, ledger, clock);
  }

  async deliver(timer: Timer, tx: PoolClient, logger: Logger): Promise<void> {
    const notice = timer.payload as DeadlineNotice;
    // The tenant's own supervisor webhook, else the operator's.
    const tenantUrl = (await this.policies.forTenant(timer.tenant, tx)).supervisorWebhookUrl;
    const url = tenantUrl ?? this.config.notifier.webhookUrl;
    const result = await this.dispatcher.deliverOnce(tx, {
      key: notice.key,
      tenant: timer.tenant,
      kind: 'return-deadline-notice',
      subject: { returnId: notice.returnId, caseId: notice.caseId, deadline: notice.deadline },
      target: url,
      body: notice,
      attempt: deliveryAttempt(timer),
    });
    const about = { tenant: timer.tenant, key: notice.key, returnId: notice.returnId, deadline: notice.deadline };
    logDispatch(logger, result, {
      notice: 'deadline notice',
      receiver: 'supervisor',
      target: url,
      about,
      noTarget:
        'no supervisor webhook (tenant policy or RETURNS_NOTIFIER_WEBHOOK_URL): the breach is only in the events',
    });
  }
}
