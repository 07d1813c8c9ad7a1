import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const POSTGRES_MAX_IDENTIFIER = 63;

export interface TestDatabase {
  /** Connection string for the new database (same server, credentials and options as `DATABASE_URL`). */
  url: string;
  name: string;
  /** Drops the database, terminating leftover connections (`WITH (FORCE)`). Safe to call twice. */
  drop(): Promise<void>;
}

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
    drop: async () => {
      if (dropped) return;
      await withAdminClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
      );
      dropped = true;
    },
  };
}

async function withAdminClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
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
