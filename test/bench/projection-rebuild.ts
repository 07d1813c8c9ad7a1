/**
 * Projection rebuild throughput (issue 15, ADR 20): `npm run ops -- projection rebuild intake case-worklist` on a
 * store of 250,000 events (scaled by BENCH_SCALE), in events per second, against a plain read of the same events
 * measured in the same run.
 *
 *   npm run bench:projections                  # 250,000 events, 2 rounds
 *   BENCH_SCALE=0.2 npm run bench:projections  # 50,000 events
 *   BENCH_ONLY=projections npm run bench       # the same, from the main bench
 *   BENCH_CPU_PROFILE_DIR=/tmp/prof npm run bench:projections  # a V8 CPU profile of each measured step
 *
 * The store: intake's event store and case read model (its migrations) on a fresh database, seeded with realistic case
 * lifecycles (16 events when a case runs its whole course: opened with a ~500-byte description, two SLA clocks started,
 * acknowledged, first response, classified, assigned, an agent's answer, investigation, a warning, solutions proposed
 * and accepted, resolved, both clocks met, closed; a quarter of the cases stop earlier, still open) and the event
 * metadata the services write (actor, correlation, causation, trace context). The events of all cases are interleaved
 * in the store as in production (one round of every case's next event after the other), so a case's events lie far apart
 * on disk. Seeding writes the rows straight into `es_events` in batches (hashes are not chained: nothing here reads them).
 *
 * Measured, per round (the order alternates between rounds):
 * - plain read (the baseline): the rebuild's own read without the rest: in one REPEATABLE READ snapshot, a cursor over
 *   the same SELECT (same columns, same types, same order by stream), fetched in the same pages and decoded into the same
 *   `StoredEvent`s, then dropped.
 * - rebuild: `rebuildProjection` as the ops command runs it, start to end: the count for the progress bar, the fold of
 *   every stream, the bulk inserts, the keys and indexes, the catch-up, the swap with the checkpoint and the clean-up;
 *   the live tables already hold the read model (so the swap replaces something real). events/s = events folded / total
 *   time.
 * - live replay (information): the events of the first 2,000 cases through the live projection's per-event SQL
 *   (`handle`, in transactions of 200 like its subscription), into empty copies of the tables: what a rebuild would
 *   cost without the set-based path.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import {
  EVENT_COLUMNS,
  foldReadSql,
  fromFoldReadRow,
  openServiceDatabase,
  READ_HORIZON_SQL,
  rebuildProjection,
  START,
  toStoredEvent,
  type Checkpoint,
  type EventRow,
  type FoldReadRow,
  type ProjectionDefinition,
  type ServiceDatabase,
  type StreamFold,
} from '@aftersales/eventstore';
import { intakeService } from '@aftersales/intake';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  cpuSampler,
  CpuSampler,
  describeCpu,
  eventMetadata,
  log,
  profiled,
  recordOther,
  SCALE,
  SERVER_URL,
} from './support';

const EVENTS = Math.max(10_000, Math.round((250_000 * SCALE) / 1_000) * 1_000);
const ROUNDS = 2;
const PAGE_SIZE = 20_000; // the rebuild's default page
const TARGET = 50_000;
const REPLAY_CASES = 2_000;
const minute = 60_000;

const projection = (intakeService.projections ?? []).find((p) => p.name === 'case-worklist') as ProjectionDefinition;

interface SeedEvent {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** One case's lifecycle (16 events when it runs its course, fewer when it is still open). */
function caseLifecycle(n: number): SeedEvent[] {
  const caseId = randomUUID();
  const tenant = `tenant-${n % 5}`;
  let now = Date.parse('2026-11-02T08:00:00.000Z') + n * 1_000;
  const at = (minutes: number) => {
    now += minutes * minute;
    return new Date(now).toISOString();
  };
  const by = `agent-${n % 40}`;
  const openedAt = at(0);
  const frDue = new Date(now + 60 * minute).toISOString();
  const resDue = new Date(now + 24 * 60 * minute).toISOString();
  const assignment = { queue: `queue-${n % 7}`, team: `team-${n % 3}`, agentId: by };
  const lifecycle: Array<[string, Record<string, unknown>]> = [
    [
      'CaseOpened',
      {
        caseId,
        tenant,
        channel: n % 2 === 0 ? 'chat' : 'email',
        orderId: `ORD-2026-${String(100_000 + n).padStart(6, '0')}`,
        customerId: `cus_${caseId.slice(0, 8)}`,
        problemType: 'wrong-item',
        description:
          'Ordered the 1.7 l stainless steel kettle in blue (SKU KTL-1700-BL), the parcel contained a red two-slot toaster ' +
          'instead. Packaging is unopened apart from the outer box; customer would like the kettle sent and a pick-up.',
        desiredResolution: 'exchange',
        evidence: [{ kind: 'photo', uri: `https://media.example.com/evidence/${caseId}.jpg` }],
        openedAt,
        openedBy: by,
      },
    ],
    ...(['first_response', 'resolution'] as const).map((clockId): [string, Record<string, unknown>] => [
      'SlaClockStarted',
      {
        caseId,
        clockId,
        basis: 'elapsed',
        budgetMs: clockId === 'first_response' ? 60 * minute : 24 * 60 * minute,
        at: openedAt,
        dueAt: clockId === 'first_response' ? frDue : resDue,
        warnAt: openedAt,
        warnAtShare: 0.8,
      },
    ]),
    [
      'CaseAcknowledged',
      {
        caseId,
        at: at(5),
        by,
        message: 'We have your case.',
        expectedCycle: '2 days',
        nextStep: null,
        automatic: false,
        handledFrom: null,
      },
    ],
    ['CaseFirstResponseGiven', { caseId, at: at(0), by, via: 'acknowledgement', communicationId: null }],
    ['SlaClockMet', { caseId, clockId: 'first_response', at: at(0), late: false, consumedMs: 5 * minute }],
    ['CaseClassified', { caseId, at: at(10), by, category: 'wrong-item', previousCategory: null, reason: null }],
    ['CaseAssigned', { caseId, at: at(10), by, ...assignment, previous: null, reason: null }],
    [
      'CaseCommunicationRecorded',
      {
        caseId,
        at: at(30),
        by,
        communicationId: randomUUID(),
        channel: 'email',
        direction: 'outbound',
        author: { kind: 'agent', ref: by },
        summary: 'Asked for a photo of the label on the parcel.',
        attachmentRefs: [],
        contact: null,
      },
    ],
    ['CaseInvestigationStarted', { caseId, at: at(60), by }],
    ['SlaClockWarned', { caseId, clockId: 'resolution', at: at(600), dueAt: resDue }],
    [
      'CaseSolutionsProposed',
      { caseId, at: at(60), by, solutions: [{ kind: 'exchange', summary: 'Send the kettle, collect the toaster' }] },
    ],
    ['CaseSolutionAccepted', { caseId, at: at(120), by, solution: 'exchange' }],
    [
      'CaseResolved',
      {
        caseId,
        at: at(240),
        by,
        solutionKind: 'exchange',
        outcome: 'Kettle shipped, toaster collected',
        basis: 'wrong item delivered',
        objectionRoute: 'reply to this e-mail',
        reopenableUntil: new Date(now + 14 * 24 * 60 * minute).toISOString(),
      },
    ],
    ['SlaClockMet', { caseId, clockId: 'resolution', at: at(0), late: false, consumedMs: 1_000 * minute }],
    [
      'CaseClosed',
      { caseId, at: at(60), by, reopenableUntil: new Date(now + 14 * 24 * 60 * minute).toISOString(), note: null },
    ],
  ];
  const length = n % 4 === 3 ? 3 + (n % 11) : lifecycle.length;
  return lifecycle
    .slice(0, length)
    .map(([type, data], i) => ({ streamId: `case-${caseId}`, version: i + 1, type, data }));
}

