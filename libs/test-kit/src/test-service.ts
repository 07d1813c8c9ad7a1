import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { signDevToken, type Principal } from '@aftersales/platform-http';
import {
  runService,
  type RunningService,
  type ServiceConfig,
  type ServiceDefinition,
} from '@aftersales/service-runtime';
import { createTestDatabase, uniqueName, type TestDatabase } from '@aftersales/testing';
import { kafkaBrokers, waitForConsumerGroups } from '@aftersales/testing';
import { freePort } from './wait';

/** How a test starts a service; everything is optional. */
export interface TestServiceOptions {
  /** Environment variables the service reads at start (set for its life, restored by `close`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Overrides of the runtime configuration (auth, partitions, body limit, clock…). */
  readonly config?: Partial<ServiceConfig>;
  /**
   * Where new consumer groups start: at the end of their topics (default: the test sees only what it publishes, not
   * other runs' history) or at the beginning.
   */
  readonly consumeFromBeginning?: boolean;
}

/** A caller of a test service's HTTP API: a principal signed with the service's dev secret, or a raw token. */
export type Caller =
  (Partial<Principal> & { readonly tenant: string; readonly roles: readonly string[] }) | { readonly token: string };

/** What {@link TestService.call} answers: status, headers, and the body parsed as JSON when it is JSON. */
export interface CallResult<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

/** A service running in this process for a test, on a database of its own, with helpers to call it. */
export interface TestService {
  readonly definition: ServiceDefinition;
  readonly running: RunningService;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The service's own database (dropped by `close`). */
  readonly testDatabase: TestDatabase;
  /** The service's connection pool, to look at what it stored. */
  readonly pool: Pool;
  /** Prefix of this run's consumer groups (`<prefix><service>.<consumer>`). */
  readonly groupPrefix: string;
  /** The HS256 secret its tokens are signed with. */
  readonly secret: string;
  /** The Kafka group id of one of its consumers. */
  groupOf(consumer: string): string;
  /** A bearer token for a principal (subject defaults to `<first role>-1`). */
  token(
    principal: Partial<Principal> & { readonly tenant: string; readonly roles: readonly string[] },
  ): Promise<string>;
  /** One HTTP request as `caller` (none: anonymous). JSON bodies are sent and parsed; others pass as they are. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { caller?: Caller; body?: unknown; headers?: Record<string, string> },
  ): Promise<CallResult<T>>;
  /**
   * Stops the service and starts it again on the same database and consumer groups, as a redeploy or a crash recovery
   * would (`running`, `url` and `pool` change); waits for its consumer groups again.
   */
  restart(): Promise<void>;
  /** Stops the service, drops its database, restores the environment. */
  close(): Promise<void>;
}

/**
 * Starts `definition` in this process the way `main.ts` would (migrations, relay, consumers, HTTP) on a fresh
 * database, with consumer groups of its own that start at the end of their topics, and waits until every consumer
 * group has joined — so what the test publishes next is consumed. The one way tests start a service.
 *
 * @example
 * ```ts
 * const surveys = await startTestService(surveysService);
 * const res = await surveys.call('GET', '/surveys?incidentId=…', { caller: { tenant: 'shop-1', roles: ['agent'] } });
 * await surveys.close();
 * ```
 */
export async function startTestService(
  definition: ServiceDefinition,
  options: TestServiceOptions = {},
): Promise<TestService> {
  const previousEnv = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(options.env ?? {})) {
    previousEnv.set(name, process.env[name]);
    process.env[name] = value;
  }
  const restoreEnv = () => {
    for (const [name, value] of previousEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  const secret = options.config?.auth?.secret ?? `test-secret-${randomUUID()}`;
  const groupPrefix = `${uniqueName(definition.service)}.`;
  // A process without the `consumers` role (SERVICE_ROLES) joins no group.
  const consuming = options.config?.roles?.has('consumers') ?? true;
  const groups = consuming
    ? (definition.consumers ?? []).map((c) => `${groupPrefix}${definition.service}.${c.consumer}`)
    : [];
  const run = async (db: TestDatabase) => {
    const service = await runService(definition, {
      databaseServerUrl: db.url,
      database: db.name,
      kafkaBrokers: kafkaBrokers(),
      port: await freePort(),
      partitions: 3,
      consumerGroupPrefix: groupPrefix,
      consumeFromBeginning: options.consumeFromBeginning ?? false,
      ...options.config,
      auth: { secret, ...options.config?.auth },
    });
    try {
      if (groups.length > 0) await waitForConsumerGroups(groups);
    } catch (error) {
      await service.close();
      throw error;
    }
    return service;
  };
  let database: TestDatabase | undefined;
  let running: RunningService | undefined;
  try {
    database = await createTestDatabase(definition.service);
    running = await run(database);
  } catch (error) {
    await running?.close().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    restoreEnv();
    throw error;
  }
  let started = running;
  const db = database;
  const token = (principal: Partial<Principal> & { readonly tenant: string; readonly roles: readonly string[] }) =>
    signDevToken(
      {
        subject: principal.subject ?? `${principal.roles[0] ?? 'caller'}-1`,
        tenant: principal.tenant,
        roles: [...principal.roles],
      },
      secret,
      options.config?.auth ?? {},
    );
  return {
    definition,
    get running() {
      return started;
    },
    get url() {
      return started.url;
    },
    testDatabase: db,
    get pool() {
      return started.database.pool;
    },
    groupPrefix,
    secret,
    groupOf: (consumer) => `${groupPrefix}${definition.service}.${consumer}`,
    token,
    async call<T>(
      method: string,
      path: string,
      callOptions: { caller?: Caller; body?: unknown; headers?: Record<string, string> } = {},
    ) {
      const { caller, body } = callOptions;
      const bearer = caller ? ('token' in caller ? caller.token : await token(caller)) : undefined;
      const isJson = body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
      const res = await fetch(`${started.url}${path}`, {
        method,
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(isJson ? { 'content-type': 'application/json' } : {}),
          ...callOptions.headers,
        },
        body: body === undefined ? undefined : isJson ? JSON.stringify(body) : (body as string | Uint8Array),
      });
      const text = await res.text();
      let parsed: unknown = text;
      if (/json/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed as T, text };
    },
    async restart() {
      await started.close();
      started = await run(db);
    },
    async close() {
      try {
        await started.close();
      } finally {
        await db.drop();
        restoreEnv();
      }
    },
  };
}
