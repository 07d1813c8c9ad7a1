import { randomUUID } from 'node:crypto';
import { openServiceDatabase, PostgresEventStore, type NewEvent, type ServiceDatabase } from '@aftersales/eventstore';
import { runOps, type OpsIo } from '@aftersales/ops';
import { replayFromScratch, tableDigests, untilCaughtUp, withLoadBeside } from '@aftersales/test-kit';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { caseStream } from '../../application/case-streams';
import { caseReadModelMigrations } from './case-read-model.migrations';
import { CASE_WORKLIST_PROJECTION, caseWorklistProjection, caseWorklistReadModel } from './case-worklist.projection';

/** A small deterministic pseudo-random source (mulberry32), so a failure replays with the same seed. */
function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tenants = ['shop-1', 'shop-2'];
const minute = 60_000;

/**
 * A case stream of random events in random order: what the workflow would never allow (a clock paused after it was
 * met, a resolution before any assignment, times going backwards) included, because the projection must take whatever
 * the store holds and the set-based fold must leave exactly what the projection's SQL leaves. Sometimes a complaint
 * stream naming the case (or no case), sometimes a stream whose case was never opened.
 */
function randomStreams(random: () => number, n: number): Array<{ streamId: string; events: NewEvent[] }> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const caseId = `C-${n}-${randomUUID().slice(0, 8)}`;
  const tenant = pick(tenants);
  let now = Date.parse('2026-03-02T08:00:00.000Z') + n * 7 * minute;
  const at = () => {
    // Mostly forward, sometimes back a little: `updated_at` keeps the latest time, not the last one.
    now += random() < 0.1 ? -5 * minute : Math.floor(random() * 90) * minute;
    return new Date(now).toISOString();
  };
  const later = (from: string, minutes: number) => new Date(Date.parse(from) + minutes * minute).toISOString();
  const clockId = () => pick(['first_response', 'resolution', 'progress_update']);
  const base = () => ({ caseId, at: at(), by: 'agent-7' });
  const menu: Array<() => { type: string; data: Record<string, unknown> }> = [
    () => ({
      type: 'CaseAcknowledged',
      data: { ...base(), message: 'ok', expectedCycle: null, nextStep: null, automatic: false, handledFrom: null },
    }),
    () => ({ type: 'CaseFirstResponseGiven', data: { ...base(), via: 'communication', communicationId: null } }),
    () => ({
      type: 'CaseClassified',
      data: { ...base(), category: pick(['quality', 'wrong-item', 'damaged']), previousCategory: null, reason: null },
    }),
    () => {
      const previous = random() < 0.5 ? null : { queue: 'q-0', team: 't-0', agentId: null };
      return {
        type: 'CaseAssigned',
        data: {
          ...base(),
          queue: pick(['q-1', 'q-2']),
          team: pick(['t-1', 't-2']),
          agentId: pick([null, 'a-1', 'a-2']),
          previous,
          reason: null,
        },
      };
    },
    () => ({ type: 'CaseInvestigationStarted', data: base() }),
    () => ({ type: 'CaseSolutionsProposed', data: base() }),
    () => ({ type: 'CaseSolutionAccepted', data: base() }),
    () => ({ type: 'CaseSolutionsRejected', data: base() }),
    () => ({ type: 'CaseResolved', data: base() }),
    () => ({ type: 'CaseClosed', data: base() }),
    () => ({ type: 'CaseReopened', data: base() }),
    () => ({ type: 'CaseWaitingStarted', data: { ...base(), on: pick(['customer', 'third_party']), reason: 'photo' } }),
    () => ({ type: 'CaseWaitingEnded', data: base() }),
    () => ({
      type: 'CaseEscalated',
      data: { ...base(), rung: pick(['team_lead', 'complaint_team', 'senior_management']) },
    }),
    () => ({
      type: 'CaseCommunicationRecorded',
      data: {
        ...base(),
        direction: pick(['inbound', 'outbound']),
        author: { kind: pick(['agent', 'customer', 'system']), ref: null },
      },
    }),
    () => ({ type: 'CaseFactRecorded', data: base() }),
    () => {
      const start = base();
      const budget = pick([30, 240, 480]);
      return {
        type: 'SlaClockStarted',
        data: {
          ...start,
          clockId: clockId(),
          basis: 'elapsed',
          budgetMs: budget * minute,
          dueAt: later(start.at, budget),
          warnAt: later(start.at, budget / 2),
          warnAtShare: 0.5,
        },
      };
    },
    () => ({ type: 'SlaClockPaused', data: { ...base(), clockId: clockId() } }),
    () => {
      const data = base();
      return {
        type: 'SlaClockResumed',
        data: { ...data, clockId: clockId(), dueAt: later(data.at, pick([-30, 60, 120])) },
      };
    },
    () => {
      const data = base();
      return { type: 'SlaClockWarned', data: { ...data, clockId: clockId(), dueAt: later(data.at, 30) } };
    },
    () => {
      const data = base();
      return { type: 'SlaClockBreached', data: { ...data, clockId: clockId(), dueAt: data.at } };
    },
    () => ({
      type: 'SlaClockMet',
      data: { ...base(), clockId: clockId(), late: random() < 0.3, consumedMs: Math.floor(random() * 10_000_000) },
    }),
  ];
  const metadata = { tenant, actor: { id: 'agent-7' }, correlationId: `corr-${caseId}` };
  const openedAt = at();
  const opened = {
    type: 'CaseOpened',
    data: {
      caseId,
      tenant,
      channel: pick(['chat', 'email']),
      orderId: `ORD-${n}`,
      customerId: 'cus-1',
      problemType: 'quality',
      description: 'Cracked base',
      evidence: [],
      openedAt,
      openedBy: 'agent-7',
    },
  };
  const body = Array.from({ length: 5 + Math.floor(random() * 30) }, () => pick(menu)());
  // One stream in twenty was never opened (its events must change nothing).
  const caseEvents = random() < 0.05 ? body : [opened, ...body];
  const streams = [
    { streamId: caseStream(caseId), events: caseEvents.map((e) => ({ id: randomUUID(), ...e, metadata })) },
  ];
  if (random() < 0.3) {
    const complaintId = `CMP-${n}`;
    streams.push({
      streamId: `complaint-${complaintId}`,
      events: [
        {
          id: randomUUID(),
          type: 'ComplaintRegistered',
          data: {
            complaintId,
            tenant,
            ...(random() < 0.8 ? { caseId } : {}),
            customerId: 'cus-1',
            orderId: `ORD-${n}`,
            category: 'quality',
            description: 'again',
            evidenceRefs: [],
            flags: {},
            registeredAt: at(),
            registeredBy: 'agent-7',
          },
          metadata,
        },
      ],
    });
  }
  return streams;
}

