import { incidentsConfigFromEnv } from './incidents.config';

// The allow-list's rules are the notifications library's (libs/notifications/src/allow-list.unit.spec.ts); this is
// how incidents reads them: its variables, as operators know them, and refusals worded for pagers.
describe('the pager settings of incidents (PAGER_WEBHOOK_URL, INCIDENTS_PAGER_ALLOWED_HOSTS, PAGER_TIMEOUT_MS)', () => {
  it('allows the hosts listed in INCIDENTS_PAGER_ALLOWED_HOSTS, and PAGER_WEBHOOK_URL itself', () => {
    const { pager } = incidentsConfigFromEnv({
      INCIDENTS_PAGER_ALLOWED_HOSTS: 'pager.example.com, *.pagerduty.com',
      PAGER_WEBHOOK_URL: 'http://pager.internal:8080/pages',
    });
    expect(pager.webhookUrl).toBe('http://pager.internal:8080/pages');
    expect(pager.allowList.hosts.map((h) => h.entry)).toEqual(['pager.example.com', '*.pagerduty.com']);
    expect(pager.allowList.refusal('https://pager.example.com/hook')).toBeNull();
    expect(pager.allowList.refusal('https://events.pagerduty.com/x')).toBeNull();
    expect(pager.allowList.refusal('http://pager.internal:8080/pages')).toBeNull();
  });

  it('words refusals for pagers and names INCIDENTS_PAGER_ALLOWED_HOSTS (the 400 of PUT /policies, the refused page)', () => {
    const { allowList } = incidentsConfigFromEnv({ INCIDENTS_PAGER_ALLOWED_HOSTS: 'pager.example.com' }).pager;
    expect(allowList.refusal('https://evil.example.com:444/hook')).toEqual({
      rule: 'allowedHost',
      detail:
        'must point to a pager host the operator allows: "evil.example.com:444" is not in ' +
        'INCIDENTS_PAGER_ALLOWED_HOSTS (an operator must add the host there)',
    });
    expect(allowList.refusal('https://u:secret@pager.example.com/hook')?.detail).toBe(
      'must not carry credentials (user:password@ before the host); the pager must take the page without them',
    );
    expect(allowList.rules.allowedHost).toBe(
      'A pager webhook points to a host the operator allows in INCIDENTS_PAGER_ALLOWED_HOSTS',
    );
  });

  it('allows nothing but PAGER_WEBHOOK_URL when INCIDENTS_PAGER_ALLOWED_HOSTS is unset; 5 s per call by default', () => {
    const { pager } = incidentsConfigFromEnv({});
    expect(pager.webhookUrl).toBeNull();
    expect(pager.allowList.hosts).toEqual([]);
    expect(pager.allowList.refusal('https://pager.example.com/hook')?.rule).toBe('allowedHost');
    expect(pager.timeoutMs).toBe(5_000);
    expect(incidentsConfigFromEnv({ PAGER_TIMEOUT_MS: '1500' }).pager.timeoutMs).toBe(1_500);
  });

  it('does not start on a malformed setting, naming the variable', () => {
    expect(() => incidentsConfigFromEnv({ INCIDENTS_PAGER_ALLOWED_HOSTS: 'pager.example.com,https://x.io' })).toThrow(
      'INCIDENTS_PAGER_ALLOWED_HOSTS must list host names, host:port or *.domain entries',
    );
    expect(() => incidentsConfigFromEnv({ PAGER_WEBHOOK_URL: 'https://u:p@pager.example.com/x' })).toThrow(
      'PAGER_WEBHOOK_URL must not carry credentials',
    );
    expect(() => incidentsConfigFromEnv({ PAGER_WEBHOOK_URL: 'pager.example.com/x' })).toThrow(
      'PAGER_WEBHOOK_URL must be an http(s) URL',
    );
    expect(() => incidentsConfigFromEnv({ PAGER_TIMEOUT_MS: 'soon' })).toThrow(
      'PAGER_TIMEOUT_MS must be a non-negative number (got "soon")',
    );
  });
});
