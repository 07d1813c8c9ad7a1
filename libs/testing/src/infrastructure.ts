import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/**
 * Where the integration-test infrastructure (Kafka + PostgreSQL) comes from:
 * - `env`: `KAFKA_BROKERS` and `DATABASE_URL` were both set by the caller (CI service containers, a shared dev stack…);
 * - `testcontainers`: a Docker engine answered, so throw-away `postgres:15` and `apache/kafka:3.9.1` containers were started;
 * - `local`: no Docker — the broker from `deploy/local/kafka.sh` and the PostgreSQL server on 127.0.0.1:5432 are used.
 */
export type InfrastructureSource = 'env' | 'testcontainers' | 'local';

export interface Infrastructure {
  kafkaBrokers: string[];
  databaseUrl: string;
  source: InfrastructureSource;
  /** Releases what this call started. The local broker is deliberately left running (fast reruns). */
  stop(): Promise<void>;
}

export interface ResolveInfrastructureOptions {
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
  /** Environment to read (defaults to `process.env`); handy for tests of the selection logic. */
  env?: NodeJS.ProcessEnv;
}

export const REPO_ROOT = resolve(__dirname, '../../..');
export const LOCAL_KAFKA_SCRIPT = join(REPO_ROOT, 'deploy/local/kafka.sh');
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const POSTGRES_IMAGE = 'postgres:15';
export const KAFKA_IMAGE = 'apache/kafka:3.9.1';

const DOCKER_PING_TIMEOUT_MS = 1_500;
const POSTGRES_CONNECT_TIMEOUT_MS = 3_000;
const KAFKA_READY_TIMEOUT_MS = 120_000;

/**
 * Finds Kafka + PostgreSQL for integration tests, in this order:
 * 1. `KAFKA_BROKERS` (comma-separated) and `DATABASE_URL` both set → used as they are;
 * 2. a Docker engine answers → testcontainers (`postgres:15`, `apache/kafka:3.9.1` in KRaft mode);
 * 3. otherwise → `bash deploy/local/kafka.sh start` + PostgreSQL at `DATABASE_URL` or 127.0.0.1:5432.
 *
 * `AFTERSALES_INFRA=env|testcontainers|local` forces a choice. When only one of the two variables is set,
 * it is honoured and only the other half is provided by step 2 or 3.
 */
export async function resolveInfrastructure(options: ResolveInfrastructureOptions = {}): Promise<Infrastructure> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const forced = env.AFTERSALES_INFRA?.trim().toLowerCase();
  if (forced && !['env', 'testcontainers', 'local'].includes(forced)) {
    throw new Error(`AFTERSALES_INFRA must be one of env, testcontainers, local (got "${env.AFTERSALES_INFRA}")`);
  }

  const envBrokers = parseBrokers(env.KAFKA_BROKERS);
  const envDatabaseUrl = env.DATABASE_URL?.trim() || undefined;

  if (forced === 'env' || (!forced && envBrokers && envDatabaseUrl)) {
    if (!envBrokers || !envDatabaseUrl) {
      throw new Error('AFTERSALES_INFRA=env needs both KAFKA_BROKERS (comma-separated host:port) and DATABASE_URL');
    }
    return { kafkaBrokers: envBrokers, databaseUrl: envDatabaseUrl, source: 'env', stop: async () => undefined };
  }

  if (forced !== 'local') {
    const engine = await findDockerEngine(env);
    if (engine) {
      log(`[infra] Docker engine answers at ${engine}; starting containers with testcontainers`);
      try {
        return await startContainers({ envBrokers, envDatabaseUrl, log });
      } catch (error) {
        if (!(error instanceof TestcontainersUnavailableError) || forced === 'testcontainers') throw error;
        log(`[infra] ${error.message}; falling back to the local broker`);
      }
    } else if (forced === 'testcontainers') {
      throw new Error(
        'AFTERSALES_INFRA=testcontainers but no Docker engine answers (checked DOCKER_HOST and the usual sockets)',
      );
    }
  }

  return startLocal({ env, envBrokers, envDatabaseUrl, log });
}

// --- Docker / testcontainers ------------------------------------------------------------------

class TestcontainersUnavailableError extends Error {}

