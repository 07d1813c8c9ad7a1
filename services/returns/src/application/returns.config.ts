import { numberFromEnv } from '@aftersales/service-runtime';
import { notifierSettingsFromEnv, notifierVariables, type NotifierSettings } from '@aftersales/notifications';

/** DI token of the service's {@link ReturnsConfig}. */
export const RETURNS_CONFIG = Symbol('RETURNS_CONFIG');

/**
 * Technical settings of the returns service, from the environment. Business numbers (windows, deadlines, the calendar)
 * are never here: they are the tenant's returns policy (`PUT /returns-policies`).
 */
export interface ReturnsConfig {
  /**
   * Where breached deadlines are notified to the supervisor (`@aftersales/notifications`, `notifierVariables('returns')`):
   * `RETURNS_NOTIFIER_WEBHOOK_URL` (none: the notice is recorded to `none` and `return-deadline-breached.v1` stays the
   * integration point), `RETURNS_NOTIFIER_ALLOWED_HOSTS`, `RETURNS_NOTIFIER_TIMEOUT_MS` (5 s).
   */
  readonly notifier: NotifierSettings;
  /** How often the timer loop looks for due timers when idle (`RETURNS_TIMER_POLL_MS`, 250 ms). */
  readonly timerPollMs: number;
  /** First retry delay of a failing timer (a webhook down), doubled per attempt (`RETURNS_TIMER_RETRY_BASE_MS`, 1 s). */
  readonly timerRetryBaseMs: number;
  /** Longest retry delay of a failing timer (`RETURNS_TIMER_RETRY_MAX_MS`, 5 min). */
  readonly timerRetryMaxMs: number;
}

export function returnsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ReturnsConfig {
  return {
    notifier: notifierSettingsFromEnv(env, {
      variables: notifierVariables('returns'),
      wording: { receiver: 'supervisor', notification: 'deadline notice' },
    }),
    timerPollMs: numberFromEnv(env, 'RETURNS_TIMER_POLL_MS', 250, 'positive'),
    timerRetryBaseMs: numberFromEnv(env, 'RETURNS_TIMER_RETRY_BASE_MS', 1_000, 'positive'),
    timerRetryMaxMs: numberFromEnv(env, 'RETURNS_TIMER_RETRY_MAX_MS', 300_000, 'positive'),
  };
}