function bufferIo(): OpsIo & { readonly lines: string[]; readonly errors: string[]; readonly bars: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const bars: string[] = [];
  return {
    lines,
    errors,
    bars,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    progress: (line, done) => done && bars.push(line),
  };
}

// CONTEXT: the rebuild as an operator runs it (`npm run ops -- projection rebuild intake case-worklist`), on a store of
// random case histories while cases keep coming and the worklist keeps being read; the set-based fold
// (`case-worklist.fold.ts`) must leave exactly what the projection's SQL leaves when every event is replayed through it.
describe('npm run ops -- projection rebuild intake case-worklist', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let store: PostgresEventStore;
  let written = 0;
  const random = randomSource(20261202);
  const env = () => ({ DATABASE_URL: testDb.url });

  const writeCase = async () => {
    for (const { streamId, events } of randomStreams(random, written++)) await store.append(streamId, 'any', events);
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('intake_rebuild');
    db = await openServiceDatabase({
      serverUrl: testDb.url,
      database: testDb.name,
      migrations: caseReadModelMigrations,
    });
    store = new PostgresEventStore(db.pool);
    while (written < 400) await writeCase();
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('rebuilds while cases keep coming and the worklist keeps answering; equals a replay of every event', async () => {
    const live = caseWorklistProjection(db.pool, { idleMs: 20, minPollIntervalMs: 1 });
    await untilCaughtUp(live, db.pool, CASE_WORKLIST_PROJECTION);
    live.start();
    const io = bufferIo();
    const load = await withLoadBeside(
      () =>
        runOps(['projection', 'rebuild', 'intake', CASE_WORKLIST_PROJECTION, '--database', testDb.name], {
          io,
          env: env(),
          projections: { intake: [caseWorklistReadModel] },
        }),
      {
        write: writeCase,
        read: async () => {
          await db.pool.query(
            `SELECT case_id, status, sla_state FROM case_worklist WHERE tenant = $1
              ORDER BY due_order, opened_at, case_id LIMIT 50`,
            ['shop-1'],
          );
        },
      },
    );
    expect({ code: load.result, errors: io.errors }).toEqual({ code: 0, errors: [] });
    expect(load.readErrors).toEqual([]);
    expect(load.reads).toBeGreaterThan(0);
    expect(load.writes).toBeGreaterThan(0);
    expect(io.lines[0]).toMatch(/^folded [\d,]+ event\(s\) set-based in/);
    expect(io.lines.at(-1)).toMatch(
      /^rebuilt intake\/case-worklist in .* s and swapped in; its subscription goes on after/,
    );
    // The fold's bar starts from the planner's estimate and ends exact: all of the events it folded.
    const folded = (io.lines[0]?.match(/^folded ([\d,]+)/)?.[1] ?? '').replace(/,/g, '');
    expect(io.bars.find((bar) => bar.includes('folding events'))).toMatch(new RegExp(`\\[#+\\] ${folded}/${folded}$`));
    // The new tables came with statistics and a visibility map (VACUUM (ANALYZE) before the swap).
    const { rows: maintained } = await db.pool.query<{ relname: string }>(
      `SELECT relname FROM pg_stat_user_tables
        WHERE relid = ANY($1::regclass[]) AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL ORDER BY relname`,
      [caseWorklistReadModel.tables],
    );
    expect(maintained.map((r) => r.relname)).toEqual([...caseWorklistReadModel.tables].sort());

    await untilCaughtUp(live, db.pool, CASE_WORKLIST_PROJECTION);
    await live.stop();
    await replayFromScratch(db.pool, caseWorklistReadModel, 'scratch_cases');
    const rebuilt = await tableDigests(db.pool, caseWorklistReadModel.tables);
    expect(rebuilt).toEqual(await tableDigests(db.pool, caseWorklistReadModel.tables, 'scratch_cases'));
    // The random histories reach every SLA state and leave clocks and complaint links behind.
    const { rows } = await db.pool.query<{ state: string }>('SELECT DISTINCT sla_state AS state FROM case_worklist');
    expect(rows.map((r) => r.state).sort()).toEqual(['breached', 'met', 'none', 'on_track', 'paused', 'warned']);
    expect(rebuilt.case_sla_clocks?.rows).toBeGreaterThan(0);
    expect(rebuilt.case_complaint_links?.rows).toBeGreaterThan(0);
  });

  it('lists the projections, and exits 2 for an unknown service or projection and 1 for a missing database', async () => {
    const projections = { intake: [caseWorklistReadModel] };
    const list = bufferIo();
    expect(await runOps(['projection', 'list', 'intake'], { io: list, env: env(), projections })).toBe(0);
    expect(list.lines).toContain(
      `intake\tcase-worklist\tset-based\tcase_worklist,case_sla_clocks,case_complaint_links\t${caseWorklistReadModel.description}`,
    );

    const unknownService = bufferIo();
    expect(
      await runOps(['projection', 'rebuild', 'billing', 'x'], { io: unknownService, env: env(), projections }),
    ).toBe(2);
    expect(unknownService.errors[0]).toMatch(/^unknown service billing: one of intake, returns/);

    const unknownProjection = bufferIo();
    expect(
      await runOps(['projection', 'rebuild', 'intake', 'case-list'], {
        io: unknownProjection,
        env: env(),
        projections,
      }),
    ).toBe(2);
    expect(unknownProjection.errors[0]).toMatch(/^unknown projection case-list of intake: one of case-worklist/);

    const missing = bufferIo();
    expect(
      await runOps(['projection', 'rebuild', 'intake', CASE_WORKLIST_PROJECTION, '--database', `${testDb.name}_gone`], {
        io: missing,
        env: env(),
        projections,
      }),
    ).toBe(1);
    expect(missing.errors[0]).toBe(
      `intake: no database ${testDb.name}_gone on the server of DATABASE_URL (name it with --database)`,
    );
  });

  it('exits 1 and says what to do when the projection has no tables in the database (not migrated)', async () => {
    const bare = await createTestDatabase('intake_rebuild_bare');
    try {
      const io = bufferIo();
      const code = await runOps(
        ['projection', 'rebuild', 'intake', CASE_WORKLIST_PROJECTION, '--database', bare.name],
        {
          io,
          env: env(),
          projections: { intake: [caseWorklistReadModel] },
        },
      );
      expect(code).toBe(1);
      expect(io.errors[0]).toBe(
        `failed: case-worklist: no table case_worklist, case_sla_clocks, case_complaint_links in database ${bare.name}\n` +
          "start the service once so its migrations create the projection's tables, or name its database (--database)",
      );
    } finally {
      await bare.drop();
    }
  });
});
