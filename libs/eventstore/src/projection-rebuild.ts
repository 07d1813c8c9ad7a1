import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import { isDatabaseUnavailable } from './connection';
import { PostgresEventStore, READ_HORIZON_SQL, toStoredEvent } from './event-store';
import type { ProjectionDefinition, ProjectionRows, StreamFold } from './projection';
import { saveCheckpoint } from './subscription';
import { START, type Checkpoint, type EventMetadata, type StoredEvent } from './types';

/**
 * A rebuild that could not be done, with what to do about it (`hint`). The live tables are as they were: a rebuild
 * changes them only in its last transaction, all at once.
 */
export class ProjectionRebuildError extends Error {
  readonly code = 'EVENTSTORE.REBUILD_FAILED';
  constructor(
    message: string,
    /** What the operator can do about it. */
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ProjectionRebuildError';
  }
}

/** The steps of a rebuild, in order: `fold` (set-based, from one snapshot), `catch-up` (event by event), `swap`. */
export type RebuildPhase = 'fold' | 'catch-up' | 'swap';

export interface RebuildProgress {
  readonly phase: RebuildPhase;
  /** Events read (fold), applied (catch-up), or tables swapped. */
  readonly done: number;
  /** In the fold, the planner's estimate until the last page is read (never below `done`); exact otherwise. */
  readonly total: number;
}

export interface RebuildOptions {
  /** Events per fetch of the set-based read (default 20,000). */
  readonly pageSize?: number;
  /** Rows buffered before a bulk insert (default 20,000). */
  readonly flushRows?: number;
  /**
   * Connections building the new tables' keys and indexes at once, after the bulk load (default 2; the pool needs this
   * many free besides the rebuild's own).
   */
  readonly parallelIndexBuilds?: number;
  /** Events per catch-up transaction (default 1,000). */
  readonly catchUpBatch?: number;
  /**
   * Longest wait for the tables' locks in the swap (default 2,000 ms): a reader's long transaction must not queue every
   * other reader behind the swap. The swap is then tried again, up to `swapAttempts` times (default 5).
   */
  readonly lockTimeoutMs?: number;
  readonly swapAttempts?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Stops the rebuild before its swap (Ctrl-C): the new tables are dropped, the live ones stay. */
  readonly signal?: AbortSignal;
}

export interface RebuildReport {
  readonly projection: string;
  /** Whether the events before the snapshot were folded set-based (else all were replayed through `handle`). */
  readonly setBased: boolean;
  /** Events read and folded set-based. */
  readonly folded: number;
  /** Events applied one by one through `handle` (written while the fold ran, or all of them without a fold). */
  readonly replayed: number;
  /** Rows of each table after the swap. */
  readonly rows: Readonly<Record<string, number>>;
  /** Where the projection's subscription goes on from. */
  readonly checkpoint: Checkpoint;
  readonly seconds: { readonly fold: number; readonly catchUp: number; readonly swap: number; readonly total: number };
  /** The schema holding the replaced tables when it could not be dropped (drop it later); null when dropped. */
  readonly retiredSchemaLeft: string | null;
}

const q = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The schemas of a rebuild: the new tables while they are built, the replaced ones until dropped. */
function schemasOf(projection: string): { readonly shadow: string; readonly retired: string } {
  const slug = projection
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  const hash = createHash('sha256').update(projection).digest('hex').slice(0, 8);
  return { shadow: `rebuild_${slug}_${hash}`, retired: `retired_${slug}_${hash}` };
}

interface LiveTable {
  readonly table: string;
  readonly schema: string;
  readonly oid: number;
  readonly owner: string;
}

