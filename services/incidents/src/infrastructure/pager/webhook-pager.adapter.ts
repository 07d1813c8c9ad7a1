import { Inject, Injectable } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { INCIDENTS_CONFIG, type IncidentsConfig } from '../../application/incidents.config';
import type { PageRequest, PagerAnswer, PagerPort } from '../../application/pager.port';

/**
 * The {@link PagerPort} over HTTP: one `POST` of the page as JSON to the webhook, with `Idempotency-Key: <pageId>` and
 * the trace context, within `PAGER_TIMEOUT_MS`. Redirects are not followed (a 3xx is returned as the answer): an allowed
 * host must not forward pages to one that is not. The answer's body is discarded.
 */
@Injectable()
export class WebhookPager implements PagerPort {
  constructor(@Inject(INCIDENTS_CONFIG) private readonly config: IncidentsConfig) {}

  async send(webhookUrl: string, request: PageRequest): Promise<PagerAnswer> {
    // fetch is not instrumented: pass the trace on by hand, so the pager's side joins the incident's trace.
    const traceHeaders: Record<string, string> = {};
    propagation.inject(context.active(), traceHeaders);
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { ...traceHeaders, 'content-type': 'application/json', 'idempotency-key': request.pageId },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(this.config.pagerTimeoutMs),
      redirect: 'manual',
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  }
}
