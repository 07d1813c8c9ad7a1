import { parseAllowedHosts, parseWebhookUrl, WebhookAllowList, type WebhookWording } from './allow-list';

/** The environment variables a service's notifier reads. */
export interface NotifierVariables {
  /** The operator's webhook, for tenants whose policy names none; always allowed (e.g. `PAGER_WEBHOOK_URL`). */
  readonly webhookUrl: string;
  /** The hosts tenants' webhooks may be on (e.g. `INCIDENTS_PAGER_ALLOWED_HOSTS`). */
  readonly allowedHosts: string;
  /** How long one webhook call may take, in ms (e.g. `PAGER_TIMEOUT_MS`). */
  readonly timeoutMs: string;
}

/** A service's notifier settings, read by {@link notifierSettingsFromEnv}. */
export interface NotifierSettings {
  /** The operator's webhook; `null`: none (a tenant without one of its own gets nothing called). */
  readonly webhookUrl: string | null;
  /** The allowed hosts, with the operator's webhook always allowed. */
  readonly allowList: WebhookAllowList;
  /** One webhook call's timeout (default 5000 ms). */
  readonly timeoutMs: number;
}

/** The default of {@link NotifierSettings.timeoutMs}. */
export const DEFAULT_NOTIFIER_TIMEOUT_MS = 5_000;

/**
 * The conventional variables of a service's notifier: `<SERVICE>_NOTIFIER_WEBHOOK_URL`,
 * `<SERVICE>_NOTIFIER_ALLOWED_HOSTS`, `<SERVICE>_NOTIFIER_TIMEOUT_MS`.
 *
 * @example
 * ```ts
 * notifierVariables('intake').allowedHosts; // 'INTAKE_NOTIFIER_ALLOWED_HOSTS'
 * ```
 */
export function notifierVariables(service: string): NotifierVariables {
  const prefix = `${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_NOTIFIER`;
  return {
    webhookUrl: `${prefix}_WEBHOOK_URL`,
    allowedHosts: `${prefix}_ALLOWED_HOSTS`,
    timeoutMs: `${prefix}_TIMEOUT_MS`,
  };
}

/**
 * Reads a notifier's settings from the environment. No allowed hosts by default: only the operator's webhook is
 * called until the operator lists hosts.
 *
 * @throws naming the variable, for an entry that is not a host, `host:port` or `*.domain`, an operator webhook that is
 * not an http(s) URL or carries credentials, or a timeout that is not a non-negative number (the service does not
 * start).
 *
 * @example
 * ```ts
 * const settings = notifierSettingsFromEnv(process.env, {
 *   variables: notifierVariables('intake'),
 *   wording: { receiver: 'escalation', notification: 'escalation notice' },
 * });
 * ```
 */
export function notifierSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  options: { readonly variables: NotifierVariables; readonly wording: WebhookWording },
): NotifierSettings {
  const { variables, wording } = options;
  const webhookUrl = parseWebhookUrl(variables.webhookUrl, env[variables.webhookUrl]);
  const hosts = parseAllowedHosts(variables.allowedHosts, env[variables.allowedHosts]);
  return {
    webhookUrl,
    allowList: new WebhookAllowList({ hosts, operatorWebhook: webhookUrl, variable: variables.allowedHosts, wording }),
    timeoutMs: nonNegative(variables.timeoutMs, env[variables.timeoutMs], DEFAULT_NOTIFIER_TIMEOUT_MS),
  };
}

function nonNegative(variable: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${variable} must be a non-negative number (got "${raw}")`);
  return value;
}