/** The projection's live tables, or a refusal naming what is missing or what the swap would break. */
async function liveTables(db: PoolClient, projection: ProjectionDefinition): Promise<LiveTable[]> {
  const { rows } = await db.query<{
    name: string;
    oid: number | null;
    schema: string | null;
    kind: string | null;
    owner: string | null;
    database: string;
  }>(
    `SELECT t.name, c.oid::int AS oid, n.nspname AS schema, c.relkind::text AS kind,
            pg_get_userbyid(c.relowner) AS owner, current_database() AS database
       FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)
       LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
       LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
      ORDER BY t.ord`,
    [projection.tables],
  );
  const missing = rows.filter((r) => r.oid === null || r.kind !== 'r');
  if (missing.length > 0) {
    throw new ProjectionRebuildError(
      `${projection.name}: no table ${missing.map((r) => r.name).join(', ')} in database ${rows[0]?.database}`,
      "start the service once so its migrations create the projection's tables, or name its database (--database)",
    );
  }
  const tables = rows.map((r) => ({
    table: r.name,
    schema: r.schema as string,
    oid: r.oid as number,
    owner: r.owner as string,
  }));
  const oids = tables.map((t) => t.oid);
  const { rows: blockers } = await db.query<{ what: string }>(
    `SELECT DISTINCT format('view %s reads %s', v.oid::regclass, d.refobjid::regclass) AS what
       FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
      WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = ANY($1::oid[]) AND v.oid <> d.refobjid
     UNION ALL
     SELECT format('foreign key %s of %s', conname, conrelid::regclass) FROM pg_constraint
      WHERE contype = 'f' AND (conrelid = ANY($1::oid[]) OR confrelid = ANY($1::oid[]))
     UNION ALL
     SELECT format('trigger %s on %s', tgname, tgrelid::regclass) FROM pg_trigger
      WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal
     UNION ALL
     SELECT format('row-level security policy %s on %s', polname, polrelid::regclass) FROM pg_policy
      WHERE polrelid = ANY($1::oid[])`,
    [oids],
  );
  if (blockers.length > 0) {
    throw new ProjectionRebuildError(
      `${projection.name}: the swap would leave behind ${blockers.map((b) => b.what).join('; ')}`,
      'a rebuild swaps plain tables only: move what depends on them into the projection (or drop it) first',
    );
  }
  return tables;
}

/**
 * The new tables, in the shadow schema, shaped like the live ones (columns, defaults, generated columns, checks,
 * storage), their owner and grants; without indexes and keys, which {@link addKeysAndIndexes} adds after the bulk load.
 */
async function createShadowTables(db: PoolClient, tables: readonly LiveTable[], shadow: string): Promise<void> {
  for (const t of tables) {
    await db.query(
      `CREATE TABLE ${q(shadow)}.${q(t.table)} (LIKE ${q(t.schema)}.${q(t.table)} INCLUDING ALL EXCLUDING INDEXES)`,
    );
    const { rows } = await db.query<{ me: string }>('SELECT current_user AS me');
    if (rows[0]?.me !== t.owner) await db.query(`ALTER TABLE ${q(shadow)}.${q(t.table)} OWNER TO ${q(t.owner)}`);
    const { rows: grants } = await db.query<{ grantee: string; privilege: string; grantable: boolean }>(
      `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee,
              a.privilege_type AS privilege, a.is_grantable AS grantable
         FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = $1 AND a.grantee <> c.relowner`,
      [t.oid],
    );
    for (const g of grants) {
      await db.query(
        `GRANT ${g.privilege} ON ${q(shadow)}.${q(t.table)} TO ${g.grantee}${g.grantable ? ' WITH GRANT OPTION' : ''}`,
      );
    }
  }
}

/**
 * Runs `statements` on up to `parallel` pooled connections at once (each statement on its own, autocommitted), in the
 * order given; the first failure is thrown once the statements already started have ended.
 */
async function runInParallel(pool: Pool, statements: readonly string[], parallel: number): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    const client = await pool.connect();
    let broken = false;
    try {
      while (failure === null && next < statements.length) {
        const statement = statements[next++] as string;
        try {
          await client.query(statement);
        } catch (error) {
          broken = isDatabaseUnavailable(error);
          failure ??= error;
        }
      }
    } finally {
      client.release(broken);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, statements.length)) }, worker));
  if (failure !== null) throw failure;
}

/**
 * The live tables' primary keys, unique and exclusion constraints, and other indexes, on the new tables under the same
 * names (a schema of their own: the names are free there, and move with the tables in the swap), then their statistics.
 * In three steps, each on `parallel` connections at once (the tables are loaded and nobody else uses them): the
 * constraints (one table's in one statement, as they lock it whole), the other indexes (several on one table may be
 * built at once), then `VACUUM (ANALYZE)`: statistics for the planner, and the visibility map and hint bits set before
 * the swap, so that neither the first readers nor autovacuum rewrite every page of the new tables after it.
 */