/** Seeds about EVENTS events, every case's next event in turn (as cases progress side by side in production). */
async function seed(pool: Pool): Promise<{ events: number; cases: number }> {
  const cases: SeedEvent[][] = [];
  let total = 0;
  while (total < EVENTS) {
    const lifecycle = caseLifecycle(cases.length);
    cases.push(lifecycle);
    total += lifecycle.length;
  }
  const rows: SeedEvent[] = [];
  for (let round = 0; round < 16; round++) for (const c of cases) if (c[round]) rows.push(c[round] as SeedEvent);
  for (let i = 0; i < rows.length; i += 2_000) {
    const batch = rows.slice(i, i + 2_000).map((e) => ({ id: randomUUID(), ...e, metadata: eventMetadata() }));
    await pool.query(
      `INSERT INTO es_events (transaction_id, event_id, stream_id, stream_version, type, data, metadata, recorded_at, hash)
       SELECT pg_current_xact_id(), (e->>'id')::uuid, e->>'streamId', (e->>'version')::bigint, e->>'type', e->'data',
              e->'metadata', now(), '\\x00'::bytea
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord) ORDER BY ord`,
      [JSON.stringify(batch)],
    );
    if ((i / 2_000) % 25 === 0)
      log(`seeding: ${i.toLocaleString('en-US')} / ${rows.length.toLocaleString('en-US')} events`);
  }
  await pool.query('VACUUM ANALYZE es_events');
  // The seeding's dirty pages are written out now, not by a checkpoint during the first measured round.
  await pool.query('CHECKPOINT').catch((error: Error) => log(`no CHECKPOINT after seeding (${error.message})`));
  return { events: rows.length, cases: cases.length };
}

