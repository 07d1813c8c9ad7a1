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

/** What the pager answered to one attempt. */
export interface PagerAnswer {
  /** The HTTP status code (a redirect is an answer too: it is not followed). */
  readonly status: number;
}

/**
 * Port: sends one page to a pager webhook. The application decides where (tenant policy, `PAGER_WEBHOOK_URL`, the
 * allow-list) and what an answer means (2xx = delivered); the adapter (`infrastructure/pager/webhook-pager.adapter.ts`)
 * does the HTTP: one POST of the request as JSON with `Idempotency-Key: <pageId>`, the trace context passed on, the
 * configured timeout, redirects not followed.
 *
 * @example
 * ```ts
 * const { status } = await pager.send('https://pager.example/hooks/42', request);
 * ```
 */
export interface PagerPort {
  /**
   * One delivery attempt.
   *
   * @throws when the pager cannot be reached or does not answer in time (the caller retries the page later).
   */
  send(webhookUrl: string, request: PageRequest): Promise<PagerAnswer>;
}

/** DI token of the {@link PagerPort}. */
export const PAGER_PORT = Symbol('PAGER_PORT');