/**
 * Returns a description of the Docker engine endpoint if one answers `/_ping` quickly, else undefined.
 * Deliberately does not load testcontainers: that is slow, and testcontainers 12 cannot even be loaded on
 * Node < 22.19 (its undici 8 dependency needs `zlib.createZstdDecompress`).
 */
export async function findDockerEngine(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) return dockerHostAnswers(dockerHost, env);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const candidates = [
    env.TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE,
    '/var/run/docker.sock',
    join(homedir(), '.docker/run/docker.sock'),
    join(homedir(), '.docker/desktop/docker.sock'),
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'docker.sock') : undefined,
    uid !== undefined ? `/run/user/${uid}/docker.sock` : undefined,
    join(homedir(), '.colima/default/docker.sock'),
    join(homedir(), '.rd/docker.sock'),
  ].filter((p): p is string => Boolean(p));
  for (const socketPath of [...new Set(candidates)]) {
    if (existsSync(socketPath) && (await pingDocker({ socketPath }))) return `unix://${socketPath}`;
  }
  return undefined;
}

/** Returns `dockerHost` (an explicit `DOCKER_HOST`) if the engine behind it answers, else undefined. */
async function dockerHostAnswers(dockerHost: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost.slice('unix://'.length);
    return (await pingDocker({ socketPath })) ? dockerHost : undefined;
  }
  if (dockerHost.startsWith('tcp://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    const port = Number(url.port || (env.DOCKER_TLS_VERIFY ? 2376 : 2375));
    // With TLS we cannot ping without the client certificates; an open port is good enough.
    const ok = env.DOCKER_TLS_VERIFY
      ? await tcpAnswers(url.hostname, port, DOCKER_PING_TIMEOUT_MS)
      : await pingDocker({ host: url.hostname, port });
    return ok ? dockerHost : undefined;
  }
  return undefined; // ssh:// and friends: not worth the wait in a test run
}

function pingDocker(target: { socketPath: string } | { host: string; port: number }): Promise<boolean> {
  return new Promise((resolvePing) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: DOCKER_PING_TIMEOUT_MS }, (res) => {
      res.resume();
      resolvePing(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolvePing(false));
    req.end();
  });
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

type Testcontainers = typeof import('testcontainers');
type PostgresModule = typeof import('@testcontainers/postgresql');

async function loadTestcontainers(): Promise<{ tc: Testcontainers; pg: PostgresModule }> {
  try {
    const [tc, pg] = await Promise.all([import('testcontainers'), import('@testcontainers/postgresql')]);
    return { tc, pg };
  } catch (error) {
    throw new TestcontainersUnavailableError(
      `testcontainers cannot be loaded on Node ${process.versions.node} (${(error as Error).message.split('\n')[0]})` +
        (Number(process.versions.node.split('.')[0]) < 22 ? '; testcontainers 12 needs Node >= 22.19' : ''),
    );
  }
}

async function startContainers(args: {
  envBrokers: string[] | undefined;
  envDatabaseUrl: string | undefined;
  log: (line: string) => void;
}): Promise<Infrastructure> {
  const { tc, pg } = await loadTestcontainers();
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const stopAll = async () => {
    await Promise.allSettled(started.map((c) => c.stop()));
  };
  // allSettled, not all: if one container fails, the other must still be stopped once it is up.
  const [database, kafka] = await Promise.allSettled([
    args.envDatabaseUrl ??
      new pg.PostgreSqlContainer(POSTGRES_IMAGE).start().then((container) => {
        started.push(container);
        args.log(`[infra] ${POSTGRES_IMAGE} ready`);
        return container.getConnectionUri();
      }),
    args.envBrokers ??
      startKafkaContainer(tc).then(({ container, brokers }) => {
        started.push(container);
        args.log(`[infra] ${KAFKA_IMAGE} ready at ${brokers.join(',')}`);
        return brokers;
      }),
  ]);
  if (database.status === 'rejected' || kafka.status === 'rejected') {
    await stopAll();
    throw database.status === 'rejected' ? database.reason : (kafka as PromiseRejectedResult).reason;
  }
  return { kafkaBrokers: kafka.value, databaseUrl: database.value, source: 'testcontainers', stop: stopAll };
}

/**
 * `@testcontainers/kafka` only drives Confluent images, so the official `apache/kafka` image is started
 * as a generic container: it waits for a starter script, which we write once the mapped port is known so
 * the advertised listener points at the host side of the port mapping.
 */