/** The baseline: the rebuild's read alone (same snapshot, cursor, SELECT, pages and decoding), nothing done with it. */
async function plainRead(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ horizon: string }>(`SELECT (${READ_HORIZON_SQL})::text AS horizon`);
    await client.query(
      `DECLARE plain_read NO SCROLL CURSOR FOR ${foldReadSql(projection.rebuild as StreamFold, rows[0]?.horizon ?? '0')}`,
    );
    let read = 0;
    for (;;) {
      const page = await client.query<FoldReadRow>(`FETCH ${PAGE_SIZE} FROM plain_read`);
      for (const row of page.rows) if (fromFoldReadRow(row).streamVersion > 0) read += 1;
      if (page.rows.length < PAGE_SIZE) break;
    }
    await client.query('COMMIT');
    return read;
  } finally {
    client.release();
  }
}

/** The live projection's per-event SQL on the first REPLAY_CASES cases' events, into empty copies of its tables. */
async function liveReplay(pool: Pool, streams: readonly string[]): Promise<number> {
  const schema = 'bench_replay';
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.query(`CREATE SCHEMA ${schema}`);
  for (const t of projection.tables) await pool.query(`CREATE TABLE ${schema}.${t} (LIKE public.${t} INCLUDING ALL)`);
  const { rows } = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = ANY($1::text[]) ORDER BY transaction_id, position`,
    [streams],
  );
  const events = rows.map(toStoredEvent);
  const client = await pool.connect();
  try {
    for (let i = 0; i < events.length; i += 200) {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('search_path', '${schema}, public', true)`);
      for (const event of events.slice(i, i + 200)) await projection.handle(event, client);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  return events.length;
}

interface Measured {
  readonly events: number;
  readonly seconds: number;
  readonly rate: number;
  readonly cpu: string;
}

async function measure(what: string, run: () => Promise<number>): Promise<Measured> {
  const sampler = await cpuSampler();
  const before = sampler.snapshot();
  const started = performance.now();
  const events = await profiled(what, run);
  const seconds = (performance.now() - started) / 1000;
  const after = sampler.snapshot();
  let cpu = 'cpu: unknown';
  if (sampler.available) {
    const use = CpuSampler.between(before, after);
    recordOther(use);
    cpu = describeCpu(use);
  }
  const rate = events / seconds;
  log(
    `${what}: ${events.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString('en-US')} events/s (${cpu})`,
  );
  return { events, seconds, rate, cpu };
}

