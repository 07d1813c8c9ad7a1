import { numberFromEnv } from '@aftersales/service-runtime';
import { notifierSettingsFromEnv, notifierVariables, type NotifierSettings } from '@aftersales/notifications';

/** DI token of the service's {@link IntakeConfig}. */
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');

/**
 * Technical settings of the intake service, from the environment. Business numbers (targets, calendars, the ladder's
 * deadlines) are never here: they are the tenant's SLA policy (`PUT /sla-policies`).
 */
export interface IntakeConfig {
  /**
   * Where SLA warnings and escalations are notified (`@aftersales/notifications`, `notifierVariables('intake')`):
   * `INTAKE_NOTIFIER_WEBHOOK_URL` (the operator's webhook, for tenants whose SLA policy names none; none: deliveries are
   * recorded to `none` and the events stay the integration point), `INTAKE_NOTIFIER_ALLOWED_HOSTS` (hosts tenants'
   * webhooks may be on; `PUT /sla-policies` refuses others with 400), `INTAKE_NOTIFIER_TIMEOUT_MS` (5 s).
   */
  readonly notifier: NotifierSettings;
  /** How often the timer loops look for due timers when idle (`INTAKE_TIMER_POLL_MS`, 250 ms). */
  readonly timerPollMs: number;
  /** Timer loops per instance (`INTAKE_TIMER_CONCURRENCY`, 2): a slow webhook does not hold back a clock's breach. */
  readonly timerConcurrency: number;
  /** First retry delay of a failing timer (a webhook down); doubles per attempt (`INTAKE_TIMER_RETRY_BASE_MS`, 1 s). */
  readonly timerRetryBaseMs: number;
  /** Longest retry delay of a failing timer (`INTAKE_TIMER_RETRY_MAX_MS`, 5 min). */
  readonly timerRetryMaxMs: number;
}

/** Reads {@link IntakeConfig} from the environment, with the defaults documented on each field. */
export function intakeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): IntakeConfig {
  return {
    notifier: notifierSettingsFromEnv(env, {
      variables: notifierVariables('intake'),
      wording: { receiver: 'escalation', notification: 'SLA notification' },
    }),
    timerPollMs: numberFromEnv(env, 'INTAKE_TIMER_POLL_MS', 250),
    timerConcurrency: Math.max(1, Math.floor(numberFromEnv(env, 'INTAKE_TIMER_CONCURRENCY', 2))),
    timerRetryBaseMs: numberFromEnv(env, 'INTAKE_TIMER_RETRY_BASE_MS', 1_000),
    timerRetryMaxMs: numberFromEnv(env, 'INTAKE_TIMER_RETRY_MAX_MS', 300_000),
  };
}
