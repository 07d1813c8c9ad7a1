import {
  Global,
  Module,
  NotFoundException,
  UnsupportedMediaTypeException,
  type DynamicModule,
  type INestApplication,
  type Type,
} from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { dlqTopic, eventTopic, type Service as ServiceName } from '@aftersales/contracts';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  Commands,
  openServiceDatabase,
  PostgresEventStore,
  type ProjectionDefinition,
  type ServiceDatabase,
  type FoldCache,
  type ServiceMigrations,
} from '@aftersales/eventstore';
import {
  bindInboxHandlers,
  DEFAULT_CONSUMER_MAX_WAIT_MS,
  handledContracts,
  InboxTransport,
  isUnboundEventHandler,
  KafkaJsClient,
  OutboxRelay,
  topicPolicyFromEnv,
  TopicsMissing,
  type IntegrationEventMapper,
  type MessagingClient,
  type TopicPolicy,
} from '@aftersales/messaging';
import { createLogger, observeFoldCache, observePool, stopTelemetry, type Logger } from '@aftersales/observability';
import { numberFromEnv } from './env';
import { checkEnvironment } from './environment';
import {
  DEFAULT_TIMER_RETENTION_DAYS,
  DEFAULT_TIMER_RETENTION_SWEEP_MS,
  TimerRetentionSweep,
  timerRetentionMs,
} from './timer-retention-sweep';
import {
  observeHttpRequests,
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
  /**
   * How topics are made (`KAFKA_CREATE_TOPICS`, `KAFKA_REPLICATION_FACTOR`, `KAFKA_MIN_INSYNC_REPLICAS`,
   * `KAFKA_RETENTION_MS`, `KAFKA_DLQ_RETENTION_MS`, `KAFKA_TOPIC_CONFIG`); absent: created with the broker's defaults.
   */
  readonly topics?: TopicPolicy;
  /**
   * `SHUTDOWN_GRACE_MS`: how long a shutdown (SIGTERM) may take before the process gives up and exits 1 (default
   * 25 000, inside Kubernetes' 30 s `terminationGracePeriodSeconds`). HTTP connections still open at half of it are
   * closed; the relay publishes what is left until 90 % of it.
   */
  readonly shutdownGraceMs?: number;
  /**
   * `SHUTDOWN_DRAIN_DELAY_MS`: how long the service keeps serving after readiness turned false, before it stops
   * accepting connections (default 0): the time a load balancer or Kubernetes' endpoints take to stop sending it
   * requests (a few seconds behind one).
   */
  readonly shutdownDrainDelayMs?: number;
  /**
   * `KAFKA_GROUP_LAG_INTERVAL_MS`: how often each consumer reads its group's broker-side lag from the admin API
   * (`aftersales_consumer_group_lag_messages`; default 15 000).
   */
  readonly consumerGroupLagIntervalMs?: number;
  /**
   * `KAFKA_CONSUMER_MAX_WAIT_MS`: how long a consumer's fetch waits at the broker when nothing is new (default 500, as
   * Kafka's `fetch.max.wait.ms`); a message ends the wait at once.
   */
  readonly consumerMaxWaitMs?: number;
  /**
   * `SERVICE_ROLES`: what this process runs (default: all of them). A deployment under load splits them, e.g. `api,consumers`
   * on the replicas behind the load balancer and `workers,relay` on others, so timers and projections never queue behind
   * requests on one event loop (ADR 24). Every process serves `/health`, `/metrics` and `/docs`.
   */
  readonly roles?: ReadonlySet<ServiceRole>;
  /**
   * `TIMER_RETENTION_DAYS`: how long fired and cancelled durable timers are kept before the processes with the
   * `workers` role delete them (default {@link DEFAULT_TIMER_RETENTION_DAYS}; 0 keeps them forever; ADR 28).
   */
  readonly timerRetentionDays?: number;
  /**
   * The pause between two retention sweeps (default {@link DEFAULT_TIMER_RETENTION_SWEEP_MS}). Not read from the
   * environment: tests shorten it.
   */
  readonly timerRetentionSweepMs?: number;
}

