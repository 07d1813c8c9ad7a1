/**
 * `npm start`: the platform on real Kafka and Postgres without Docker.
 *
 * Starts (or reuses) the local Apache Kafka broker assembled from Maven Central, checks Postgres,
 * then runs every service that exists under services/ as its own process with prefixed JSON logs.
 * Ctrl-C stops the services (the broker keeps running; `npm stop` stops it).
 *
 * `npm start -- --prometheus` also runs Prometheus (Debian's `prometheus` package) on http://127.0.0.1:9090, scraping
 * every service with the platform's alert rules loaded; `--zipkin` runs Zipkin's server (its exec jar from Maven
 * Central, cached in ~/.cache/aftersales) on http://127.0.0.1:9411 with every service exporting its traces to it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { LOCAL_PROMETHEUS_PORT, localPrometheus } from './prometheus';

const ROOT = join(__dirname, '..', '..');
/** Fixed local ports, also used by docker-compose.yml and the README. */
export const LOCAL_PORTS: Record<string, number> = {
  intake: 3001,
  surveys: 3002,
  incidents: 3003,
  returns: 3004,
  logistics: 3005,
  compensation: 3006,
};

/** The local payment-provider sandbox compensation pays through (COMPENSATION_PROVIDER_URL's default). */
const PAYMENT_SANDBOX_PORT = 3016;

const env = {
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET ?? 'local-development-secret',
  // Development-only key (fixed, so personal data sealed in an earlier run still opens); set your own in production.
  PRIVACY_MASTER_KEY: process.env.PRIVACY_MASTER_KEY ?? 'YWZ0ZXJzYWxlcy1sb2NhbC1kZXYtb25seS1rZXktMzI=',
  // Pager webhooks tenants may name (PUT /policies): local pagers only, plain http allowed; list your pager's host
  // (or *.its-domain, https) in production.
  INCIDENTS_PAGER_ALLOWED_HOSTS: process.env.INCIDENTS_PAGER_ALLOWED_HOSTS ?? '127.0.0.1,localhost',
  // The local broker is a single node: one replica per partition (production defaults: 3 replicas, 2 in sync).
  KAFKA_REPLICATION_FACTOR: process.env.KAFKA_REPLICATION_FACTOR ?? '1',
  KAFKA_MIN_INSYNC_REPLICAS: process.env.KAFKA_MIN_INSYNC_REPLICAS ?? '1',
  KAFKAJS_NO_PARTITIONER_WARNING: '1',
};

function step(message: string): void {
  console.log(`[platform] ${message}`);
}

