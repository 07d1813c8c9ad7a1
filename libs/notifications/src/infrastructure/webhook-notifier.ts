import { context, propagation } from '@opentelemetry/api';
import { platformMetrics } from '@aftersales/observability';
import { webhookOrigin, type WebhookAllowList } from '../allow-list';
import type { Notification, Notifier, NotifierOutcome } from '../notifier.port';

/** What a {@link WebhookNotifier} needs (a `NotifierSettings` is one). */
export interface WebhookNotifierOptions {
  /** Checked before every call: a target outside it is refused, never called. */
  readonly allowList: WebhookAllowList;
  /** How long one call may take before it counts as failed. */
  readonly timeoutMs: number;
}

/**
 * The {@link Notifier} over HTTP: one `POST` of the body as JSON to the target, with `Idempotency-Key` and the trace
 * context (`traceparent`), within `timeoutMs`.
 *
 * - **refused** (permanent): the target breaks the allow-list (not an http(s) URL, credentials in it, a host the
 *   operator does not allow, plain http to a wildcard host). Checked here, at the last step before the socket, so no
 *   caller can forget it.
 * - **delivered**: a 2xx answer.
 * - **failed** (retryable): no answer (unreachable, reset, timed out) or any other answer, 3xx, 4xx and 5xx alike.
 *   Redirects are not followed: an allowed host must not forward notifications to one that is not. A 4xx is not taken
 *   as final either: it is the receiver's state (a route missing during a deploy, a credential being rotated), which its
 *   operator fixes; the timer's backoff caps what a broken receiver costs.
 *
 * The answer's body is discarded. Logs and reasons name the target's origin only (a URL may carry a token).
 *
 * @example
 * ```ts
 * // the service's module (composition root)
 * { provide: NOTIFIER, useFactory: (config: IntakeConfig) => new WebhookNotifier(config.notifier), inject: [INTAKE_CONFIG] }
 * ```
 */
export class WebhookNotifier implements Notifier {
  constructor(private readonly options: WebhookNotifierOptions) {}

  /**
   * One attempt, counted on `/metrics` by receiver (`pager`, `escalation`…): `aftersales_notifier_deliveries_total` by
   * outcome, and `aftersales_notifier_failures_total` by reason (`unreachable`, `http_<status class>`, `refused`).
   */
  async deliver(notification: Notification): Promise<NotifierOutcome> {
    const outcome = await this.attempt(notification);
    const receiver = this.options.allowList.wording.receiver;
    platformMetrics.notifierDeliveries.inc({ receiver, outcome: outcome.outcome });
    if (outcome.outcome === 'refused') platformMetrics.notifierFailures.inc({ receiver, reason: 'refused' });
    if (outcome.outcome === 'failed') {
      const reason = outcome.statusCode === null ? 'unreachable' : `http_${Math.floor(outcome.statusCode / 100)}xx`;
      platformMetrics.notifierFailures.inc({ receiver, reason });
    }
    return outcome;
  }

  private async attempt(notification: Notification): Promise<NotifierOutcome> {
    const { allowList, timeoutMs } = this.options;
    const origin = webhookOrigin(notification.target, allowList.wording.receiver);
    const refusal = allowList.refusal(notification.target);
    if (refusal) {
      return { outcome: 'refused', refusal, reason: `${refusal.rule}: webhook ${refusal.detail}`, target: origin };
    }
    // fetch is not instrumented: pass the trace on by hand, so the receiver's side joins the notification's trace.
    const traceHeaders: Record<string, string> = {};
    propagation.inject(context.active(), traceHeaders);
    let status: number;
    try {
      const response = await fetch(notification.target, {
        method: 'POST',
        headers: {
          ...traceHeaders,
          'content-type': 'application/json',
          'idempotency-key': notification.idempotencyKey,
        },
        body: JSON.stringify(notification.body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel().catch(() => undefined);
      status = response.status;
    } catch (error) {
      return { outcome: 'failed', statusCode: null, reason: `${origin} unreachable (${describe(error)})` };
    }
    if (status >= 200 && status < 300) return { outcome: 'delivered', statusCode: status };
    return { outcome: 'failed', statusCode: status, reason: `${origin} answered ${status}` };
  }
}

/**
 * `fetch failed` says little: name the cause (`ECONNREFUSED`, `ENOTFOUND`) when there is one. Duck-typed: errors
 * from `fetch` may come from another realm than this module's `Error` (a test runner's sandbox).
 */
function describe(error: unknown): string {
  const message = messageOf(error);
  if (message === null) return String(error);
  const cause = messageOf((error as { cause?: unknown }).cause);
  return cause ? `${message}: ${cause}` : message;
}

function messageOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { message } = error as { message?: unknown };
  return typeof message === 'string' ? message : null;
}