/**
 * What one process of a service runs: `api` its HTTP routes, `consumers` its inbox consumers, `relay` the outbox
 * relay (one leader across the processes that run it), `workers` its background workers (durable timers,
 * projections, pagers: shared across the processes that run them, each timer fired once).
 */
export type ServiceRole = 'api' | 'consumers' | 'relay' | 'workers';
export const SERVICE_ROLES: readonly ServiceRole[] = ['api', 'consumers', 'relay', 'workers'];

/** Parses `SERVICE_ROLES` (`api,consumers`): every role at most once, at least one, only known ones. */
export function parseServiceRoles(raw: string | undefined): ReadonlySet<ServiceRole> {
  if (raw === undefined || raw.trim() === '') return new Set(SERVICE_ROLES);
  const names = raw
    .split(',')
    .map((r) => r.trim().toLowerCase())
    .filter((r) => r !== '');
  const unknown = names.filter((r) => !(SERVICE_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(
      `SERVICE_ROLES=${raw}: expected a comma-separated list of ${SERVICE_ROLES.join(', ')} (e.g. "api,consumers" or "workers,relay"); unknown: ${unknown.join(', ') || '(empty)'}`,
    );
  }
  return new Set(names as ServiceRole[]);
}

/** 256 KiB: ample for any command of the platform (descriptions are capped at a few KiB), small enough to shed abuse. */
export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;
/** 25 s: a graceful shutdown ends within Kubernetes' default 30 s grace period. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

export function serviceConfigFromEnv(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  // Every variable of the service at once, each problem with an example (docs/environment.md).
  checkEnvironment(service, env);
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
    topics: topicPolicyFromEnv(env),
    shutdownGraceMs: positiveInteger(env, 'SHUTDOWN_GRACE_MS') ?? DEFAULT_SHUTDOWN_GRACE_MS,
    shutdownDrainDelayMs: positiveInteger(env, 'SHUTDOWN_DRAIN_DELAY_MS', true) ?? 0,
    consumerGroupLagIntervalMs: positiveInteger(env, 'KAFKA_GROUP_LAG_INTERVAL_MS') ?? 15_000,
    consumerMaxWaitMs: positiveInteger(env, 'KAFKA_CONSUMER_MAX_WAIT_MS') ?? DEFAULT_CONSUMER_MAX_WAIT_MS,
    roles: parseServiceRoles(env.SERVICE_ROLES),
    timerRetentionDays: numberFromEnv(env, 'TIMER_RETENTION_DAYS', DEFAULT_TIMER_RETENTION_DAYS),
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
  /**
   * The projections of the service's read side (their live subscriptions are among its `workers`): what
   * `npm run ops -- projection rebuild <service> <projection>` can rebuild without downtime (ADR 20).
   */
  readonly projections?: readonly ProjectionDefinition[];
}

/** One inbox consumer of a service: its stable name and the classes whose `@Handles` methods it runs. */
export interface InboxConsumerDefinition {
  /** Kafka group `<service>.<consumer>`, inbox key, dead-letter topic `aftersales.<service>.<consumer>.dlq`. */
  readonly consumer: string;
  /** Classes with `@Handles(Contract)` methods: controllers of the service's module (checked at start). */
  readonly handlers: ReadonlyArray<Type<unknown>>;
  /**
   * DI tokens of the service module's `FoldCache`s this consumer's transactions use (ADR 32): for a consumer whose
   * partition key groups its events on the same long streams, each chunk then reads only what was stored since.
   */
  readonly foldCaches?: readonly symbol[];
}

/** The topics a consumer reads: those its handlers' contracts are published on. */
export function consumerTopics(definition: InboxConsumerDefinition): string[] {
  return [...new Set(handledContracts(definition.handlers).map((c) => c.topic))].sort();
}