async function main(): Promise<number> {
  log(
    `projection rebuild: intake ${projection.name}, ~${EVENTS.toLocaleString('en-US')} events, ${ROUNDS} rounds; node ${process.version}, ` +
      `${os.cpus().length} cpus (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ` +
      `postgres ${SERVER_URL.replace(/\/\/[^@]*@/, '//')}`,
  );
  let testDb: TestDatabase | null = null;
  let db: ServiceDatabase | null = null;
  try {
    testDb = await createTestDatabase('bench_rebuild');
    db = await openServiceDatabase({
      serverUrl: testDb.url,
      database: testDb.name,
      migrations: intakeService.migrations,
      poolSize: 6,
    });
    const seeded = await seed(db.pool);
    log(`seeded ${seeded.events.toLocaleString('en-US')} events of ${seeded.cases.toLocaleString('en-US')} cases`);
    // The live tables hold the read model before the measured rounds (a first rebuild, not measured).
    await rebuildProjection(db.pool, projection);
    const reads: Measured[] = [];
    const rebuilds: Measured[] = [];
    let checkpoint: Checkpoint = START;
    for (let round = 1; round <= ROUNDS; round++) {
      const pool = db.pool;
      const steps: Array<() => Promise<void>> = [
        async () => {
          reads.push(await measure(`round ${round}: plain read`, () => plainRead(pool)));
        },
        async () => {
          rebuilds.push(
            await measure(`round ${round}: rebuild`, async () => {
              const report = await rebuildProjection(pool, projection);
              checkpoint = report.checkpoint;
              log(
                `  fold ${report.seconds.fold.toFixed(2)} s, catch-up ${report.seconds.catchUp.toFixed(2)} s, ` +
                  `swap ${report.seconds.swap.toFixed(3)} s; rows ${JSON.stringify(report.rows)}`,
              );
              return report.folded;
            }),
          );
        },
      ];
      if (round % 2 === 0) steps.reverse();
      for (const step of steps) await step();
    }
    const { rows } = await db.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM es_events WHERE type = 'CaseOpened' ORDER BY position LIMIT ${REPLAY_CASES}`,
    );
    const replayPool = db.pool;
    const replay = await measure('live replay (per-event SQL)', () =>
      liveReplay(
        replayPool,
        rows.map((r) => r.stream_id),
      ),
    );

    const best = (list: Measured[]) => list.reduce((a, b) => (b.rate > a.rate ? b : a));
    const read = best(reads);
    const rebuild = best(rebuilds);
    const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;
    const lines = [
      '',
      `| scenario (best of ${ROUNDS}) | events | events/s | ratio to plain read |`,
      '|:--|--:|--:|--:|',
      `| plain read of the same events (baseline) | ${read.events.toLocaleString('en-US')} | ${fmt(read.rate)} | 1.00× |`,
      `| rebuild ${projection.name}, start to swap | ${rebuild.events.toLocaleString('en-US')} | ${fmt(rebuild.rate)} | ${(rebuild.rate / read.rate).toFixed(2)}× |`,
      `| (info) live projection's per-event SQL | ${replay.events.toLocaleString('en-US')} | ${fmt(replay.rate)} | ${(replay.rate / read.rate).toFixed(2)}× |`,
      '',
      `every round: ${reads.map((r, i) => `plain read ${fmt(r.rate)} / rebuild ${fmt(rebuilds[i]?.rate ?? 0)}`).join('; ')}`,
      `target: rebuild ≥ ${TARGET.toLocaleString('en-US')} events/s: ${rebuild.rate >= TARGET ? 'met' : 'NOT met'}`,
      `the last rebuild's subscription goes on after transaction ${checkpoint.transactionId}, position ${checkpoint.position}`,
      `load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (the machine is shared: see the cpu lines above)`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    return 0;
  } finally {
    await db?.close();
    await testDb?.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`bench failed: ${error.stack ?? String(error)}`);
    process.exit(1);
  },
);
