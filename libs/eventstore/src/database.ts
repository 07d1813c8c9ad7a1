import { Pool } from 'pg';
import { DataSource, type MixedList } from 'typeorm';
import { guardedClient, guardedClientClass, retryWhileUnavailable, type ConnectionErrorListener } from './connection';
import { EventStoreMigrations } from './migrations/1732500000000-create-event-store';

/** Migrations a service adds beside the event store's (projections, timers, read models). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type ServiceMigrations = MixedList<Function>;

export interface ServiceDatabase {
  readonly dataSource: DataSource;
  /** The `pg` pool TypeORM owns; the event store, relay and inbox run their SQL on it. */
  readonly pool: Pool;
  readonly name: string;
  /**
   * A pool of `size` connections of its own on the same database, for a worker that bursts of HTTP requests on
   * {@link ServiceDatabase.pool} must not starve (the timer loops); opened lazily, closed with the database.
   */
  ownPool(size: number): Pool;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Creates the database if it does not exist yet. Each service owns one database on the server
 * named by `serverUrl` (e.g. `aftersales_intake`), so services never read each other's tables.
 */
export async function ensureDatabase(
  serverUrl: string,
  database: string,
  onConnectionError: ConnectionErrorListener = () => undefined,
): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`Unsafe database name: ${database}`);
  const admin = guardedClient(
    { connectionString: serverUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    onConnectionError,
  );
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      try {
        await admin.query(`CREATE DATABASE ${database}`);
      } catch (error) {
        // Another instance created it between our check and our CREATE.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
  return withDatabase(serverUrl, database);
}

/**
 * How long a request waits for a connection (a new one, or a free one from a full pool) before it fails with
 * "timeout exceeded when trying to connect": while the database is away, requests answer 503 after this instead of
 * hanging.
 */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Settings every session of a service's pools starts with (libpq's `options` startup parameter; ADR 43).
 *
 * No parallel query: a service's statements are short lookups and writes of a request, a batch or a timer, and a
 * parallel plan starts its worker processes for every execution. Without statistics (a new or fast-growing table not
 * analysed yet — or never, where autovacuum is off) the planner guesses thousands of rows for `stream_id = ANY($1)`
 * and picks a parallel bitmap scan once `es_events` outgrows `min_parallel_table_scan_size`: measured 2026-12-04, the
 * event reads of compensation's batches then averaged 12.5 ms (waiting on `MessageQueueInternal` and
 * `BgWorkerShutdown`) and 500 payouts/s collapsed to under 300 within 20 s.
 */
export const SESSION_OPTIONS = '-c max_parallel_workers_per_gather=0';

/** SQLSTATE 42501: the user lacks a privilege (a DDL statement, or a table it was not granted). */
function insufficientPrivilege(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42501';
}

/**
 * The service's user may not read or bring its database's schema up to date: it runs without DDL rights, and the
 * migrations did not run beforehand (or did not grant it the tables).
 */
export class MigrationsNotAllowedError extends Error {
  constructor(database: string, cause: Error) {
    super(
      `${database}: this user may not read or migrate its schema (${cause.message}). Run the migrations first with a ` +
        "user that may (deploy/migrate.js <service>, the Helm chart's migration Job), DATABASE_RUNTIME_URL naming " +
        'this one so it is granted the tables',
      { cause },
    );
    this.name = 'MigrationsNotAllowedError';
  }
}

/**
 * Opens a service's database: creates it if needed, runs the event store's and the service's
 * migrations (serialised across instances by an advisory lock) and returns the pool.
 *
 * @example
 * ```ts
 * const db = await openServiceDatabase({ serverUrl: process.env.DATABASE_URL!, database: 'aftersales_intake' });
 * const store = new PostgresEventStore(db.pool);
 * ```
 */
export async function openServiceDatabase(options: {
  serverUrl: string;
  database: string;
  migrations?: ServiceMigrations;
  /** Most connections the pool opens (default 10). */
  poolSize?: number;
  /**
   * Connections opened before this returns and kept open while idle (default 0; services use their pool size):
   * a service that just became ready then takes its first burst of requests without opening connections under
   * load (in a cold-start run at 200 complaints/s this cut the first seconds' p99 by about a quarter).
   */
  warmConnections?: number;
  /**
   * Told about every broken connection (pooled, checked out or idle) and pool error; never thrown. Without it they
   * are ignored: the query that was running fails with the error anyway, and the pool discards the connection.
   */
  onConnectionError?: ConnectionErrorListener;
  /** How long to wait for an unreachable database while opening (default 60 s), with backoff. */
  startupTimeoutMs?: number;
}): Promise<ServiceDatabase> {
  const onConnectionError = options.onConnectionError ?? (() => undefined);
  return retryWhileUnavailable(() => openOnce({ ...options, onConnectionError }), {
    timeoutMs: options.startupTimeoutMs ?? 60_000,
    onRetry: (error) => onConnectionError(error as Error),
  });
}

async function openOnce(options: {
  serverUrl: string;
  database: string;
  migrations?: ServiceMigrations;
  poolSize?: number;
  warmConnections?: number;
  onConnectionError: ConnectionErrorListener;
}): Promise<ServiceDatabase> {
  const url = await ensureDatabase(options.serverUrl, options.database, options.onConnectionError);
  const poolSize = options.poolSize ?? 10;
  const warm = Math.max(0, Math.min(options.warmConnections ?? 0, poolSize));
  const migrations = [...EventStoreMigrations, ...((options.migrations as unknown[]) ?? [])];
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    migrations: migrations as ServiceMigrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    extra: {
      max: poolSize,
      min: warm,
      // Every client has an error listener (a broken connection must not be an unhandled `error` event).
      Client: guardedClientClass(options.onConnectionError),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A peer that vanished without closing the socket (a failed-over host) is noticed, not waited on forever.
      keepAlive: true,
      options: SESSION_OPTIONS,
    },
    // An idle pooled connection that breaks: the pool has discarded it already; report it instead of TypeORM's warning.
    poolErrorHandler: (error: unknown) => options.onConnectionError(error as Error),
    logging: ['error'],
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  try {
    const lock = dataSource.createQueryRunner();
    try {
      await lock.connect();
      await lock.query(`SELECT pg_advisory_lock(hashtext('aftersales:migrations'))`);
      await dataSource.runMigrations().catch((error: unknown) => {
        throw insufficientPrivilege(error) ? new MigrationsNotAllowedError(options.database, error as Error) : error;
      });
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('aftersales:migrations'))`).catch(() => undefined);
      await lock.release().catch(() => undefined);
    }
    if (warm > 0) {
      const clients = await Promise.all(Array.from({ length: warm }, () => driverPool(dataSource).connect()));
      for (const client of clients) client.release();
    }
  } catch (error) {
    // Opening failed half-way (the database went away): close what was opened, so a retry starts clean.
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  const pool = driverPool(dataSource);
  const ownPools: Pool[] = [];
  return {
    dataSource,
    pool,
    name: options.database,
    ownPool: (size: number) => {
      const own = new Pool({
        connectionString: url,
        max: Math.max(1, size),
        Client: guardedClientClass(options.onConnectionError),
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        keepAlive: true,
        options: SESSION_OPTIONS,
      });
      own.on('error', (error) => options.onConnectionError(error));
      ownPools.push(own);
      return own;
    },
    close: async () => {
      await Promise.all(ownPools.splice(0).map((own) => own.end().catch(() => undefined)));
      await dataSource.destroy();
    },
  };
}

function driverPool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}