async function addKeysAndIndexes(
  pool: Pool,
  db: PoolClient,
  tables: readonly LiveTable[],
  shadow: string,
  parallel: number,
): Promise<void> {
  const constraints: string[] = [];
  const indexes: string[] = [];
  for (const t of tables) {
    const target = `${q(shadow)}.${q(t.table)}`;
    const { rows: keys } = await db.query<{ name: string; definition: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE conrelid = $1 AND contype IN ('p', 'u', 'x') ORDER BY contype, conname`,
      [t.oid],
    );
    if (keys.length > 0) {
      constraints.push(
        `ALTER TABLE ${target} ${keys.map((c) => `ADD CONSTRAINT ${q(c.name)} ${c.definition}`).join(', ')}`,
      );
    }
    const { rows: others } = await db.query<{ definition: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
        WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      [t.oid],
    );
    for (const { definition } of others) {
      // `CREATE [UNIQUE] INDEX <name> ON [ONLY] <schema>.<table> USING …`: the same index on the new table.
      const on = /^(CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?)\S+( USING .*)$/s.exec(definition);
      if (!on) throw new Error(`unexpected index definition on ${t.table}: ${definition}`);
      indexes.push(`${on[1]}${target}${on[2]}`);
    }
  }
  await runInParallel(pool, constraints, parallel);
  await runInParallel(pool, indexes, parallel);
  await runInParallel(
    pool,
    tables.map((t) => `VACUUM (ANALYZE) ${q(shadow)}.${q(t.table)}`),
    parallel,
  );
}

/** Bulk-inserts buffered rows into the new tables: one statement per table (the rows as one JSON parameter). */
async function insertRows(db: PoolClient, shadow: string, rows: Map<string, Array<Record<string, unknown>>>) {
  for (const [table, list] of rows) {
    if (list.length === 0) continue;
    const columns = [...new Set(list.flatMap((row) => Object.keys(row)))].map(q).join(', ');
    const target = `${q(shadow)}.${q(table)}`;
    await db.query(
      `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${target}, $1::json)`,
      [JSON.stringify(list)],
    );
  }
}

/** A row of the rebuild's read ({@link foldReadSql}). */
export interface FoldReadRow extends Record<string, unknown> {
  position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  type: string;
  data: unknown;
  metadata: EventMetadata | null;
  recorded_ms: number;
}

const NO_METADATA = Object.freeze({}) as EventMetadata;

/**
 * The rebuild's read of a fold's events below `horizon` (an xid8 as text), stream by stream: only the metadata keys the
 * fold names ({@link StreamFold.metadataKeys}), and the time as epoch milliseconds (a number, not a date string to
 * parse). Exported for the benchmark's baseline, which reads the same.
 */
export function foldReadSql(fold: StreamFold, horizon: string): string {
  const keys = fold.metadataKeys;
  const metadata =
    keys === undefined
      ? 'metadata'
      : keys.length === 0
        ? 'NULL::jsonb AS metadata'
        : `jsonb_build_object(${keys.map((k) => `${literal(k)}, metadata->${literal(k)}`).join(', ')}) AS metadata`;
  return `SELECT position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version, type, data,
                 ${metadata}, (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms
            FROM es_events
           WHERE transaction_id < ${literal(horizon)}::xid8
             AND type = ANY(ARRAY[${fold.eventTypes.map(literal).join(', ') || 'NULL'}]::text[])
           ORDER BY stream_id, stream_version`;
}

/** The event a row of {@link foldReadSql} holds (metadata: only the keys the fold names). */
export function fromFoldReadRow(row: FoldReadRow): StoredEvent {
  return toStoredEvent({ ...row, metadata: row.metadata ?? NO_METADATA, recorded_at: new Date(row.recorded_ms) });
}

/**
 * How many events the fold will read, as the planner estimates it from the table's statistics: instant, where a
 * `count(*)` would scan the whole store before the rebuild could start (minutes on a store of a hundred million events).
 * For the progress bar only.
 */
async function estimatedEvents(db: PoolClient, fold: StreamFold): Promise<number> {
  const { rows } = await db.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM es_events
      WHERE type = ANY(ARRAY[${fold.eventTypes.map(literal).join(', ') || 'NULL'}]::text[])`,
  );
  return Math.max(0, Math.round(rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0));
}

interface FoldResult {
  readonly checkpoint: Checkpoint;
  readonly folded: number;
}

/**
 * The set-based part: in one REPEATABLE READ snapshot, every event of the fold's types below the read horizon, stream
 * by stream (the `(stream_id, stream_version)` index), each stream folded in memory as soon as it ends, rows inserted in
 * bulk on a second connection while the next page is read. The checkpoint is the last event below the same horizon:
 * exactly the events folded and those of other types, so the subscription goes on from there without a gap.
 */
async function foldInBulk(
  pool: Pool,
  projection: ProjectionDefinition,
  fold: StreamFold,
  shadow: string,
  options: RebuildOptions,
): Promise<FoldResult> {
  const pageSize = options.pageSize ?? 20_000;
  const flushRows = options.flushRows ?? 20_000;
  const reader = await pool.connect();
  const writer = await pool.connect();
  let broken = false;
  // At most one bulk insert in flight (on `writer`) while the reader fetches and the fold runs.
  let writing: Promise<void> = Promise.resolve();
  try {
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await reader.query<{
      horizon: string;
      transaction_id: string | null;
      position: string | null;
    }>(
      `WITH h AS (SELECT ${READ_HORIZON_SQL} AS horizon)
       SELECT h.horizon::text AS horizon, last.transaction_id::text AS transaction_id, last.position::text AS position
         FROM h LEFT JOIN LATERAL (SELECT e.transaction_id, e.position FROM es_events e
                                    WHERE e.transaction_id < h.horizon
                                    ORDER BY e.transaction_id DESC, e.position DESC LIMIT 1) last ON true`,
    );
    const head = rows[0];
    if (!head || !/^\d+$/.test(head.horizon)) throw new Error('could not read the event store horizon');
    const checkpoint: Checkpoint =
      head.transaction_id !== null && head.position !== null
        ? { transactionId: head.transaction_id, position: BigInt(head.position) }
        : START;
    const estimate = await estimatedEvents(reader, fold);
    // A cursor (not LIMIT pages): one plan, one index walk, rows streamed as they are fetched.
    await reader.query(`DECLARE projection_rebuild NO SCROLL CURSOR FOR ${foldReadSql(fold, head.horizon)}`);
    const tables = new Set(projection.tables);
    let buffer = new Map<string, Array<Record<string, unknown>>>();
    let buffered = 0;
    let stream: StoredEvent[] = [];
    let writeError: unknown = null;
    const foldStream = () => {
      if (stream.length === 0) return;
      let made: ProjectionRows;
      try {
        made = fold.foldStream(stream);
      } catch (error) {
        throw new Error(
          `${projection.name}: folding stream ${stream[0]?.streamId} failed: ${(error as Error).message}`,
        );
      }
      for (const [table, list] of Object.entries(made)) {
        if (!tables.has(table)) throw new Error(`${projection.name}: the fold made rows of ${table}, not its table`);
        if (list.length === 0) continue;
        const target = buffer.get(table) ?? [];
        for (const row of list) target.push(row);
        buffer.set(table, target);
        buffered += list.length;
      }
      stream = [];
    };
    const flush = async () => {
      await writing;
      if (writeError) throw writeError;
      const rowsToWrite = buffer;
      buffer = new Map();
      buffered = 0;
      writing = insertRows(writer, shadow, rowsToWrite).catch((error: unknown) => {
        writeError ??= error;
      });
    };
    let folded = 0;
    options.onProgress?.({ phase: 'fold', done: 0, total: estimate });
    const fetchPage = (): Promise<{ rows: FoldReadRow[] }> => {
      const page = reader.query<FoldReadRow>(`FETCH ${pageSize} FROM projection_rebuild`);
      // Awaited below; a failure while the fold fails first must not surface as an unhandled rejection.
      page.catch(() => undefined);
      return page;
    };
    let next: Promise<{ rows: FoldReadRow[] }> | null = fetchPage();
    while (next) {
      const page: { rows: FoldReadRow[] } = await next;
      // The next page is read while this one is folded and the previous rows are written.
      next = page.rows.length === pageSize ? fetchPage() : null;
      for (const row of page.rows) {
        const event = fromFoldReadRow(row);
        if (stream.length > 0 && stream[0]?.streamId !== event.streamId) foldStream();
        stream.push(event);
      }
      folded += page.rows.length;
      if (buffered >= flushRows) await flush();
      // The estimate is the planner's: never below what was read, and exact once the last page is in.
      const total = next ? Math.max(estimate, folded + 1) : folded;
      options.onProgress?.({ phase: 'fold', done: folded, total });
      if (options.signal?.aborted) throw stopped();
    }
    foldStream();
    await flush();
    await writing;
    if (writeError) throw writeError;
    await reader.query('COMMIT');
    return { checkpoint, folded };
  } catch (error) {
    broken = isDatabaseUnavailable(error);
    await reader.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await writing;
    reader.release(broken);
    writer.release(broken);
  }
}

const stopped = () =>
  new ProjectionRebuildError(
    'the rebuild was stopped before its swap: the live tables are as they were',
    'run it again',
  );

/** The last event readers may take now (below the read horizon); null for an empty store. */
async function lastReadable(db: Pool | PoolClient): Promise<Checkpoint | null> {
  const { rows } = await db.query<{ transaction_id: string; position: string }>(
    `SELECT transaction_id::text AS transaction_id, position::text AS position FROM es_events
      WHERE transaction_id < ${READ_HORIZON_SQL} ORDER BY transaction_id DESC, position DESC LIMIT 1`,
  );
  const row = rows[0];
  return row ? { transactionId: row.transaction_id, position: BigInt(row.position) } : null;
}

/** Whether `checkpoint` is at or past `target`. */
const reached = (checkpoint: Checkpoint, target: Checkpoint | null) =>
  target === null ||
  BigInt(checkpoint.transactionId) > BigInt(target.transactionId) ||
  (checkpoint.transactionId === target.transactionId && checkpoint.position >= target.position);

/** Applies events after `from` (up to `limit` of them) through `handle` to the new tables, in the caller's transaction. */
async function applyToShadow(
  tx: PoolClient,
  projection: ProjectionDefinition,
  from: Checkpoint,
  limit: number,
): Promise<{ checkpoint: Checkpoint; applied: number }> {
  const events = await new PostgresEventStore(tx).readAll(from, limit, tx);
  for (const event of events) await projection.handle(event, tx);
  const last = events.at(-1);
  return {
    checkpoint: last ? { transactionId: last.transactionId, position: last.position } : from,
    applied: events.length,
  };
}

/** Rolls back and releases a client after a failure (a broken connection is discarded), then rethrows. */
async function abandon(client: PoolClient, error: unknown): Promise<never> {
  await client.query('ROLLBACK').catch(() => undefined);
  client.release(isDatabaseUnavailable(error));
  throw error;
}

/**
 * Catches the new tables up with the events written since `from`, one transaction per batch, outside any lock. In
 * rounds, each up to the last readable event at its start (so it ends even while writes keep coming): until a round
 * found at most one batch to apply, which leaves the swap little to do under its lock.
 */
async function catchUp(
  pool: Pool,
  projection: ProjectionDefinition,
  shadowPath: string,
  from: Checkpoint,
  options: RebuildOptions,
): Promise<{ checkpoint: Checkpoint; applied: number }> {
  const batch = options.catchUpBatch ?? 1_000;
  const { rows } = await pool.query<{ behind: string }>(
    `SELECT count(*)::text AS behind FROM es_events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)`,
    [from.transactionId, from.position.toString()],
  );
  const total = Number(rows[0]?.behind ?? 0);
  let checkpoint = from;
  let applied = 0;
  options.onProgress?.({ phase: 'catch-up', done: 0, total });
  for (let round = 1; ; round++) {
    const target = await lastReadable(pool);
    let inRound = 0;
    while (!reached(checkpoint, target)) {
      if (options.signal?.aborted) throw stopped();
      const client = await pool.connect();
      let step: { checkpoint: Checkpoint; applied: number };
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('search_path', $1, true)`, [shadowPath]);
        step = await applyToShadow(client, projection, checkpoint, batch);
        await client.query('COMMIT');
      } catch (error) {
        return abandon(client, error);
      }
      client.release();
      checkpoint = step.checkpoint;
      applied += step.applied;
      inRound += step.applied;
      options.onProgress?.({ phase: 'catch-up', done: applied, total: Math.max(total, applied) });
      if (step.applied === 0) break;
    }
    // A round with at most one batch: what the swap applies under its lock is about as much. A store written faster than
    // the projection applies events cannot be caught up; after a few rounds the swap applies the rest under its lock.
    if (inRound <= batch || round >= 5) return { checkpoint, applied };
  }
}

/**
 * The swap, in one transaction: the projection's subscription lock (a live batch in progress ends first; the next
 * waits), the last events applied to the new tables, the live tables moved out and the new ones in under the same
 * names, and the checkpoint set to the new tables' last event. Readers wait only for the moves (ACCESS EXCLUSIVE for
 * milliseconds) and then read the new tables.
 */
async function swap(
  pool: Pool,
  projection: ProjectionDefinition,
  tables: readonly LiveTable[],
  schemas: { readonly shadow: string; readonly retired: string },
  shadowPath: string,
  from: Checkpoint,
  options: RebuildOptions,
): Promise<{ checkpoint: Checkpoint; applied: number }> {
  const attempts = options.swapAttempts ?? 5;
  const lockTimeoutMs = options.lockTimeoutMs ?? 2_000;
  const batch = options.catchUpBatch ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw stopped();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`subscription:${projection.name}`]);
      await client.query(`SELECT set_config('search_path', $1, true)`, [shadowPath]);
      // Up to the last event readable now: later ones are the live subscription's, after the swap.
      const target = await lastReadable(client);
      let checkpoint = from;
      let applied = 0;
      while (!reached(checkpoint, target)) {
        const step = await applyToShadow(client, projection, checkpoint, batch);
        checkpoint = step.checkpoint;
        applied += step.applied;
        if (step.applied === 0) break;
      }
      for (const t of tables) {
        await client.query(`ALTER TABLE ${q(t.schema)}.${q(t.table)} SET SCHEMA ${q(schemas.retired)}`);
      }
      for (const t of tables) {
        await client.query(`ALTER TABLE ${q(schemas.shadow)}.${q(t.table)} SET SCHEMA ${q(t.schema)}`);
      }
      await saveCheckpoint(client, projection.name, checkpoint);
      await client.query('COMMIT');
      client.release();
      options.onProgress?.({ phase: 'swap', done: tables.length, total: tables.length });
      return { checkpoint, applied };
    } catch (error) {
      const lockTimedOut = (error as { code?: string }).code === '55P03';
      if (!lockTimedOut) return abandon(client, error);
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      if (attempt >= attempts) {
        throw new ProjectionRebuildError(
          `${projection.name}: the swap could not lock ${tables.map((t) => t.table).join(', ')} within ${lockTimeoutMs} ms, ${attempts} times: ` +
            'a long transaction holds them (or the live projection its lock)',
          'find it in pg_stat_activity (state "idle in transaction" or a long query on these tables), end it, and run the rebuild again',
        );
      }
    }
  }
}

/** Drops a schema and what is in it; answers whether it could (a reader still on a retired table makes it wait). */
async function dropSchema(pool: Pool, schema: string, lockTimeoutMs: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
    await client.query(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`);
    await client.query('COMMIT');
    client.release();
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(isDatabaseUnavailable(error));
    return false;
  }
}

/**
 * Rebuilds a projection from the event store without downtime (ADR 20): new tables are built beside the live ones
 * (set-based from one snapshot when the projection declares a {@link StreamFold}, else by replaying `handle`), caught
 * up with the events written meanwhile, then swapped in under the same names with the projection's checkpoint in one
 * short transaction. The live subscription keeps serving the old tables until the swap and continues on the new ones
 * from exactly where they end: no event is lost or applied twice. One rebuild per projection at a time.
 *
 * @example
 * ```ts
 * const report = await rebuildProjection(db.pool, caseWorklist, { onProgress: (p) => console.log(p.phase, p.done) });
 * ```
 */
export async function rebuildProjection(
  pool: Pool,
  projection: ProjectionDefinition,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const guard = await pool.connect();
  const lockKey = `projection-rebuild:${projection.name}`;
  let broken = false;
  try {
    const { rows } = await guard.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      lockKey,
    ]);
    if (!rows[0]?.locked) {
      throw new ProjectionRebuildError(
        `${projection.name}: another rebuild of it is running`,
        'wait for it to end (or stop it), then run the rebuild again',
      );
    }
    try {
      return await rebuildHoldingLock(pool, guard, projection, options);
    } finally {
      await guard.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {
        broken = true;
      });
    }
  } catch (error) {
    broken ||= isDatabaseUnavailable(error);
    throw error;
  } finally {
    guard.release(broken);
  }
}

