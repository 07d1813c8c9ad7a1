/**
 * Migrates one service's database and exits: what the Helm chart's pre-install/pre-upgrade Job runs, so a rollout
 * starts on an up-to-date schema. The same migrations run at every service start (already applied ones are skipped).
 *
 *   node --import tsx deploy/migrate.ts <service>        # or SERVICE=<service>
 *   node deploy/migrate.js <service>                     # compiled (`npm run build`; the image)
 *
 * Environment: DATABASE_URL (a user allowed to create the database and run DDL), DATABASE_NAME (default
 * aftersales_<service>), DATABASE_RUNTIME_URL (optional: the URL the service runs with; when its user is another, that
 * user is granted reading and writing every table and sequence of the schema, and nothing more, so the service runs
 * without DDL rights). Exit 0 when the schema is current, 1 with the reason otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { Client } from 'pg';
import { openServiceDatabase, type ServiceMigrations } from '@aftersales/eventstore';

interface MigratableService {
  readonly service: string;
  readonly migrations?: ServiceMigrations;
}

function isServiceDefinition(value: unknown, service: string): value is MigratableService {
  return typeof value === 'object' && value !== null && (value as { service?: unknown }).service === service;
}

async function migrate(service: string): Promise<void> {
  // Beside its sources (tsx) or in the compiled tree (`npm run build`): the module has the extension this file has.
  const extension = __filename.endsWith('.js') ? 'js' : 'ts';
  const modulePath = join(__dirname, '..', 'services', service, 'src', `${service}.module.${extension}`);
  if (!/^[a-z][a-z0-9-]*$/.test(service) || !existsSync(modulePath)) {
    throw new Error(`no service "${service}" (expected services/${service}/src/${service}.module.${extension})`);
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('set DATABASE_URL');
  const exported: Record<string, unknown> = await import(modulePath);
  const definition = Object.values(exported).find((value) => isServiceDefinition(value, service));
  if (!definition) throw new Error(`${modulePath} exports no service definition of "${service}"`);
  const database = process.env.DATABASE_NAME ?? `aftersales_${service}`;
  const started = Date.now();
  const opened = await openServiceDatabase({ serverUrl, database, migrations: definition.migrations, poolSize: 2 });
  await opened.close();
  const runtimeUser = userOf(process.env.DATABASE_RUNTIME_URL);
  const granted = runtimeUser && runtimeUser !== userOf(serverUrl) ? runtimeUser : undefined;
  if (granted) await grantReadWrite(serverUrl, database, granted);
  console.log(
    JSON.stringify({
      service,
      database,
      msg: 'schema is current',
      ...(granted ? { granted } : {}),
      ms: Date.now() - started,
    }),
  );
}

/** The user name of a `postgres://user:password@host/db` URL; `undefined` without a URL or a user. */
function userOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const user = decodeURIComponent(new URL(url).username);
  return user || undefined;
}

/**
 * Lets `user` run a service on `database` without DDL rights: connect, and read and write (SELECT, INSERT, UPDATE,
 * DELETE) every table and sequence of the schema as it is after the migrations. Run after every migration, so tables a
 * migration adds are granted before the rollout's pods start. No CREATE, ALTER, DROP or TRUNCATE.
 */
async function grantReadWrite(serverUrl: string, database: string, user: string): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const role = client.escapeIdentifier(user);
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  } finally {
    await client.end();
  }
}

const service = process.argv[2] ?? process.env.SERVICE ?? '';
migrate(service).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`migrate ${service}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
