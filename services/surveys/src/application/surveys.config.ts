import { notifierSettingsFromEnv, notifierVariables, type NotifierSettings } from '@aftersales/notifications';
import { numberFromEnv } from '@aftersales/service-runtime';

/** DI token of the service's {@link SurveysConfig}. */
export const SURVEYS_CONFIG = Symbol('SURVEYS_CONFIG');

/**
 * Technical settings of the surveys service, from the environment. Business numbers (delays, reminders, expiry, the
 * follow-up call's working days, the calendar) are the tenant's survey policy (`PUT /survey-policies`).
 */
export interface SurveysConfig {
  /**
   * Where invitations, reminders and overdue follow-up calls are delivered when the tenant's policy names no webhook
   * (`notifierVariables('surveys')`): `SURVEYS_NOTIFIER_WEBHOOK_URL` (none: recorded to `none`),
   * `SURVEYS_NOTIFIER_ALLOWED_HOSTS`, `SURVEYS_NOTIFIER_TIMEOUT_MS` (5 s).
   */
  readonly notifier: NotifierSettings;
  /** How often the timer loop looks for due timers when idle (`SURVEYS_TIMER_POLL_MS`, 250 ms). */
  readonly timerPollMs: number;
  /** First retry delay of a failing timer (a gateway down), doubled per attempt (`SURVEYS_TIMER_RETRY_BASE_MS`, 1 s). */
  readonly timerRetryBaseMs: number;
  /** Longest retry delay of a failing timer (`SURVEYS_TIMER_RETRY_MAX_MS`, 5 min). */
  readonly timerRetryMaxMs: number;
}

export function surveysConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SurveysConfig {
  return {
    notifier: notifierSettingsFromEnv(env, {
      variables: notifierVariables('surveys'),
      wording: { receiver: 'survey gateway', notification: 'survey invitation' },
    }),
    timerPollMs: numberFromEnv(env, 'SURVEYS_TIMER_POLL_MS', 250, 'positive'),
    timerRetryBaseMs: numberFromEnv(env, 'SURVEYS_TIMER_RETRY_BASE_MS', 1_000, 'positive'),
    timerRetryMaxMs: numberFromEnv(env, 'SURVEYS_TIMER_RETRY_MAX_MS', 300_000, 'positive'),
  };
}