async function startKafkaContainer(tc: Testcontainers) {
  const CLIENT_PORT = 9092; // advertised as <docker host>:<mapped port>, for the tests
  const BROKER_PORT = 9093; // inter-broker listener, advertised inside the container
  const CONTROLLER_PORT = 9094;
  const starter = '/tmp/aftersales_kafka_start.sh';
  const waitingLine = 'Waiting for the starter script';

  const container = await new tc.GenericContainer(KAFKA_IMAGE)
    .withExposedPorts(CLIENT_PORT)
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${CLIENT_PORT},BROKER://0.0.0.0:${BROKER_PORT},CONTROLLER://0.0.0.0:${CONTROLLER_PORT}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${CONTROLLER_PORT}`,
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_NUM_PARTITIONS: '3',
    })
    .withCommand(['sh', '-c', `echo '${waitingLine}'; while [ ! -f ${starter} ]; do sleep 0.1; done; ${starter}`])
    .withWaitStrategy(tc.Wait.forLogMessage(waitingLine))
    .withStartupTimeout(KAFKA_READY_TIMEOUT_MS)
    .start();

  try {
    const brokers = [`${container.getHost()}:${container.getMappedPort(CLIENT_PORT)}`];
    const advertised = `PLAINTEXT://${brokers[0]},BROKER://${container.getHostname()}:${BROKER_PORT}`;
    await container.copyContentToContainer([
      {
        content: `#!/bin/bash\nexport KAFKA_ADVERTISED_LISTENERS=${advertised}\nexec /etc/kafka/docker/run\n`,
        target: starter,
        mode: 0o755,
      },
    ]);
    await waitForKafka(brokers, KAFKA_READY_TIMEOUT_MS);
    return { container, brokers };
  } catch (error) {
    await container.stop().catch(() => undefined);
    throw error;
  }
}

/** Polls until the cluster answers a metadata request (used for containers; kafka.sh does its own wait). */
export async function waitForKafka(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'aftersales-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new Error(
    `Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms: ${(lastError as Error | undefined)?.message ?? 'no brokers in metadata'}`,
  );
}

// --- local (no Docker) ------------------------------------------------------------------------

async function startLocal(args: {
  env: NodeJS.ProcessEnv;
  envBrokers: string[] | undefined;
  envDatabaseUrl: string | undefined;
  log: (line: string) => void;
}): Promise<Infrastructure> {
  const databaseUrl = args.envDatabaseUrl ?? LOCAL_DATABASE_URL;
  // Check PostgreSQL first: it fails fast, before we spend seconds on the broker.
  await assertPostgresAnswers(databaseUrl);

  let kafkaBrokers = args.envBrokers;
  if (!kafkaBrokers) {
    args.log('[infra] using the local broker: bash deploy/local/kafka.sh start');
    await runKafkaScript(['start'], args.env);
    kafkaBrokers = [`127.0.0.1:${args.env.KAFKA_PORT?.trim() || '9092'}`];
  }
  // The local broker stays up after the run: reruns are fast, and `bash deploy/local/kafka.sh stop` ends it.
  return { kafkaBrokers, databaseUrl, source: 'local', stop: async () => undefined };
}

/** Runs `bash deploy/local/kafka.sh <args>`, streaming its output. */
export function runKafkaScript(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn('bash', [LOCAL_KAFKA_SCRIPT, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env });
    child.once('error', (error) => rejectRun(new Error(`could not run ${LOCAL_KAFKA_SCRIPT}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolveRun();
      else
        rejectRun(
          new Error(
            `'bash deploy/local/kafka.sh ${args.join(' ')}' failed (${signal ?? `exit code ${code}`}); see its output above`,
          ),
        );
    });
  });
}

export async function assertPostgresAnswers(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(
      [
        `PostgreSQL does not answer at ${redactUrl(databaseUrl)} (${reason}). Start it with one of:`,
        '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   # Debian/Ubuntu package',
        '  docker compose up -d postgres                                             # docker-compose.yml at the repo root',
        'or point the tests at a running server: export DATABASE_URL=postgres://user:password@host:5432/postgres',
      ].join('\n'),
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

// --- helpers ----------------------------------------------------------------------------------

function parseBrokers(raw: string | undefined): string[] | undefined {
  const brokers = (raw ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return brokers.length > 0 ? brokers : undefined;
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for log lines. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
