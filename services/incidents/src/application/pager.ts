import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { Timer } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { CLOCK, type Clock } from '@aftersales/service-runtime';
import type { PagePayload } from './incident-command-runner';
import { INCIDENTS_CONFIG, INCIDENTS_LOGGER, type IncidentsConfig } from './incidents.config';
import { PAGE_DELIVERY_REPOSITORY, type PageDeliveryRepository } from './page-deliveries.port';
import { pagerWebhookRefusal, pagerWebhookRules } from './pager-allow-list';
import { PAGER_PORT, type PageRequest, type PagerAnswer, type PagerPort } from './pager.port';
import { TenantPolicies } from './tenant-policies';

/** The pager did not accept a page (non-2xx, timeout, unreachable): the timer is retried with backoff. */
export class PageDeliveryFailed extends Error {
  readonly code = 'PAGER.DELIVERY_FAILED';
  constructor(pageId: string, detail: string) {
    super(`Page ${pageId} was not delivered: ${detail}`);
    this.name = 'PageDeliveryFailed';
  }
}

/**
 * Delivers pages (a `page-delivery` timer, in the timer's transaction) to the tenant's pager webhook, or
 * `PAGER_WEBHOOK_URL`, through the {@link PagerPort} (HTTP adapter in `infrastructure/pager`). A 2xx answer is a
 * delivery, recorded once in `pager_deliveries` (the {@link PageDeliveryRepository}); anything else throws, so the
 * transaction rolls back and the timer is retried with backoff under the same `Idempotency-Key` (the pager
 * deduplicates on it if a 2xx answer was lost). Without any webhook the page is recorded as delivered to `none`: the
 * Kafka event `ResponseTeamPagedV1` remains the integration point.
 *
 * A webhook outside the operator's allow-list (`INCIDENTS_PAGER_ALLOWED_HOSTS`; a policy stored before it, or a list
 * that changed since) is never called: retrying cannot make it allowed, so the page is recorded once as refused
 * (`pager_deliveries.refused`: the rule and why, `status_code` null, `target` the webhook's origin), the timer ends,
 * and an error is logged naming the tenant, the page and the fix. Redirects are not followed (a 3xx is a failed
 * attempt): an allowed host must not forward pages to one that is not.
 */
@Injectable()
export class Pager {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(TenantPolicies) private readonly policies: TenantPolicies,
    @Inject(PAGER_PORT) private readonly pager: PagerPort,
    @Inject(PAGE_DELIVERY_REPOSITORY) private readonly deliveries: PageDeliveryRepository,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INCIDENTS_LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(timer: Timer, tx: PoolClient): Promise<void> {
    const page = timer.payload as PagePayload;
    if (await this.deliveries.isRecorded(tx, page.pageId)) return;
    const attempts = (page.attempts ?? 0) + 1;
    const url = (await this.policies.settings(timer.tenant, tx)).pager.webhookUrl ?? this.config.pagerWebhookUrl;
    if (!url) {
      this.logger.warn(
        { tenant: timer.tenant, pageId: page.pageId, incidentId: page.incidentId, lead: page.team.lead },
        'no pager webhook configured (tenant policy or PAGER_WEBHOOK_URL): the page is only on Kafka',
      );
      await this.record(tx, timer.tenant, page, 'none', null, attempts);
      return;
    }
    const refusal = pagerWebhookRefusal(url, this.config);
    if (refusal) {
      const refused = `${refusal.rule}: webhook ${refusal.detail}`;
      this.logger.error(
        {
          tenant: timer.tenant,
          pageId: page.pageId,
          incidentId: page.incidentId,
          level: page.level,
          lead: page.team.lead,
          pager: originOf(url),
          rule: pagerWebhookRules[refusal.rule],
          reason: refused,
        },
        "page refused for good, not retried: the tenant's pager webhook is not allowed (fix the tenant's policy " +
          'with PUT /policies, or add the host to INCIDENTS_PAGER_ALLOWED_HOSTS); the page is only on Kafka',
      );
      await this.record(tx, timer.tenant, page, originOf(url), null, attempts, refused);
      return;
    }
    const request: PageRequest = {
      pageId: page.pageId,
      incidentId: page.incidentId,
      tenant: timer.tenant,
      level: page.level,
      trigger: page.trigger,
      team: page.team,
      reason: page.reason,
      pagedAt: page.pagedAt,
    };
    let answer: PagerAnswer;
    try {
      answer = await this.pager.send(url, request);
    } catch (error) {
      throw new PageDeliveryFailed(page.pageId, `${originOf(url)} unreachable (${(error as Error).message})`);
    }
    const { status } = answer;
    if (status < 200 || status >= 300) throw new PageDeliveryFailed(page.pageId, `${originOf(url)} answered ${status}`);
    await this.record(tx, timer.tenant, page, url, status, attempts);
    this.logger.info({ tenant: timer.tenant, pageId: page.pageId, attempts, pager: originOf(url) }, 'page delivered');
  }

  private async record(
    tx: PoolClient,
    tenant: string,
    page: PagePayload,
    target: string,
    statusCode: number | null,
    attempts: number,
    refused: string | null = null,
  ): Promise<void> {
    const { pageId, incidentId, level, trigger } = page;
    await this.deliveries.record(tx, {
      pageId,
      tenant,
      incidentId,
      level,
      trigger,
      target,
      statusCode,
      attempts,
      deliveredAt: this.clock(),
      refused,
    });
  }
}

/** Logs name the pager's origin only: a webhook URL may carry a token in its path or query. */
function originOf(url: string): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? 'pager' : origin;
  } catch {
    return 'pager';
  }
}
