import { randomUUID } from 'node:crypto';
import {
  DurableSubscription,
  openServiceDatabase,
  PostgresEventStore,
  rebuildProjection,
  type Checkpoint,
  type RebuildPhase,
  type ServiceDatabase,
  type StoredEvent,
} from '@aftersales/eventstore';
import { replayFromScratch, tableDigests, untilCaughtUp, withLoadBeside } from '@aftersales/test-kit';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { historyOf } from '@aftersales/testing/decider';
import { incidentStream } from '../../application/incident-streams';
import { incidentDecider, type IncidentEvent } from '../../domain';
import { actors } from '../../domain/testing/actors.fixture';
import { anIncidentHistory, incidentCommands } from '../../domain/testing/incident.builder';
import { TestClock } from '../../domain/testing/test-clock';
import { INCIDENTS_READ_MODEL, incidentsReadModel } from './incidents.projection';
import { readModelMigrations } from './migrations';
import { asIncident } from './testing/incident-streams.fixture';

/**
 * Incident histories of every shape the read model distinguishes, decided through the domain's decider: closed after
 * a follow-up (complaints attached, one twice), breached after an upgrade (the escalation rung paged), and one per
 * stage and level of the builder's path.
 */
function templates(): IncidentEvent[][] {
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

  const staged = (['activated', 'contained', 'root-caused', 'resolved'] as const).flatMap((until) =>
    (['L1', 'L2', 'L3'] as const).map((level) =>
      anIncidentHistory(new TestClock('2026-11-25T07:00:00.000Z'), { until, level }),
    ),
  );
  return [closed, breached, ...staged];
}

const shapes = templates();
const tenants = ['shop-1', 'shop-2', 'shop-3'];

/** The next incident of the load: a history of the next shape, for a new incident of one of the tenants. */
function nextIncident(n: number): { incidentId: string; tenant: string; events: IncidentEvent[] } {
  const incidentId = randomUUID();
  const tenant = tenants[n % tenants.length] as string;
  return { incidentId, tenant, events: asIncident(shapes[n % shapes.length] as IncidentEvent[], incidentId, tenant) };
}

/** Stores an incident's whole history in one append (what the projection sees does not depend on how it was cut). */
async function record(store: PostgresEventStore, n: number): Promise<void> {
  const { incidentId, tenant, events } = nextIncident(n);
  await store.append(
    incidentStream(incidentId),
    'no_stream',
    events.map((event) => ({
      id: randomUUID(),
      type: event.type,
      data: event.data,
      metadata: { tenant, actor: { id: event.data.actor.id }, correlationId: `corr-${incidentId}` },
    })),
  );
}

const after = (event: Pick<StoredEvent, 'transactionId' | 'position'>, checkpoint: Checkpoint) =>
  BigInt(event.transactionId) > BigInt(checkpoint.transactionId) ||
  (event.transactionId === checkpoint.transactionId && event.position > checkpoint.position);

