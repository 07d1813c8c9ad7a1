import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { assertNever } from '@aftersales/domain';
import type { Timer } from '@aftersales/eventstore';
import {
  DELIVERY_LEDGER,
  deliveryAttempt,
  NOTIFIER,
  NotificationDeliveryFailed,
  NotificationDispatcher,
  webhookOrigin,
  type DeliveryLedger,
  type DispatchResult,
  type NotificationRequest,
  type Notifier,
} from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import type { SlaNotificationPayload } from './case-command-runner';
import { INTAKE_CONFIG, type IntakeConfig } from './intake.config';
import type { SlaPolicy } from '../domain/sla-policy';
import { SlaPoliciesService } from './sla-policies.service';

/**
 * What the tenant's escalation webhook receives (JSON), with the header `Idempotency-Key: <key>`: one notice per case,
 * clock (its start) and rung — a warning to the agent owning the case (`rung: agent`, `reason: sla_warning`), or a
 * breached clock reaching the supervisor or the complaint team (`reason: sla_breach`). Ids only: no personal data.
 */
export interface SlaNotice {
  readonly key: string;
  readonly tenant: string;
  readonly caseId: string;
  readonly clockId: string;
  readonly instance: number;
  readonly rung: string;
  readonly reason: string;
  readonly dueAt: string | null;
  readonly queue: string | null;
  readonly team: string | null;
  readonly agentId: string | null;
}

/** What a delivery record of an SLA notice says it was about. */
export type SlaNoticeSubject = Readonly<Record<string, string | number | null>>;

/**
 * Delivers SLA notices (an `sla-notification` timer, in the timer's transaction) to the tenant's escalation webhook
 * (`escalation.webhookUrl` of its SLA policy) or `INTAKE_NOTIFIER_WEBHOOK_URL`, once, through `@aftersales/notifications`:
 * recorded in `notification_deliveries` under the notice's key; a failed attempt throws and the timer is retried with
 * backoff under the same key; a webhook outside `INTAKE_NOTIFIER_ALLOWED_HOSTS` is recorded as refused, never called.
 * Without any webhook the notice is recorded to `none`: the `sla-clock-*` and `case-escalated` events remain the
 * integration point.
 */
@Injectable()
export class SlaNotifications {
  private readonly dispatcher: NotificationDispatcher<SlaNoticeSubject>;

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(SlaPoliciesService) private readonly policies: SlaPoliciesService,
    @Inject(NOTIFIER) notifier: Notifier,
    @Inject(DELIVERY_LEDGER) ledger: DeliveryLedger<SlaNoticeSubject>,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.dispatcher = new NotificationDispatcher(notifier, ledger, clock);
  }

  /** `sla`: the tenant's SLA policy when the caller read it in `tx` already (the timers, once per transaction). */
  async deliver(timer: Timer, tx: PoolClient, logger: Logger, sla?: SlaPolicy): Promise<void> {
    const request = this.requestOf(timer, sla ?? (await this.policies.forTenant(timer.tenant, tx)));
    this.told(logger, request, await this.dispatcher.deliverOnce(tx, request));
  }

  /**
   * The notices of several timers at once (one claim), with each tenant's SLA policy as the caller read it: what is
   * recorded already read in one query, the webhooks called side by side, the deliveries recorded in one statement.
   * Answers, per timer id, `delivered` (recorded: delivered, without a webhook, refused for good, or recorded before)
   * or the error of a webhook that failed (nothing recorded: the timer is retried with backoff).
   */
  async deliverMany(
    timers: readonly Timer[],
    tx: PoolClient,
    logger: Logger,
    slaOf: (timer: Timer) => SlaPolicy,
  ): Promise<Map<string, 'delivered' | NotificationDeliveryFailed>> {
    return this.dispatcher.deliverTimers(
      tx,
      timers,
      (timer) => this.requestOf(timer, slaOf(timer)),
      (request, result) => this.told(logger, request, result),
    );
  }

  private requestOf(timer: Timer, policy: SlaPolicy): NotificationRequest<SlaNoticeSubject, SlaNotice> {
    const notice = timer.payload as SlaNotificationPayload;
    const url = policy.escalation.webhookUrl ?? this.config.notifier.webhookUrl;
    const { key, caseId, clockId, instance, rung, reason, dueAt, queue, team, agentId } = notice;
    return {
      key,
      tenant: timer.tenant,
      kind: 'sla-notification',
      subject: { caseId, clockId, instance, rung, reason },
      target: url,
      body: { key, tenant: timer.tenant, caseId, clockId, instance, rung, reason, dueAt, queue, team, agentId },
      attempt: deliveryAttempt(timer),
    };
  }

  /** Logs how a notice's delivery ended. */
  private told(
    logger: Logger,
    request: NotificationRequest<SlaNoticeSubject, SlaNotice>,
    result: DispatchResult<SlaNoticeSubject>,
  ): void {
    const url = request.target;
    const { key, caseId, clockId, rung, reason } = request.body;
    const receiver = url === null ? 'none' : webhookOrigin(url, 'escalation');
    const about = { tenant: request.tenant, key, caseId, clockId, rung, reason };
    switch (result.outcome) {
      case 'already-recorded':
        return;
      case 'no-target':
        logger.warn(
          about,
          'no escalation webhook (SLA policy or INTAKE_NOTIFIER_WEBHOOK_URL): the notice is only in the events',
        );
        return;
      case 'refused':
        logger.error(
          { ...about, receiver, reason: result.record.refused },
          "SLA notice refused for good, not retried: the tenant's escalation webhook is not allowed (fix the tenant's " +
            'SLA policy with PUT /sla-policies, or add the host to INTAKE_NOTIFIER_ALLOWED_HOSTS)',
        );
        return;
      case 'delivered':
        logger.info({ ...about, receiver, attempts: result.record.attempts }, 'SLA notice delivered');
        return;
      default:
        return assertNever(result);
    }
  }
}
