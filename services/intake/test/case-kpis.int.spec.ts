import { randomBytes, randomUUID } from 'node:crypto';
import { localDateOf, type BusinessCalendar } from '@aftersales/business-time';
import { uniqueName } from '@aftersales/testing';
import { eventually, metricValue, startTestService, type TestService } from '@aftersales/test-kit';
import { intakeService } from '../src/intake.module';
import { CASE_WORKLIST_PROJECTION } from '../src/infrastructure/read-model/case-worklist.projection';
import { caseSteps, type CaseSteps } from '../src/testing/case-steps.harness';

interface Group {
  key: string | null;
  [figure: string]: unknown;
}
interface Kpis {
  from: string;
  to: string;
  groupBy: string;
  timeZone: string;
  asOf: string;
  groups: Group[];
}
interface Problem {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

const ratio = (count: number, of: number) => ({ count, of, rate: of === 0 ? null : count / of });
/** The SLA hit rate: first-response and resolution clocks (the only ones the tenant's policy runs). */
const slaHits = (firstResponse: [number, number], resolution: [number, number]) => ({
  ...ratio(firstResponse[0] + resolution[0], firstResponse[1] + resolution[1]),
  byClock: {
    first_response: ratio(...firstResponse),
    next_response: ratio(0, 0),
    first_dispatch: ratio(0, 0),
    resolution: ratio(...resolution),
    progress_update: ratio(0, 0),
  },
});
const average = (measured: number, averageSeconds: number | null) => ({ measured, averageSeconds });
const backlog = (
  underOneHour: number,
  oneToFourHours: number,
  fourToTwentyFourHours: number,
  oneToThreeDays: number,
  overThreeDays: number,
) => ({
  open: underOneHour + oneToFourHours + fourToTwentyFourHours + oneToThreeDays + overThreeDays,
  underOneHour,
  oneToFourHours,
  fourToTwentyFourHours,
  oneToThreeDays,
  overThreeDays,
});

// CONTEXT: a small scripted desk on the test's clock. Every figure below is computed by hand from the script (the
// arithmetic is in the comments), then read from GET /case-kpis, which computes it in SQL from the case read model.
// The tenant's SLA policy: a desk open around the clock in New York (UTC−5 in early March), a first response within
// 30 minutes and a resolution within 5 hours of elapsed time, nothing else; the timers fire on the test's clock.
//
// Tenant K, period [2026-03-02T00:00Z, 2026-03-04T00:00Z), measured at 2026-03-03T06:00Z:
//
// case  opened (UTC)   team/agent  first response     outbound answers before 1st resolution  resolution        now
// G     02-26 00:00    north/a1    (outside period)                                                             assigned
// F     03-01 02:00    —           (outside period)                                                             opened
// A     03-02 20:00    north/a1    20:10 ack  600 s   1 (20:30)                              22:00 (7,200 s)   resolved
// B     03-02 21:00    north/a2    21:20 msg 1,200 s  2 (21:20, 21:40; ack automatic)         03-03 01:00       reopened 02:00
// C     03-02 23:30    south/a3    23:35 ack  300 s   1 (23:50)                              02:30 (10,800 s)  closed 03:00
// H     03-03 03:00    north/a1    03:00 ack    0 s   0                                      04:00 (3,600 s)   resolved
// D     03-03 03:30    south/—     04:00 ack 1,800 s  —                                                         assigned
// E     03-03 05:45    —           —                  —                                                         opened
//
// Complaints registered for C and D (tenant K), and one for H in another tenant (never K's).
//
// SLA clocks that ended: first response A, B, C, H on time, D met at its due instant (04:00: late); resolution A
// (2 h), B's first (4 h), C (3 h), H (1 h) on time. Running at 06:00: B's second resolution (reopened 02:00, due
// 07:00), D's resolution (due 08:30), E's first response (due 06:15) and resolution: they have not ended.
describe('case KPIs (GET /case-kpis) from the case read model', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  let now = Date.parse('2026-02-26T00:00:00.000Z');
  const calendar: BusinessCalendar = {
    timeZone: 'America/New_York',
    workingDays: [1, 2, 3, 4, 5, 6, 7],
    shifts: [{ start: '00:00', end: '00:00' }],
    holidays: [],
  };
  const minutes = (amount: number) => ({ amount, unit: 'minutes' });
  let intake: TestService;
  const tokens: Record<string, string> = {};
  let steps: CaseSteps;
  const cases: Record<string, string> = {};
  const period = 'from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z';

  const at = (time: string) => {
    now = Date.parse(time);
  };
  const kpis = (query: string, token = tokens.supervisor!) =>
    intake.call<Kpis>('GET', `/case-kpis?${query}`, { caller: { token } });
  const complaint = (caseId: string, token: string) =>
    intake.call('POST', '/complaints', {
      caller: { token },
      body: {
        caseId,
        customer: { id: `cus-${randomUUID().slice(0, 8)}` },
        orderId: 'ORD-1',
        productSku: 'SKU-1',
        category: 'product-quality',
        description: 'The base cracked again',
      },
    });

  beforeAll(async () => {
    intake = await startTestService(
      { ...intakeService, clock: () => new Date(now) },
      {
        env: {
          PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
          INTAKE_TIMER_POLL_MS: '50',
          INTAKE_TIMER_CONCURRENCY: '1',
        },
      },
    );
    tokens.agent = await intake.token({ subject: 'agent-7', tenant, roles: ['agent'] });
    tokens.supervisor = await intake.token({ subject: 'supervisor-2', tenant, roles: ['supervisor'] });
    tokens.manager = await intake.token({ subject: 'manager-1', tenant, roles: ['cs-manager'] });
    tokens.otherSupervisor = await intake.token({
      subject: 'supervisor-2',
      tenant: otherTenant,
      roles: ['supervisor'],
    });
    tokens.otherAgent = await intake.token({ subject: 'agent-7', tenant: otherTenant, roles: ['agent'] });
    steps = caseSteps(intake, () => tokens.supervisor!);
    const other = caseSteps(intake, () => tokens.otherSupervisor!);
    const policy = await intake.call('PUT', '/sla-policies', {
      caller: { token: tokens.manager! },
      body: {
        calendar,
        warningShare: 0.5,
        targets: [
          { clock: 'first_response', when: {}, budget: minutes(30), basis: 'elapsed' },
          { clock: 'resolution', when: {}, budget: minutes(300), basis: 'elapsed' },
        ],
        complexCategories: [],
        dispatchCategories: [],
        escalation: { ladder: [{ rung: 'supervisor', afterBreach: minutes(0) }], webhookUrl: null },
      },
    });
    expect(policy.status).toBe(200);

    at('2026-02-26T00:00:00Z');
    cases.G = await steps.open();
    await steps.acknowledge(cases.G);
    await steps.assign(cases.G, { queue: 'q', team: 'north', agentId: 'a1' });
    at('2026-03-01T02:00:00Z');
    cases.F = await steps.open();
    at('2026-03-02T20:00:00Z');
    cases.A = await steps.open();
    at('2026-03-02T20:10:00Z');
    await steps.acknowledge(cases.A);
    await steps.assign(cases.A, { queue: 'q', team: 'north', agentId: 'a1' });
    at('2026-03-02T20:30:00Z');
    await steps.answer(cases.A);
    at('2026-03-02T21:00:00Z');
    cases.B = await steps.open();
    await steps.acknowledge(cases.B, true);
    await steps.assign(cases.B, { queue: 'q', team: 'north', agentId: 'a2' });
    at('2026-03-02T21:20:00Z');
    await steps.answer(cases.B);
    at('2026-03-02T21:40:00Z');
    await steps.answer(cases.B);
    at('2026-03-02T22:00:00Z');
    await steps.resolve(cases.A);
    await other.open();
    at('2026-03-02T23:30:00Z');
    cases.C = await steps.open();
    at('2026-03-02T23:35:00Z');
    await steps.acknowledge(cases.C);
    await steps.assign(cases.C, { queue: 'q', team: 'south', agentId: 'a3' });
    at('2026-03-02T23:50:00Z');
    await steps.answer(cases.C);
    at('2026-03-03T01:00:00Z');
    await steps.resolve(cases.B);
    at('2026-03-03T02:00:00Z');
    await steps.step(cases.B, 'reopening', { objection: 'The new kettle leaks too' });
    at('2026-03-03T02:30:00Z');
    await steps.resolve(cases.C);
    at('2026-03-03T03:00:00Z');
    await steps.step(cases.C, 'closure', {});
    cases.H = await steps.open();
    await steps.acknowledge(cases.H);
    await steps.assign(cases.H, { queue: 'q', team: 'north', agentId: 'a1' });
    at('2026-03-03T03:30:00Z');
    cases.D = await steps.open();
    at('2026-03-03T04:00:00Z');
    await steps.acknowledge(cases.D);
    await steps.assign(cases.D, { queue: 'q', team: 'south' });
    await steps.resolve(cases.H);
    at('2026-03-03T04:30:00Z');
    for (const [caseId, token] of [
      [cases.C, tokens.agent!],
      [cases.D, tokens.agent!],
      [cases.H, tokens.otherAgent!],
    ] as const) {
      expect((await complaint(caseId, token)).status).toBe(201);
    }
    at('2026-03-03T05:45:00Z');
    cases.E = await steps.open();
    at('2026-03-03T06:00:00Z');
    await eventually(async () => {
      const { rows } = await intake.pool.query<{ behind: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM es_events e
                         WHERE (e.transaction_id, e.position) >
                               (coalesce((SELECT c.transaction_id FROM es_checkpoints c WHERE c.name = $1), '0'::xid8),
                                coalesce((SELECT c.position FROM es_checkpoints c WHERE c.name = $1), 0))) AS behind`,
        [CASE_WORKLIST_PROJECTION],
      );
      return rows[0]?.behind === false ? true : undefined;
    }, 'the case read model to catch up');
  });

  afterAll(async () => {
    await intake?.close();
  });

  it('per tenant: the figures computed by hand', async () => {
    const res = await kpis(`${period}&groupBy=tenant`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: '2026-03-02T00:00:00.000Z',
      to: '2026-03-04T00:00:00.000Z',
      groupBy: 'tenant',
      timeZone: 'America/New_York',
      asOf: '2026-03-03T06:00:00.000Z',
      groups: [
        {
          key: tenant,
          // A, B, C, H, D, E (G and F were opened before the period).
          cases: 6,
          // (600 + 1,200 + 300 + 0 + 1,800) / 5 = 780 s; E has had no response.
          firstResponse: average(5, 780),
          // Resolved or closed now: A 7,200, C 10,800, H 3,600 → 21,600 / 3 = 7,200 s (B was reopened).
          handling: average(3, 7_200),
          // Resolved at least once: A, B, C, H; at first contact: A (1 answer), C (1), H (0); B had 2 and was reopened.
          firstContactResolution: ratio(3, 4),
          // First response 4 of 5 (D late), resolution 4 of 4.
          slaHitRate: slaHits([4, 5], [4, 4]),
          reopenRate: ratio(1, 4),
          // C and D; the other tenant's complaint naming H does not count.
          complaintRate: ratio(2, 6),
          // Open at 06:00: E 0.25 h, D 2.5 h, B 9 h, F 52 h, G 126 h.
          backlog: backlog(1, 1, 1, 1, 1),
        },
      ],
    });
  });

  it('per team and per agent (the current assignment; null: none)', async () => {
    const teams = await kpis(`${period}&groupBy=team`);
    expect(teams.body.groups).toEqual([
      {
        key: 'north',
        cases: 3, // A, B, H
        firstResponse: average(3, 600), // (600 + 1,200 + 0) / 3
        handling: average(2, 5_400), // (7,200 + 3,600) / 2
        firstContactResolution: ratio(2, 3), // A, H of A, B, H
        slaHitRate: slaHits([3, 3], [3, 3]),
        reopenRate: ratio(1, 3),
        complaintRate: ratio(0, 3),
        backlog: backlog(0, 0, 1, 0, 1), // B 9 h; G (north, opened before the period) 126 h
      },
      {
        key: 'south',
        cases: 2, // C, D
        firstResponse: average(2, 1_050), // (300 + 1,800) / 2
        handling: average(1, 10_800),
        firstContactResolution: ratio(1, 1),
        slaHitRate: slaHits([1, 2], [1, 1]), // C on time; D late
        reopenRate: ratio(0, 1),
        complaintRate: ratio(2, 2),
        backlog: backlog(0, 1, 0, 0, 0), // D 2.5 h
      },
      {
        key: null,
        cases: 1, // E
        firstResponse: average(0, null),
        handling: average(0, null),
        firstContactResolution: ratio(0, 0),
        slaHitRate: slaHits([0, 0], [0, 0]),
        reopenRate: ratio(0, 0),
        complaintRate: ratio(0, 1),
        backlog: backlog(1, 0, 0, 1, 0), // E 0.25 h, F 52 h
      },
    ]);
    const agents = await kpis(`${period}&groupBy=agent`, tokens.manager);
    expect(agents.body.groups).toEqual([
      {
        key: 'a1',
        cases: 2, // A, H
        firstResponse: average(2, 300), // (600 + 0) / 2
        handling: average(2, 5_400),
        firstContactResolution: ratio(2, 2),
        slaHitRate: slaHits([2, 2], [2, 2]),
        reopenRate: ratio(0, 2),
        complaintRate: ratio(0, 2),
        backlog: backlog(0, 0, 0, 0, 1), // G
      },
      {
        key: 'a2',
        cases: 1, // B
        firstResponse: average(1, 1_200),
        handling: average(0, null),
        firstContactResolution: ratio(0, 1),
        slaHitRate: slaHits([1, 1], [1, 1]), // the second resolution clock still runs
        reopenRate: ratio(1, 1),
        complaintRate: ratio(0, 1),
        backlog: backlog(0, 0, 1, 0, 0),
      },
      {
        key: 'a3',
        cases: 1, // C
        firstResponse: average(1, 300),
        handling: average(1, 10_800),
        firstContactResolution: ratio(1, 1),
        slaHitRate: slaHits([1, 1], [1, 1]),
        reopenRate: ratio(0, 1),
        complaintRate: ratio(1, 1),
        backlog: backlog(0, 0, 0, 0, 0),
      },
      {
        key: null,
        cases: 2, // D, E
        firstResponse: average(1, 1_800),
        handling: average(0, null),
        firstContactResolution: ratio(0, 0),
        slaHitRate: slaHits([0, 1], [0, 0]),
        reopenRate: ratio(0, 0),
        complaintRate: ratio(1, 2),
        backlog: backlog(1, 1, 0, 1, 0), // E, D, F
      },
    ]);
  });

  it("per day of opening, in the time zone of the tenant's business calendar", async () => {
    const days = await kpis(`${period}&groupBy=day`);
    expect(days.body.timeZone).toBe('America/New_York');
    // The local dates are those of @aftersales/business-time's localDateOf: H (03:00Z) and D (03:30Z) were opened on
    // the evening of 2 March in New York, E (05:45Z) after its midnight.
    const opened = {
      G: '2026-02-26T00:00:00Z',
      F: '2026-03-01T02:00:00Z',
      H: '2026-03-03T03:00:00Z',
      E: '2026-03-03T05:45:00Z',
    };
    expect(
      Object.fromEntries(Object.entries(opened).map(([name, at]) => [name, localDateOf(calendar, new Date(at))])),
    ).toEqual({
      G: '2026-02-25',
      F: '2026-02-28',
      H: '2026-03-02',
      E: '2026-03-03',
    });
    expect(days.body.groups.map((g) => g.key)).toEqual(['2026-02-25', '2026-02-28', '2026-03-02', '2026-03-03']);
    expect(days.body.groups[2]).toEqual({
      key: '2026-03-02',
      cases: 5, // A, B, C, H, D
      firstResponse: average(5, 780), // (600 + 1,200 + 300 + 0 + 1,800) / 5
      handling: average(3, 7_200), // (7,200 + 10,800 + 3,600) / 3
      firstContactResolution: ratio(3, 4),
      slaHitRate: slaHits([4, 5], [4, 4]),
      reopenRate: ratio(1, 4),
      complaintRate: ratio(2, 5),
      backlog: backlog(0, 1, 1, 0, 0), // D 2.5 h, B 9 h
    });
    expect(days.body.groups[3]).toEqual({
      key: '2026-03-03',
      cases: 1, // E
      firstResponse: average(0, null),
      handling: average(0, null),
      firstContactResolution: ratio(0, 0),
      slaHitRate: slaHits([0, 0], [0, 0]),
      reopenRate: ratio(0, 0),
      complaintRate: ratio(0, 1),
      backlog: backlog(1, 0, 0, 0, 0),
    });
    // Days before the period show only their backlog.
    expect(days.body.groups[0]).toMatchObject({ cases: 0, backlog: backlog(0, 0, 0, 0, 1) });
    expect(days.body.groups[1]).toMatchObject({ cases: 0, backlog: backlog(0, 0, 0, 1, 0) });
  });

  it('takes the period as given (to excluded) and defaults to the 30 days before now', async () => {
    const firstDay = await kpis('from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z');
    expect(firstDay.body.groups[0]).toMatchObject({ cases: 3, firstContactResolution: ratio(2, 3) });
    const defaults = await kpis('');
    expect(defaults.body).toMatchObject({
      from: '2026-02-01T06:00:00.000Z',
      to: '2026-03-03T06:00:00.000Z',
      groupBy: 'tenant',
    });
    expect(defaults.body.groups[0]).toMatchObject({ cases: 8 });
  });

  it("shows only the caller's tenant, to supervisors and managers; 400 for a bad period or grouping", async () => {
    const other = await kpis(`${period}&groupBy=agent`, tokens.otherSupervisor);
    expect(other.body.groups).toEqual([expect.objectContaining({ key: null, cases: 1, complaintRate: ratio(0, 1) })]);
    expect((await kpis(period, tokens.agent)).status).toBe(403);
    const bad: Array<[string, string]> = [
      ['from=2026-03-04T00:00:00Z&to=2026-03-02T00:00:00Z', '/from'],
      ['from=2025-01-01T00:00:00Z&to=2026-03-02T00:00:00Z', '/from'],
      ['from=yesterday', '/from'],
      ['to=2026-02-30T00:00:00Z', '/to'],
      ['groupBy=week', '/groupBy'],
      ['groupBy=day&tz=Asia/Shanghai', '/tz'],
    ];
    for (const [query, pointer] of bad) {
      const res = await intake.call<Problem>('GET', `/case-kpis?${query}`, { caller: { token: tokens.manager! } });
      expect({ query, status: res.status, pointers: res.body.errors?.map((e) => e.pointer) }).toEqual({
        query,
        status: 400,
        pointers: [pointer],
      });
    }
  });

  it('exports the open cases by stage per tenant to Prometheus', async () => {
    const metrics = await (await fetch(`${intake.url}/metrics`)).text();
    // Open: G and D assigned, F and E opened, B reopened.
    expect(metricValue(metrics, 'aftersales_cases_open', { tenant, status: 'assigned' })).toBe(2);
    expect(metricValue(metrics, 'aftersales_cases_open', { tenant, status: 'opened' })).toBe(2);
    expect(metricValue(metrics, 'aftersales_cases_open', { tenant, status: 'reopened' })).toBe(1);
    expect(metricValue(metrics, 'aftersales_cases_open', { tenant, status: 'investigating' })).toBe(0);
    expect(metrics).toContain(`aftersales_cases_open{tenant="${tenant}",status="in_execution"} 0`);
    // The other tenant runs on the default SLA policy (Shanghai, 09:00–22:30): its case, opened at 06:00 there, was
    // acknowledged automatically.
    expect(metricValue(metrics, 'aftersales_cases_open', { tenant: otherTenant, status: 'acknowledged' })).toBe(1);
  });
});
