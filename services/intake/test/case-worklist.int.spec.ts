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

const MINUTE = 60_000;

// CONTEXT: intake runs in-process on real Postgres and Kafka with the test's clock (a fixed instant the test moves), so
// each case's opening time, and with it the worklist's order, is the test's choice. The worklist is read from the case
// read model, which a durable subscription of intake's event store keeps: every read waits until it caught up.
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
      { env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') } },
    );
    tokens.agent = await intake.token({ subject: 'agent-7', tenant, roles: ['agent'] });
    tokens.supervisor = await intake.token({ subject: 'supervisor-2', tenant, roles: ['supervisor'] });
    tokens.manager = await intake.token({ subject: 'manager-1', tenant, roles: ['cs-manager'] });
    tokens.integrator = await intake.token({ subject: 'chat', tenant, roles: ['integrator'] });
    tokens.otherAgent = await intake.token({ subject: 'agent-7', tenant: otherTenant, roles: ['agent'] });
    steps = caseSteps(intake, () => tokens.supervisor!);
    otherSteps = caseSteps(intake, () => tokens.otherAgent!);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const list = (query: string, token = tokens.agent!) =>
    intake.call<Page>('GET', `/cases${query}`, { caller: { token } });
  /** Every page of a query, following `next`. */
  const allPages = async (query: string, token = tokens.agent!) => {
    const pages: Page[] = [];
    let target: string | null = `/cases${query}`;
    while (target) {
      const res: { status: number; body: Page } = await intake.call<Page>('GET', target, { caller: { token } });
      expect(res.status).toBe(200);
      pages.push(res.body);
      target = res.body.next;
    }
    return pages;
  };
  /** Waits until the read model applied every event stored so far. */
  const caughtUp = () =>
    eventually(async () => {
      const { rows } = await intake.pool.query<{ behind: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM es_events e
                         WHERE (e.transaction_id, e.position) >
                               (coalesce((SELECT c.transaction_id FROM es_checkpoints c WHERE c.name = $1), '0'::xid8),
                                coalesce((SELECT c.position FROM es_checkpoints c WHERE c.name = $1), 0))) AS behind`,
        [CASE_WORKLIST_PROJECTION],
      );
      return rows[0]?.behind === false ? true : undefined;
    }, 'the case read model to catch up');
  const at = (iso: string) => {
    now = Date.parse(iso);
  };
  const ids = (page: Page) => page.items.map((item) => item.caseId);

  const cases: Record<string, string> = {};

  it('lists the open cases of the tenant, oldest first while no clock runs, with stage, assignment and link', async () => {
    // Five cases opened a minute apart; c3 resolved (not in the default worklist), c2 and c4 assigned.
    for (const [i, name] of ['c1', 'c2', 'c3', 'c4', 'c5'].entries()) {
      now = Date.parse('2026-03-02T08:00:00.000Z') + i * MINUTE;
      cases[name] = await steps.open();
    }
    now += MINUTE;
    for (const name of ['c2', 'c3', 'c4']) await steps.acknowledge(cases[name]!);
    await steps.assign(cases.c2!, { queue: 'returns', team: 'team-north', agentId: 'agent-7' });
    await steps.assign(cases.c3!, { queue: 'returns', team: 'team-north', agentId: 'agent-7' });
    await steps.assign(cases.c4!, { queue: 'repairs', team: 'team-south' });
    await steps.resolve(cases.c3!);
    await otherSteps.open();
    await caughtUp();

    const res = await list('');
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([cases.c1, cases.c2, cases.c4, cases.c5]);
    expect(res.body.items[1]).toMatchObject({
      caseId: cases.c2,
      status: 'assigned',
      assignment: { queue: 'returns', team: 'team-north', agentId: 'agent-7' },
      sla: { state: 'none', nextDueAt: null },
      openedAt: '2026-03-02T08:01:00.000Z',
      link: `/cases/${cases.c2}`,
    });
    expect(res.body.items[0]).toMatchObject({ status: 'opened', assignment: null });
    expect(res.body).toMatchObject({ nextCursor: null, next: null });
    // Supervisors and customer-service managers read it too; integrators do not.
    expect((await list('', tokens.supervisor)).body.items).toHaveLength(4);
    expect((await list('', tokens.manager)).body.items).toHaveLength(4);
    expect((await list('', tokens.integrator)).status).toBe(403);
  });

  it('filters by stage, assignee (me: the caller), team, queue and SLA state', async () => {
    expect(ids((await list('?status=resolved')).body)).toEqual([cases.c3]);
    expect(ids((await list('?status=opened,acknowledged')).body)).toEqual([cases.c1, cases.c5]);
    expect(ids((await list('?status=assigned,resolved')).body)).toEqual([cases.c2, cases.c3, cases.c4]);
    expect(ids((await list('?assignee=me')).body)).toEqual([cases.c2]);
    expect(ids((await list('?assignee=me', tokens.supervisor)).body)).toEqual([]);
    expect(ids((await list('?assignee=agent-7', tokens.supervisor)).body)).toEqual([cases.c2]);
    expect(ids((await list('?assignee=me&status=resolved')).body)).toEqual([cases.c3]);
    expect(ids((await list('?team=team-south')).body)).toEqual([cases.c4]);
    expect(ids((await list('?queue=returns&status=assigned,resolved')).body)).toEqual([cases.c2, cases.c3]);
    // No SLA clock has started on any case: every case is `none`, none is due.
    expect(ids((await list('?slaState=none')).body)).toEqual([cases.c1, cases.c2, cases.c4, cases.c5]);
    expect(ids((await list('?slaState=breached,warned')).body)).toEqual([]);
    expect(ids((await list('?breachingWithin=P366D')).body)).toEqual([]);
  });

  it("never shows another tenant's cases", async () => {
    const mine = await list('?status=opened', tokens.otherAgent);
    expect(mine.body.items).toHaveLength(1);
    expect(ids(mine.body)).not.toEqual(expect.arrayContaining([cases.c1]));
    expect((await list('?assignee=agent-7&status=assigned,resolved', tokens.otherAgent)).body.items).toEqual([]);
  });

  it('pages with an opaque cursor and a next link; paging stays stable while cases are added and changed', async () => {
    const first = await list('?status=opened,acknowledged,assigned&limit=2');
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual([cases.c1, cases.c2]);
    expect(first.body.next).toBe(
      `/cases?status=opened%2Cacknowledged%2Cassigned&limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
    );
    // While the reader is between pages: two cases opened later, one opened "earlier" (the clock set back: it sorts
    // before the cursor), a listed case changes (c1 acknowledged: same position) and c4 is assigned an agent.
    at('2026-03-02T09:00:00.000Z');
    const later = [await steps.open(), await steps.open()];
    at('2026-03-02T07:00:00.000Z');
    const earlier = await steps.open();
    at('2026-03-02T09:05:00.000Z');
    await steps.acknowledge(cases.c1!);
    await steps.step(cases.c4!, 'assignment', { queue: 'repairs', team: 'team-south', agentId: 'agent-9' });
    await caughtUp();

    const rest = await allPages(first.body.next!.slice('/cases'.length));
    const seen = [...ids(first.body), ...rest.flatMap(ids)];
    expect(seen).toEqual([cases.c1, cases.c2, cases.c4, cases.c5, ...later]);
    expect(seen).not.toContain(earlier);
    expect(rest.map((page) => page.items.length)).toEqual([2, 2]);
    // A fresh read shows the back-dated case first.
    expect(ids((await list('?status=opened,acknowledged,assigned&limit=1')).body)).toEqual([earlier]);
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
    const table = async () =>
      (
        await intake.pool.query<{ rows: string }>(
          `SELECT count(*)::text || ':' || md5(string_agg(w::text, '|' ORDER BY case_id)) AS rows FROM case_worklist w`,
        )
      ).rows[0]?.rows;
    await caughtUp();
    const before = await table();
    const { rows: checkpoint } = await intake.pool.query<{ position: string }>(
      'SELECT position FROM es_checkpoints WHERE name = $1',
      [CASE_WORKLIST_PROJECTION],
    );

    await intake.restart();
    await caughtUp();
    expect(await table()).toBe(before);
    // It resumed from its checkpoint: the new case is projected once, every older row is as it was.
    at('2026-03-02T10:00:00.000Z');
    const afterRestart = await steps.open();
    await caughtUp();
    const { rows: resumed } = await intake.pool.query<{ position: string }>(
      'SELECT position FROM es_checkpoints WHERE name = $1',
      [CASE_WORKLIST_PROJECTION],
    );
    expect(BigInt(resumed[0]!.position)).toBeGreaterThan(BigInt(checkpoint[0]!.position));
    const { rows: counted } = await intake.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM case_worklist WHERE case_id = $1',
      [afterRestart],
    );
    expect(counted[0]?.n).toBe(1);
    const withNew = await table();

    // Rebuild: the checkpoint reset, every event is applied again; the rows do not change.
    await intake.pool.query('DELETE FROM es_checkpoints WHERE name = $1', [CASE_WORKLIST_PROJECTION]);
    await eventually(async () => {
      const { rows } = await intake.pool.query('SELECT 1 FROM es_checkpoints WHERE name = $1', [
        CASE_WORKLIST_PROJECTION,
      ]);
      return rows.length > 0 ? true : undefined;
    }, 'the projection to replay');
    await caughtUp();
    expect(await table()).toBe(withNew);
    expect(ids((await list('?status=opened&limit=200')).body)).toContain(afterRestart);
  });
});
