import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const POSTGRES_MAX_IDENTIFIER = 63;

export interface TestDatabase {
  /** Connection string for the new database (same server, credentials and options as `DATABASE_URL`). */
  url: string;
  name: string;
  /**
   * Drops the database. Sessions still on their way out (a pool that was just ended) get up to `graceMs` (default
   * 5 s) to go; those left after that are terminated (`WITH (FORCE)`). Safe to call twice.
   */
  drop(options?: { graceMs?: number }): Promise<void>;
}

/** `application_name` of the session that drops a test database (visible in `pg_stat_activity`). */
export const DROP_APPLICATION_NAME = 'aftersales-testing-drop';

/** `DATABASE_URL` as set by the Jest globalSetup (libs/testing/src/global-setup.ts). */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. Integration tests get it from the Jest globalSetup (libs/testing/src/global-setup.ts): ' +
        'run them with `npx jest --selectProjects integration` or `npm run test:int`, ' +
        'or export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres yourself.',
    );
  }
  return url;
}

/**
 * A unique, lowercase name made of `prefix` and a time + random suffix, for topics, consumer groups and databases.
 * Characters outside `[a-z0-9_.-]` in the prefix become `separator`; the result is at most `maxLength` long.
 */
export function uniqueName(prefix: string, options: { separator?: '-' | '_' | '.'; maxLength?: number } = {}): string {
  const separator = options.separator ?? '-';
  const maxLength = options.maxLength ?? 200;
  const suffix = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const allowed = separator === '_' ? /[^a-z0-9_]+/g : /[^a-z0-9_.-]+/g;
  const cleanPrefix = prefix
    .toLowerCase()
    .replace(allowed, separator)
    .replace(/^[^a-z0-9_]+|[^a-z0-9_]+$/g, '')
    .slice(0, Math.max(0, maxLength - suffix.length - 1));
  return cleanPrefix ? `${cleanPrefix}${separator}${suffix}` : suffix;
}

/**
 * Creates an empty database named `<prefix>_<unique suffix>` (lowercase, ≤ 63 chars) on the server of
 * `DATABASE_URL`. Call `drop()` in `afterAll`.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const serverUrl = databaseUrl();
  let name = uniqueName(prefix, { separator: '_', maxLength: POSTGRES_MAX_IDENTIFIER });
  // Unquoted identifiers must not start with a digit; keep names easy to type in psql.
  if (!/^[a-z_]/.test(name)) name = `t_${name}`.slice(0, POSTGRES_MAX_IDENTIFIER);

  await withAdminClient(serverUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
        return;
      } catch (error) {
        // 55006: "source database template1 is being accessed by other users" — transient under parallel workers.
        if ((error as { code?: string }).code !== '55006' || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  });

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async ({ graceMs = 5_000 } = {}) => {
      if (dropped) return;
      await withAdminClient(
        serverUrl,
        async (client) => {
          await sessionsGone(client, name, graceMs);
          await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        },
        DROP_APPLICATION_NAME,
      );
      dropped = true;
    },
  };
}

/**
 * Waits up to `graceMs` until no session is connected to `database`. `pg`'s `Pool.end()` resolves once it has asked
 * its connections to close, not once their sessions are gone; a forced drop right after it terminates sessions that
 * were about to go, and their clients receive "terminating connection due to administrator command": on a pool
 * without an `error` listener that is an unhandled `error` event, and the process exits (seen in `npm run bench`).
 */
async function sessionsGone(client: Client, database: string, graceMs: number): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    if (rows[0]?.n === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withAdminClient<T>(
  url: string,
  fn: (client: Client) => Promise<T>,
  applicationName?: string,
): Promise<T> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    ...(applicationName ? { application_name: applicationName } : {}),
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
