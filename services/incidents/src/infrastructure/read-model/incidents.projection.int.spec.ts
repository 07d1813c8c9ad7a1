import { randomUUID } from 'node:crypto';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  loadCheckpoint,
  openServiceDatabase,
  PostgresEventStore,
  type DurableSubscription,
  type ServiceDatabase,
  type StoredEvent,
} from '@aftersales/eventstore';
import { PlatformHttpModule, signDevToken } from '@aftersales/platform-http';
import { CLOCK, SERVICE_DATABASE } from '@aftersales/service-runtime';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { historyOf } from '@aftersales/testing/decider';
import { incidentDecider, type IncidentEvent } from '../../domain';
import { actors } from '../../domain/testing/actors.fixture';
import { anIncidentHistory, incidentCommands } from '../../domain/testing/incident.builder';
import { TestClock } from '../../domain/testing/test-clock';
import type {
  AuditVerificationView,
  IncidentDetailView,
  IncidentKpisView,
  IncidentPageView,
  IncidentTimelineView,
} from './incident-views';
import { INCIDENTS_READ_MODEL, incidentsProjection } from './incidents.projection';
import { IncidentsReadModule } from './incidents-read.module';
import { incidentsWriteSideMigrations } from '../persistence/1732600000000-incidents-write-side';
import { readModelMigrations } from './migrations';
import { asIncident, catchUp as catchUpWith, recordIncident } from './testing/incident-streams.fixture';

const shop = 'shop-1';
const otherShop = 'shop-2';
const secret = 'incidents-read-int-secret';

/**
 * The incidents of the story, all on 2026-11-25 (UTC), each decided through the domain's decider:
 * - `closed`: L3 battery incident declared 08:00, 2 complaints attached, contacted 08:10, resolved 09:00 along the
 *   happy path, satisfaction 70 % < the L3 target 80 % → follow-up, retrospective, closed.
 * - `breached`: L3 cluster incident opened 08:00 (deadline 10:00); upgraded to L2 at 08:20 (deadline tightened to
 *   08:20 + 1 h = 09:20); nobody contacted, the timer fires at 09:20 → breach, the escalation rung is paged.
 * - `waitingA`, `waitingB`: L3 incidents declared 08:30 and 08:40, nobody contacted yet.
 * - `elsewhere`: an L1 incident of another tenant, contacted.
 */
function story() {
  const ids = {
    closed: randomUUID(),
    breached: randomUUID(),
    waitingA: randomUUID(),
    waitingB: randomUUID(),
    elsewhere: randomUUID(),
  };

  // Declared by the cs-manager at 08:00; the cluster's two complaints attached at once (the repeat adds nothing).
  const clock = new TestClock('2026-11-25T08:00:00.000Z');
  const command = incidentCommands(clock);
  let closed = anIncidentHistory(clock, { until: 'activated' });
  closed = historyOf(
    incidentDecider,
    [
      command.attach({ complaintId: 'CMP-1', customerRef: 'CUS-1' }),
      command.attach({ complaintId: 'CMP-2', customerRef: 'CUS-2' }),
      command.attach({ complaintId: 'CMP-1', customerRef: 'CUS-1' }),
    ],
    closed,
  );
  // Then every 10 minutes: contacted 08:10, root cause 08:20, approved 08:30, implemented 08:40, confirmed 08:50,
  // resolved 09:00; satisfaction, follow-up, retrospective and closing at 09:00.
  // Both affected customers are contacted together and confirm together (contact and confirmation are per customer).
  const steps = [
    () => [command.contact({ customerRefs: ['CUS-1', 'CUS-2'] })],
    () => [command.rootCause({}, actors.techSupport)],
    () => [command.approve({}, actors.csManager)],
    () => [command.implement()],
    () => [command.confirm(), command.confirm({ customerRef: 'CUS-2' })],
    () => [command.resolve()],
  ];
  for (const step of steps) {
    clock.advance({ minutes: 10 });
    closed = historyOf(incidentDecider, step(), closed);
  }
  closed = historyOf(
    incidentDecider,
    [
      command.satisfaction({ percent: 70, responses: 12 }),
      command.followUp(),
      command.retrospective(),
      ...command.closureChecks('L3'),
      command.close(),
    ],
    closed,
  );

  const breachClock = new TestClock('2026-11-25T08:00:00.000Z');
  const onBreach = incidentCommands(breachClock);
  let breached = historyOf(incidentDecider, [
    onBreach.open(),
    onBreach.attach({ complaintId: 'CMP-9', customerRef: 'CUS-9' }),
  ]);
  breachClock.advance({ minutes: 20 });
  breached = historyOf(incidentDecider, [onBreach.upgrade()], breached);
  breachClock.advance({ hours: 1 });
  breached = historyOf(incidentDecider, [onBreach.flagBreach()], breached);

  const declaredAt = (at: string) => anIncidentHistory(new TestClock(at), { until: 'activated' });
  const elsewhere = anIncidentHistory(new TestClock('2026-11-25T07:00:00.000Z'), {
    until: 'contained',
    level: 'L1',
  });

  return {
    ids,
    histories: {
      closed: asIncident(closed, ids.closed, shop),
      breached: asIncident(breached, ids.breached, shop),
      waitingA: asIncident(declaredAt('2026-11-25T08:30:00.000Z'), ids.waitingA, shop),
      waitingB: asIncident(declaredAt('2026-11-25T08:40:00.000Z'), ids.waitingB, shop),
      elsewhere: asIncident(elsewhere, ids.elsewhere, otherShop),
    } satisfies Record<keyof typeof ids, IncidentEvent[]>,
  };
}