async function checkPostgres(): Promise<void> {
  const client = new Client({ connectionString: env.DATABASE_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `Postgres does not answer at ${env.DATABASE_URL} (${(error as Error).message}).\n` +
        '  Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '  or point DATABASE_URL at your server.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

const ZIPKIN_VERSION = '3.5.1';
const ZIPKIN_PORT = 9411;

/** Zipkin's server as one executable jar from Maven Central (io.zipkin:zipkin-server, classifier exec), fetched once. */
function zipkinJar(): string {
  const dir = join(homedir(), '.cache', 'aftersales');
  const jar = join(dir, `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);
  if (existsSync(jar)) return jar;
  step(`fetching Zipkin ${ZIPKIN_VERSION} from Maven Central (once, into ${dir})…`);
  const fetched = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy',
      `-Dartifact=io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`,
      `-DoutputDirectory=${dir}`,
    ],
    { stdio: 'inherit' },
  );
  if (fetched.status !== 0 || !existsSync(jar)) throw new Error('Zipkin could not be fetched (needs mvn and Java 17)');
  return jar;
}

async function main(): Promise<void> {
  if (!process.env.KAFKA_BROKERS) {
    step('starting the local Kafka broker (deploy/local/kafka.sh start)…');
    const kafka = spawnSync('bash', [join(ROOT, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
    if (kafka.status !== 0)
      throw new Error('Kafka did not start; see the messages above (`npm run infra:logs` shows the broker log)');
  }
  step(`checking Postgres at ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}…`);
  await checkPostgres();

  const services = Object.keys(LOCAL_PORTS).filter((s) => existsSync(join(ROOT, 'services', s, 'src', 'main.ts')));
  const children: ChildProcess[] = [];
  if (process.argv.includes('--zipkin')) {
    const zipkin = spawn('java', ['-jar', zipkinJar()], {
      cwd: ROOT,
      env: { ...process.env, QUERY_PORT: String(ZIPKIN_PORT), STORAGE_TYPE: 'mem' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    zipkin.on('exit', (code, signal) => step(`Zipkin exited (${signal ?? code})`));
    children.push(zipkin);
    Object.assign(env, {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: `http://127.0.0.1:${ZIPKIN_PORT}/api/v2/spans`,
    });
    step(`Zipkin starting on http://127.0.0.1:${ZIPKIN_PORT} (traces of every service)`);
  }
  for (const service of services) {
    const port = LOCAL_PORTS[service] as number;
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'services', service, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `${service.padEnd(12)}|`;
    const forward = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) stream.write(`${prefix} ${line}\n`);
    };
    child.stdout?.on('data', forward(process.stdout));
    child.stderr?.on('data', forward(process.stderr));
    child.on('exit', (code, signal) => step(`${service} exited (${signal ?? code})`));
    children.push(child);
    step(`${service} starting on http://127.0.0.1:${port}`);
  }

  // Compensation pays through the local payment-provider sandbox (services/compensation/sandbox): a real HTTP server
  // that confirms payouts by a signed webhook and can be told to fail, time out or confirm late (PUT /behaviour).
  if (services.includes('compensation')) {
    const sandbox = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'services', 'compensation', 'sandbox', 'main.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, PORT: String(PAYMENT_SANDBOX_PORT) },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    sandbox.on('exit', (code, signal) => step(`payment sandbox exited (${signal ?? code})`));
    children.push(sandbox);
    step(`payment sandbox starting on http://127.0.0.1:${PAYMENT_SANDBOX_PORT}`);
  }

  if (process.argv.includes('--prometheus')) {
    const [command, ...args] = localPrometheus(
      ROOT,
      Object.fromEntries(services.map((s) => [s, LOCAL_PORTS[s] as number])),
    );
    const log = openSync(join(ROOT, '.local', 'prometheus', 'prometheus.log'), 'a');
    const prometheus = spawn(command as string, args, { cwd: ROOT, stdio: ['ignore', log, log] });
    prometheus.on('error', (error) =>
      step(`Prometheus did not start (${error.message}): apt-get install -y prometheus, or run without --prometheus`),
    );
    prometheus.on('exit', (code, signal) => step(`Prometheus exited (${signal ?? code})`));
    children.push(prometheus);
    step(`Prometheus starting on http://127.0.0.1:${LOCAL_PROMETHEUS_PORT} (data and log in .local/prometheus)`);
  }

  const deadline = Date.now() + 90_000;
  for (const service of services) {
    const url = `http://127.0.0.1:${LOCAL_PORTS[service]}/health/ready`;
    for (;;) {
      const ready = await fetch(url)
        .then((r) => r.ok)
        .catch(() => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`${service} is not ready after 90 s; see its log lines above`);
      await new Promise((r) => setTimeout(r, 500));
    }
    step(`${service} ready`);
  }
  step('all services are up. Get a token and open a case:');
  console.log(`
  TOKEN=$(npm run -s token -- --tenant shop-1 --roles agent)
  curl -s -X POST http://127.0.0.1:${LOCAL_PORTS.intake}/cases -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' \\
    -d '{"channel":"chat","orderId":"ORD-1","customerId":"cus-1","problemType":"quality","description":"Battery swells"}'
  kcat -C -J -b ${env.KAFKA_BROKERS} -t aftersales.intake.events -o beginning -e

  Ctrl-C stops the services; \`npm stop\` also stops the Kafka broker.`);

  const stop = () => {
    step('stopping services…');
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
}

main().catch((error: unknown) => {
  console.error(`[platform] ${(error as Error).message}`);
  process.exit(1);
});
