import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { assertNever } from '@aftersales/domain';
import type { Timer } from '@aftersales/eventstore';
import {
  deliveryAttempt,
  NOTIFIER,
  NotificationDispatcher,
  webhookOrigin,
  type Notifier,
} from '@aftersales/notifications';
import type { Logger } from '@aftersales/observability';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import type { PagePayload } from './incident-command-runner';
import { INCIDENTS_CONFIG, INCIDENTS_LOGGER, type IncidentsConfig } from './incidents.config';
import { PAGE_DELIVERY_LEDGER, type PageDeliveryLedger, type PageSubject } from './page-deliveries.port';
import { TenantPolicies } from './tenant-policies';

/**
 * What the pager webhook receives (JSON), with the header `Idempotency-Key: <pageId>`: the page's HTTP contract
 * (`application/README.md`, "Pages").
 */
export interface PageRequest {
  readonly pageId: string;
  readonly incidentId: string;
  readonly tenant: string;
  readonly level: string;
  readonly trigger: string;
  readonly team: { readonly lead: string; readonly members: readonly string[] };
  readonly reason: string;
  readonly pagedAt: string;
}

/**
 * Delivers pages (a `page-delivery` timer, in the timer's transaction) to the tenant's pager webhook, or
 * `PAGER_WEBHOOK_URL`, with `@aftersales/notifications`: its {@link NotificationDispatcher} delivers the page once
 * through the {@link Notifier} port (the webhook adapter, bound in `incidents.module.ts`) and records it in
 * `pager_deliveries` (the {@link PageDeliveryLedger}). A 2xx answer is a delivery, recorded once; anything else
 * throws, so the transaction rolls back and the timer is retried with backoff under the same `Idempotency-Key` (the
 * pager deduplicates on it if a 2xx answer was lost). Without any webhook the page is recorded as delivered to `none`:
 * the Kafka event `ResponseTeamPagedV1` remains the integration point.
 *
 * A webhook outside the operator's allow-list (`INCIDENTS_PAGER_ALLOWED_HOSTS`; a policy stored before it, or a list
 * that changed since) is never called: retrying cannot make it allowed, so the page is recorded once as refused
 * (`pager_deliveries.refused`: the rule and why, `status_code` null, `target` the webhook's origin), the timer ends,
 * and an error is logged naming the tenant, the page and the fix. Redirects are not followed (a 3xx is a failed
 * attempt): an allowed host must not forward pages to one that is not.
 */
@Injectable()
export class Pager {
  private readonly dispatcher: NotificationDispatcher<PageSubject>;

  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(TenantPolicies) private readonly policies: TenantPolicies,
    @Inject(NOTIFIER) notifier: Notifier,
    @Inject(PAGE_DELIVERY_LEDGER) deliveries: PageDeliveryLedger,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
    @Inject(CLOCK) clock: Clock,
    @Inject(INCIDENTS_LOGGER) private readonly logger: Logger,
  ) {
    this.dispatcher = new NotificationDispatcher(notifier, deliveries, clock);
  }

  async deliver(timer: Timer, tx: PoolClient): Promise<void> {
    const page = timer.payload as PagePayload;
    // An empty webhook (written to the table by hand: the API refuses it) is no webhook.
    const url =
      ((await this.policies.settings(timer.tenant, tx)).pager.webhookUrl ?? this.config.pager.webhookUrl) || null;
    const body: PageRequest = {
      pageId: page.pageId,
      incidentId: page.incidentId,
      tenant: timer.tenant,
      level: page.level,
      trigger: page.trigger,
      team: page.team,
      reason: page.reason,
      pagedAt: page.pagedAt,
    };
    const result = await this.dispatcher.deliverOnce(tx, {
      key: page.pageId,
      tenant: timer.tenant,
      kind: 'page',
      subject: { incidentId: page.incidentId, level: page.level, trigger: page.trigger },
      target: url,
      body,
      attempt: deliveryAttempt(timer),
    });
    const pager = url === null ? 'none' : webhookOrigin(url, 'pager');
    switch (result.outcome) {
      case 'already-recorded':
        return;
      case 'no-target':
        this.logger.warn(
          { tenant: timer.tenant, pageId: page.pageId, incidentId: page.incidentId, lead: page.team.lead },
          'no pager webhook configured (tenant policy or PAGER_WEBHOOK_URL): the page is only on Kafka',
        );
        return;
      case 'refused':
        this.logger.error(
          {
            tenant: timer.tenant,
            pageId: page.pageId,
            incidentId: page.incidentId,
            level: page.level,
            lead: page.team.lead,
            pager,
            rule: this.config.pager.allowList.rules[result.refusal.rule],
            reason: result.record.refused,
          },
          "page refused for good, not retried: the tenant's pager webhook is not allowed (fix the tenant's policy " +
            'with PUT /policies, or add the host to INCIDENTS_PAGER_ALLOWED_HOSTS); the page is only on Kafka',
        );
        return;
      case 'delivered':
        this.logger.info(
          { tenant: timer.tenant, pageId: page.pageId, attempts: result.record.attempts, pager },
          'page delivered',
        );
        return;
      default:
        return assertNever(result);
    }
  }
}
