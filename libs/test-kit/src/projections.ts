import type { Pool } from 'pg';
import {
  loadCheckpoint,
  PostgresEventStore,
  START,
  type Checkpoint,
  type DurableSubscription,
  type ProjectionDefinition,
} from '@aftersales/eventstore';

const q = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How many stored events lie after a checkpoint (committed or not yet readable). */
async function eventsAfter(pool: Pool, checkpoint: Checkpoint): Promise<number> {
  const { rows } = await pool.query<{ behind: number }>(
    `SELECT count(*)::int AS behind FROM es_events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`,
    [checkpoint.transactionId, checkpoint.position.toString()],
  );
  return rows[0]?.behind ?? 0;
}

/**
 * Polls `subscription` until its checkpoint is past every stored event. A poll returning 0 is not enough: the store
 * hands out only transactions older than the oldest one still running on the server, so another test's open transaction
 * can hold back events already committed here.
 *
 * Fails when the subscription makes no progress for `stallMs`: how long catching up takes depends on how many events
 * lie behind and how fast this machine is at the moment (a test that wrote flat out meanwhile leaves thousands on a busy
 * machine), so only a subscription that stopped moving is a failure.
 */
export async function untilCaughtUp(
  subscription: DurableSubscription,
  pool: Pool,
  name: string,
  stallMs = 15_000,
): Promise<void> {
  let deadline = Date.now() + stallMs;
  let fewest = Number.POSITIVE_INFINITY;
  for (;;) {
    if ((await subscription.poll()) > 0) continue;
    const behind = await eventsAfter(pool, await loadCheckpoint(pool, name));
    if (behind === 0) return;
    if (behind < fewest) {
      fewest = behind;
      deadline = Date.now() + stallMs;
    }
    if (Date.now() > deadline)
      throw new Error(`${name} is still ${behind} events behind, none applied for ${stallMs} ms`);
    await sleep(20);
  }
}

/**
 * The from-scratch fold a rebuilt projection is compared with: every stored event, in global order, applied through the
 * projection's own `handle` to empty copies of its tables in `schema` (indexes and keys included). Runs until every
 * stored event is applied.
 */
export async function replayFromScratch(
  pool: Pool,
  projection: ProjectionDefinition,
  schema: string,
  timeoutMs = 30_000,
): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`);
  await pool.query(`CREATE SCHEMA ${q(schema)}`);
  for (const table of projection.tables) {
    await pool.query(`CREATE TABLE ${q(schema)}.${q(table)} (LIKE ${q(table)} INCLUDING ALL)`);
  }
  const { rows } = await pool.query<{ path: string }>(`SELECT current_setting('search_path') AS path`);
  const path = `${q(schema)}, ${rows[0]?.path ?? 'public'}`;
  const store = new PostgresEventStore(pool);
  const deadline = Date.now() + timeoutMs;
  let checkpoint: Checkpoint = START;
  for (;;) {
    const client = await pool.connect();
    let applied = 0;
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('search_path', $1, true)`, [path]);
      const events = await store.readAll(checkpoint, 1_000, client);
      for (const event of events) await projection.handle(event, client);
      await client.query('COMMIT');
      applied = events.length;
      const last = events.at(-1);
      if (last) checkpoint = { transactionId: last.transactionId, position: last.position };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (applied > 0) continue;
    if ((await eventsAfter(pool, checkpoint)) === 0) return;
    if (Date.now() > deadline) throw new Error(`the scratch replay of ${projection.name} did not reach the end`);
    await sleep(20);
  }
}

/** Each table's row count and a digest of its rows (as text, in a stable order), in `schema` (default: as resolved). */
export async function tableDigests(
  pool: Pool,
  tables: readonly string[],
  schema?: string,
): Promise<Record<string, { rows: number; digest: string }>> {
  const digests: Record<string, { rows: number; digest: string }> = {};
  for (const table of tables) {
    const name = schema ? `${q(schema)}.${q(table)}` : q(table);
    const { rows } = await pool.query<{ rows: number; digest: string }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
         FROM ${name} t`,
    );
    digests[table] = rows[0] ?? { rows: 0, digest: '' };
  }
  return digests;
}

/** What ran beside a task: how many writes and reads completed while it ran, and the reads that failed. */
export interface LoadBeside<T> {
  readonly result: T;
  readonly writes: number;
  readonly reads: number;
  readonly readErrors: readonly unknown[];
}

/**
 * Runs `task` while one loop keeps writing (`write`, one unit at a time) and another keeps reading (`read`), both until
 * the task settles; answers what they did meanwhile. A failed write fails the whole (the load must be real); the first
 * failed read ends the reading and is answered (the test decides).
 */
export async function withLoadBeside<T>(
  task: () => Promise<T>,
  load: { readonly write: () => Promise<void>; readonly read: () => Promise<void>; readonly writeEveryMs?: number },
): Promise<LoadBeside<T>> {
  let running = true;
  let writes = 0;
  let reads = 0;
  const readErrors: unknown[] = [];
  let writeError: unknown = null;
  // Writes are paced (one per `writeEveryMs` at most), reads are not: flat-out writes made the amount of catching up
  // left for the rebuild and the live projector depend on how fast the machine is (a quiet CI run wrote more events than
  // the projector could apply in the test's time); at this pace any machine applies them as they come.
  const writeEveryMs = load.writeEveryMs ?? 20;
  const writing = (async () => {
    while (running) {
      const started = Date.now();
      await load.write();
      writes += 1;
      const wait = writeEveryMs - (Date.now() - started);
      if (wait > 0 && running) await sleep(wait);
    }
  })().catch((error: unknown) => {
    writeError = error;
  });
  const reading = (async () => {
    while (running) {
      try {
        await load.read();
        reads += 1;
      } catch (error) {
        // The first failure is the finding (the test decides); reading on would only repeat it.
        readErrors.push(error);
        return;
      }
    }
  })();
  let result: T;
  try {
    result = await task();
  } finally {
    running = false;
    await Promise.all([writing, reading]);
  }
  if (writeError) throw writeError;
  return { result, writes, reads, readErrors };
}
