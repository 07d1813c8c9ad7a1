import type { WebhookRefusal } from './allow-list';

/** One notification to deliver: where, what, and the key that makes its deliveries one. */
export interface Notification<Body = unknown> {
  /**
   * Sent as `Idempotency-Key`, the same on every attempt (the id of the event that asked for the notification): a
   * receiver that saw it already answers 2xx without acting twice, so a delivery whose answer was lost is harmless.
   */
  readonly idempotencyKey: string;
  /** The webhook URL. */
  readonly target: string;
  /** The JSON body. */
  readonly body: Body;
}

/** The receiver took it (a 2xx answer). */
export interface NotificationDelivered {
  readonly outcome: 'delivered';
  readonly statusCode: number;
}

/** Never sent, for good: retrying cannot change the answer (the target is outside the operator's allow-list). */
export interface NotificationRefused {
  readonly outcome: 'refused';
  readonly refusal: WebhookRefusal;
  /** The rule and why, as recorded: `allowedHost: webhook must point to a … host the operator allows: …`. */
  readonly reason: string;
  /** The target as it may be recorded and logged: its origin only (a URL may carry a token). */
  readonly target: string;
}

/** Not delivered this time (unreachable, timed out, any answer but 2xx): retry later, with the same key. */
export interface NotificationFailed {
  readonly outcome: 'failed';
  /** The receiver's answer; `null` when there was none. */
  readonly statusCode: number | null;
  /** What happened, naming the target's origin only: `https://hooks.example.com answered 503`. */
  readonly reason: string;
}

/** What one delivery attempt came to. */
export type NotifierOutcome = NotificationDelivered | NotificationRefused | NotificationFailed;

/**
 * Port: delivers one notification, one attempt. The service decides what to notify, to whom and when, and records
 * the outcome ({@link NotificationDispatcher} does both in a durable timer's transaction); the adapter
 * (`WebhookNotifier` in `@aftersales/notifications/infrastructure`) checks the target against the operator's
 * allow-list and does the HTTP. It answers the receiver's faults with an outcome and does not throw for them.
 *
 * @example
 * ```ts
 * const outcome = await notifier.deliver({ idempotencyKey: pageId, target: 'https://pager.example.com/hooks/42', body });
 * if (outcome.outcome === 'failed') throw new Error(outcome.reason); // the timer retries with backoff
 * ```
 */
export interface Notifier {
  deliver(notification: Notification): Promise<NotifierOutcome>;
}

/** DI token of the service's {@link Notifier}. */
export const NOTIFIER = Symbol('NOTIFIER');
