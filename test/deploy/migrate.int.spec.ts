import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import { freePort, ServiceProcess } from '@aftersales/test-kit';
import {
  createTestDatabase,
  databaseUrl,
  kafkaBrokers,
  readTopicWithKcat,
  uniqueName,
  type TestDatabase,
} from '@aftersales/testing';
import { Client } from 'pg';

/**
 * deploy/migrate.ts, what the Helm chart's pre-install/pre-upgrade Job runs: it brings each service's database to its
 * current schema and exits 0, again without harm, and refuses an unknown service with exit 1. Given the URL the
 * service runs with (DATABASE_RUNTIME_URL), it grants that user the tables, so the service runs without DDL rights.
 */
const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

function migrate(service: string, database: TestDatabase, env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', join(ROOT, 'deploy', 'migrate.ts'), service], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_NAME: database.name, ...env },
    timeout: 120_000,
  });
}

/** The server URL of the tests' Postgres for another user, on `database` (default: the server's own). */
function urlAs(user: string, password: string, database?: string): string {
  const url = new URL(databaseUrl());
  url.username = user;
  url.password = password;
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
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
  const roles: string[] = [];
  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
    await asAdmin(async (client) => {
      for (const role of roles) await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
    });
  });

  /** A login role with no rights of its own (no superuser, no CREATEDB, no CREATEROLE). */
  async function plainUser(): Promise<{ user: string; password: string }> {
    const user = uniqueName('aftersales_app', { separator: '_', maxLength: 40 });
    const password = randomBytes(12).toString('hex');
    await asAdmin((client) =>
      client.query(
        `CREATE ROLE ${client.escapeIdentifier(user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}'`,
      ),
    );
    roles.push(user);
    return { user, password };
  }

  /** Intake as its own process (main.ts) on `db`, connecting as the user of `serverUrl`. */
  async function intakeAs(serverUrl: string, db: TestDatabase, secret: string): Promise<ServiceProcess> {
    return new ServiceProcess('intake', await freePort(), {
      DATABASE_URL: serverUrl,
      DATABASE_NAME: db.name,
      AUTH_JWT_SECRET: secret,
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_PARTITIONS: '3',
      KAFKA_CONSUMER_GROUP_PREFIX: `${uniqueName('migrate')}.`,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      OTEL_SDK_DISABLED: 'true',
      LOG_LEVEL: 'warn',
    });
  }

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

  // CONTEXT: the production split: the migration runs as a user with DDL rights (here the tests' superuser), the
  // service as a plain login role; intake then starts through its real main.ts and takes a case end to end.
  it('lets the service run as a user without DDL rights: the migration grants it the tables', async () => {
    const db = await createTestDatabase('migrate_dml');
    databases.push(db);
    const app = await plainUser();
    const migrated = await migrate('intake', db, { DATABASE_RUNTIME_URL: urlAs(app.user, app.password) });
    expect(JSON.parse(migrated.stdout.trim())).toMatchObject({ msg: 'schema is current', granted: app.user });

    // The user reads and writes, and changes no schema.
    const direct = new Client({ connectionString: urlAs(app.user, app.password, db.name) });
    await direct.connect();
    try {
      await expect(direct.query('SELECT count(*) FROM es_events')).resolves.toBeDefined();
      await expect(direct.query('CREATE TABLE probe (x int)')).rejects.toMatchObject({ code: '42501' });
      await expect(direct.query('ALTER TABLE es_events ADD COLUMN probe int')).rejects.toMatchObject({ code: '42501' });
      await expect(direct.query('TRUNCATE es_events')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await direct.end();
    }

    const secret = 'migrate-secret';
    const intake = await intakeAs(urlAs(app.user, app.password), db, secret);
    try {
      await intake.start();
      const token = await signDevToken({ subject: 'agent-1', tenant: uniqueName('shop'), roles: ['agent'] }, secret);
      const caseId = randomUUID();
      const opened = await fetch(`${intake.url}/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          caseId,
          channel: 'chat',
          orderId: 'ORD-1',
          customerId: 'cus-1',
          problemType: 'quality',
          description: 'The battery swells after two days',
        }),
      });
      expect(opened.status).toBe(201);
      const read = await fetch(`${intake.url}/cases/${caseId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(200);
      // Published by the relay, which stores its position as that user too.
      const published = await readTopicWithKcat(Topics.intake, {
        count: 1,
        timeoutMs: 30_000,
        until: (m) => m.key === caseId,
      });
      expect(published.map((m) => m.key)).toContain(caseId);
    } finally {
      await intake.stop();
    }
    expect(intake.unexpectedExits).toEqual([]);
  }, 180_000);

  it('refuses to start a service whose user was not granted its schema, saying how to fix it', async () => {
    const db = await createTestDatabase('migrate_ungranted');
    databases.push(db);
    await migrate('intake', db);
    const stranger = await plainUser();
    const intake = await intakeAs(urlAs(stranger.user, stranger.password), db, 'migrate-secret');
    // Its start fails at once (no retry: waiting would not grant anything), the reason in its log.
    await expect(intake.start()).rejects.toThrow(/exited \(1\)/);
    const log = readFileSync(intake.logFile, 'utf8');
    expect(log).toMatch(/may not read or migrate its schema \(permission denied/);
    expect(log).toMatch(/Run the migrations first with a user that may/);
  }, 180_000);
});
