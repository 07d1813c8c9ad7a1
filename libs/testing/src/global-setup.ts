import { redactUrl, resolveInfrastructure, type Infrastructure } from './infrastructure';

/** Where global-teardown.ts finds what global-setup.ts started (both run in Jest's main process). */
export const INFRASTRUCTURE_HANDLE = '__aftersalesInfrastructure__';

type WithHandle = typeof globalThis & { [INFRASTRUCTURE_HANDLE]?: Infrastructure };

/**
 * Jest globalSetup for the `integration` project: finds or starts Kafka + PostgreSQL and exports
 * KAFKA_BROKERS / DATABASE_URL, which the test workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const infrastructure = await resolveInfrastructure();
  process.env.KAFKA_BROKERS = infrastructure.kafkaBrokers.join(',');
  process.env.DATABASE_URL = infrastructure.databaseUrl;
  (globalThis as WithHandle)[INFRASTRUCTURE_HANDLE] = infrastructure;
  process.stderr.write(
    `[infra] ${infrastructure.source}: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} ` +
      `DATABASE_URL=${redactUrl(infrastructure.databaseUrl)} (${Date.now() - started} ms)\n`,
  );
}