async function rebuildHoldingLock(
  pool: Pool,
  guard: PoolClient,
  projection: ProjectionDefinition,
  options: RebuildOptions,
): Promise<RebuildReport> {
  const started = performance.now();
  const schemas = schemasOf(projection.name);
  const tables = await liveTables(guard, projection);
  const { rows } = await guard.query<{ path: string }>(`SELECT current_setting('search_path') AS path`);
  const shadowPath = `${q(schemas.shadow)}, ${rows[0]?.path ?? 'public'}`;
  // Left by a rebuild that died (we hold the rebuild lock: nobody else uses them).
  await guard.query(`DROP SCHEMA IF EXISTS ${q(schemas.shadow)} CASCADE`);
  await guard.query(`DROP SCHEMA IF EXISTS ${q(schemas.retired)} CASCADE`);
  await guard.query(`CREATE SCHEMA ${q(schemas.shadow)}`);
  try {
    await createShadowTables(guard, tables, schemas.shadow);
    const fold = projection.rebuild;
    const bulk = fold
      ? await foldInBulk(pool, projection, fold, schemas.shadow, options)
      : { checkpoint: START, folded: 0 };
    const folded = performance.now();
    await addKeysAndIndexes(pool, guard, tables, schemas.shadow, options.parallelIndexBuilds ?? 2);
    const caught = await catchUp(pool, projection, shadowPath, bulk.checkpoint, options);
    const caughtUp = performance.now();
    await guard.query(`CREATE SCHEMA ${q(schemas.retired)}`);
    const swapped = await swap(pool, projection, tables, schemas, shadowPath, caught.checkpoint, options);
    const done = performance.now();
    const counts: Record<string, number> = {};
    for (const t of tables) {
      const { rows: n } = await guard.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${q(t.schema)}.${q(t.table)}`,
      );
      counts[t.table] = Number(n[0]?.n ?? 0);
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? 2_000;
    const retiredDropped = await dropSchema(pool, schemas.retired, lockTimeoutMs);
    await dropSchema(pool, schemas.shadow, lockTimeoutMs);
    return {
      projection: projection.name,
      setBased: fold !== undefined,
      folded: bulk.folded,
      replayed: caught.applied + swapped.applied,
      rows: counts,
      checkpoint: swapped.checkpoint,
      seconds: {
        fold: (folded - started) / 1000,
        catchUp: (caughtUp - folded) / 1000,
        swap: (done - caughtUp) / 1000,
        total: (done - started) / 1000,
      },
      retiredSchemaLeft: retiredDropped ? null : schemas.retired,
    };
  } catch (error) {
    // Nothing was swapped (the swap is the last step and all-or-nothing): the new tables go, the live ones stay.
    await guard.query(`DROP SCHEMA IF EXISTS ${q(schemas.shadow)} CASCADE`).catch(() => undefined);
    await guard.query(`DROP SCHEMA IF EXISTS ${q(schemas.retired)} CASCADE`).catch(() => undefined);
    throw error;
  }
}
