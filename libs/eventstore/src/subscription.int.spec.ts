import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  DurableSubscription,
  inTransaction,
  loadCheckpoint,
  openServiceDatabase,
  PostgresEventStore,
  saveCheckpoint,
  type ServiceDatabase,
} from './index';

const metadata = { tenant: 't1', actor: { id: 'a' }, correlationId: 'c' };

describe('DurableSubscription (checkpointed projection)', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    testDb = await createTestDatabase('subscription');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
    store = new PostgresEventStore(db.pool);
    await db.pool.query('CREATE TABLE totals (stream text PRIMARY KEY, n int NOT NULL)');
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  const projection = (name: string) =>
    new DurableSubscription(db.pool, {
      name,
      batchSize: 7,
      idleMs: 10,
      handle: async (event, tx) => {
        await tx.query(
          'INSERT INTO totals (stream, n) VALUES ($1, 1) ON CONFLICT (stream) DO UPDATE SET n = totals.n + 1',
          [event.streamId],
        );
      },
    });

  it('applies every event once with its checkpoint, resumes after a restart, and runs one instance at a time', async () => {
    const stream = `s-${randomUUID()}`;
    for (let i = 0; i < 30; i++)
      await store.append(stream, 'any', [{ id: randomUUID(), type: 'Counted', data: {}, metadata }]);

    // Two instances poll concurrently: the advisory lock lets one apply each batch.
    const [a, b] = [projection('totals'), projection('totals')];
    let applied = 0;
    while (applied < 30) {
      const [x, y] = await Promise.all([a.poll(), b.poll()]);
      applied += x + y;
    }
    const total = async () => (await db.pool.query('SELECT n FROM totals WHERE stream = $1', [stream])).rows[0]?.n;
    expect(await total()).toBe(30);

    // "Restart": a new instance continues from the stored checkpoint, applying only new events.
    for (let i = 0; i < 5; i++)
      await store.append(stream, 'any', [{ id: randomUUID(), type: 'Counted', data: {}, metadata }]);
    const restarted = projection('totals');
    restarted.start();
    const deadline = Date.now() + 10_000;
    while ((await total()) !== 35 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await restarted.stop();
    expect(await total()).toBe(35);
    expect((await loadCheckpoint(db.pool, 'totals')).position).toBeGreaterThan(0n);
  });

  it('a failing handler rolls back its batch and the checkpoint, so nothing is skipped', async () => {
    const stream = `f-${randomUUID()}`;
    await store.append(stream, 'no_stream', [{ id: randomUUID(), type: 'Counted', data: {}, metadata }]);
    let fail = true;
    const flaky = new DurableSubscription(db.pool, {
      name: 'flaky',
      handle: async (event, tx) => {
        await tx.query(
          'INSERT INTO totals (stream, n) VALUES ($1, 1) ON CONFLICT (stream) DO UPDATE SET n = totals.n + 1',
          [`flaky-${event.streamId}`],
        );
        if (fail) throw new Error('projection bug');
      },
    });
    const before = await loadCheckpoint(db.pool, 'flaky');
    await expect(flaky.poll()).rejects.toThrow('projection bug');
    expect(await loadCheckpoint(db.pool, 'flaky')).toEqual(before);
    fail = false;
    // Until the event is applied: a poll that finds nothing readable proves nothing while another session's older
    // transaction holds the newest events back (transaction ids are server-wide, ADR 1).
    const count = async () =>
      (await db.pool.query('SELECT n FROM totals WHERE stream = $1', [`flaky-${stream}`])).rows[0]?.n as number;
    const deadline = Date.now() + 15_000;
    while ((await count()) === undefined && Date.now() < deadline) {
      if ((await flaky.poll()) === 0) await new Promise((r) => setTimeout(r, 20));
    }
    while ((await flaky.poll()) > 0);
    expect(await count()).toBe(1);
  });

  // CONTEXT: a projection rebuild moves the checkpoint with the swapped tables (ADR 20). A batch that read the
  // checkpoint before the move (its lock statement's snapshot predates the swap's commit) must not commit: its events are
  // in the new tables already. Here the checkpoint moves while the batch runs, from another session.
  it('a batch whose checkpoint was moved meanwhile rolls back, and the next goes on from the moved checkpoint', async () => {
    const stream = `m-${randomUUID()}`;
    const name = `moved-${randomUUID()}`;
    for (let i = 0; i < 3; i++)
      await store.append(stream, 'any', [{ id: randomUUID(), type: 'Counted', data: {}, metadata }]);
    const all = await store.readStream(stream);
    const moveTo = all[1]!;
    let moved = false;
    let abandoned = 0;
    const applied: string[] = [];
    const subscription = new DurableSubscription(db.pool, {
      name,
      handle: async (event, tx) => {
        if (event.streamId !== stream) return;
        if (!moved) {
          moved = true;
          // What the swap commits: the checkpoint after the rebuilt tables' last event.
          await saveCheckpoint(db.pool, name, moveTo);
        }
        await tx.query(
          'INSERT INTO totals (stream, n) VALUES ($1, 1) ON CONFLICT (stream) DO UPDATE SET n = totals.n + 1',
          [`moved-${event.streamId}`],
        );
        applied.push(event.id);
      },
      onAbandoned: () => void (abandoned += 1),
    });
    const count = async () =>
      (await db.pool.query('SELECT n FROM totals WHERE stream = $1', [`moved-${stream}`])).rows[0]?.n as
        number | undefined;
    // The first batch (every stored event so far) finds its checkpoint moved at the end: nothing of it stays.
    const deadline = Date.now() + 15_000;
    while (!moved && Date.now() < deadline) {
      if ((await subscription.poll()) === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(abandoned).toBe(1);
    expect(await count()).toBeUndefined();
    expect(await loadCheckpoint(db.pool, name)).toEqual({
      transactionId: moveTo.transactionId,
      position: moveTo.position,
    });
    // Then only the event after the moved checkpoint.
    applied.length = 0;
    while ((await count()) === undefined && Date.now() < deadline) {
      if ((await subscription.poll()) === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(applied).toEqual([all[2]!.id]);
    expect(await count()).toBe(1);
  });

  it('running, it applies every event committed in this process while it works, and reports commits and rollbacks', async () => {
    const stream = `r-${randomUUID()}`;
    const seen: string[] = [];
    let pending: string[] = [];
    const committed: string[] = [];
    let abandoned = 0;
    let failOnce = true;
    const running = new DurableSubscription(db.pool, {
      name: `running-${randomUUID()}`,
      batchSize: 3,
      // A long idle time: only commit signals (and the "since" generation) can keep it up to date within the test.
      idleMs: 60_000,
      handle: async (event) => {
        if (event.streamId !== stream) return;
        if (failOnce && seen.length === 4) {
          failOnce = false;
          throw new Error('transient projection failure');
        }
        seen.push(event.id);
        pending.push(event.id);
      },
      onCommitted: () => {
        committed.push(...pending);
        pending = [];
      },
      onAbandoned: () => {
        abandoned += 1;
        pending = [];
      },
    });
    // Catch up with what earlier tests stored, then keep committing while it runs.
    while ((await running.poll()) > 0);
    running.start();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = randomUUID();
      ids.push(id);
      await inTransaction(db.pool, (tx) =>
        store.append(stream, 'any', [{ id, type: 'Counted', data: {}, metadata }], tx),
      );
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const deadline = Date.now() + 15_000;
    while (committed.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await running.stop();
    // Every event exactly once among the committed batches, in order; the failed batch was rolled back and retried.
    expect(committed).toEqual(ids);
    expect(abandoned).toBe(1);
  }, 30_000);

  // CONTEXT: an older transaction still open in this database (another process's, say) holds the newest events back
  // from readers (ADR 1). The commits that woke a running subscription are then not readable yet, and no signal comes
  // when the other transaction ends: the subscription slept its whole idle time (CI failed this way when the horizon
  // was still the server's: then a transaction in any database held it).
  it('running, it applies what an older transaction elsewhere held back once that ends, without waiting its idle time', async () => {
    const stream = `h-${randomUUID()}`;
    const applied: string[] = [];
    let batches = 0;
    const running = new DurableSubscription(db.pool, {
      name: `held-${randomUUID()}`,
      idleMs: 60_000,
      handle: async (event) => {
        if (event.streamId === stream) applied.push(event.id);
      },
      onCommitted: () => void (batches += 1),
    });
    running.start();
    // Another session of this database, as another process would have: its commit signals nothing here.
    const elsewhere = new Client({ connectionString: testDb.url });
    await elsewhere.connect();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()'); // takes a transaction id older than the appends below
      for (const id of ids) {
        await inTransaction(db.pool, (tx) =>
          store.append(stream, 'any', [{ id, type: 'Counted', data: {}, metadata }], tx),
        );
      }
      // The subscription has looked since the last commit (it was woken), and found nothing of it readable.
      const looked = batches;
      const deadline = Date.now() + 15_000;
      while (batches === looked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(batches).toBeGreaterThan(looked);
      expect(applied).toEqual([]);
      await elsewhere.query('COMMIT');
    } finally {
      await elsewhere.end();
    }
    const deadline = Date.now() + 15_000;
    while (applied.length < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await running.stop();
    expect(applied).toEqual(ids);
  }, 40_000);
});