/**
 * Every topic a service writes or reads: its event topic, its consumers' source topics and dead-letter topics — what a
 * cluster that manages topics (Strimzi KafkaTopics, `KAFKA_CREATE_TOPICS=false`) must hold before it starts.
 */
export function serviceTopics(definition: ServiceDefinition): string[] {
  const consumers = definition.consumers ?? [];
  return [
    ...new Set([
      eventTopic(definition.service),
      ...consumers.flatMap((c) => [...consumerTopics(c), dlqTopic(definition.service, c.consumer)]),
    ]),
  ].sort();
}

/**
 * Declares a service. Checked at once: consumer names unique and kebab-case, every handler class bound to exactly one
 * consumer (so two consumers on one topic never run each other's handlers), projection names unique.
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
  const projections = new Set<string>();
  for (const p of definition.projections ?? []) {
    if (projections.has(p.name)) throw new Error(`${definition.service} declares projection "${p.name}" twice`);
    projections.add(p.name);
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
  /**
   * The one shutdown path (SIGTERM in `main`, tests' `close`): readiness turns false; after the drain delay the HTTP
   * server accepts no more connections and finishes the requests in flight (answering `Connection: close`) while the
   * consumers stop fetching, finish the batch in hand and commit it, and the workers finish their round; then the relay
   * publishes what all of them stored and stores its position; then Nest, Kafka and Postgres are closed. Called twice,
   * it returns the same promise.
   */
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
  const roles = config.roles ?? new Set(SERVICE_ROLES);
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
  const unobservePool = observePool('service', database.pool);
  started.push(async () => unobservePool());
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
      topics: config.topics,
      consumerMaxWaitMs: config.consumerMaxWaitMs,
    });
    started.push(() => messaging.close());
    const topic = eventTopic(definition.service);
    const consumers = defineService(definition).consumers ?? [];
    const topicsOfService = serviceTopics(definition);
    if (config.topics?.create === false) {
      // Made by the cluster's operator (Strimzi KafkaTopics): all of them must be there before anything starts.
      const missing = await messaging.missingTopics(topicsOfService);
      if (missing.length > 0) throw new TopicsMissing(missing);
    }
    await messaging.ensureTopics([{ topic, partitions: config.partitions }]);

    const store = new PostgresEventStore(database.pool);

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

    // False from the first moment of a shutdown: readiness answers 503, responses close their connection.
    const lifecycle = { accepting: true };

    @Module({
      imports: [
        ServiceInfrastructureModule.register(),
        PlatformHttpModule.forRoot({
          auth: config.auth,
          logger,
          lifecycle,
          readiness: [
            { name: 'postgres', check: async () => void (await database.pool.query('SELECT 1')) },
            // Reported, not required: while the broker is away, commands are stored in the outbox (published once it
            // is back) and the consumers wait; taking the HTTP API out of service would only add an outage.
            { name: 'kafka', required: false, check: () => messaging.ping() },
            ...(config.topics?.create === false
              ? [
                  {
                    // Topics the cluster manages (Strimzi KafkaTopic): one that is missing takes the service out of
                    // rotation. A broker that cannot be asked is the kafka check's report, not a missing topic.
                    name: 'kafka-topics',
                    check: async () => {
                      const missing = await messaging.missingTopics(topicsOfService).catch(() => []);
                      if (missing.length > 0) throw new TopicsMissing(missing);
                    },
                  },
                ]
              : []),
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
    // No app.enableShutdownHooks(): Nest's signal handler would close the app on its own, racing `close()` below.
    app.use(observeHttpRequests(logger));
    app.use((_req: unknown, res: import('node:http').ServerResponse, next: () => void) => {
      if (!lifecycle.accepting) res.setHeader('connection', 'close');
      next();
    });
    if (!roles.has('api')) app.use(platformRoutesOnly(roles));
    app.use(requireJsonBodies);
    app.useBodyParser('json', {
      limit: config.httpBodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      type: ['application/json', 'application/*+json'],
    });
    assertConsumersWired(app, consumers);
    const transports: InboxTransport[] = [];
    const consuming = roles.has('consumers') ? consumers : [];
    // The fold caches the consumers name (ADR 32), each resolved once and reported on /metrics.
    const foldCaches = new Map<symbol, FoldCache>();
    const foldCachesOf = (c: InboxConsumerDefinition): FoldCache[] =>
      (c.foldCaches ?? []).map((token) => {
        let cache = foldCaches.get(token);
        if (!cache) {
          cache = app.get<symbol, FoldCache>(token);
          foldCaches.set(token, cache);
          const unobserve = observeFoldCache(cache.name, cache);
          started.push(async () => unobserve());
        }
        return cache;
      });
    for (const c of consuming) {
      const transport = new InboxTransport({
        service: definition.service,
        consumer: c.consumer,
        groupPrefix: config.consumerGroupPrefix,
        fromBeginning: config.consumeFromBeginning ?? true,
        topics: consumerTopics(c),
        pool: database.pool,
        messaging,
        logger,
        groupLagIntervalMs: config.consumerGroupLagIntervalMs,
        foldCaches: foldCachesOf(c),
      });
      transports.push(transport);
      app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
    }
    for (const c of consuming) {
      await messaging.ensureTopics(consumerTopics(c).map((t) => ({ topic: t, partitions: config.partitions })));
    }
    await app.startAllMicroservices();

    let relay: OutboxRelay | null = null;
    if (definition.integrationEvents && roles.has('relay')) {
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

    const workers = roles.has('workers')
      ? [
          ...(definition.workers?.({ app, database, messaging, clock, logger }) ?? []),
          ...timerRetention(config, database, clock, logger),
        ]
      : [];
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
    logger.info({ url, topic, roles: [...roles] }, `${definition.service} is up`);

    let closing: Promise<void> | null = null;
    const close = (): Promise<void> =>
      (closing ??= shutDown({ config, lifecycle, server, transports, workers, relay, logger, stopStarted }));
    return { app, url, database, relay, logger, close };
  }
}

/**
 * The retention sweep of the service's finished durable timers (ADR 28), for a process with the `workers` role (where
 * the timers fire); none when `TIMER_RETENTION_DAYS=0`.
 */
function timerRetention(
  config: ServiceConfig,
  database: ServiceDatabase,
  clock: Clock,
  logger: Logger,
): BackgroundWorker[] {
  const retainMs = timerRetentionMs(config.timerRetentionDays ?? DEFAULT_TIMER_RETENTION_DAYS);
  if (retainMs === null) {
    logger.info('timer retention: off (TIMER_RETENTION_DAYS=0): finished timers are kept');
    return [];
  }
  const everyMs = config.timerRetentionSweepMs ?? DEFAULT_TIMER_RETENTION_SWEEP_MS;
  return [new TimerRetentionSweep({ db: database.pool, retainMs, clock, logger, everyMs })];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The ordered shutdown of a running service ({@link RunningService.close}). */
async function shutDown(parts: {
  readonly config: ServiceConfig;
  readonly lifecycle: { accepting: boolean };
  readonly server: import('node:http').Server;
  readonly transports: readonly InboxTransport[];
  readonly workers: readonly BackgroundWorker[];
  readonly relay: OutboxRelay | null;
  readonly logger: Logger;
  readonly stopStarted: () => Promise<void>;
}): Promise<void> {
  const { config, lifecycle, server, transports, workers, relay, logger } = parts;
  const graceMs = config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  const began = Date.now();
  lifecycle.accepting = false;
  const drainDelayMs = Math.min(config.shutdownDrainDelayMs ?? 0, graceMs / 2);
  logger.info({ graceMs, drainDelayMs }, 'shutting down: not ready any more');
  if (drainDelayMs > 0) await sleep(drainDelayMs);
  const step = (what: string) => (error: unknown) => logger.warn({ err: error }, `shutdown: ${what} failed`);
  await Promise.all([
    drainHttp(server, began + drainDelayMs + (graceMs - drainDelayMs) / 2).then(() =>
      logger.info({ ms: Date.now() - began }, 'shutdown: HTTP requests drained'),
    ),
    ...transports.map((t) => t.close().catch(step('stopping a consumer'))),
    ...workers.map((w) => w.stop().catch(step('stopping a worker'))),
  ]);
  logger.info({ ms: Date.now() - began }, 'shutdown: consumers and workers stopped');
  // Nothing writes events any more: publish what was stored, then store the position.
  await relay?.stop({ drainUntil: began + graceMs * 0.9 }).catch(step('stopping the relay'));
  await parts.stopStarted();
  logger.info({ ms: Date.now() - began }, 'shutdown: stopped');
}

/**
 * Stops accepting connections and resolves once every open one ended: idle keep-alive connections are closed at
 * once, busy ones as soon as their response is sent (responses begun during the drain say `Connection: close`; those
 * begun before leave their connection idle, closed at the next look); any left at `deadline` are cut.
 */
function drainHttp(server: import('node:http').Server, deadline: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
  });
}

/** Paths every process serves, whatever its roles: probes, metrics, the API's description. */
const PLATFORM_PATHS = /^\/(health|metrics|docs)(\/|\?|$)/;

/**
 * In a process without the `api` role, the service's own routes answer 404 problem details that say where the API
 * is served; probes, metrics and docs answer as everywhere.
 */
function platformRoutesOnly(roles: ReadonlySet<ServiceRole>) {
  const runs = [...roles].join(',');
  return (req: import('node:http').IncomingMessage, _res: unknown, next: (error?: unknown) => void): void => {
    if (PLATFORM_PATHS.test(req.url ?? '/')) return next();
    next(
      new NotFoundException(
        `This process runs ${runs} (SERVICE_ROLES), not the API: send requests to the service's API replicas`,
      ),
    );
  };
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

/**
 * `main.ts` of a service: run it, and on SIGTERM/SIGINT shut down through the one path, {@link RunningService.close},
 * then flush the spans and exit 0 — or exit 1 when that took longer than `SHUTDOWN_GRACE_MS` or failed. A signal that
 * arrives while the service starts waits for the start, then shuts it down; a second signal changes nothing.
 */
export async function main(definition: ServiceDefinition): Promise<void> {
  const config = serviceConfigFromEnv(definition.service);
  const starting = runService(definition, config);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A start that failed is reported by `main` itself (main.ts exits 1).
    const running = await starting.catch(() => null);
    if (!running) return;
    const graceMs = config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    running.logger.info({ signal }, 'signal received');
    const overdue = setTimeout(() => {
      running.logger.error({ graceMs }, 'shutdown took longer than SHUTDOWN_GRACE_MS; exiting');
      process.exit(1);
    }, graceMs);
    let code = 0;
    try {
      await running.close();
    } catch (error) {
      running.logger.error({ err: error }, 'shutdown failed');
      code = 1;
    }
    // The spans of the last requests and batches leave before the process does.
    await stopTelemetry().catch((error: unknown) => running.logger.warn({ err: error }, 'flushing spans failed'));
    clearTimeout(overdue);
    process.exit(code);
  };
  // `on`, not `once`: a second SIGTERM must not kill the process half-way through its shutdown (Node's default).
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const running = await starting;
  // A promise nobody awaited that failed (a dependency went away under a fire-and-forget call) is logged; it must not
  // end the process (Node's default), which would turn a database restart into an outage.
  process.on('unhandledRejection', (reason) => running.logger.error({ err: reason }, 'unhandled promise rejection'));
}
