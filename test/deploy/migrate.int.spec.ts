import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { Client } from 'pg';

/**
 * deploy/migrate.ts, what the Helm chart's pre-install/pre-upgrade Job runs: it brings each service's database to its
 * current schema and exits 0, again without harm, and refuses an unknown service with exit 1.
 */
const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

function migrate(service: string, database: TestDatabase) {
  return run(process.execPath, ['--import', 'tsx', join(ROOT, 'deploy', 'migrate.ts'), service], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_NAME: database.name },
    timeout: 120_000,
  });
}

async function tables(database: TestDatabase): Promise<string[]> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    return rows.map((r) => r.tablename);
  } finally {
    await client.end();
  }
}

describe('deploy/migrate.ts', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });

  // One service (each run loads the service's whole module): every service's migrations run at its start already.
  it('migrates a service database, and a second run finds nothing to do', async () => {
    const db = await createTestDatabase('migrate_intake');
    databases.push(db);
    const first = await migrate('intake', db);
    expect(JSON.parse(first.stdout.trim())).toMatchObject({
      service: 'intake',
      database: db.name,
      msg: 'schema is current',
    });
    const migrated = await tables(db);
    expect(migrated).toEqual(expect.arrayContaining(['es_events', 'es_inbox', 'es_timers', 'es_checkpoints']));
    await migrate('intake', db);
    expect(await tables(db)).toEqual(migrated);
  }, 120_000);

  it('refuses an unknown service with exit code 1 and the reason', async () => {
    const db = await createTestDatabase('migrate_unknown');
    databases.push(db);
    await expect(migrate('warehouse', db)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no service "warehouse"'),
    });
    expect(await tables(db)).toEqual([]);
  });
});
