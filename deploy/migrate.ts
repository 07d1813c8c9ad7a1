/**
 * Migrates one service's database and exits: what the Helm chart's pre-install/pre-upgrade Job runs, so a rollout
 * starts on an up-to-date schema. The same migrations run at every service start (already applied ones are skipped).
 *
 *   node --import tsx deploy/migrate.ts <service>        # or SERVICE=<service>
 *   node deploy/migrate.js <service>                     # compiled (`npm run build`; the image)
 *
 * Environment: DATABASE_URL (a user allowed to create the database and run DDL), DATABASE_NAME (default
 * aftersales_<service>). Exit 0 when the schema is current, 1 with the reason otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
  console.log(JSON.stringify({ service, database, msg: 'schema is current', ms: Date.now() - started }));
}

const service = process.argv[2] ?? process.env.SERVICE ?? '';
migrate(service).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`migrate ${service}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
