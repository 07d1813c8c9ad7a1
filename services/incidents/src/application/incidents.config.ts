import { createLogger, type Logger } from '@aftersales/observability';
import { parseAllowedPagerHost, type AllowedPagerHost } from './pager-allow-list';

/** DI token of the service's {@link IncidentsConfig}. */
export const INCIDENTS_CONFIG = Symbol('INCIDENTS_CONFIG');
/** DI token of the service's logger (pino, JSON with trace ids). */
export const INCIDENTS_LOGGER = Symbol('INCIDENTS_LOGGER');

/**
 * Technical settings of the incidents service, from the environment. Business numbers (thresholds, deadlines,
 * targets, teams) are never here: they are the tenant's incident policy (`PUT /policies`).
 */
export interface IncidentsConfig {
  /** Pager webhook for tenants whose policy names none (`PAGER_WEBHOOK_URL`); `null`: pages go to Kafka only. */
  readonly pagerWebhookUrl: string | null;
  /**
   * The hosts tenants' pager webhooks may point to (`INCIDENTS_PAGER_ALLOWED_HOSTS`, none): comma-separated `host`,
   * `host:port` or `*.domain` (https subdomains of `domain`). A host listed by name also takes plain http (local
   * pagers); `PAGER_WEBHOOK_URL` is always allowed. `PUT /policies` refuses other webhooks (400), the pager does not
   * send to them (the page is recorded as refused, never retried). See `pager-allow-list.ts`.
   */
  readonly pagerAllowedHosts: readonly AllowedPagerHost[];
  /** How long one webhook call may take before it counts as failed (`PAGER_TIMEOUT_MS`, 5 s). */
  readonly pagerTimeoutMs: number;
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
}

function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  return value;
}

function hostsFrom(env: NodeJS.ProcessEnv, name: string): AllowedPagerHost[] {
  const entries = (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const allowed = parseAllowedPagerHost(entry);
    if (!allowed) {
      throw new Error(
        `${name} must list host names, host:port or *.domain entries, comma-separated (got "${entry}"; ` +
          'e.g. pager.example.com,*.pagerduty.com,127.0.0.1:8080)',
      );
    }
    return allowed;
  });
}

function webhookFrom(env: NodeJS.ProcessEnv, name: string): string | null {
  const webhook = env[name]?.trim();
  if (!webhook) return null;
  if (!/^https?:\/\//.test(webhook) || !URL.canParse(webhook)) throw new Error(`${name} must be an http(s) URL`);
  const { username, password } = new URL(webhook);
  // fetch refuses such URLs anyway: say so at start rather than at the first page.
  if (username || password) throw new Error(`${name} must not carry credentials (user:password@)`);
  return webhook;
}

/** Reads {@link IncidentsConfig} from the environment, with the defaults documented on each field. */
export function incidentsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): IncidentsConfig {
  return {
    pagerWebhookUrl: webhookFrom(env, 'PAGER_WEBHOOK_URL'),
    pagerAllowedHosts: hostsFrom(env, 'INCIDENTS_PAGER_ALLOWED_HOSTS'),
    pagerTimeoutMs: numberFrom(env, 'PAGER_TIMEOUT_MS', 5_000),
    timerPollMs: numberFrom(env, 'INCIDENTS_TIMER_POLL_MS', 250),
    timerConcurrency: Math.max(1, Math.floor(numberFrom(env, 'INCIDENTS_TIMER_CONCURRENCY', 2))),
    timerRetryBaseMs: numberFrom(env, 'INCIDENTS_TIMER_RETRY_BASE_MS', 1_000),
    timerRetryMaxMs: numberFrom(env, 'INCIDENTS_TIMER_RETRY_MAX_MS', 300_000),
    policyCacheMs: numberFrom(env, 'INCIDENTS_POLICY_CACHE_MS', 5_000),
    clockSkewToleranceMs: numberFrom(env, 'INCIDENTS_CLOCK_SKEW_TOLERANCE_MS', 300_000),
  };
}

/** The service's logger. */
export function createIncidentsLogger(): Logger {
  return createLogger('incidents');
}