describe('incidents read model: projection and read API on real Postgres', () => {
  const { ids, histories } = story();
  const stored: Partial<Record<keyof typeof ids, StoredEvent[]>> = {};
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let store: PostgresEventStore;
  let projection: DurableSubscription;
  let app: INestApplication;
  let baseUrl: string;
  const tokens: Record<string, string> = {};

  const catchUp = () => catchUpWith(projection, db.pool, INCIDENTS_READ_MODEL);

  beforeAll(async () => {
    testDb = await createTestDatabase('incidents_read');
    // The write side's tables too: the read side reads the tenant policy (recurrence window) and the archives.
    db = await openServiceDatabase({
      serverUrl: testDb.url,
      database: testDb.name,
      migrations: [...incidentsWriteSideMigrations, ...readModelMigrations],
    });
    store = new PostgresEventStore(db.pool);
    projection = incidentsProjection(db.pool);
    for (const name of Object.keys(ids) as Array<keyof typeof ids>) {
      stored[name] = await recordIncident(store, ids[name], name === 'elsewhere' ? otherShop : shop, histories[name]);
    }
    // Another aggregate's event in the same store: the projection passes it by.
    await store.append('complaint-cluster-sku:BAT-100|batch:B-7', 'any', [
      {
        id: randomUUID(),
        type: 'ComplaintClustered',
        data: { clusterKey: 'sku:BAT-100|batch:B-7' },
        metadata: { tenant: shop, actor: { id: 'incidents.cluster-watch' }, correlationId: 'c-1' },
      },
    ]);
    await catchUp();

    @Global()
    @Module({
      providers: [
        { provide: SERVICE_DATABASE, useValue: db },
        { provide: PostgresEventStore, useValue: store },
        { provide: CLOCK, useValue: () => new Date('2026-11-26T00:00:00.000Z') },
      ],
      exports: [SERVICE_DATABASE, PostgresEventStore, CLOCK],
    })
    class TestInfrastructureModule {}

    @Module({
      imports: [
        TestInfrastructureModule,
        PlatformHttpModule.forRoot({ auth: { secret }, readiness: [] }),
        IncidentsReadModule,
      ],
    })
    class TestAppModule {}

    app = await NestFactory.create(TestAppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');

    const sign = (subject: string, roles: string[], tenant = shop) => signDevToken({ subject, tenant, roles }, secret);
    tokens.agent = await sign('agent-7', ['agent']);
    tokens.supervisor = await sign('sup-1', ['supervisor']);
    tokens.director = await sign('dir-1', ['cs-director']);
    tokens.otherAgent = await sign('agent-9', ['agent'], otherShop);
    tokens.otherSupervisor = await sign('sup-9', ['supervisor'], otherShop);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await testDb?.drop();
  });

  const get = async <T>(path: string, token: string): Promise<{ status: number; type: string | null; body: T }> => {
    const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as T };
  };

  describe('projection', () => {
    it('projects each incident: phase, level, deadlines, response times, complaints, team and follow-up', async () => {
      const { rows } = await db.pool.query(
        `SELECT incident_id, tenant, level, status, breached, breach_count, complaint_count, follow_up_required,
                satisfaction::float AS satisfaction, satisfaction_target::float AS satisfaction_target,
                opened_at, first_paged_at, first_contact_at, contact_due_at, resolved_at, closed_at, team
           FROM incidents_view`,
      );
      const byId = new Map(rows.map((row) => [row.incident_id as string, row]));
      expect(byId.size).toBe(5);
      expect(byId.get(ids.closed)).toMatchObject({
        tenant: shop,
        level: 'L3',
        status: 'closed',
        complaint_count: 2,
        satisfaction: 70,
        satisfaction_target: 80,
        follow_up_required: false,
        breached: false,
        opened_at: new Date('2026-11-25T08:00:00.000Z'),
        first_paged_at: new Date('2026-11-25T08:00:00.000Z'),
        first_contact_at: new Date('2026-11-25T08:10:00.000Z'),
        contact_due_at: new Date('2026-11-25T10:00:00.000Z'),
        resolved_at: new Date('2026-11-25T09:00:00.000Z'),
        team: { level: 'L3', lead: 'cs-manager', members: ['tech-support'] },
      });
      expect(byId.get(ids.breached)).toMatchObject({
        level: 'L2',
        status: 'activation',
        breached: true,
        breach_count: 1,
        complaint_count: 1,
        first_contact_at: null,
        // 08:20 + 1 h (L2) is stricter than 08:00 + 2 h (L3).
        contact_due_at: new Date('2026-11-25T09:20:00.000Z'),
        team: {
          level: 'L2',
          lead: 'cs-director',
          members: ['tech-support', 'logistics'],
          escalatedTo: 'general-manager',
        },
      });
      expect(byId.get(ids.elsewhere)).toMatchObject({ tenant: otherShop, level: 'L1', status: 'containment' });

      const pages = await db.pool.query(
        'SELECT trigger, level, team FROM incident_pages WHERE incident_id = $1 ORDER BY paged_at',
        [ids.breached],
      );
      expect(pages.rows).toEqual([
        { trigger: 'activation', level: 'L3', team: { lead: 'cs-manager', members: ['tech-support'] } },
        { trigger: 'upgrade', level: 'L2', team: { lead: 'cs-director', members: ['tech-support', 'logistics'] } },
        { trigger: 'contact-deadline-breach', level: 'L2', team: { lead: 'general-manager', members: [] } },
      ]);
      const complaints = await db.pool.query(
        'SELECT tenant, complaint_id, customer_ref FROM incident_complaints WHERE incident_id = $1 ORDER BY complaint_id',
        [ids.closed],
      );
      expect(complaints.rows).toEqual([
        { tenant: shop, complaint_id: 'CMP-1', customer_ref: 'CUS-1' },
        { tenant: shop, complaint_id: 'CMP-2', customer_ref: 'CUS-2' },
      ]);
    });

    // CONTEXT: a rebuilt or rewound projection replays events it already applied; every table must stay as it is
    // (no second breach counted, no duplicate page or complaint).
    it('is idempotent: replaying every event from the start changes nothing', async () => {
      const snapshot = async () =>
        Promise.all([
          db.pool.query('SELECT * FROM incidents_view ORDER BY incident_id'),
          db.pool.query('SELECT * FROM incident_pages ORDER BY event_id'),
          db.pool.query('SELECT * FROM incident_complaints ORDER BY incident_id, complaint_id'),
        ]).then((results) => results.map((r) => r.rows));
      const before = await snapshot();
      const checkpoint = await loadCheckpoint(db.pool, INCIDENTS_READ_MODEL);
      expect(checkpoint.position).toBeGreaterThan(0n);

      await db.pool.query('DELETE FROM es_checkpoints WHERE name = $1', [INCIDENTS_READ_MODEL]);
      await catchUp();
      expect(await snapshot()).toEqual(before);
      expect(await loadCheckpoint(db.pool, INCIDENTS_READ_MODEL)).toEqual(checkpoint);
    });
  });

  describe('GET /incidents', () => {
    it('lists open incidents of the caller tenant, most severe first, oldest first within a level', async () => {
      const { status, body } = await get<IncidentPageView>('/incidents', tokens.agent!);
      expect(status).toBe(200);
      expect(body.items.map((i) => i.incidentId)).toEqual([ids.breached, ids.waitingA, ids.waitingB]);
      expect(body.items[0]).toMatchObject({
        level: 'L2',
        phase: 'activation',
        category: 'product-quality',
        clusterKey: 'sku:BAT-100|batch:B-7',
        breached: true,
        complaintCount: 1,
        contactDueAt: '2026-11-25T09:20:00.000Z',
      });
      expect(body.nextCursor).toBeNull();
    });

    it('filters by level, status and category', async () => {
      const ofQuery = async (query: string) =>
        (await get<IncidentPageView>(`/incidents?${query}`, tokens.agent!)).body.items.map((i) => i.incidentId);
      expect(await ofQuery('level=L2')).toEqual([ids.breached]);
      expect(await ofQuery('level=L3&status=activation&category=product-quality')).toEqual([
        ids.waitingA,
        ids.waitingB,
      ]);
      expect(await ofQuery('status=closed')).toEqual([ids.closed]);
      expect(await ofQuery('category=service-failure')).toEqual([]);
      expect(await ofQuery('level=L1')).toEqual([]);
    });

    it('pages with limit and cursor', async () => {
      const first = await get<IncidentPageView>('/incidents?limit=2', tokens.agent!);
      expect(first.body.items.map((i) => i.incidentId)).toEqual([ids.breached, ids.waitingA]);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get<IncidentPageView>(
        `/incidents?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
        tokens.agent!,
      );
      expect(second.body.items.map((i) => i.incidentId)).toEqual([ids.waitingB]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('answers 400 problem details for an unknown filter value, page size or cursor', async () => {
      for (const [query, pointer] of [
        ['level=L9', '/level'],
        ['status=open', '/status'],
        ['limit=0', '/limit'],
        ['limit=201', '/limit'],
        ['cursor=not-a-cursor', '/cursor'],
        ['tenant=shop-2', '/tenant'],
      ] as const) {
        const res = await get<{ code: string; errors: Array<{ pointer: string }> }>(
          `/incidents?${query}`,
          tokens.agent!,
        );
        expect({ query, status: res.status, type: res.type }).toEqual({
          query,
          status: 400,
          type: expect.stringContaining('application/problem+json'),
        });
        expect(res.body.errors.map((e) => e.pointer)).toContain(pointer);
      }
    });

    it('shows another tenant only its own incidents', async () => {
      const { body } = await get<IncidentPageView>('/incidents', tokens.otherAgent!);
      expect(body.items.map((i) => i.incidentId)).toEqual([ids.elsewhere]);
    });
  });

  describe('GET /incidents/:id', () => {
    it('shows the incident with its complaints, team, pages, deadlines, phase, follow-up and last events', async () => {
      const { status, body } = await get<IncidentDetailView>(`/incidents/${ids.closed}`, tokens.agent!);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        incidentId: ids.closed,
        phase: 'closed',
        level: 'L3',
        summary: 'Batteries of batch B-7 swell after charging',
        complaintCount: 2,
        complaints: [
          { complaintId: 'CMP-1', customerRef: 'CUS-1', attachedAt: '2026-11-25T08:00:00.000Z' },
          { complaintId: 'CMP-2', customerRef: 'CUS-2', attachedAt: '2026-11-25T08:00:00.000Z' },
        ],
        team: { level: 'L3', lead: 'cs-manager', members: ['tech-support'] },
        pages: [{ trigger: 'activation', level: 'L3', pagedAt: '2026-11-25T08:00:00.000Z' }],
        deadlines: {
          contactDueAt: '2026-11-25T10:00:00.000Z',
          contactDeadlineBreached: false,
          breachCount: 0,
          // Resolved 09:00 + 72 h (L3).
          retrospectiveDueAt: '2026-11-28T09:00:00.000Z',
          retrospectiveRecordedAt: '2026-11-25T09:00:00.000Z',
        },
        firstPagedAt: '2026-11-25T08:00:00.000Z',
        firstContactAt: '2026-11-25T08:10:00.000Z',
        resolvedAt: '2026-11-25T09:00:00.000Z',
        closedAt: '2026-11-25T09:00:00.000Z',
        satisfaction: { percent: 70, targetPercent: 80 },
        followUpRequired: false,
        version: stored.closed!.length,
      });
      expect(body.lastEvents).toHaveLength(10);
      expect(body.lastEvents[0]).toEqual({
        eventId: stored.closed!.at(-1)!.id,
        type: 'IncidentClosed',
        at: '2026-11-25T09:00:00.000Z',
        actor: { id: actors.csManager.id, role: 'cs-manager' },
        streamVersion: stored.closed!.length,
      });
    });

    it("answers 404 problem details for another tenant's incident and for an unknown one", async () => {
      for (const [path, token] of [
        [`/incidents/${ids.closed}`, tokens.otherAgent!],
        [`/incidents/${ids.elsewhere}`, tokens.agent!],
        [`/incidents/${randomUUID()}`, tokens.agent!],
        [`/incidents/${ids.closed}/timeline`, tokens.otherAgent!],
        [`/incidents/${ids.closed}/audit/verify`, tokens.otherSupervisor!],
      ] as const) {
        const res = await get<{ status: number; code: string }>(path, token);
        expect({ path, status: res.status, code: res.body.code }).toEqual({
          path,
          status: 404,
          code: 'RESOURCE.NOT_FOUND',
        });
        expect(res.type).toContain('application/problem+json');
      }
    });
  });

  describe('GET /incidents/:id/timeline', () => {
    it('is the audit trail from the stream: who, when, why, before and after, correlation and position', async () => {
      const { status, body } = await get<IncidentTimelineView>(`/incidents/${ids.breached}/timeline`, tokens.agent!);
      expect(status).toBe(200);
      const events = stored.breached!;
      expect(body.entries.map((e) => e.type)).toEqual(events.map((e) => e.type));
      expect(body.entries.map((e) => e.position)).toEqual(events.map((e) => Number(e.position)));
      expect(body.entries.map((e) => e.eventId)).toEqual(events.map((e) => e.id));

      const [opened] = body.entries;
      expect(opened).toMatchObject({
        type: 'IncidentOpened',
        at: '2026-11-25T08:00:00.000Z',
        actor: { id: 'incidents.cluster-watch', role: 'system' },
        reason: '1 customers within 24 h reached the L3 threshold of 1',
        before: { phase: 'none', level: null },
        after: { phase: 'activation', level: 'L3', contactDueAt: null },
        changed: ['phase', 'level'],
        correlationId: `corr-${ids.breached}-1`,
        causationId: null,
        streamVersion: 1,
        data: { tenant: shop, category: 'product-quality', level: 'L3' },
      });

      const upgraded = body.entries.find((e) => e.type === 'IncidentUpgraded');
      expect(upgraded).toMatchObject({
        at: '2026-11-25T08:20:00.000Z',
        reason: '10 customers within 24 h reached the L2 threshold of 10',
        before: { phase: 'activation', level: 'L3', contactDueAt: '2026-11-25T10:00:00.000Z' },
        after: { phase: 'activation', level: 'L2', contactDueAt: '2026-11-25T10:00:00.000Z' },
        changed: ['level'],
        data: { from: 'L3', to: 'L2' },
      });
      expect(upgraded?.correlationId).toMatch(/^corr-/);
      expect(upgraded?.causationId).toEqual(expect.any(String));
      const tightened = body.entries.filter((e) => e.type === 'ContactDeadlineSet').at(-1);
      expect(tightened).toMatchObject({
        before: { contactDueAt: '2026-11-25T10:00:00.000Z' },
        after: { contactDueAt: '2026-11-25T09:20:00.000Z' },
        changed: ['contactDueAt'],
      });
      const breach = body.entries.find((e) => e.type === 'ContactDeadlineBreached');
      expect(breach).toMatchObject({
        at: '2026-11-25T09:20:00.000Z',
        actor: { id: 'incidents.timer', role: 'system' },
        changed: ['contactDeadlineBreached'],
        data: { level: 'L2', escalatedTo: 'general-manager' },
      });
      // Audit fields are shown once, not repeated in data.
      expect(breach!.data).not.toHaveProperty('actor');
    });

    it('shows phase changes with the actor role that allowed them', async () => {
      const { body } = await get<IncidentTimelineView>(`/incidents/${ids.closed}/timeline`, tokens.agent!);
      const phases = body.entries
        .filter((e) => e.changed.includes('phase'))
        .map((e) => [e.type, e.before.phase, e.after.phase, e.actor.role]);
      expect(phases).toEqual([
        ['IncidentOpened', 'none', 'activation', 'cs-director'],
        ['CustomersContacted', 'activation', 'containment', 'agent'],
        ['RootCauseRecorded', 'containment', 'resolution', 'tech-support'],
        ['IncidentResolved', 'resolution', 'follow-up', 'cs-manager'],
        ['IncidentClosed', 'follow-up', 'closed', 'cs-manager'],
      ]);
      const attached = body.entries.filter((e) => e.type === 'ComplaintAttached');
      expect(attached.map((e) => e.data)).toEqual([
        { complaintId: 'CMP-1', customerRef: 'CUS-1' },
        { complaintId: 'CMP-2', customerRef: 'CUS-2' },
      ]);
    });
  });

  describe('GET /incidents/:id/audit/verify', () => {
    it('confirms an untouched stream', async () => {
      const res = await get<AuditVerificationView>(`/incidents/${ids.breached}/audit/verify`, tokens.supervisor!);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, events: stored.breached!.length });
    });

    it('is for supervision and quality, not agents', async () => {
      const res = await get<{ code: string }>(`/incidents/${ids.breached}/audit/verify`, tokens.agent!);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('AUTH.FORBIDDEN');
    });

    // CONTEXT: someone with database access rewrites history (the level recorded by a decision). The read model
    // still shows the old value, but the stream's hash chain names the edited event.
    it('names the first tampered event after an UPDATE of its data (200, ok: false)', async () => {
      const victim = stored.waitingA!.find((e) => e.type === 'ContactDeadlineSet')!;
      await db.pool.query(
        `UPDATE es_events SET data = jsonb_set(data, '{dueAt}', '"2026-11-25T23:59:00.000Z"') WHERE event_id = $1`,
        [victim.id],
      );
      const res = await get<AuditVerificationView>(`/incidents/${ids.waitingA}/audit/verify`, tokens.director!);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ok: false,
        events: stored.waitingA!.length,
        firstInvalid: { eventId: victim.id, streamVersion: victim.streamVersion, position: Number(victim.position) },
        reason: expect.stringContaining('does not match its hash'),
      });
      // Other streams are unaffected.
      const untouched = await get<AuditVerificationView>(`/incidents/${ids.waitingB}/audit/verify`, tokens.director!);
      expect(untouched.body.ok).toBe(true);
    });
  });

  describe('GET /kpis', () => {
    it('reports per level: incidents, time to page, to first contact, to resolve, breaches', async () => {
      const res = await get<IncidentKpisView>(
        '/kpis?from=2026-11-25T00:00:00.000Z&to=2026-11-26T00:00:00.000Z',
        tokens.director!,
      );
      expect(res.status).toBe(200);
      // L3: closed (contact 10 min, resolved 60 min after opening), waitingA and waitingB (not contacted).
      // L2: breached (opened L3 and upgraded: KPIs count the current level), nobody contacted, one breach.
      // The other tenant's L1 incident is not counted.
      const none = { measured: 0, medianSeconds: null, averageSeconds: null };
      expect(res.body).toEqual({
        from: '2026-11-25T00:00:00.000Z',
        to: '2026-11-26T00:00:00.000Z',
        levels: [
          {
            level: 'L1',
            incidents: 0,
            timeToPage: none,
            timeToFirstContact: none,
            timeToResolve: none,
            breachedIncidents: 0,
            breaches: 0,
          },
          {
            level: 'L2',
            incidents: 1,
            timeToPage: { measured: 1, medianSeconds: 0, averageSeconds: 0 },
            timeToFirstContact: none,
            timeToResolve: none,
            breachedIncidents: 1,
            breaches: 1,
          },
          {
            level: 'L3',
            incidents: 3,
            timeToPage: { measured: 3, medianSeconds: 0, averageSeconds: 0 },
            timeToFirstContact: { measured: 1, medianSeconds: 600, averageSeconds: 600 },
            timeToResolve: { measured: 1, medianSeconds: 3600, averageSeconds: 3600 },
            breachedIncidents: 0,
            breaches: 0,
          },
        ],
        // Resolved that day: `closed` (product quality, declared without a product); nothing opened after it.
        recurrence: {
          windowDays: 30,
          byCategory: [{ key: 'product-quality', resolved: 1, recurred: 0, ratePercent: 0 }],
          byProduct: [],
        },
      });
      // The other tenant sees its own L1 incident, contacted 10 min after opening.
      const other = await get<IncidentKpisView>('/kpis?from=2026-11-25&to=2026-11-26', tokens.otherSupervisor!);
      expect(other.body.levels[0]).toMatchObject({
        level: 'L1',
        incidents: 1,
        timeToFirstContact: { measured: 1, medianSeconds: 600 },
      });
    });

    it('defaults to the 30 days before now and refuses an empty or unreadable period', async () => {
      const defaults = await get<IncidentKpisView>('/kpis', tokens.director!);
      expect(defaults.body).toMatchObject({ from: '2026-10-27T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z' });
      expect(defaults.body.levels.map((l) => l.incidents)).toEqual([0, 1, 3]);
      expect((await get('/kpis?from=2026-11-26&to=2026-11-25', tokens.director!)).status).toBe(400);
      expect((await get('/kpis?from=yesterday', tokens.director!)).status).toBe(400);
      expect((await get('/kpis', tokens.agent!)).status).toBe(403);
    });
  });
});
