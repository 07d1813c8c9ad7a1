import { numberFromEnv } from '@aftersales/service-runtime';
import {
  notifierSettingsFromEnv,
  type NotifierSettings,
  type NotifierVariables,
  type WebhookWording,
} from '@aftersales/notifications';
import { createLogger, type Logger } from '@aftersales/observability';

/** DI token of the service's {@link IncidentsConfig}. */
export const INCIDENTS_CONFIG = Symbol('INCIDENTS_CONFIG');
/** DI token of the service's logger (pino, JSON with trace ids). */
export const INCIDENTS_LOGGER = Symbol('INCIDENTS_LOGGER');

/** The pager's environment variables (named before the notifications library; kept for operators). */
export const PAGER_VARIABLES: NotifierVariables = {
  webhookUrl: 'PAGER_WEBHOOK_URL',
  allowedHosts: 'INCIDENTS_PAGER_ALLOWED_HOSTS',
  timeoutMs: 'PAGER_TIMEOUT_MS',
};

/** How refusals of a pager webhook name things: "a pager webhook", "the pager must take the page …". */
export const PAGER_WORDING: WebhookWording = { receiver: 'pager', notification: 'page' };

/**
 * Technical settings of the incidents service, from the environment. Business numbers (thresholds, deadlines,
 * targets, teams) are never here: they are the tenant's incident policy (`PUT /policies`).
 */
export interface IncidentsConfig {
  /**
   * The pager (`@aftersales/notifications`), from {@link PAGER_VARIABLES}:
   *
   * - `webhookUrl`: the pager webhook for tenants whose policy names none (`PAGER_WEBHOOK_URL`); `null`: pages go to
   *   Kafka only. That URL is always allowed.
   * - `allowList`: the hosts tenants' pager webhooks may point to (`INCIDENTS_PAGER_ALLOWED_HOSTS`, none):
   *   comma-separated `host`, `host:port` or `*.domain` (https subdomains of `domain`). A host listed by name also takes
   *   plain http (local pagers). `PUT /policies` refuses other webhooks (400), the pager does not send to them (the page
   *   is recorded as refused, never retried).
   * - `timeoutMs`: how long one webhook call may take before it counts as failed (`PAGER_TIMEOUT_MS`, 5 s).
   */
  readonly pager: NotifierSettings;
  /** How often the timer scheduler looks for due timers when idle (`INCIDENTS_TIMER_POLL_MS`, 250 ms). */
  readonly timerPollMs: number;
  /**
   * Timer loops per instance (`INCIDENTS_TIMER_CONCURRENCY`, 2): a page stuck on a slow pager does not hold back a
   * contact deadline due at the same time (the loops share the work through `FOR UPDATE SKIP LOCKED`).
   */
  readonly timerConcurrency: number;
  /** First retry delay of a failing timer (a pager that does not answer); doubles per attempt (`INCIDENTS_TIMER_RETRY_BASE_MS`, 1 s). */
  readonly timerRetryBaseMs: number;
  /** Longest retry delay of a failing timer (`INCIDENTS_TIMER_RETRY_MAX_MS`, 5 min). */
  readonly timerRetryMaxMs: number;
  /** How long a tenant's policy is cached per instance (`INCIDENTS_POLICY_CACHE_MS`, 5 s). */
  readonly policyCacheMs: number;
  /**
   * A complaint registered up to this far in this service's future is taken as received now rather than refused
   * (clock skew between intake and incidents) (`INCIDENTS_CLOCK_SKEW_TOLERANCE_MS`, 5 min).
   */
  readonly clockSkewToleranceMs: number;
  /**
   * Complaint clusters, and incidents, whose folded state each process keeps between the complaint consumers'
   * transactions (`INCIDENTS_CACHED_STREAMS`, 100 of each; 0 turns it off; ADR 32): in a surge, each chunk of complaints
   * about a batch reads only what was stored since, not the cluster and the incident whole. Memory grows with the
   * complaints of the cached clusters (about 1 KiB per complaint, a surge of 20,000: ~20 MiB).
   */
  readonly cachedStreams: number;
}

/** Reads {@link IncidentsConfig} from the environment, with the defaults documented on each field. */
export function incidentsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): IncidentsConfig {
  return {
    pager: notifierSettingsFromEnv(env, { variables: PAGER_VARIABLES, wording: PAGER_WORDING }),
    timerPollMs: numberFromEnv(env, 'INCIDENTS_TIMER_POLL_MS', 250),
    timerConcurrency: Math.max(1, Math.floor(numberFromEnv(env, 'INCIDENTS_TIMER_CONCURRENCY', 2))),
    timerRetryBaseMs: numberFromEnv(env, 'INCIDENTS_TIMER_RETRY_BASE_MS', 1_000),
    timerRetryMaxMs: numberFromEnv(env, 'INCIDENTS_TIMER_RETRY_MAX_MS', 300_000),
    policyCacheMs: numberFromEnv(env, 'INCIDENTS_POLICY_CACHE_MS', 5_000),
    clockSkewToleranceMs: numberFromEnv(env, 'INCIDENTS_CLOCK_SKEW_TOLERANCE_MS', 300_000),
    cachedStreams: numberFromEnv(env, 'INCIDENTS_CACHED_STREAMS', 100, 'non-negative'),
  };
}

/** The service's logger. */
export function createIncidentsLogger(): Logger {
  return createLogger('incidents');
}
