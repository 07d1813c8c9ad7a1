import { Client, type Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { openServiceDatabase, type ServiceDatabase } from './index';

describe('openServiceDatabase', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase('database_pool');
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  afterAll(async () => {
    await testDb.drop();
  });

  it('opens the warm connections before it returns and keeps them while idle', async () => {
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 6, warmConnections: 4 });
    expect(db.pool.totalCount).toBe(4);
    expect(db.pool.idleCount).toBe(4);
    // Kept: the pool does not close idle connections below its minimum.
    expect((db.pool as unknown as { options: { min: number; max: number } }).options).toMatchObject({ min: 4, max: 6 });
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(3);
  });

  it('without warm connections opens them on demand, and never more than the pool size', async () => {
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 2 });
    // Idle connections are not kept (the migrations' ones close after the idle timeout).
    expect((db.pool as unknown as { options: { min: number } }).options.min).toBe(0);
    await Promise.all(Array.from({ length: 5 }, () => db!.pool.query('SELECT pg_sleep(0.01)')));
    expect(db.pool.totalCount).toBeLessThanOrEqual(2);
  });

  // CONTEXT (issue 12, ADR 43): without statistics the planner ran compensation's event reads as parallel bitmap scans
  // once es_events had grown, and payouts collapsed; a service's sessions never plan parallel query.
  it('opens every session, of the service pool and of a worker pool, without parallel query', async () => {
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 2 });
    const own = db.ownPool(1);
    const setting = async (q: Pick<Pool, 'query'> | Client) =>
      (await q.query<{ max_parallel_workers_per_gather: string }>('SHOW max_parallel_workers_per_gather')).rows[0]
        ?.max_parallel_workers_per_gather;
    expect(await setting(db.pool)).toBe('0');
    expect(await setting(own)).toBe('0');
    // The server's own default is left alone: a plain session of the same database plans as the server says.
    const plain = new Client({ connectionString: testDb.url });
    await plain.connect();
    try {
      expect(await setting(plain)).not.toBe('0');
    } finally {
      await plain.end();
    }
  });

  // CONTEXT (issue 9): intake's timer loops took their connections from the pool the HTTP requests use and fired
  // ≈ 2 timers/s under load (docs/benchmarks.md, "SLA timers under a backlog").
  it('gives a worker a pool of its own: the service pool exhausted does not hold it up; closed with the database', async () => {
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 2 });
    const own = db.ownPool(1);
    const held = await Promise.all([db.pool.connect(), db.pool.connect()]);
    try {
      const { rows } = await own.query<{ db: string }>('SELECT current_database() AS db');
      expect(rows).toEqual([{ db: testDb.name }]);
      expect(db.pool.waitingCount).toBe(0);
    } finally {
      for (const client of held) client.release();
    }
    await db.close();
    db = undefined;
    expect(own.ended).toBe(true);
  });
});
