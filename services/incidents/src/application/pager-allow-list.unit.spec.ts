import { incidentsConfigFromEnv } from './incidents.config';
import { pagerWebhookRefusal, parseAllowedPagerHost, type PagerWebhookAllowList } from './pager-allow-list';

/** The allow-list as the service reads it from `INCIDENTS_PAGER_ALLOWED_HOSTS` (and `PAGER_WEBHOOK_URL`). */
function allowList(hosts: string, defaultWebhook?: string): PagerWebhookAllowList {
  return incidentsConfigFromEnv({
    INCIDENTS_PAGER_ALLOWED_HOSTS: hosts,
    ...(defaultWebhook ? { PAGER_WEBHOOK_URL: defaultWebhook } : {}),
  });
}

const ruleOf = (url: string, list: PagerWebhookAllowList) => pagerWebhookRefusal(url, list)?.rule ?? 'allowed';

describe('pager webhook allow-list (INCIDENTS_PAGER_ALLOWED_HOSTS)', () => {
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
      expect(pagerWebhookRefusal('https://evil.example.com:444/hook', list)?.detail).toBe(
        'must point to a pager host the operator allows: "evil.example.com:444" is not in ' +
          'INCIDENTS_PAGER_ALLOWED_HOSTS (an operator must add the host there)',
      );
    });

    it('compares host names case-insensitively, both in the list and in the URL', () => {
      expect(ruleOf('https://PAGER.Example.COM/hook', list)).toBe('allowed');
      expect(ruleOf('https://pager.example.com/hook', allowList('Pager.EXAMPLE.com'))).toBe('allowed');
    });

    it('is listed explicitly, so it also takes plain http (local pagers)', () => {
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
      const refusal = pagerWebhookRefusal('http://events.pagerduty.com/x', list);
      expect(refusal?.rule).toBe('httpsOnly');
      expect(refusal?.detail).toContain('must use https');
      expect(refusal?.detail).toContain('"*.pagerduty.com"');
      expect(ruleOf('http://events.pagerduty.com/x', allowList('*.pagerduty.com,events.pagerduty.com'))).toBe(
        'allowed',
      );
    });
  });

  describe('credentials and schemes', () => {
    const list = allowList('pager.example.com,127.0.0.1');

    it('refuses credentials in the URL, even on an allowed host', () => {
      for (const url of [
        'https://user:secret@pager.example.com/hook',
        'https://user@pager.example.com/hook',
        'https://:secret@pager.example.com/hook',
        'http://admin:admin@127.0.0.1:8080/',
      ]) {
        const refusal = pagerWebhookRefusal(url, list);
        expect(refusal?.rule).toBe('noCredentials');
        expect(refusal?.detail).not.toContain('secret');
      }
    });

    it('refuses what is not an absolute http(s) URL', () => {
      for (const url of ['file:///etc/passwd', 'ftp://pager.example.com/', 'gopher://127.0.0.1:6379/_', '/hook', '']) {
        expect(ruleOf(url, list)).toBe('httpUrl');
      }
    });
  });

  describe('PAGER_WEBHOOK_URL, the operator’s own webhook', () => {
    it('is always allowed, even unlisted and over http, that exact URL only', () => {
      const list = allowList('', 'http://pager.internal:8080/pages');
      expect(ruleOf('http://pager.internal:8080/pages', list)).toBe('allowed');
      expect(ruleOf('http://PAGER.internal:8080/pages', list)).toBe('allowed');
      expect(ruleOf('http://pager.internal:8080/admin', list)).toBe('allowedHost');
      expect(ruleOf('https://pager.example.com/hook', list)).toBe('allowedHost');
    });
  });

  it('allows nothing but PAGER_WEBHOOK_URL when the variable is unset', () => {
    const list = incidentsConfigFromEnv({});
    expect(list.pagerAllowedHosts).toEqual([]);
    expect(ruleOf('https://pager.example.com/hook', list)).toBe('allowedHost');
  });

  describe('reading the variable', () => {
    it('takes host, host:port and *.domain entries, comma-separated, spaces and empty entries ignored', () => {
      expect(
        incidentsConfigFromEnv({ INCIDENTS_PAGER_ALLOWED_HOSTS: ' Pager.Example.com , *.hooks.io:8443,,[::1]:80 ' })
          .pagerAllowedHosts,
      ).toEqual([
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
      expect(parseAllowedPagerHost(entry)).toBeNull();
      expect(() => incidentsConfigFromEnv({ INCIDENTS_PAGER_ALLOWED_HOSTS: `pager.example.com,${entry}` })).toThrow(
        'INCIDENTS_PAGER_ALLOWED_HOSTS must list host names, host:port or *.domain entries',
      );
    });

    it('refuses a PAGER_WEBHOOK_URL with credentials or that is not an http(s) URL', () => {
      expect(() => incidentsConfigFromEnv({ PAGER_WEBHOOK_URL: 'https://u:p@pager.example.com/x' })).toThrow(
        'PAGER_WEBHOOK_URL must not carry credentials',
      );
      expect(() => incidentsConfigFromEnv({ PAGER_WEBHOOK_URL: 'pager.example.com/x' })).toThrow(
        'PAGER_WEBHOOK_URL must be an http(s) URL',
      );
    });
  });
});
