import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, databaseUrl, type TestDatabase } from '@aftersales/testing';
import {
  DurableSubscription,
  inTransaction,
  isDatabaseUnavailable,
  openServiceDatabase,
  PostgresEventStore,
  scheduleTimer,
  TimerScheduler,
  type ServiceDatabase,
} from './index';

const metadata = { tenant: 't1', actor: { id: 'a' }, correlationId: 'c' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

// CONTEXT: a database restart or failover, played on the shared server without restarting it: every backend of the
// test's own database is ended with pg_terminate_backend (what a restart does to each connection), and the database
// can be closed to new connections for a while (what the outage looks like to a service reconnecting).
describe('connections that break (pg_terminate_backend) on real Postgres', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let admin: Client;
  const reported: Error[] = [];

  const terminateAll = async () => {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [testDb.name],
    );
    return rowCount ?? 0;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('connection_faults');
    admin = new Client({ connectionString: databaseUrl() });
    await admin.connect();
    db = await openServiceDatabase({
      serverUrl: testDb.url,
      database: testDb.name,
      poolSize: 6,
      warmConnections: 4,
      onConnectionError: (error) => reported.push(error),
    });
    await db.pool.query('CREATE TABLE seen (event_id uuid PRIMARY KEY, n int NOT NULL DEFAULT 1)');
    await db.pool.query('CREATE TABLE fired (timer_id text PRIMARY KEY)');
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE ${testDb.name} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await db.close();
    await admin.end();
    await testDb.drop();
  });

  it('a checked-out connection and the idle pool survive their backends being terminated; the pool reconnects', async () => {
    const held = await db.pool.connect();
    await held.query('SELECT 1');
    // pg-pool listens for errors only on idle clients. Without a listener of its own, the `error` event below would be
    // thrown from the socket's callback: a real process exits (Jest's sandbox would swallow it, hence this check).
    expect(held.listenerCount('error')).toBeGreaterThanOrEqual(1);
    expect(await terminateAll()).toBeGreaterThanOrEqual(4);
    // The held client's socket closes while no query runs: an `error` event that used to end the process.
    await until(async () => (reported.length > 0 ? true : undefined), 5_000, 'the broken connections to be reported');
    const failure = await held.query('SELECT 1').catch((error: unknown) => error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    held.release(true);
    // Idle connections are discarded as their backends end (a query that took one just before fails as "unavailable",
    // like a request answered 503 during a restart); new ones are opened on demand.
    const failures: unknown[] = [];
    const one = await until(
      () =>
        db.pool.query<{ one: number }>('SELECT 1 AS one').then(
          ({ rows }) => rows[0]?.one,
          (error: unknown) => void failures.push(error),
        ),
      5_000,
      'a query on a new connection',
    );
    expect(one).toBe(1);
    expect(failures.every((error) => isDatabaseUnavailable(error))).toBe(true);
  });

  it('while the database refuses connections, work fails fast as "unavailable", and resumes once it is back', async () => {
    await admin.query(`ALTER DATABASE ${testDb.name} ALLOW_CONNECTIONS false`);
    await terminateAll();
    try {
      const started = Date.now();
      const failure = await inTransaction(db.pool, (tx) => tx.query('SELECT 1')).catch((error: unknown) => error);
      expect(isDatabaseUnavailable(failure)).toBe(true);
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await admin.query(`ALTER DATABASE ${testDb.name} ALLOW_CONNECTIONS true`);
    }
    const { rows } = await inTransaction(db.pool, (tx) => tx.query<{ one: number }>('SELECT 1 AS one'));
    expect(rows[0]?.one).toBe(1);
  });

  it('a subscription and the timer worker keep working through terminated connections, each effect once', async () => {
    const store = new PostgresEventStore(db.pool);
    const subscription = new DurableSubscription(db.pool, {
      name: `seen-${randomUUID()}`,
      batchSize: 5,
      idleMs: 20,
      handle: async (event, tx) => {
        await tx.query('INSERT INTO seen (event_id) VALUES ($1) ON CONFLICT (event_id) DO UPDATE SET n = seen.n + 1', [
          event.id,
        ]);
      },
    });
    const timers = new TimerScheduler(db.pool, {
      pollMs: 20,
      fire: async (timer, tx) => {
        await tx.query('INSERT INTO fired (timer_id) VALUES ($1)', [timer.id]);
      },
    });
    subscription.start();
    timers.start();
    try {
      const stream = `s-${randomUUID()}`;
      let appended = 0;
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 15; i++) {
          // Appends racing the terminations: retried by the caller like any request that got a 503.
          await until(
            () =>
              store.append(stream, 'any', [{ id: randomUUID(), type: 'Seen', data: {}, metadata }]).then(() => true),
            10_000,
            'an append to succeed',
          );
          appended += 1;
        }
        await scheduleTimer(db.pool, {
          id: `timer-${round}-${randomUUID()}`,
          tenant: 't1',
          kind: 'test',
          dueAt: new Date(Date.now() - 1_000),
          payload: {},
        });
        await terminateAll();
      }
      await until(
        async () => {
          const { rows } = await db.pool.query<{ events: string; effects: string; timers: string }>(
            'SELECT (SELECT count(*) FROM seen) AS events, (SELECT coalesce(sum(n), 0) FROM seen) AS effects, (SELECT count(*) FROM fired) AS timers',
          );
          const row = rows[0];
          return row && Number(row.events) === appended && Number(row.timers) === 4 ? row : undefined;
        },
        20_000,
        'the subscription and the timers to catch up',
      ).then((row) => expect(Number(row.effects)).toBe(appended));
    } finally {
      await subscription.stop();
      await timers.stop();
    }
  });
});