// CONTEXT: the rebuild's contract on a real store under load: the live projection keeps running (on the old tables,
// then on the new ones), incidents keep being recorded and the read model keeps being read during the whole rebuild;
// afterwards the tables equal a from-scratch replay of every event through the live handler, and the live projection
// never committed an event the rebuilt tables already held.
describe('rebuilding the incidents read model beside the live one', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let store: PostgresEventStore;
  let written = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase('incidents_rebuild');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, migrations: readModelMigrations });
    store = new PostgresEventStore(db.pool);
    for (; written < 300; written++) await record(store, written);
    // Another aggregate's events in the same store: the rebuild reads past them, the checkpoint past them too.
    await store.append('complaint-cluster-sku:BAT-100|batch:B-7', 'any', [
      {
        id: randomUUID(),
        type: 'ComplaintClustered',
        data: { clusterKey: 'sku:BAT-100|batch:B-7' },
        metadata: { tenant: 'shop-1', actor: { id: 'incidents.cluster-watch' }, correlationId: 'c-1' },
      },
    ]);
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('builds beside, catches up and swaps while incidents keep coming and reads keep answering', async () => {
    // The live projection, recording which events each committed batch applied and whether the swap had happened.
    let swapped = false;
    let pending: StoredEvent[] = [];
    const committedAfterSwap: StoredEvent[] = [];
    const live = new DurableSubscription(db.pool, {
      name: INCIDENTS_READ_MODEL,
      handle: (event, tx) => {
        pending.push(event);
        return incidentsReadModel.handle(event, tx);
      },
      idleMs: 20,
      minPollIntervalMs: 1,
      onCommitted: () => {
        if (swapped) committedAfterSwap.push(...pending);
        pending = [];
      },
      onAbandoned: () => {
        pending = [];
      },
    });
    await untilCaughtUp(live, db.pool, INCIDENTS_READ_MODEL);
    const before = (await tableDigests(db.pool, ['incidents_view'])).incidents_view?.rows ?? 0;
    expect(before).toBe(300);
    live.start();

    const phases: RebuildPhase[] = [];
    let fewestRows = Number.POSITIVE_INFINITY;
    const load = await withLoadBeside(
      () =>
        rebuildProjection(db.pool, incidentsReadModel, {
          // Small pages and batches: several round trips in every phase, as on a big store.
          pageSize: 500,
          flushRows: 200,
          catchUpBatch: 50,
          onProgress: ({ phase }) => {
            if (phases.at(-1) !== phase) phases.push(phase);
            if (phase === 'swap') swapped = true;
          },
        }),
      {
        write: () => record(store, written++),
        read: async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM incidents_view WHERE tenant = ANY($1::text[])`,
            [tenants],
          );
          fewestRows = Math.min(fewestRows, rows[0]?.n ?? 0);
          await db.pool.query(
            `SELECT incident_id, level, status FROM incidents_view WHERE tenant = $1
              ORDER BY level, opened_at, incident_id LIMIT 20`,
            ['shop-1'],
          );
        },
      },
    );
    const report = load.result;

    // Reads answered all along, and never saw fewer incidents than before the rebuild (no empty or partial tables).
    expect(load.readErrors).toEqual([]);
    expect(load.reads).toBeGreaterThan(0);
    expect(fewestRows).toBeGreaterThanOrEqual(before);
    // Incidents kept coming while it ran.
    expect(load.writes).toBeGreaterThan(0);
    expect(phases).toEqual(['fold', 'catch-up', 'swap']);
    expect(report).toMatchObject({ projection: INCIDENTS_READ_MODEL, setBased: true, retiredSchemaLeft: null });
    expect(report.folded).toBeGreaterThan(300 * 5);

    await untilCaughtUp(live, db.pool, INCIDENTS_READ_MODEL);
    await live.stop();
    // After the swap, the live projection applied only events the rebuilt tables did not hold.
    expect(committedAfterSwap.filter((event) => !after(event, report.checkpoint))).toEqual([]);

    await replayFromScratch(db.pool, incidentsReadModel, 'scratch_incidents');
    const rebuilt = await tableDigests(db.pool, incidentsReadModel.tables);
    expect(rebuilt).toEqual(await tableDigests(db.pool, incidentsReadModel.tables, 'scratch_incidents'));
    expect(rebuilt.incidents_view?.rows).toBe(written);
    // Nothing of the rebuild is left: neither its new tables' schema nor the replaced tables.
    const { rows: schemas } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%' OR nspname LIKE 'retired\\_%'`,
    );
    expect(schemas[0]?.n).toBe(0);
  });

  it('refuses a second rebuild of the same projection while one runs, and leaves the live tables as they are', async () => {
    const holder = await db.pool.connect();
    try {
      // What a running rebuild holds for its whole run.
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', [`projection-rebuild:${INCIDENTS_READ_MODEL}`]);
      const before = await tableDigests(db.pool, incidentsReadModel.tables);
      await expect(rebuildProjection(db.pool, incidentsReadModel)).rejects.toMatchObject({
        name: 'ProjectionRebuildError',
        message: `${INCIDENTS_READ_MODEL}: another rebuild of it is running`,
      });
      expect(await tableDigests(db.pool, incidentsReadModel.tables)).toEqual(before);
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [`projection-rebuild:${INCIDENTS_READ_MODEL}`]);
      holder.release();
    }
  });

  it('stops before the swap when asked (Ctrl-C): the live tables stay, the new ones go', async () => {
    const before = await tableDigests(db.pool, incidentsReadModel.tables);
    const stop = new AbortController();
    await expect(
      rebuildProjection(db.pool, incidentsReadModel, {
        pageSize: 500,
        signal: stop.signal,
        onProgress: ({ phase, done }) => {
          if (phase === 'fold' && done > 0) stop.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'ProjectionRebuildError' });
    expect(await tableDigests(db.pool, incidentsReadModel.tables)).toEqual(before);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%'`,
    );
    expect(rows[0]?.n).toBe(0);
  });
});
