import { randomBytes } from 'node:crypto';
import { uniqueName } from '@aftersales/testing';
import { eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { intakeService } from '../src/intake.module';
import { CASE_WORKLIST_PROJECTION } from '../src/infrastructure/read-model/case-worklist.projection';
import { caseSteps, type CaseSteps } from '../src/testing/case-steps.harness';

interface Item {
  caseId: string;
  status: string;
  assignment: { queue: string; team: string; agentId: string | null } | null;
  waiting: { on: string; since: string } | null;
  escalationRung: string | null;
  sla: { state: string; nextDueAt: string | null };
  openedAt: string;
  link: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
  next: string | null;
}
interface Problem {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

const minutes = (amount: number) => ({ amount, unit: 'minutes' });

// CONTEXT: intake runs in-process on real Postgres and Kafka with the test's clock (a fixed instant the test moves,
// never slept on). The tenant's SLA policy is a desk open around the clock (UTC) where a chat is answered within 30
// minutes, any other channel within 2 hours, and every case resolved within 8 hours, all elapsed time, warned at half
// the budget: the nearest due time of each case is the test's choice. The durable timers of the clocks fire on that
// clock. The worklist is read from the case read model, which a durable subscription of intake's event store keeps:
// every read waits until the timers due are fired and the read model caught up.
describe('the worklist (GET /cases) over the case read model', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  let now = Date.parse('2026-03-02T08:00:00.000Z');
  let intake: TestService;
  const tokens: Record<string, string> = {};
  let steps: CaseSteps;
  let otherSteps: CaseSteps;

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
    tokens.integrator = await intake.token({ subject: 'chat', tenant, roles: ['integrator'] });
    tokens.otherAgent = await intake.token({ subject: 'agent-7', tenant: otherTenant, roles: ['agent'] });
    steps = caseSteps(intake, () => tokens.supervisor!);
    otherSteps = caseSteps(intake, () => tokens.otherAgent!);
    const policy = await intake.call('PUT', '/sla-policies', {
      caller: { token: tokens.manager! },
      body: {
        calendar: {
          timeZone: 'UTC',
          workingDays: [1, 2, 3, 4, 5, 6, 7],
          shifts: [{ start: '00:00', end: '00:00' }],
          holidays: [],
        },
        warningShare: 0.5,
        targets: [
          { clock: 'first_response', when: { channels: ['chat'] }, budget: minutes(30), basis: 'elapsed' },
          { clock: 'first_response', when: {}, budget: minutes(120), basis: 'elapsed' },
          { clock: 'resolution', when: {}, budget: minutes(480), basis: 'elapsed' },
        ],
        complexCategories: [],
        dispatchCategories: [],
        escalation: { ladder: [{ rung: 'supervisor', afterBreach: minutes(0) }], webhookUrl: null },
      },
    });
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const list = (query: string, token = tokens.agent!) =>
    intake.call<Page>('GET', `/cases${query}`, { caller: { token } });
  /** Every page of a query, following `next`. */
  const allPages = async (target: string | null, token = tokens.agent!) => {
    const pages: Page[] = [];
    while (target) {
      const res: { status: number; body: Page } = await intake.call<Page>('GET', target, { caller: { token } });
      expect(res.status).toBe(200);
      pages.push(res.body);
      target = res.body.next;
    }
    return pages;
  };
  /** Waits until every timer due at the test's clock fired and the read model applied every event stored. */
  const settled = async () => {
    await eventually(async () => {
      const { rows } = await intake.pool.query<{ pending: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL
                                                  AND due_at <= $1::timestamptz) AS pending`,
        [new Date(now)],
      );
      return rows[0]?.pending === false ? true : undefined;
    }, 'the timers due to fire');
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
  };
  const at = (time: string) => {
    now = Date.parse(time);
  };
  const ids = (page: Page) => page.items.map((item) => item.caseId);
  const cases: Record<string, string> = {};

  it('lists the open cases of the tenant by nearest SLA due time, with stage, assignment, waiting and SLA state', async () => {
    // c1 chat 08:00 (first response due 08:30), c2 chat 08:01 answered and assigned at 08:05 (resolution due 16:01),
    // c3 e-mail 08:02 (first response due 10:02), c4 chat 08:03 answered and assigned to a team (resolution due 16:03),
    // c5 chat 08:04 answered, then waiting on the customer (its clock paused: no due time, last), c6 chat 08:04:30
    // resolved at 08:05 (not in the default worklist).
    const opening: Array<[string, string, string]> = [
      ['c1', '2026-03-02T08:00:00Z', 'chat'],
      ['c2', '2026-03-02T08:01:00Z', 'chat'],
      ['c3', '2026-03-02T08:02:00Z', 'email'],
      ['c4', '2026-03-02T08:03:00Z', 'chat'],
      ['c5', '2026-03-02T08:04:00Z', 'chat'],
      ['c6', '2026-03-02T08:04:30Z', 'chat'],
    ];
    for (const [name, time, channel] of opening) {
      at(time);
      cases[name] = await steps.open({ channel });
    }
    at('2026-03-02T08:05:00Z');
    for (const name of ['c2', 'c4', 'c5', 'c6']) await steps.acknowledge(cases[name]!);
    await steps.assign(cases.c2!, { queue: 'returns', team: 'team-north', agentId: 'agent-7' });
    await steps.assign(cases.c4!, { queue: 'repairs', team: 'team-south' });
    await steps.step(cases.c5!, 'waiting', { on: 'customer', reason: 'A photo of the base' });
    await steps.assign(cases.c6!, { queue: 'returns', team: 'team-north', agentId: 'agent-7' });
    await steps.resolve(cases.c6!);
    await otherSteps.open();
    await settled();

    const res = await list('');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([cases.c1, cases.c3, cases.c2, cases.c4, cases.c5]);
    expect(res.body.items.map((item) => [item.sla.state, item.sla.nextDueAt])).toEqual([
      ['on_track', '2026-03-02T08:30:00.000Z'],
      ['on_track', '2026-03-02T10:02:00.000Z'],
      ['on_track', '2026-03-02T16:01:00.000Z'],
      ['on_track', '2026-03-02T16:03:00.000Z'],
      ['paused', null],
    ]);
    expect(res.body.items[2]).toMatchObject({
      caseId: cases.c2,
      status: 'assigned',
      assignment: { queue: 'returns', team: 'team-north', agentId: 'agent-7' },
      waiting: null,
      openedAt: '2026-03-02T08:01:00.000Z',
      link: `/cases/${cases.c2}`,
    });
    expect(res.body.items[0]).toMatchObject({ status: 'opened', assignment: null });
    expect(res.body.items[4]).toMatchObject({
      status: 'acknowledged',
      waiting: { on: 'customer', since: '2026-03-02T08:05:00.000Z' },
    });
    expect(res.body).toMatchObject({ nextCursor: null, next: null });
    // Supervisors and customer-service managers read it too; integrators do not.
    expect(ids((await list('', tokens.supervisor)).body)).toEqual(ids(res.body));
    expect(ids((await list('', tokens.manager)).body)).toEqual(ids(res.body));
    expect((await list('', tokens.integrator)).status).toBe(403);
  });

  it('filters by stage, assignee (me: the caller), team, queue, SLA state and due time', async () => {
    expect(ids((await list('?status=resolved')).body)).toEqual([cases.c6]);
    expect(ids((await list('?status=opened,acknowledged')).body)).toEqual([cases.c1, cases.c3, cases.c5]);
    expect(ids((await list('?status=assigned,resolved')).body)).toEqual([cases.c2, cases.c4, cases.c6]);
    expect(ids((await list('?assignee=me')).body)).toEqual([cases.c2]);
    expect(ids((await list('?assignee=me', tokens.supervisor)).body)).toEqual([]);
    expect(ids((await list('?assignee=agent-7', tokens.supervisor)).body)).toEqual([cases.c2]);
    expect(ids((await list('?assignee=me&status=assigned,resolved')).body)).toEqual([cases.c2, cases.c6]);
    expect(ids((await list('?team=team-south')).body)).toEqual([cases.c4]);
    expect(ids((await list('?queue=returns&status=assigned,resolved')).body)).toEqual([cases.c2, cases.c6]);
    expect(ids((await list('?slaState=paused')).body)).toEqual([cases.c5]);
    expect(ids((await list('?slaState=met&status=resolved')).body)).toEqual([cases.c6]);
    expect(ids((await list('?slaState=breached,warned')).body)).toEqual([]);
    // At 08:05: due by 09:05, by 10:05.
    expect(ids((await list('?breachingWithin=PT1H')).body)).toEqual([cases.c1]);
    expect(ids((await list('?breachingWithin=PT2H')).body)).toEqual([cases.c1, cases.c3]);
  });

  it("follows the clocks' timers: warned at half the budget, breached (and escalated) at the due time", async () => {
    at('2026-03-02T08:16:00Z');
    await settled();
    expect(ids((await list('?slaState=warned')).body)).toEqual([cases.c1]);
    at('2026-03-02T08:31:00Z');
    await settled();
    const breached = await list('?slaState=breached');
    expect(ids(breached.body)).toEqual([cases.c1]);
    expect(breached.body.items[0]).toMatchObject({
      escalationRung: 'supervisor',
      sla: { state: 'breached', nextDueAt: '2026-03-02T08:30:00.000Z' },
    });
    // Overdue is within any horizon; the others are not due within a minute.
    expect(ids((await list('?breachingWithin=PT1M')).body)).toEqual([cases.c1]);
    expect(ids((await list('?slaState=on_track')).body)).toEqual([cases.c3, cases.c2, cases.c4]);
  });

  it("never shows another tenant's cases", async () => {
    const mine = await list('', tokens.otherAgent);
    expect(mine.body.items).toHaveLength(1);
    expect(ids(mine.body)).not.toEqual(expect.arrayContaining([cases.c1]));
    expect((await list('?assignee=agent-7&status=assigned,resolved', tokens.otherAgent)).body.items).toEqual([]);
  });

  it('pages with an opaque cursor and a next link; paging stays stable while cases are added and changed', async () => {
    // At 08:31: c1 (08:30), c3 (10:02) | c2 (16:01), c4 (16:03), c5 (no due time).
    const first = await list('?limit=2');
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual([cases.c1, cases.c3]);
    expect(first.body.next).toBe(`/cases?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    // While the reader is between pages: a chat due at 09:10 (before the cursor), an e-mail due at 10:41 (after it), a
    // case opened "earlier" (the clock set back: due 07:30, before the cursor), and c2 reassigned (same place).
    at('2026-03-02T08:40:00Z');
    const dueBeforeCursor = await steps.open({ channel: 'chat' });
    at('2026-03-02T08:41:00Z');
    const dueAfterCursor = await steps.open({ channel: 'email' });
    at('2026-03-02T07:00:00Z');
    const backDated = await steps.open({ channel: 'chat' });
    at('2026-03-02T08:45:00Z');
    await steps.step(cases.c2!, 'assignment', { queue: 'returns', team: 'team-north', agentId: 'agent-9' });
    await settled();

    const rest = await allPages(first.body.next);
    expect(rest.map(ids)).toEqual([
      [dueAfterCursor, cases.c2],
      [cases.c4, cases.c5],
    ]);
    // A fresh read shows every case in place, the back-dated one (breached at 07:30 meanwhile) first.
    expect(ids((await list('?limit=200')).body)).toEqual([
      backDated,
      cases.c1,
      dueBeforeCursor,
      cases.c3,
      dueAfterCursor,
      cases.c2,
      cases.c4,
      cases.c5,
    ]);

    // breachingWithin is fixed by the first page: at 08:45, PT2H means due by 10:45 on every page, even read at 09:00
    // when a case due at 11:00 (an e-mail opened at 09:00) is within two hours of the new now.
    const within = await list('?breachingWithin=PT2H&limit=3');
    expect(ids(within.body)).toEqual([backDated, cases.c1, dueBeforeCursor]);
    at('2026-03-02T09:00:00Z');
    const dueAtEleven = await steps.open({ channel: 'email' });
    await settled();
    expect((await allPages(within.body.next)).map(ids)).toEqual([[cases.c3, dueAfterCursor]]);
    expect(ids((await list('?breachingWithin=PT2H&limit=200')).body)).toEqual([
      backDated,
      cases.c1,
      dueBeforeCursor,
      cases.c3,
      dueAfterCursor,
      dueAtEleven,
    ]);
  });

  it('answers 400 with the field for bad filters, page sizes and cursors', async () => {
    const first = await list('?limit=1');
    const cursor = encodeURIComponent(first.body.nextCursor!);
    const bad: Array<[string, string]> = [
      ['?status=lost', '/status'],
      ['?status=opened,', '/status'],
      ['?slaState=late', '/slaState'],
      ['?limit=0', '/limit'],
      ['?limit=201', '/limit'],
      ['?limit=ten', '/limit'],
      ['?breachingWithin=PT', '/breachingWithin'],
      ['?breachingWithin=PT0M', '/breachingWithin'],
      ['?breachingWithin=P400D', '/breachingWithin'],
      ['?breachingWithin=30m', '/breachingWithin'],
      ['?assignee=%20agent', '/assignee'],
      ['?cursor=bm90LWEtY3Vyc29y', '/cursor'],
      [`?cursor=${cursor}&team=team-north`, '/cursor'],
      ['?sort=openedAt', '/sort'],
      ['?status=opened&status=assigned', '/status'],
    ];
    for (const [query, pointer] of bad) {
      const res = await intake.call<Problem>('GET', `/cases${query}`, { caller: { token: tokens.agent! } });
      expect({
        query,
        status: res.status,
        code: res.body.code,
        pointers: res.body.errors?.map((e) => e.pointer),
      }).toEqual({
        query,
        status: 400,
        code: 'REQUEST.INVALID',
        pointers: [pointer],
      });
    }
    // The cursor with its own filters still works; another page size is allowed.
    expect((await list(`?limit=3&cursor=${cursor}`)).status).toBe(200);
  });

  it('survives a restart and a replay: nothing twice, nothing lost, it resumes where it stopped', async () => {
    const digest = async () => {
      const { rows } = await intake.pool.query<{ digest: string }>(
        `SELECT (SELECT count(*) || ':' || md5(string_agg(w::text, '|' ORDER BY case_id)) FROM case_worklist w) || '/' ||
                (SELECT count(*) || ':' || md5(string_agg(c::text, '|' ORDER BY case_id, clock_id, instance))
                   FROM case_sla_clocks c) AS digest`,
      );
      return rows[0]?.digest;
    };
    const checkpoint = async () =>
      BigInt(
        (
          await intake.pool.query<{ position: string }>('SELECT position FROM es_checkpoints WHERE name = $1', [
            CASE_WORKLIST_PROJECTION,
          ])
        ).rows[0]!.position,
      );
    await settled();
    const before = await digest();
    const stoppedAt = await checkpoint();

    await intake.restart();
    await settled();
    expect(await digest()).toBe(before);
    // It resumed from its checkpoint: the new case is projected once, every older row is as it was.
    const afterRestart = await steps.open();
    await settled();
    expect(await checkpoint()).toBeGreaterThan(stoppedAt);
    const { rows: counted } = await intake.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM case_worklist WHERE case_id = $1',
      [afterRestart],
    );
    expect(counted[0]?.n).toBe(1);
    const withNew = await digest();

    // Rebuild: the checkpoint reset, every event is applied again; the rows do not change.
    await intake.pool.query('DELETE FROM es_checkpoints WHERE name = $1', [CASE_WORKLIST_PROJECTION]);
    await eventually(async () => {
      const { rows } = await intake.pool.query('SELECT 1 FROM es_checkpoints WHERE name = $1', [
        CASE_WORKLIST_PROJECTION,
      ]);
      return rows.length > 0 ? true : undefined;
    }, 'the projection to replay');
    await settled();
    expect(await digest()).toBe(withNew);
    expect(ids((await list('?status=opened&limit=200')).body)).toContain(afterRestart);
  });
});
