import {
  Global,
  Module,
  UnsupportedMediaTypeException,
  type DynamicModule,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { eventTopic, type Service as ServiceName } from '@aftersales/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  Commands,
  openServiceDatabase,
  PostgresEventStore,
  type ServiceDatabase,
  type ServiceMigrations,
} from '@aftersales/eventstore';
import {
  bindInboxHandlers,
  handledContracts,
  InboxTransport,
  isUnboundEventHandler,
  KafkaJsClient,
  OutboxRelay,
  type IntegrationEventMapper,
  type MessagingClient,
} from '@aftersales/messaging';
import { createLogger, stopTelemetry, type Logger } from '@aftersales/observability';
import {
  API_DOCS_CONTROLLERS,
  ApiDocsModule,
  authConfigFromEnv,
  moduleControllers,
  openApiDocument,
  PLATFORM_CONTROLLERS,
  PlatformHttpModule,
  routeTable,
  type ApiInfo,
  type AuthConfig,
  type OpenApiDocument,
} from '@aftersales/platform-http';

/** DI token of the service's {@link ServiceDatabase}. */
export const SERVICE_DATABASE = Symbol('SERVICE_DATABASE');
/** DI token of the service's {@link MessagingClient}. */
export const MESSAGING = Symbol('MESSAGING');
/** DI token of the service's clock (`() => Date`), replaceable in tests. */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => Date;

export interface ServiceConfig {
  readonly databaseServerUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly port: number;
  readonly partitions: number;
  readonly auth: AuthConfig;
  /** Database name; defaults to `aftersales_<service>`. */
  readonly database?: string;
  /** Prefix of consumer group ids, to run isolated copies (test runs, blue/green) on one cluster. */
  readonly consumerGroupPrefix?: string;
  /**
   * Shifts the service's clock (timers, deadlines, recorded decision times) by this many milliseconds:
   * for incident drills and tests that rehearse what happens hours later. 0 in production.
   */
  readonly clockOffsetMs?: number;
  /** `KAFKA_CONSUMER_FROM_BEGINNING=false` starts new consumer groups at the end of their topics. */
  readonly consumeFromBeginning?: boolean;
  /** `HTTP_BODY_LIMIT_BYTES`: the largest request body accepted (default 256 KiB); larger ones get 413 problem details. */
  readonly httpBodyLimitBytes?: number;
  /** `DATABASE_POOL_SIZE`: most Postgres connections of one instance (default 10). */
  readonly databasePoolSize?: number;
  /**
   * `DATABASE_POOL_WARM`: connections opened before the service reports ready and kept open (default: the pool
   * size), so the first requests after a start or a scale-out do not wait for new connections. 0 opens them on demand.
   */
  readonly databasePoolWarm?: number;
}

/** 256 KiB: ample for any command of the platform (descriptions are capped at a few KiB), small enough to shed abuse. */
export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;

export function serviceConfigFromEnv(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const missing = ['DATABASE_URL', 'KAFKA_BROKERS'].filter((k) => !env[k]);
  if (missing.length) {
    throw new Error(
      `${service}: set ${missing.join(' and ')} (\`npm start\` sets them for a local run on real Kafka and Postgres)`,
    );
  }
  return {
    databaseServerUrl: env.DATABASE_URL as string,
    kafkaBrokers: (env.KAFKA_BROKERS as string).split(',').map((b) => b.trim()),
    port: Number(env.PORT ?? 3000),
    partitions: Number(env.KAFKA_PARTITIONS ?? 6),
    auth: authConfigFromEnv(env),
    database: env.DATABASE_NAME,
    consumerGroupPrefix: env.KAFKA_CONSUMER_GROUP_PREFIX,
    clockOffsetMs: Number(env.CLOCK_OFFSET_MS ?? 0),
    consumeFromBeginning: env.KAFKA_CONSUMER_FROM_BEGINNING !== 'false',
    databasePoolSize: positiveInteger(env, 'DATABASE_POOL_SIZE') ?? 10,
    databasePoolWarm: positiveInteger(env, 'DATABASE_POOL_WARM', true),
    httpBodyLimitBytes: positiveInteger(env, 'HTTP_BODY_LIMIT_BYTES') ?? DEFAULT_BODY_LIMIT_BYTES,
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, zeroAllowed = false): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1)) {
    throw new Error(`${name}=${raw}: expected a whole number ${zeroAllowed ? '≥ 0' : '≥ 1'}`);
  }
  return value;
}

