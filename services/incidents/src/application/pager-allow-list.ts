/**
 * Where pages may be sent: tenants name their pager webhook (`PUT /policies`), the operator names the hosts they may
 * name (`INCIDENTS_PAGER_ALLOWED_HOSTS`). Without that list a tenant admin could make the service `POST` to any
 * address it reaches (internal services, cloud metadata endpoints): a server-side request forgery. Checked when a
 * policy is saved (400) and again before every delivery (a policy stored before the list, or a list that changed).
 */

/** The rules a pager webhook must follow, as shown in logs and (within the field's detail) to API users. */
export const pagerWebhookRules = {
  httpUrl: 'A pager webhook is an absolute http(s) URL',
  noCredentials: 'A pager webhook URL carries no credentials (user:password@)',
  allowedHost: 'A pager webhook points to a host the operator allows in INCIDENTS_PAGER_ALLOWED_HOSTS',
  httpsOnly: 'A pager webhook uses https, unless its host is listed by name in INCIDENTS_PAGER_ALLOWED_HOSTS',
} as const;

/** The name of a rule in {@link pagerWebhookRules}. */
export type PagerWebhookRule = keyof typeof pagerWebhookRules;

/** Why a webhook URL is refused: the rule it breaks, and what is wrong with this URL (a field error's `detail`). */
export interface PagerWebhookRefusal {
  readonly rule: PagerWebhookRule;
  readonly detail: string;
}

/** One entry of `INCIDENTS_PAGER_ALLOWED_HOSTS`. */
export interface AllowedPagerHost {
  /** The entry as the operator wrote it (for messages). */
  readonly entry: string;
  /** The host as URLs spell it once parsed: lower case, punycode, IPv4 normalised, IPv6 in brackets. */
  readonly host: string;
  /** The only port allowed; `null`: any port of the host. */
  readonly port: number | null;
  /** `*.host`: any subdomain of `host` (not `host` itself), https only. */
  readonly subdomains: boolean;
}

/** What {@link pagerWebhookRefusal} checks a URL against (an `IncidentsConfig` is one). */
export interface PagerWebhookAllowList {
  /** `INCIDENTS_PAGER_ALLOWED_HOSTS`, parsed. */
  readonly pagerAllowedHosts: readonly AllowedPagerHost[];
  /** `PAGER_WEBHOOK_URL`: the operator's own webhook, that exact URL always allowed. */
  readonly pagerWebhookUrl: string | null;
}

const ENTRY = /^(\*\.)?(\[[0-9a-f:.]+\]|[^\s:/\\@?#[\]*%]+)(?::(\d{1,5}))?$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Parses one entry of `INCIDENTS_PAGER_ALLOWED_HOSTS`: `host`, `host:port`, `*.domain` or `*.domain:port` (IPv6 in
 * brackets: `[::1]:8080`); `null` when it is none of these (a URL, a path, a bare `*`, a wildcard over an address).
 */
export function parseAllowedPagerHost(entry: string): AllowedPagerHost | null {
  const match = ENTRY.exec(entry.trim());
  if (!match) return null;
  const [, wildcard, rawHost = '', rawPort] = match;
  const port = rawPort === undefined ? null : Number(rawPort);
  if (port !== null && (port < 1 || port > 65_535)) return null;
  let host: string;
  try {
    // The URL parser normalises the entry the way it normalises the webhooks checked against it.
    host = new URL(`http://${rawHost}`).hostname;
  } catch {
    return null;
  }
  if (!host) return null;
  const subdomains = wildcard !== undefined;
  if (subdomains && (host.startsWith('[') || IPV4.test(host))) return null;
  return { entry: entry.trim(), host, port, subdomains };
}

/**
 * Why `url` may not receive pages, or `null` when it may. Allowed: `PAGER_WEBHOOK_URL` itself; an http(s) URL on a
 * host listed by name (any port, or the listed one), http included, so local pagers (`127.0.0.1`) work; an https URL
 * on a subdomain of a `*.` entry. Refused: anything else, and any URL with credentials (`user:password@`).
 * Host names compare case-insensitively (the URL parser lower-cases them).
 *
 * @example
 * ```ts
 * pagerWebhookRefusal('http://169.254.169.254/latest', config)
 * // → { rule: 'allowedHost', detail: 'must point to a pager host the operator allows: "169.254.169.254" is not …' }
 * ```
 */
export function pagerWebhookRefusal(url: string, allowList: PagerWebhookAllowList): PagerWebhookRefusal | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { rule: 'httpUrl', detail: 'must be an absolute http(s) URL' };
  }
  const https = parsed.protocol === 'https:';
  if (!https && parsed.protocol !== 'http:') return { rule: 'httpUrl', detail: 'must be an absolute http(s) URL' };
  if (parsed.username || parsed.password) {
    return {
      rule: 'noCredentials',
      detail: 'must not carry credentials (user:password@ before the host); the pager must take the page without them',
    };
  }
  if (allowList.pagerWebhookUrl !== null && sameUrl(parsed, allowList.pagerWebhookUrl)) return null;

  const host = parsed.hostname;
  const port = parsed.port ? Number(parsed.port) : https ? 443 : 80;
  const named = parsed.port ? `${host}:${parsed.port}` : host;
  const portMatches = (allowed: AllowedPagerHost) => allowed.port === null || allowed.port === port;
  const hosts = allowList.pagerAllowedHosts;
  if (hosts.some((allowed) => !allowed.subdomains && allowed.host === host && portMatches(allowed))) return null;
  const wildcard = hosts.find(
    (allowed) => allowed.subdomains && host.endsWith(`.${allowed.host}`) && portMatches(allowed),
  );
  if (wildcard && https) return null;
  if (wildcard) {
    return {
      rule: 'httpsOnly',
      detail:
        `must use https: "${named}" is allowed through "${wildcard.entry}" in INCIDENTS_PAGER_ALLOWED_HOSTS, and plain ` +
        'http only goes to hosts listed there by name (use https, or an operator must list the host by name)',
    };
  }
  return {
    rule: 'allowedHost',
    detail:
      `must point to a pager host the operator allows: "${named}" is not in INCIDENTS_PAGER_ALLOWED_HOSTS ` +
      '(an operator must add the host there)',
  };
}

function sameUrl(url: URL, other: string): boolean {
  try {
    return url.href === new URL(other).href;
  } catch {
    return false;
  }
}
