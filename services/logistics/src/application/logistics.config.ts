import { numberFromEnv } from '@aftersales/service-runtime';
import { notifierSettingsFromEnv, notifierVariables, type NotifierSettings } from '@aftersales/notifications';

/** DI token of the service's {@link LogisticsConfig}. */
export const LOGISTICS_CONFIG = Symbol('LOGISTICS_CONFIG');

/**
 * Technical settings of the logistics service, from the environment. Business numbers (tracking thresholds, carriers,
 * alarm thresholds) are never here: they are the tenant's logistics policy (`PUT /logistics-policies`).
 */
export interface LogisticsConfig {
  /**
   * Where notices go (customer: shipped, delayed, reshipped, reassurance; operations: carrier-contact tasks), through
   * `@aftersales/notifications` (`LOGISTICS_NOTIFIER_WEBHOOK_URL`, `_ALLOWED_HOSTS`, `_TIMEOUT_MS`). Without a webhook
   * each notice is recorded to `none` and the published events remain the integration point.
   */
  readonly notifier: NotifierSettings;
  /** How often an idle timer loop looks for due timers (`LOGISTICS_TIMER_POLL_MS`, 250 ms). */
  readonly timerPollMs: number;
  /**
   * How late a tracking timer or notice may fire so that those falling due close together share a transaction
   * (`LOGISTICS_TIMER_SLACK_MS`, 250 ms; 0: each at its instant). Tracking rules count hours; a quarter of a second
   * costs them nothing and saves a transaction per timer when shipments fall silent one by one (ADR 38).
   */
  readonly timerSlackMs: number;
  /** Timer loops side by side (`LOGISTICS_TIMER_LOOPS`, 2): many active shipments mean many timers. */
  readonly timerLoops: number;
  /** First retry delay of a failing timer (`LOGISTICS_TIMER_RETRY_BASE_MS`, 1 s), doubled per attempt. */
  readonly timerRetryBaseMs: number;
  /** Longest retry delay of a failing timer (`LOGISTICS_TIMER_RETRY_MAX_MS`, 5 min). */
  readonly timerRetryMaxMs: number;
}

export function logisticsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LogisticsConfig {
  return {
    notifier: notifierSettingsFromEnv(env, {
      variables: notifierVariables('logistics'),
      wording: { receiver: 'notification', notification: 'shipment notice' },
    }),
    timerPollMs: numberFromEnv(env, 'LOGISTICS_TIMER_POLL_MS', 250, 'positive'),
    timerSlackMs: numberFromEnv(env, 'LOGISTICS_TIMER_SLACK_MS', 250, 'non-negative'),
    timerLoops: numberFromEnv(env, 'LOGISTICS_TIMER_LOOPS', 2, 'positive'),
    timerRetryBaseMs: numberFromEnv(env, 'LOGISTICS_TIMER_RETRY_BASE_MS', 1_000, 'positive'),
    timerRetryMaxMs: numberFromEnv(env, 'LOGISTICS_TIMER_RETRY_MAX_MS', 300_000, 'positive'),
  };
}