export interface ServiceDefinition {
  readonly service: ServiceName;
  /** What the service does, for the `info` of its OpenAPI document (`GET /docs/openapi.json`). */
  readonly description?: string;
  /** The version of its HTTP API in the OpenAPI document; `1.0.0` when absent. */
  readonly apiVersion?: string;
  /** The service's Nest module (controllers, consumers, application services). */
  readonly module: Type<unknown>;
  readonly migrations?: ServiceMigrations;
  /** Maps stored events to published contract events; the outbox relay runs when given. */
  readonly integrationEvents?: IntegrationEventMapper;
  /**
   * Inbox consumers: each becomes a Nest microservice (its own Kafka group, inbox key and dead-letter topic) feeding
   * the `@Handles` methods of its own handler classes, and only those. Its topics are those of the handled contracts.
   */
  readonly consumers?: readonly InboxConsumerDefinition[];
  readonly clock?: Clock;
  /**
   * Long-running workers of the service (timer schedulers, projections, pagers), started once the app is
   * up and stopped before it closes. They may resolve Nest providers with `app.get(Token)`.
   */
  readonly workers?: (context: WorkerContext) => readonly BackgroundWorker[];
}

/** One inbox consumer of a service: its stable name and the classes whose `@Handles` methods it runs. */
export interface InboxConsumerDefinition {
  /** Kafka group `<service>.<consumer>`, inbox key, dead-letter topic `aftersales.<service>.<consumer>.dlq`. */
  readonly consumer: string;
  /** Classes with `@Handles(Contract)` methods: controllers of the service's module (checked at start). */
  readonly handlers: ReadonlyArray<Type<unknown>>;
}

/** The topics a consumer reads: those its handlers' contracts are published on. */
export function consumerTopics(definition: InboxConsumerDefinition): string[] {
  return [...new Set(handledContracts(definition.handlers).map((c) => c.topic))].sort();
}

/**
 * Declares a service. Checked at once: consumer names unique and kebab-case, every handler class bound to exactly one
 * consumer (so two consumers on one topic never run each other's handlers).
 *
 * @example
 * ```ts
 * export const surveysService = defineService({
 *   service: 'surveys',
 *   module: SurveysModule,
 *   consumers: [{ consumer: 'case-register', handlers: [CaseOpenedConsumer] }],
 * });
 * ```
 */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  const names = new Set<string>();
  for (const c of definition.consumers ?? []) {
    if (!/^[a-z][a-z0-9-]*$/.test(c.consumer)) throw new Error(`consumer name "${c.consumer}" must be kebab-case`);
    if (names.has(c.consumer)) throw new Error(`${definition.service} declares consumer "${c.consumer}" twice`);
    names.add(c.consumer);
    bindInboxHandlers(definition.service, c.consumer, c.handlers);
  }
  return definition;
}

/** The `info` of a service's OpenAPI document. */
export function apiInfoOf(definition: ServiceDefinition): ApiInfo {
  return {
    title: `aftersales ${definition.service}`,
    version: definition.apiVersion ?? '1.0.0',
    description: definition.description,
  };
}

/**
 * The OpenAPI document a service serves at `GET /docs/openapi.json`, built from its module's controllers without
 * starting it (no database, no broker): what `scripts/generate-openapi.ts` commits as `services/<name>/openapi.json`.
 * The inherited HTTP suite checks that the running service serves exactly this document.
 */
export function serviceOpenApiDocument(definition: ServiceDefinition): OpenApiDocument {
  const controllers = [...PLATFORM_CONTROLLERS, ...API_DOCS_CONTROLLERS, ...moduleControllers(definition.module)];
  return openApiDocument(routeTable(controllers).routes, apiInfoOf(definition));
}

/** Something a service runs in the background for its whole life. */
export interface BackgroundWorker {
  start(): void;
  stop(): Promise<void>;
}

