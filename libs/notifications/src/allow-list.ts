/**
 * Where notifications may be sent. Tenants name their webhooks (a policy), the operator names the hosts they may
 * name (an environment variable such as `INCIDENTS_PAGER_ALLOWED_HOSTS`). Without that list a tenant admin could make
 * a service `POST` to any address it reaches (internal services, cloud metadata endpoints): a server-side request
 * forgery. A service checks a webhook when a tenant saves it (400), and the webhook adapter checks it again before every
 * call (a policy stored before the list, or a list that changed since).
 */

/** The rules a webhook URL must follow, by name. */
export type WebhookRule = 'httpUrl' | 'noCredentials' | 'allowedHost' | 'httpsOnly';

/** Why a webhook URL is refused: the rule it breaks, and what is wrong with this URL (a field error's `detail`). */
export interface WebhookRefusal {
  readonly rule: WebhookRule;
  readonly detail: string;
}

/** One entry of an allowed-hosts variable. */
export interface AllowedHost {
  /** The entry as the operator wrote it (for messages). */
  readonly entry: string;
  /** The host as URLs spell it once parsed: lower case, punycode, IPv4 normalised, IPv6 in brackets. */
  readonly host: string;
  /** The only port allowed; `null`: any port of the host. */
  readonly port: number | null;
  /** `*.host`: any subdomain of `host` (not `host` itself), https only. */
  readonly subdomains: boolean;
}

/** How refusals name what the service notifies, so that they read in its terms. */
export interface WebhookWording {
  /** What receives the notifications: `pager` → "a pager webhook", "a pager host". */
  readonly receiver: string;
  /** One notification: `page` → "the pager must take the page without them". */
  readonly notification: string;
}

/** What a {@link WebhookAllowList} is made of. */
export interface WebhookAllowListOptions {
  /** The hosts the operator allows ({@link parseAllowedHosts}). */
  readonly hosts: readonly AllowedHost[];
  /** The operator's own webhook (e.g. `PAGER_WEBHOOK_URL`): that exact URL is always allowed; `null`: none. */
  readonly operatorWebhook: string | null;
  /** The variable the operator lists the hosts in, named in refusals so that they say where the fix goes. */
  readonly variable: string;
  readonly wording: WebhookWording;
}

const ENTRY = /^(\*\.)?(\[[0-9a-f:.]+\]|[^\s:/\\@?#[\]*%]+)(?::(\d{1,5}))?$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The operator's list of the hosts webhooks may point to, and the check of a webhook URL against it. Allowed: the
 * operator's own webhook itself; an http(s) URL on a host listed by name (any port, or the listed one), http included,
 * so local receivers (`127.0.0.1`) work; an https URL on a subdomain of a `*.` entry. Refused: anything else, and any URL
 * with credentials (`user:password@`). Host names compare case-insensitively (the URL parser lower-cases them).
 *
 * @example
 * ```ts
 * const allowList = new WebhookAllowList({
 *   hosts: parseAllowedHosts('INCIDENTS_PAGER_ALLOWED_HOSTS', 'pager.example.com,*.pagerduty.com'),
 *   operatorWebhook: null,
 *   variable: 'INCIDENTS_PAGER_ALLOWED_HOSTS',
 *   wording: { receiver: 'pager', notification: 'page' },
 * });
 * allowList.refusal('https://events.pagerduty.com/x'); // null: allowed
 * allowList.refusal('http://169.254.169.254/latest');
 * // → { rule: 'allowedHost', detail: 'must point to a pager host the operator allows: "169.254.169.254" is not …' }
 * ```
 */
export class WebhookAllowList {
  readonly hosts: readonly AllowedHost[];
  readonly operatorWebhook: string | null;
  readonly variable: string;
  readonly wording: WebhookWording;
  /** Each rule as a sentence (logs, documentation), in the service's wording. */
  readonly rules: Readonly<Record<WebhookRule, string>>;

  constructor(options: WebhookAllowListOptions) {
    this.hosts = options.hosts;
    this.operatorWebhook = options.operatorWebhook;
    this.variable = options.variable;
    this.wording = options.wording;
    const webhook = `${article(this.wording.receiver)} ${this.wording.receiver} webhook`;
    this.rules = {
      httpUrl: `${webhook} is an absolute http(s) URL`,
      noCredentials: `${webhook} URL carries no credentials (user:password@)`,
      allowedHost: `${webhook} points to a host the operator allows in ${this.variable}`,
      httpsOnly: `${webhook} uses https, unless its host is listed by name in ${this.variable}`,
    };
  }

  /** Why `url` may not receive notifications, or `null` when it may. */
  refusal(url: string): WebhookRefusal | null {
    const { receiver, notification } = this.wording;
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
        detail: `must not carry credentials (user:password@ before the host); the ${receiver} must take the ${notification} without them`,
      };
    }
    if (this.operatorWebhook !== null && sameUrl(parsed, this.operatorWebhook)) return null;

    const host = parsed.hostname;
    const port = parsed.port ? Number(parsed.port) : https ? 443 : 80;
    const named = parsed.port ? `${host}:${parsed.port}` : host;
    const portMatches = (allowed: AllowedHost) => allowed.port === null || allowed.port === port;
    if (this.hosts.some((allowed) => !allowed.subdomains && allowed.host === host && portMatches(allowed))) return null;
    const wildcard = this.hosts.find(
      (allowed) => allowed.subdomains && host.endsWith(`.${allowed.host}`) && portMatches(allowed),
    );
    if (wildcard && https) return null;
    if (wildcard) {
      return {
        rule: 'httpsOnly',
        detail:
          `must use https: "${named}" is allowed through "${wildcard.entry}" in ${this.variable}, and plain ` +
          'http only goes to hosts listed there by name (use https, or an operator must list the host by name)',
      };
    }
    return {
      rule: 'allowedHost',
      detail:
        `must point to ${article(receiver).toLowerCase()} ${receiver} host the operator allows: "${named}" is not in ${this.variable} ` +
        '(an operator must add the host there)',
    };
  }
}

