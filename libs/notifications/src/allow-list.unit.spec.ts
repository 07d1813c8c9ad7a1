import {
  notifierSettingsFromEnv,
  notifierVariables,
  parseAllowedHost,
  webhookOrigin,
  WebhookAllowList,
  type NotifierVariables,
} from './index';

/** A pager's variables, as a service names them. */
const variables: NotifierVariables = {
  webhookUrl: 'PAGER_WEBHOOK_URL',
  allowedHosts: 'PAGER_ALLOWED_HOSTS',
  timeoutMs: 'PAGER_TIMEOUT_MS',
};
const wording = { receiver: 'pager', notification: 'page' };

/** The allow-list as a service reads it from `PAGER_ALLOWED_HOSTS` (and `PAGER_WEBHOOK_URL`). */
function allowList(hosts: string, operatorWebhook?: string): WebhookAllowList {
  const env = { PAGER_ALLOWED_HOSTS: hosts, ...(operatorWebhook ? { PAGER_WEBHOOK_URL: operatorWebhook } : {}) };
  return notifierSettingsFromEnv(env, { variables, wording }).allowList;
}

const ruleOf = (url: string, list: WebhookAllowList) => list.refusal(url)?.rule ?? 'allowed';

describe('webhook allow-list', () => {
  describe('a host listed by name', () => {
    const list = allowList('pager.example.com');

    it('allows https on that host, any port and path', () => {
      expect(ruleOf('https://pager.example.com/hooks/T0K3N?x=1', list)).toBe('allowed');
      expect(ruleOf('https://pager.example.com:8443/hook', list)).toBe('allowed');
    });

    it('refuses other hosts, its subdomains and look-alikes, naming the host and the variable to add it to', () => {
      for (const url of [
        'https://evil.example.com/hook',
        'https://a.pager.example.com/hook',
        'https://pager.example.com.evil.net/hook',
        'https://example.com/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://127.0.0.1:5432/',
      ]) {
        expect(ruleOf(url, list)).toBe('allowedHost');
      }
      expect(list.refusal('https://evil.example.com:444/hook')?.detail).toBe(
        'must point to a pager host the operator allows: "evil.example.com:444" is not in ' +
          'PAGER_ALLOWED_HOSTS (an operator must add the host there)',
      );
    });

    it('compares host names case-insensitively, both in the list and in the URL', () => {
      expect(ruleOf('https://PAGER.Example.COM/hook', list)).toBe('allowed');
      expect(ruleOf('https://pager.example.com/hook', allowList('Pager.EXAMPLE.com'))).toBe('allowed');
    });

    it('is listed explicitly, so it also takes plain http (local receivers)', () => {
      expect(ruleOf('http://pager.example.com/hook', list)).toBe('allowed');
      const local = allowList('127.0.0.1,localhost');
      expect(ruleOf('http://127.0.0.1:49152/shop-1', local)).toBe('allowed');
      expect(ruleOf('http://localhost:3999/pages', local)).toBe('allowed');
    });

    it('matches addresses however the URL spells them (the URL parser normalises both sides)', () => {
      const local = allowList('127.0.0.1');
      expect(ruleOf('http://127.1:8080/', local)).toBe('allowed');
      expect(ruleOf('http://0x7f.0.0.1/', local)).toBe('allowed');
      expect(ruleOf('http://127.0.0.2/', local)).toBe('allowedHost');
      expect(ruleOf('http://[::1]:8080/', allowList('[::1]'))).toBe('allowed');
    });
  });

  describe('a host:port entry', () => {
    const list = allowList('pager.example.com:8443,pager.example.net:443');

    it('allows that port only; a URL without a port has its scheme’s default port', () => {
      expect(ruleOf('https://pager.example.com:8443/hook', list)).toBe('allowed');
      expect(ruleOf('https://pager.example.com/hook', list)).toBe('allowedHost');
      expect(ruleOf('https://pager.example.com:9443/hook', list)).toBe('allowedHost');
      expect(ruleOf('https://pager.example.net/hook', list)).toBe('allowed');
      expect(ruleOf('https://pager.example.net:443/hook', list)).toBe('allowed');
      expect(ruleOf('http://pager.example.net/hook', list)).toBe('allowedHost');
    });
  });

  describe('a *. wildcard', () => {
    const list = allowList('*.pagerduty.com, *.hooks.example.org:8443');

    it('allows https on any subdomain, however deep, not the domain itself', () => {
      expect(ruleOf('https://events.pagerduty.com/integration/abc/enqueue', list)).toBe('allowed');
      expect(ruleOf('https://eu.events.PagerDuty.com/x', list)).toBe('allowed');
      expect(ruleOf('https://pagerduty.com/x', list)).toBe('allowedHost');
      expect(ruleOf('https://evilpagerduty.com/x', list)).toBe('allowedHost');
      expect(ruleOf('https://events.pagerduty.com.evil.net/x', list)).toBe('allowedHost');
    });

    it('keeps the port of its entry', () => {
      expect(ruleOf('https://a.hooks.example.org:8443/x', list)).toBe('allowed');
      expect(ruleOf('https://a.hooks.example.org/x', list)).toBe('allowedHost');
    });

    it('does not allow plain http: only hosts listed by name do', () => {
      const refusal = list.refusal('http://events.pagerduty.com/x');
      expect(refusal?.rule).toBe('httpsOnly');
      expect(refusal?.detail).toContain('must use https');
      expect(refusal?.detail).toContain('"*.pagerduty.com" in PAGER_ALLOWED_HOSTS');
      expect(ruleOf('http://events.pagerduty.com/x', allowList('*.pagerduty.com,events.pagerduty.com'))).toBe(
        'allowed',
      );
    });
  });

  describe('credentials and schemes', () => {
    const list = allowList('pager.example.com,127.0.0.1');

    it('refuses credentials in the URL, even on an allowed host, without repeating them', () => {
      for (const url of [
        'https://user:secret@pager.example.com/hook',
        'https://user@pager.example.com/hook',
        'https://:secret@pager.example.com/hook',
        'http://admin:admin@127.0.0.1:8080/',
      ]) {
        const refusal = list.refusal(url);
        expect(refusal?.rule).toBe('noCredentials');
        expect(refusal?.detail).not.toContain('secret');
      }
      expect(list.refusal('https://u:p@pager.example.com/')?.detail).toBe(
        'must not carry credentials (user:password@ before the host); the pager must take the page without them',
      );
    });

    it('refuses what is not an absolute http(s) URL', () => {
      for (const url of ['file:///etc/passwd', 'ftp://pager.example.com/', 'gopher://127.0.0.1:6379/_', '/hook', '']) {
        expect(ruleOf(url, list)).toBe('httpUrl');
      }
    });
  });

  describe('the operator’s own webhook', () => {
    it('is always allowed, even unlisted and over http, that exact URL only', () => {
      const list = allowList('', 'http://pager.internal:8080/pages');
      expect(ruleOf('http://pager.internal:8080/pages', list)).toBe('allowed');
      expect(ruleOf('http://PAGER.internal:8080/pages', list)).toBe('allowed');
      expect(ruleOf('http://pager.internal:8080/admin', list)).toBe('allowedHost');
      expect(ruleOf('https://pager.example.com/hook', list)).toBe('allowedHost');
    });
  });

  it('allows nothing but the operator’s webhook when the variable is unset', () => {
    const list = notifierSettingsFromEnv({}, { variables, wording }).allowList;
    expect(list.hosts).toEqual([]);
    expect(ruleOf('https://pager.example.com/hook', list)).toBe('allowedHost');
  });

  it('states its rules in the service’s words, naming the variable', () => {
    expect(allowList('').rules).toEqual({
      httpUrl: 'A pager webhook is an absolute http(s) URL',
      noCredentials: 'A pager webhook URL carries no credentials (user:password@)',
      allowedHost: 'A pager webhook points to a host the operator allows in PAGER_ALLOWED_HOSTS',
      httpsOnly: 'A pager webhook uses https, unless its host is listed by name in PAGER_ALLOWED_HOSTS',
    });
    const escalations = new WebhookAllowList({
      hosts: [],
      operatorWebhook: null,
      variable: 'INTAKE_NOTIFIER_ALLOWED_HOSTS',
      wording: { receiver: 'escalation', notification: 'escalation notice' },
    });
    expect(escalations.rules.httpUrl).toBe('An escalation webhook is an absolute http(s) URL');
    expect(escalations.refusal('https://hooks.example.com/x')?.detail).toBe(
      'must point to an escalation host the operator allows: "hooks.example.com" is not in ' +
        'INTAKE_NOTIFIER_ALLOWED_HOSTS (an operator must add the host there)',
    );
  });

  describe('reading the variables', () => {
    it('takes host, host:port and *.domain entries, comma-separated, spaces and empty entries ignored', () => {
      expect(allowList(' Pager.Example.com , *.hooks.io:8443,,[::1]:80 ').hosts).toEqual([
        { entry: 'Pager.Example.com', host: 'pager.example.com', port: null, subdomains: false },
        { entry: '*.hooks.io:8443', host: 'hooks.io', port: 8443, subdomains: true },
        { entry: '[::1]:80', host: '[::1]', port: 80, subdomains: false },
      ]);
    });

    it.each([
      'https://pager.example.com',
      'pager.example.com/hook',
      'user@pager.example.com',
      '*',
      '*.',
      'pager.*.com',
      '*.10.0.0.1',
      'pager.example.com:0',
      'pager.example.com:70000',
      'pager.example.com:http',
      'pager example.com',
    ])('refuses the entry %p (the service does not start)', (entry) => {
      expect(parseAllowedHost(entry)).toBeNull();
      expect(() => allowList(`pager.example.com,${entry}`)).toThrow(
        'PAGER_ALLOWED_HOSTS must list host names, host:port or *.domain entries',
      );
    });

    it('refuses an operator webhook with credentials or that is not an http(s) URL', () => {
      expect(() => allowList('', 'https://u:p@pager.example.com/x')).toThrow(
        'PAGER_WEBHOOK_URL must not carry credentials',
      );
      expect(() => allowList('', 'pager.example.com/x')).toThrow('PAGER_WEBHOOK_URL must be an http(s) URL');
    });

    it('reads the timeout (5 s by default) and refuses one that is not a non-negative number', () => {
      expect(notifierSettingsFromEnv({}, { variables, wording }).timeoutMs).toBe(5_000);
      expect(notifierSettingsFromEnv({ PAGER_TIMEOUT_MS: '750' }, { variables, wording }).timeoutMs).toBe(750);
      expect(() => notifierSettingsFromEnv({ PAGER_TIMEOUT_MS: '-1' }, { variables, wording })).toThrow(
        'PAGER_TIMEOUT_MS must be a non-negative number (got "-1")',
      );
    });

    it('names a service’s variables by convention', () => {
      expect(notifierVariables('intake')).toEqual({
        webhookUrl: 'INTAKE_NOTIFIER_WEBHOOK_URL',
        allowedHosts: 'INTAKE_NOTIFIER_ALLOWED_HOSTS',
        timeoutMs: 'INTAKE_NOTIFIER_TIMEOUT_MS',
      });
      expect(notifierVariables('case-intake').webhookUrl).toBe('CASE_INTAKE_NOTIFIER_WEBHOOK_URL');
    });
  });

  it('names a webhook by its origin only (a URL may carry a token)', () => {
    expect(webhookOrigin('https://hooks.example.com:8443/T0K3N?secret=1')).toBe('https://hooks.example.com:8443');
    expect(webhookOrigin('not a url', 'pager')).toBe('pager');
  });
});