export interface WorkerContext {
  readonly app: INestApplication;
  readonly database: ServiceDatabase;
  readonly messaging: MessagingClient;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly database: ServiceDatabase;
  readonly relay: OutboxRelay | null;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Starts one service: its database (created and migrated), its topic, the outbox relay, its inbox
 * consumers and its HTTP API with auth, problem details, health, metrics and its OpenAPI document
 * (`GET /docs/openapi.json`, built from the routes' metadata). `main.ts` calls this
 * after starting telemetry; tests call it to run a service in-process.
 */
export async function runService(definition: ServiceDefinition, config: ServiceConfig): Promise<RunningService> {
  const logger = createLogger(definition.service);
  const offset = config.clockOffsetMs ?? 0;
  const clock: Clock = definition.clock ?? (offset ? () => new Date(Date.now() + offset) : () => new Date());
  if (offset) logger.warn({ clockOffsetMs: offset }, 'clock is shifted (CLOCK_OFFSET_MS): drills and tests only');
  const database = await openServiceDatabase({
    serverUrl: config.databaseServerUrl,
    database: config.database ?? `aftersales_${definition.service}`,
    migrations: definition.migrations,
    poolSize: config.databasePoolSize ?? 10,
    warmConnections: config.databasePoolWarm ?? config.databasePoolSize ?? 10,
    // A broken connection is logged, never an unhandled `error` event: the service answers 503 until Postgres is back.
    onConnectionError: (err) =>
      logger.warn({ code: (err as { code?: string }).code, reason: err.message }, 'Postgres connection failed'),
  });
  // What started, to stop in reverse order: by `close()`, or at once when the start fails half-way (a service that
  // cannot start leaves no pool, client, consumer or timer behind in the process that tried).
  const started: Array<() => Promise<unknown>> = [() => database.close()];
  const stopStarted = async () => {
    for (const stop of started.splice(0).reverse()) {
      await stop().catch((error: unknown) => logger.warn({ err: error }, 'stopping a part of the service failed'));
    }
  };
  try {
    return await start();
  } catch (error) {
    await stopStarted();
    throw error;
  }

  /** Everything after the database: the messaging client, the Nest app and its consumers, the relay, the workers. */
  async function start(): Promise<RunningService> {
    const messaging: MessagingClient = new KafkaJsClient({
      clientId: definition.service,
      brokers: config.kafkaBrokers,
      logger,
    });
    started.push(() => messaging.close());
    const topic = eventTopic(definition.service);
    await messaging.ensureTopics([{ topic, partitions: config.partitions }]);

    const store = new PostgresEventStore(database.pool);
    const consumers = defineService(definition).consumers ?? [];

    @Global()
    @Module({})
    class ServiceInfrastructureModule {
      static register(): DynamicModule {
        return {
          module: ServiceInfrastructureModule,
          providers: [
            { provide: SERVICE_DATABASE, useValue: database },
            { provide: MESSAGING, useValue: messaging },
            { provide: PostgresEventStore, useValue: store },
            { provide: CLOCK, useValue: clock },
            { provide: Commands, useValue: new Commands(store, clock) },
          ],
          exports: [SERVICE_DATABASE, MESSAGING, PostgresEventStore, CLOCK, Commands],
        };
      }
    }

    @Module({
      imports: [
        ServiceInfrastructureModule.register(),
        PlatformHttpModule.forRoot({
          auth: config.auth,
          logger,
          readiness: [
            { name: 'postgres', check: async () => void (await database.pool.query('SELECT 1')) },
            { name: 'kafka', check: () => messaging.ping() },
          ],
        }),
        ApiDocsModule.forRoot(apiInfoOf(definition)),
        definition.module,
      ],
    })
    class ServiceRootModule {}

    const app = await NestFactory.create<NestExpressApplication>(ServiceRootModule, {
      // Only JSON bodies, up to the configured size (registered below); no urlencoded or text parsing.
      bodyParser: false,
      // The JSON parser keeps the bytes as received (`req.rawBody`): webhooks signed with an HMAC of the body
      // (logistics' carrier events) verify the signature over those bytes, not over a re-serialisation.
      rawBody: true,
      logger: {
        log: (m: unknown) => logger.debug(m),
        error: (m: unknown, trace?: string) => logger.error({ trace }, String(m)),
        warn: (m: unknown) => logger.warn(m),
        debug: (m: unknown) => logger.debug(m),
        verbose: (m: unknown) => logger.trace(m),
      },
    });
    started.push(() => app.close());
    app.enableShutdownHooks();
    app.use(requireJsonBodies);
    app.useBodyParser('json', {
      limit: config.httpBodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      type: ['application/json', 'application/*+json'],
    });
    assertConsumersWired(app, consumers);
    for (const c of consumers) {
      app.connectMicroservice(
        {
          strategy: new InboxTransport({
            service: definition.service,
            consumer: c.consumer,
            groupPrefix: config.consumerGroupPrefix,
            fromBeginning: config.consumeFromBeginning ?? true,
            topics: consumerTopics(c),
            pool: database.pool,
            messaging,
            logger,
          }),
        },
        { inheritAppConfig: true },
      );
    }
    for (const c of consumers) {
      await messaging.ensureTopics(consumerTopics(c).map((t) => ({ topic: t, partitions: config.partitions })));
    }
    await app.startAllMicroservices();

    let relay: OutboxRelay | null = null;
    if (definition.integrationEvents) {
      relay = new OutboxRelay({
        service: definition.service,
        topic,
        pool: database.pool,
        messaging,
        toIntegrationEvent: definition.integrationEvents,
        logger,
      });
      relay.start();
      const running = relay;
      started.push(() => running.stop());
    }

    const workers = definition.workers?.({ app, database, messaging, clock, logger }) ?? [];
    for (const worker of workers) {
      worker.start();
      started.push(() => worker.stop());
    }

    // Keep idle connections longer than the load balancers and clients in front of us (AWS ALB: 60 s): with Node's
    // default 5 s, a client reusing a connection the server just closed gets ECONNRESET (or a 502 from the balancer).
    const server = app.getHttpServer() as import('node:http').Server;
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    await app.listen(config.port, '0.0.0.0');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('0.0.0.0', '127.0.0.1');
    logger.info({ url, topic }, `${definition.service} is up`);

    return { app, url, database, relay, logger, close: stopStarted };
  }
}

/**
 * A request with a body must say it is JSON (`application/json` or `application/*+json`): anything else is refused
 * with 415 problem details instead of being parsed some other way or ignored.
 */
function requireJsonBodies(
  req: import('node:http').IncomingMessage,
  _res: unknown,
  next: (error?: unknown) => void,
): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!hasBody || type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return next();
  next(
    new UnsupportedMediaTypeException(
      `Request bodies must be JSON (Content-Type: application/json); got ${type ? `"${type}"` : 'no Content-Type'}`,
    ),
  );
}

/**
 * Consumers and module agree: every handler class a consumer lists is a controller of the app (Nest only dispatches to
 * controllers), and every event handler among the controllers belongs to a consumer (an unbound one would run in every
 * consumer of the service).
 */
function assertConsumersWired(app: INestApplication, consumers: readonly InboxConsumerDefinition[]): void {
  const controllers = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      controllers.add(wrapper.metatype);
      const prototype = (wrapper.metatype as { prototype?: Record<string, unknown> } | null)?.prototype;
      if (!prototype) continue;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const fn = Object.getOwnPropertyDescriptor(prototype, method)?.value as unknown;
        if (typeof fn === 'function' && isUnboundEventHandler(fn)) {
          throw new Error(
            `${wrapper.name}.${method} handles events but no consumer lists ${wrapper.name} in its handlers (service definition)`,
          );
        }
      }
    }
  }
  for (const { consumer, handlers } of consumers) {
    const missing = handlers.filter((h) => !controllers.has(h)).map((h) => h.name);
    if (missing.length > 0) {
      throw new Error(`consumer ${consumer}: list ${missing.join(', ')} among the controllers of the service's module`);
    }
  }
}

/** `main.ts` of a service: run it, and shut down cleanly on SIGTERM/SIGINT. */
export async function main(definition: ServiceDefinition): Promise<void> {
  const running = await runService(definition, serviceConfigFromEnv(definition.service));
  // A promise nobody awaited that failed (a dependency went away under a fire-and-forget call) is logged; it must not
  // end the process (Node's default), which would turn a database restart into an outage.
  process.on('unhandledRejection', (reason) => running.logger.error({ err: reason }, 'unhandled promise rejection'));
  const shutdown = async (signal: string) => {
    running.logger.info({ signal }, 'shutting down');
    await running.close();
    await stopTelemetry();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