/**
 * Parses one allowed-hosts entry: `host`, `host:port`, `*.domain` or `*.domain:port` (IPv6 in brackets: `[::1]:8080`);
 * `null` when it is none of these (a URL, a path, a bare `*`, a wildcard over an address).
 */
export function parseAllowedHost(entry: string): AllowedHost | null {
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
 * Reads the value of an allowed-hosts variable: comma-separated entries ({@link parseAllowedHost}), spaces and empty
 * entries ignored; unset or empty: none.
 *
 * @throws naming `variable` and the entry, when an entry is not a host, `host:port` or `*.domain` (the service does not
 * start rather than allow something else than the operator meant).
 */
export function parseAllowedHosts(variable: string, value: string | undefined): AllowedHost[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const allowed = parseAllowedHost(entry);
    if (!allowed) {
      throw new Error(
        `${variable} must list host names, host:port or *.domain entries, comma-separated (got "${entry}"; ` +
          'e.g. pager.example.com,*.pagerduty.com,127.0.0.1:8080)',
      );
    }
    return allowed;
  });
}

/**
 * Reads the value of an operator's webhook variable (e.g. `PAGER_WEBHOOK_URL`); unset or empty: `null`.
 *
 * @throws naming `variable`, when it is not an http(s) URL or carries credentials (`fetch` refuses such URLs anyway:
 * the service says so at start rather than at the first notification).
 */
export function parseWebhookUrl(variable: string, value: string | undefined): string | null {
  const webhook = value?.trim();
  if (!webhook) return null;
  if (!/^https?:\/\//.test(webhook) || !URL.canParse(webhook)) throw new Error(`${variable} must be an http(s) URL`);
  const { username, password } = new URL(webhook);
  if (username || password) throw new Error(`${variable} must not carry credentials (user:password@)`);
  return webhook;
}

/**
 * A webhook as logs and refusal records name it: its origin only, since a webhook URL may carry a token in its path
 * or query; `fallback` when it has none (not a URL). `webhookOrigin('https://hooks.example.com/T0K3N')` →
 * `'https://hooks.example.com'`.
 */
export function webhookOrigin(url: string, fallback = 'webhook'): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? fallback : origin;
  } catch {
    return fallback;
  }
}

function sameUrl(url: URL, other: string): boolean {
  try {
    return url.href === new URL(other).href;
  } catch {
    return false;
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'An' : 'A';
}
