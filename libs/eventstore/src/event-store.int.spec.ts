import { randomUUID } from 'node:crypto';
import { Client, type PoolClient } from 'pg';
import { createTestDatabase } from '@aftersales/testing';
import type { Command, Decider, DomainEvent } from '@aftersales/domain';
import {
  ConcurrencyError,
  handleCommand,
  openServiceDatabase,
  PostgresEventStore,
  START,
  type Checkpoint,
  type EventMetadata,
  type NewEvent,
  type ServiceDatabase,
  type StoredEvent,
} from './index';

const metadata: EventMetadata = { tenant: 't1', actor: { id: 'agent-1' }, correlationId: 'c-1' };
const context = { tenant: 't1', actor: { id: 'agent-1', roles: [] }, now: new Date(0) };
const event = (type = 'Happened', data: unknown = { n: 1 }): NewEvent => ({ id: randomUUID(), type, data, metadata });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgresEventStore on real Postgres', () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: ServiceDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    testDb = await createTestDatabase('eventstore');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 20 });
    store = new PostgresEventStore(db.pool);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  async function inTransaction<T>(fn: (tx: PoolClient) => Promise<T>): Promise<{ tx: PoolClient; result: T }> {
    const tx = await db.pool.connect();
    await tx.query('BEGIN');
    return { tx, result: await fn(tx) };
  }

  it('appends with optimistic concurrency and reads the stream back in order', async () => {
    const stream = `case-${randomUUID()}`;
    const first = await store.append(stream, 'no_stream', [event('A'), event('B')]);
    expect(first).toMatchObject({ nextVersion: 2, duplicate: false });
    await store.append(stream, 2, [event('C')]);

    const events = await store.readStream(stream);
    expect(events.map((e) => [e.streamVersion, e.type])).toEqual([
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
    ]);
    expect(events[0]?.metadata).toMatchObject(metadata);
  });

  it('reads several whole streams in one round trip, each in version order, an absent one empty', async () => {
    const [a, b, absent] = [`policy-a-${randomUUID()}`, `policy-b-${randomUUID()}`, `policy-c-${randomUUID()}`];
    await store.append(a, 'no_stream', [event('A1'), event('A2')]);
    await store.append(b, 'no_stream', [event('B1')]);
    await store.append(a, 2, [event('A3')]);
    const streams = await store.readStreams([a, b, absent]);
    expect([...streams.keys()]).toEqual([a, b, absent]);
    expect(streams.get(a)?.map((e) => [e.type, e.streamVersion])).toEqual([
      ['A1', 1],
      ['A2', 2],
      ['A3', 3],
    ]);
    expect(streams.get(b)?.map((e) => e.type)).toEqual(['B1']);
    expect(streams.get(absent)).toEqual([]);
    expect(streams.get(a)).toEqual(await store.readStream(a));
  });

  it('reads several streams to fold in one round trip: the id, type and data of each event in version order', async () => {
    const [a, b, absent] = [`fold-a-${randomUUID()}`, `fold-b-${randomUUID()}`, `fold-c-${randomUUID()}`];
    await store.append(a, 'no_stream', [event('A1'), event('A2')]);
    await store.append(b, 'no_stream', [event('B1')]);
    await store.append(a, 2, [event('A3')]);
    const streams = await store.readStreamsToFold([a, b, absent, a]);
    expect([...streams.keys()]).toEqual([a, b, absent]);
    const full = await store.readStream(a);
    expect(streams.get(a)).toEqual(full.map(({ id, type, data }) => ({ id, type, data })));
    expect(streams.get(b)?.map((e) => e.type)).toEqual(['B1']);
    expect(streams.get(absent)).toEqual([]);
  });

  it('rejects a stale expected version with a typed ConcurrencyError', async () => {
    const stream = `case-${randomUUID()}`;
    await store.append(stream, 'no_stream', [event()]);
    await expect(store.append(stream, 0, [event()])).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append(stream, 'no_stream', [event()])).rejects.toMatchObject({
      code: 'EVENTSTORE.CONCURRENCY',
      actual: 1,
    });
    await expect(store.append(`missing-${randomUUID()}`, 3, [event()])).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('treats re-appending the same event ids as an idempotent no-op', async () => {
    const stream = `case-${randomUUID()}`;
    const batch = [event('A'), event('B')];
    await store.append(stream, 'no_stream', batch);
    // CONTEXT: a retry after a lost acknowledgement carries the same ids and the old expected version.
    const again = await store.append(stream, 'no_stream', batch);
    expect(again).toMatchObject({ duplicate: true, nextVersion: 2 });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('verifies the hash chain and names the first tampered event', async () => {
    const stream = `incident-${randomUUID()}`;
    await store.append(stream, 'no_stream', [event('A', { level: 3 }), event('B', { level: 2 }), event('C')]);
    expect(await store.verifyStream(stream)).toEqual({ ok: true, streamId: stream, events: 3 });

    const [, second] = await store.readStream(stream);
    await db.pool.query(`UPDATE es_events SET data = '{"level": 1}' WHERE event_id = $1`, [second?.id]);

    const verification = await store.verifyStream(stream);
    expect(verification).toMatchObject({
      ok: false,
      firstInvalid: { eventId: second?.id, streamVersion: 2 },
    });
  });

  describe('appendMany (es_append_many, set-based: ADR 33)', () => {
    async function appendManyIn(
      appends: Parameters<PostgresEventStore['appendMany']>[0],
    ): Promise<Awaited<ReturnType<PostgresEventStore['appendMany']>>> {
      const { tx, result } = await inTransaction((c) => store.appendMany(appends, c).catch((e: unknown) => e as never));
      await tx.query(result instanceof Error ? 'ROLLBACK' : 'COMMIT');
      tx.release();
      if (result instanceof Error) throw result;
      return result;
    }

    it('appends new and existing streams, several events each, chained and in global order as es_append would', async () => {
      const [fresh, existing, other] = [`m-a-${randomUUID()}`, `m-b-${randomUUID()}`, `m-c-${randomUUID()}`];
      await store.append(existing, 'no_stream', [event('A'), event('B')]);
      await store.append(other, 'no_stream', [event('A')]);
      const results = await appendManyIn([
        { streamId: existing, expected: 2, events: [event('C'), event('D'), event('E')] },
        { streamId: fresh, expected: 'no_stream', events: [event('A')] },
        { streamId: other, expected: 'any', events: [event('B'), event('C')] },
      ]);
      expect(results.map((r) => [r.nextVersion, r.duplicate])).toEqual([
        [5, false],
        [1, false],
        [3, false],
      ]);
      // Positions ascend in the order given, each stream's with its versions.
      const [e, f, o] = results;
      expect(e!.lastPosition! - e!.firstPosition!).toBe(2n);
      expect(f!.firstPosition).toBe(e!.lastPosition! + 1n);
      expect(o!.firstPosition).toBe(f!.lastPosition! + 1n);
      for (const [stream, n] of [
        [existing, 5],
        [fresh, 1],
        [other, 3],
      ] as const) {
        expect((await store.readStream(stream)).map((x) => x.streamVersion)).toEqual(
          Array.from({ length: n }, (_, i) => i + 1),
        );
        // The hash chain recomputed from the stored events (and continued by a later es_append) holds.
        expect(await store.verifyStream(stream)).toEqual({ ok: true, streamId: stream, events: n });
      }
      await store.append(existing, 5, [event('F')]);
      expect(await store.verifyStream(existing)).toEqual({ ok: true, streamId: existing, events: 6 });
    });

    it('a stale version, a stored event or a newer writer: nothing written, a ConcurrencyError naming the stream', async () => {
      const [a, b] = [`m-d-${randomUUID()}`, `m-e-${randomUUID()}`];
      await store.append(a, 'no_stream', [event('A')]);
      const stored = event('B');
      await store.append(b, 'no_stream', [stored]);
      const conflict = appendManyIn([
        { streamId: a, expected: 1, events: [event('B')] },
        { streamId: b, expected: 0, events: [event('C')] },
      ]);
      await expect(conflict).rejects.toMatchObject({ name: 'ConcurrencyError', streamId: b, actual: 1 });
      const duplicate = appendManyIn([
        { streamId: a, expected: 1, events: [event('B')] },
        { streamId: b, expected: 'any', events: [stored] },
      ]);
      await expect(duplicate).rejects.toThrow(`Events for stream ${b} were stored concurrently`);
      expect(await store.readStream(a)).toHaveLength(1);
      expect(await store.readStream(b)).toHaveLength(1);

      const older = await inTransaction((tx) => tx.query('SELECT pg_current_xact_id()'));
      await store.append(a, 1, [event('B')]);
      await expect(store.appendMany([{ streamId: a, expected: 2, events: [event('C')] }], older.tx)).rejects.toThrow(
        `Stream ${a} was written by a newer transaction`,
      );
      await older.tx.query('ROLLBACK');
      older.tx.release();
      expect(await store.readStream(a)).toHaveLength(2);
    });

    it('a stream named twice is appended item by item, the second after the first', async () => {
      const stream = `m-f-${randomUUID()}`;
      const results = await appendManyIn([
        { streamId: stream, expected: 'no_stream', events: [event('A')] },
        { streamId: stream, expected: 1, events: [event('B')] },
      ]);
      expect(results.map((r) => r.nextVersion)).toEqual([1, 2]);
      expect(await store.verifyStream(stream)).toEqual({ ok: true, streamId: stream, events: 2 });
    });

    it('two transactions appending to the same streams in the same order: one waits, the other then conflicts', async () => {
      const streams = [`m-g-${randomUUID()}`, `m-h-${randomUUID()}`].sort();
      for (const s of streams) await store.append(s, 'no_stream', [event('A')]);
      const first = await inTransaction((tx) =>
        store.appendMany(
          streams.map((s) => ({ streamId: s, expected: 1, events: [event('B')] })),
          tx,
        ),
      );
      const second = appendManyIn(streams.map((s) => ({ streamId: s, expected: 1, events: [event('C')] })));
      await sleep(200);
      await first.tx.query('COMMIT');
      first.tx.release();
      await expect(second).rejects.toBeInstanceOf(ConcurrencyError);
      for (const s of streams) expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
    });
  });

  // CONTEXT (ADR 44): plpgsql keeps the generic plans a session made on its fifth call, whatever the tables grow to.
  // Made on a new store, they scanned es_events and es_streams whole at every later append (7 ms per call in
  // compensation's benchmark, growing with the store).
  it('a session that started on an empty store keeps probing by index: no sequential scan of the streams or events', async () => {
    const fresh = await createTestDatabase('eventstore_plans');
    const freshDb = await openServiceDatabase({ serverUrl: fresh.url, database: fresh.name, poolSize: 2 });
    const freshStore = new PostgresEventStore(freshDb.pool);
    const session = await freshDb.pool.connect();
    const plans: string[] = [];
    session.on('notice', (notice) => plans.push(notice.message ?? ''));
    const appendBatch = async () => {
      await session.query('BEGIN');
      await freshStore.appendMany(
        Array.from({ length: 16 }, () => ({
          streamId: `m-p-${randomUUID()}`,
          expected: 'no_stream',
          events: [event()],
        })),
        session,
      );
      await session.query('COMMIT');
    };
    try {
      // Past the fifth call, from which plpgsql uses the generic plans it made with these few rows.
      for (let call = 0; call < 8; call++) await appendBatch();
      await session.query(`LOAD 'auto_explain'`);
      await session.query(
        'SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; ' +
          'SET auto_explain.log_level = notice',
      );
      await appendBatch();
      const explained = plans.join('\n');
      expect(explained).toMatch(/Index Scan on es_events_event_id_key/);
      expect(explained).toMatch(/Index Scan (using|on) es_streams_pkey/);
      expect(explained).not.toMatch(/Seq Scan on es_(events|streams)/);
    } finally {
      session.release();
      await freshDb.close();
      await fresh.drop();
    }
  });

  // CONTEXT: readAll's horizon is the oldest transaction still in flight that may write into this database (ADR 1).
  // A session of this database (a pool connection of another test) can hold the newest events back for a while, so
  // "readAll came back empty" does not mean "everything committed was read". The tests below look at their own
  // streams and wait for them where something else may be in flight.
  it('readAll does not pass a transaction that is still in flight (a plain position > last would)', async () => {
    const [slowStream, fastStream] = [`slow-${randomUUID()}`, `fast-${randomUUID()}`];
    const ours = async () =>
      (await readable(START)).filter((e) => e.streamId === slowStream || e.streamId === fastStream).map((e) => e.type);
    const slow = await inTransaction((tx) => store.append(slowStream, 'no_stream', [event('Slow')], tx));
    const fast = await store.append(fastStream, 'no_stream', [event('Fast')]);
    // CONTEXT: the fast event has the higher position and is committed; handing it out now would move the
    // checkpoint past the slow event, which would then be skipped for ever.
    expect(fast.firstPosition! > slow.result.firstPosition!).toBe(true);
    expect(await ours()).toEqual([]);

    await slow.tx.query('COMMIT');
    slow.tx.release();
    const deadline = Date.now() + 30_000;
    let seen = await ours();
    while (seen.length < 2 && Date.now() < deadline) {
      await sleep(20);
      seen = await ours();
    }
    expect(seen).toEqual(['Slow', 'Fast']);
  });

  it('readAll is not held back by a transaction in flight in another database of the server', async () => {
    // CONTEXT: transaction ids are server-wide. With the snapshot's xmin as the horizon, any write transaction of any
    // service on a shared server held back every other service's relay for as long as it ran (ADR 1). A session of
    // another database can never write into this one, so its transaction is passed over.
    const other = await createTestDatabase('eventstore_neighbour');
    const open = new Client({ connectionString: other.url });
    await open.connect();
    try {
      await open.query('BEGIN');
      await open.query('SELECT pg_current_xact_id()'); // a transaction id older than the append below
      const stream = `after-neighbour-${randomUUID()}`;
      await store.append(stream, 'no_stream', [event('Published')]);
      const seen = (await readable(START)).filter((e) => e.streamId === stream).map((e) => e.type);
      expect(seen).toEqual(['Published']);
    } finally {
      await open.query('ROLLBACK').catch(() => undefined);
      await open.end();
      await other.drop();
    }
  });

  it('pages readAll in numeric transaction-id order, also across a power-of-ten boundary (9 before 10)', async () => {
    // CONTEXT: ordering by the text of the xid put '10' before '9': a page cut at LIMIT then moved the
    // checkpoint past the events of transaction 9, which were never delivered. Old, finished xids are
    // written directly so the boundary is deterministic.
    const fresh = await createTestDatabase('eventstore_xid_order');
    const freshDb = await openServiceDatabase({ serverUrl: fresh.url, database: fresh.name });
    try {
      const insert = (xid: number, n: number) =>
        freshDb.pool.query(
          `INSERT INTO es_events (transaction_id, event_id, stream_id, stream_version, type, data, metadata, recorded_at, hash)
           VALUES ($1::text::xid8, $2, $3, 1, 'Old', '{}', '{}', now(), '\\x00')`,
          [String(xid), randomUUID(), `old-${xid}-${n}`],
        );
      for (let n = 0; n < 6; n++) await insert(10, n);
      await insert(9, 0);
      const freshStore = new PostgresEventStore(freshDb.pool);
      const seen: string[] = [];
      let checkpoint: Checkpoint = START;
      for (;;) {
        const page = await freshStore.readAll(checkpoint, 5);
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.transactionId));
        checkpoint = page.at(-1)!;
      }
      expect(seen).toEqual(['9', '10', '10', '10', '10', '10', '10']);
    } finally {
      await freshDb.close();
      await fresh.drop();
    }
  });

  it('refuses an append that would put a stream out of global order, so the caller retries', async () => {
    const stream = `case-${randomUUID()}`;
    await store.append(stream, 'no_stream', [event('A')]);
    // An older transaction (its id taken before the next writer's) appends after a newer one committed.
    const older = await inTransaction((tx) => tx.query('SELECT pg_current_xact_id()'));
    await store.append(stream, 1, [event('B')]);
    await expect(store.append(stream, 2, [event('C')], older.tx)).rejects.toBeInstanceOf(ConcurrencyError);
    await older.tx.query('ROLLBACK');
    older.tx.release();
  });

  it('a reader sees every event of concurrent slow writers exactly once and each stream in order', async () => {
    const writers = 6;
    const perWriter = 15;
    const streams = ['s1', 's2', 's3'].map((s) => `${s}-${randomUUID()}`);
    let writing = true;

    const write = async (w: number) => {
      for (let i = 0; i < perWriter; i++) {
        const stream = streams[(w + i) % streams.length]!;
        for (;;) {
          const tx = await db.pool.connect();
          try {
            await tx.query('BEGIN');
            await store.append(stream, 'any', [event('Written', { w, i })], tx);
            await sleep(Math.random() * 25); // a deliberately slow transaction
            await tx.query('COMMIT');
            break;
          } catch (error) {
            await tx.query('ROLLBACK');
            if (!(error instanceof ConcurrencyError)) throw error;
          } finally {
            tx.release();
          }
        }
      }
    };

    // Everything from the start (earlier tests' events too, whenever they become readable): each event once.
    const all: StoredEvent[] = [];
    const seen: StoredEvent[] = [];
    const read = async () => {
      let checkpoint = START;
      while (writing || seen.length < writers * perWriter) {
        const batch = await store.readAll(checkpoint, 7);
        all.push(...batch);
        seen.push(...batch.filter((e) => streams.includes(e.streamId)));
        checkpoint = batch.at(-1) ?? checkpoint;
        if (batch.length === 0) await sleep(5);
      }
    };

    const reader = read();
    await Promise.all(Array.from({ length: writers }, (_, w) => write(w)));
    writing = false;
    await reader;

    const allIds = all.map((e) => e.id);
    expect(new Set(allIds).size).toBe(allIds.length);
    expect(seen).toHaveLength(writers * perWriter);
    for (const stream of streams) {
      const versions = seen.filter((e) => e.streamId === stream).map((e) => e.streamVersion);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
  });

  it('the decider runtime retries on conflict so concurrent commands all land', async () => {
    type Counter = { count: number };
    type Increment = Command<'Increment', Record<string, never>>;
    type Incremented = DomainEvent<'Incremented', { to: number }>;
    const counter: Decider<Counter, Increment, Incremented> = {
      initialState: () => ({ count: 0 }),
      decide: (_c, s) => [{ type: 'Incremented', data: { to: s.count + 1 } }],
      evolve: (_s, e) => ({ count: e.data.to }),
    };
    const stream = `counter-${randomUUID()}`;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        handleCommand(store, stream, counter, { type: 'Increment', context, data: {} }, { metadata, maxAttempts: 20 }),
      ),
    );
    const events = await store.readStream(stream);
    expect(events.map((e) => (e.data as { to: number }).to)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('an idempotency key makes a retried command a no-op', async () => {
    const stream = `case-${randomUUID()}`;
    const once: Decider<number, Command<'Go', object>, DomainEvent<'Went', object>> = {
      initialState: () => 0,
      decide: (_c, s) => {
        if (s > 0) throw new Error('already went');
        return [{ type: 'Went', data: {} }];
      },
      evolve: (s) => s + 1,
    };
    const go = { type: 'Go' as const, context, data: {} };
    await handleCommand(store, stream, once, go, { metadata, idempotencyKey: 'req-1' });
    const retry = await handleCommand(store, stream, once, go, { metadata, idempotencyKey: 'req-1' });
    expect(retry.duplicate).toBe(true);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('a retry that races its first attempt is a duplicate that reports no new events, so no caller repeats effects', async () => {
    // CONTEXT: a retry that loaded the stream before its first attempt committed decides again and appends under the
    // same ids; es_append then reports a duplicate. handleCommand returned the decided events as `newEvents` anyway,
    // and callers that run effects per new event (index rows, timers, notices) ran them a second time.
    const stream = `case-${randomUUID()}`;
    const once: Decider<number, Command<'Go', object>, DomainEvent<'Went', object>> = {
      initialState: () => 0,
      decide: (_c, s) => {
        if (s > 0) throw new Error('already went');
        return [{ type: 'Went', data: {} }];
      },
      evolve: (s) => s + 1,
    };
    const go = { type: 'Go' as const, context, data: {} };
    const first = await inTransaction((tx) =>
      handleCommand(store, stream, once, go, { metadata, idempotencyKey: 'race-1', tx }),
    );
    const retry = handleCommand(store, stream, once, go, { metadata, idempotencyKey: 'race-1' });
    // The retry loaded the stream without the uncommitted first attempt and now waits on its append's lock.
    const { rows: self } = await db.pool.query<{ datname: string }>('SELECT current_database() AS datname');
    for (let waiting = 0; waiting === 0;) {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
        [self[0]?.datname],
      );
      waiting = rows[0]?.n ?? 0;
      if (waiting === 0) await sleep(10);
    }
    await first.tx.query('COMMIT');
    first.tx.release();
    const result = await retry;
    expect(result).toMatchObject({ duplicate: true, newEvents: [], eventIds: [], state: 1, nextVersion: 1 });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  /** Every event readable now after `from`, page by page. */
  async function readable(from: Checkpoint): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let checkpoint = from;
    for (;;) {
      const batch = await store.readAll(checkpoint, 1000);
      if (batch.length === 0) return events;
      events.push(...batch);
      checkpoint = batch.at(-1)!;
    }
  }
});
