import { Inject, Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import type { PoolClient } from 'pg';
import type { Timer } from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { CLOCK, type Clock } from '@aftersales/platform-http';
import type { PagePayload } from './incident-command-runner';
import { INCIDENTS_CONFIG, INCIDENTS_LOGGER, type IncidentsConfig } from './incidents.config';
import { TenantPolicies } from './tenant-policies';

/** The pager did not accept a page (non-2xx, timeout, unreachable): the timer is retried with backoff. */
export class PageDeliveryFailed extends Error {
  readonly code = 'PAGER.DELIVERY_FAILED';
  constructor(pageId: string, detail: string) {
    super(`Page ${pageId} was not delivered: ${detail}`);
    this.name = 'PageDeliveryFailed';
  }
}

/** What the pager webhook receives (JSON), with the header `Idempotency-Key: <pageId>`. */
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
 * `PAGER_WEBHOOK_URL`. A 2xx answer is a delivery, recorded once in `pager_deliveries`; anything else throws, so the
 * transaction rolls back and the timer is retried with backoff under the same `Idempotency-Key` (the pager
 * deduplicates on it if a 2xx answer was lost). Without any webhook the page is recorded as delivered to `none`: the
 * Kafka event `ResponseTeamPagedV1` remains the integration point.
 */
@Injectable()
export class Pager {
  constructor(
    @Inject(TenantPolicies) private readonly policies: TenantPolicies,
    @Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INCIDENTS_LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(timer: Timer, tx: PoolClient): Promise<void> {
    const page = timer.payload as PagePayload;
    const { rowCount } = await tx.query('SELECT 1 FROM pager_deliveries WHERE page_id = $1', [page.pageId]);
    if (rowCount) return;
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
    let status: number;
    // fetch is not instrumented: pass the trace on by hand, so the pager's side joins the incident's trace.
    const traceHeaders: Record<string, string> = {};
    propagation.inject(context.active(), traceHeaders);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...traceHeaders, 'content-type': 'application/json', 'idempotency-key': page.pageId },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.config.pagerTimeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      throw new PageDeliveryFailed(page.pageId, `${originOf(url)} unreachable (${(error as Error).message})`);
    }
    if (status < 200 || status >= 300) throw new PageDeliveryFailed(page.pageId, `${originOf(url)} answered ${status}`);
    await this.record(tx, timer.tenant, page, url, status, attempts);
    this.logger.info({ tenant: timer.tenant, pageId: page.pageId, attempts, pager: originOf(url) }, 'page delivered');
  }

  private async record(
    tx: PoolClient,
    tenant: string,
    page: PagePayload,
    target: string,
    status: number | null,
    attempts: number,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO pager_deliveries (page_id, tenant, incident_id, level, trigger, target, status_code, attempts, delivered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (page_id) DO NOTHING`,
      [page.pageId, tenant, page.incidentId, page.level, page.trigger, target, status, attempts, this.clock()],
    );
  }
}

/** Logs name the pager's origin only: a webhook URL may carry a token in its path or query. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'pager';
  }
}
