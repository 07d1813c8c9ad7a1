/**
 * Shared plumbing of `npm run bench`: configuration, payloads, timing, resource clean-up and the result table.
 */
import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';
import { Client } from 'pg';
import type { CaseOpenedV1 } from '@aftersales/contracts';
import type { EventMetadata } from '@aftersales/eventstore';
import { REPO_ROOT } from '@aftersales/testing';

export const SCALE = (() => {
  const raw = Number(process.env.BENCH_SCALE ?? '1');
  if (!Number.isFinite(raw) || raw <= 0)
    throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
  return raw;
})();
export const SERVER_URL = process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The environment of a service process a bench starts on its own database: fresh consumer groups (prefixed by
 * `suffix`) starting at the end of the shared topics, warnings only, no tracing.
 */
export function benchServiceEnv(suffix: string, database: string, secret: string): Record<string, string> {
  return {
    DATABASE_URL: SERVER_URL,
    DATABASE_NAME: database,
    KAFKA_BROKERS: BROKERS.join(','),
    AUTH_JWT_SECRET: secret,
    PRIVACY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    KAFKA_CONSUMER_GROUP_PREFIX: `bench-${suffix}.`,
    KAFKA_CONSUMER_FROM_BEGINNING: 'false',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
  };
}

/** Runs `fn` with a connection to `database` on the bench's Postgres server, closed afterwards. */
export async function withDatabase<T>(database: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
// createTestDatabase (libs/testing) reads DATABASE_URL.
process.env.DATABASE_URL = SERVER_URL;
export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);

/** A count scaled by BENCH_SCALE, rounded to a multiple of `multiple`, at least `multiple`. */
export function scaled(n: number, multiple = 1): number {
  return Math.max(multiple, Math.round((n * SCALE) / multiple) * multiple);
}

export const CASE_OPENED_TYPE = 'aftersales.intake.case-opened.v1';

/** A realistic CaseOpened v1 payload (valid against the contract), ~500 bytes of JSON. */
export function caseOpened(caseId: string, seq: number): CaseOpenedV1 {
  const order = String(100_000 + (seq % 900_000)).padStart(6, '0');
  return {
    caseId,
    tenantId: 'acme-home-appliances',
    channel: 'chat',
    orderId: `ORD-2026-${order}`,
    customerId: `cus_${caseId.slice(0, 8)}`,
    problemType: 'wrong-item',
    description:
      'Ordered the 1.7 l stainless steel kettle in blue (SKU KTL-1700-BL), the parcel contained a red two-slot toaster instead. ' +
      'Packaging is unopened apart from the outer box; customer would like the kettle sent and a pick-up for the toaster.',
    desiredResolution: 'exchange',
    evidence: [{ kind: 'photo', uri: `https://media.example.com/evidence/${caseId}.jpg` }],
    purchasedAt: '2026-11-18T17:02:11.000Z',
    openedAt: '2026-11-25T09:26:53.589Z',
  };
}

export function eventMetadata(): EventMetadata {
  const correlationId = randomUUID();
  return {
    tenant: 'acme-home-appliances',
    actor: { id: 'agent-1042', roles: ['agent'] },
    correlationId,
    causationId: correlationId,
    traceparent: `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`,
  };
}

export const now = (): number => performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `start(i)` for every `i` below `total` open-loop at `rate` per second: each at its own instant, whether or
 * not the earlier ones have finished (a slow system does not slow the offered load). With `progress`, logs every 5 s how
 * many were started. Waits for all of them; answers how long starting them took.
 */
export async function openLoop(
  total: number,
  rate: number,
  start: (i: number) => Promise<unknown>,
  progress?: string,
): Promise<{ readonly windowSeconds: number }> {
  const running: Array<Promise<unknown>> = [];
  const started = performance.now();
  let lastProgress = started;
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    if (progress && performance.now() - lastProgress >= 5_000) {
      lastProgress = performance.now();
      log(`  ${i} ${progress}`);
    }
    running.push(start(i));
  }
  const windowSeconds = (performance.now() - started) / 1000;
  if (progress) log(`  all ${total} started in ${windowSeconds.toFixed(1)} s; waiting for them to finish…`);
  await Promise.all(running);
  return { windowSeconds };
}

export function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function rate(n: number, ms: number): number {
  return ms > 0 ? (n * 1000) / ms : 0;
}

export function fmtRate(opsPerSecond: number): string {
  return `${Math.round(opsPerSecond).toLocaleString('en-US')}/s`;
}

/** Runs clean-up steps in reverse order of registration; each step's failure is reported, not thrown. */
export class Resources {
  private readonly steps: Array<{ what: string; run: () => Promise<unknown> }> = [];

  defer(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  async release(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        log(`clean-up of ${step.what} failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Issues CHECKPOINT so no checkpoint of an earlier phase's dirty pages lands in a measurement. */
export async function checkpoint(url = SERVER_URL): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

export function kafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: BROKERS,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/** Creates topics (6 partitions) and registers their deletion. */
export async function createTopics(
  admin: Admin,
  resources: Resources,
  topics: string[],
  partitions = 6,
): Promise<void> {
  await createTopicsWithLeaders(
    admin,
    topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  );
  resources.defer(`topics ${topics.join(', ')}`, () => admin.deleteTopics({ topics, timeout: 10_000 }));
}

export interface Row {
  readonly scenario: string;
  readonly ours: number | null;
  readonly baseline: number | null;
  /** Minimum ours / baseline; null for an informational row. */
  readonly target: number | null;
  readonly note?: string;
}

export function ratioOf(row: Row): number | null {
  return row.ours !== null && row.baseline ? row.ours / row.baseline : null;
}

export function printTable(rows: readonly Row[]): void {
  const header = ['scenario', 'ours', 'baseline', 'ratio', 'target', 'met?'];
  const cells = rows.map((row) => {
    const ratio = ratioOf(row);
    return [
      row.scenario,
      row.ours === null ? 'error' : fmtRate(row.ours),
      row.baseline === null ? 'error' : fmtRate(row.baseline),
      ratio === null ? '-' : `${ratio.toFixed(2)}×`,
      row.target === null ? 'info' : `≥ ${row.target.toFixed(2)}×`,
      ratio === null
        ? 'ERROR'
        : row.target === null
          ? '-'
          : ratio >= row.target
            ? 'yes'
            : `NO (${(ratio * 100).toFixed(0)}% of baseline)`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    `| ${c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join(' | ')} |`;
  process.stdout.write(
    `\n${line(header)}\n|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|\n`,
  );
  for (const c of cells) process.stdout.write(`${line(c)}\n`);
  const notes = rows.filter((r) => r.note);
  if (notes.length > 0) {
    process.stdout.write('\n');
    for (const r of notes) process.stdout.write(`- ${r.scenario}: ${r.note}\n`);
  }
}

// --- CPU accounting -----------------------------------------------------------------------------------------------
// The machine is shared: other workloads (builds, test suites, other databases on the same server) steal CPU from a
// measurement. The sampler splits the machine's busy CPU time into the benchmark's Postgres processes (backends of its
// own databases and the server's auxiliary processes), the Kafka broker (all of it: other clients' traffic counts
// here), this process, and everything else ("other", including other databases' backends and connections that
// ended during the measurement), so every measurement can say how much foreign load it ran beside.

const OUR_DATABASES =
  /^(bench_append_|bench_relay_|bench_inbox_|bench_cases_|bench_payouts_|bench_rebuild_|bench_logistics_|bench_ret_|bench_incidents_|bench_intake_|bench_tmpl_)/;
const SERVER_DATABASE = new URL(SERVER_URL).pathname.slice(1) || 'postgres';

/** Classifies a child of the postmaster by its process title: a backend of one of our databases, or auxiliary. */
function isOurPostgresProcess(pid: number): boolean {
  let title: string;
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return false;
  }
  // `postgres: [<cluster name>: ]<user> <database> <host>(<port>)|[local] <activity>`
  const backend = /^postgres: (?:\S+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title);
  if (!backend) return true; // checkpointer, WAL writer, background writer, autovacuum…: shared, counted as ours
  const database = backend[1]!;
  return OUR_DATABASES.test(database) || database === SERVER_DATABASE;
}

const CLK_TCK = 100;

function readStat(pid: number): { ppid: number; ticks: number; childTicks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]),
      childTicks: Number(rest[13]) + Number(rest[14]),
    };
  } catch {
    return null;
  }
}

function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

export interface CpuSnapshot {
  readonly at: number;
  readonly busy: number;
  /** CPU ticks of the benchmark's Postgres processes (see isOurPostgresProcess), by pid. */
  readonly postgres: ReadonlyMap<number, number>;
  readonly kafka: number;
  readonly self: number;
}

/** CPU used between two snapshots, in cores (CPU seconds per second), by owner. */
export interface CpuUse {
  readonly postgres: number;
  readonly kafka: number;
  readonly self: number;
  readonly other: number;
  /** CPU seconds, for per-event costs. */
  readonly postgresSeconds: number;
  readonly selfSeconds: number;
}

export class CpuSampler {
  private constructor(
    private readonly postmaster: number | null,
    private readonly kafkaPid: number | null,
  ) {}

  /** Finds the local postmaster (parent of a backend) and the Kafka broker; degrades to "unknown" elsewhere. */
  static async create(): Promise<CpuSampler> {
    let postmaster: number | null = null;
    let kafkaPid: number | null = null;
    try {
      const client = new Client({ connectionString: SERVER_URL });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Read the backend's parent while it is still alive.
      postmaster = readStat(rows[0]!.pid)?.ppid ?? null;
      await client.end();
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka.Kafka')) kafkaPid = Number(entry);
        } catch {
          // the process went away
        }
      }
    } catch {
      postmaster = null;
    }
    return new CpuSampler(postmaster, kafkaPid);
  }

  get available(): boolean {
    return this.postmaster !== null;
  }

  snapshot(): CpuSnapshot {
    const postgres = new Map<number, number>();
    if (this.postmaster !== null) {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        const stat = readStat(pid);
        if (!stat || stat.ppid !== this.postmaster || !isOurPostgresProcess(pid)) continue;
        postgres.set(pid, stat.ticks);
      }
    }
    const kafkaTicks = this.kafkaPid === null ? 0 : (readStat(this.kafkaPid)?.ticks ?? 0);
    const usage = process.cpuUsage();
    return {
      at: now(),
      busy: this.postmaster === null ? 0 : machineBusyTicks(),
      postgres,
      kafka: kafkaTicks,
      self: (usage.user + usage.system) / 1e6,
    };
  }

  static between(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
    const seconds = (b.at - a.at) / 1000;
    let postgresTicks = 0;
    for (const [pid, ticks] of b.postgres) postgresTicks += ticks - (a.postgres.get(pid) ?? 0);
    const postgresSeconds = postgresTicks / CLK_TCK;
    const kafkaSeconds = (b.kafka - a.kafka) / CLK_TCK;
    const selfSeconds = b.self - a.self;
    const busySeconds = (b.busy - a.busy) / CLK_TCK;
    const other = Math.max(0, busySeconds - postgresSeconds - kafkaSeconds - selfSeconds);
    return {
      postgres: postgresSeconds / seconds,
      kafka: kafkaSeconds / seconds,
      self: selfSeconds / seconds,
      other: other / seconds,
      postgresSeconds,
      selfSeconds,
    };
  }
}

let sampler: CpuSampler | null = null;
/** The process-wide sampler (created on first use). */
export async function cpuSampler(): Promise<CpuSampler> {
  sampler ??= await CpuSampler.create();
  return sampler;
}

/** "pg 0.9 / node 0.6 / kafka 0.1 / other 0.2 cores" */
export function describeCpu(use: CpuUse): string {
  return `cpu cores: pg ${use.postgres.toFixed(2)}, node ${use.self.toFixed(2)}, kafka ${use.kafka.toFixed(2)}, other ${use.other.toFixed(2)}`;
}

/** Highest foreign ("other") CPU load seen in any measurement, for the summary. */
export const otherLoad = { max: 0, sum: 0, n: 0 };
export function recordOther(use: CpuUse): void {
  otherLoad.max = Math.max(otherLoad.max, use.other);
  otherLoad.sum += use.other;
  otherLoad.n += 1;
}

/**
 * Runs `fn` and reports the CPU used meanwhile (by owner) and the WAL Postgres wrote (server-wide, so other
 * databases' writes count too; on a quiet server that is the benchmark's own).
 */
export async function observe<T>(fn: () => Promise<T>): Promise<{ value: T; cpu: CpuUse | null; walBytes: number }> {
  const cpu = await cpuSampler();
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    const lsn = async () =>
      (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
    const lsnBefore = await lsn();
    const before = cpu.snapshot();
    const value = await fn();
    const after = cpu.snapshot();
    const lsnAfter = await lsn();
    const { rows } = await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff($1, $2)::bigint::text AS bytes', [
      lsnAfter,
      lsnBefore,
    ]);
    const use = cpu.available ? CpuSampler.between(before, after) : null;
    if (use) recordOther(use);
    return { value, cpu: use, walBytes: Number(rows[0]!.bytes) };
  } finally {
    await client.end();
  }
}

/** Deletes a consumer group; a group that no longer exists (nothing committed, no members) is fine. */
export async function deleteGroup(admin: Admin, groupId: string): Promise<void> {
  try {
    await admin.deleteGroups([groupId]);
  } catch (error) {
    const groups = (error as { groups?: Array<{ error?: { type?: string } }> }).groups ?? [];
    if (groups.length > 0 && groups.every((g) => g.error?.type === 'GROUP_ID_NOT_FOUND')) return;
    throw error;
  }
}

/** The p-th percentile (nearest rank) of sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Waits until the consumer group has its partitions, so nothing posted afterwards is missed. */
export async function waitForStableGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < 120; i++) {
      const { groups } = await admin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length > 0) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`consumer group ${groupId} did not become stable`);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A baseline for pipelines over Kafka: one bare hop (produce → consume) at `rate` per second for `seconds`, with the
 * relay's producer settings (idempotent, acks=all) and a 20 ms fetch wait, on a fresh 6-partition topic. A pipeline of
 * n hops plus its work is compared with it.
 */
export async function measureKafkaHop(
  kafka: Kafka,
  rate: number,
  seconds: number,
  suffix: string,
): Promise<{ p50: number; p99: number }> {
  const topic = `bench.hop.${suffix}`;
  const admin = kafka.admin();
  await admin.connect();
  const partitions = 6;
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions }]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-hop-${suffix}`, maxWaitTimeInMs: 20 });
  const latencies: number[] = [];
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        latencies.push(performance.now() - Number(message.value?.toString()));
      },
    });
    await waitForStableGroup(kafka, `bench-hop-${suffix}`);
    // A message through every partition first, not measured: on a broker that just started, the first sends wait for
    // its coordinators to load (measured: every message of a 3 s baseline then 570 ms late).
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: String(performance.now()) })),
    });
    const warmBy = performance.now() + 30_000;
    while (latencies.length < partitions && performance.now() < warmBy) await new Promise((r) => setTimeout(r, 20));
    latencies.length = 0;
    const total = Math.round(rate * seconds);
    await openLoop(total, rate, (i) =>
      producer.send({ topic, acks: -1, messages: [{ key: `k-${i % 60}`, value: String(performance.now()) }] }),
    );
    const deadline = performance.now() + 30_000;
    while (latencies.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Runs `run` under the V8 CPU profiler when BENCH_CPU_PROFILE_DIR is set, writing `<dir>/<name>.cpuprofile` (open it in
 * Chrome DevTools or speedscope): a profile of one measured step of a bench that runs in this process, without the
 * seeding around it.
 */
export async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  if (!dir) return run();
  const { Session } = await import('node:inspector/promises');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    const file = `${dir}/${name.replace(/[^a-z0-9_-]+/gi, '-')}.cpuprofile`;
    await writeFile(file, JSON.stringify(profile));
    log(`cpu profile of ${name}: ${file}`);
  }
}

/** A JSON call to a service's HTTP API as a bearer of `token`; anything but 2xx throws with the answer. */
export function apiCaller(baseUrl: string) {
  return async (token: string, method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
}

/**
 * Posts carrier scans to a logistics process' webhook, signed as the carrier integration `integration` with its HMAC
 * `secret` (`x-carrier-signature: sha256=<hex>`). A 409 (another batch changed one of its shipments meanwhile: batches
 * in flight overlap when the bench has few shipments) is retried as a carrier would; anything else but 200 throws.
 */
export async function postCarrierEvents(
  baseUrl: string,
  integration: string,
  secret: string,
  events: readonly unknown[],
): Promise<Response> {
  const raw = JSON.stringify({ events });
  const signature = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${baseUrl}/carrier-events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-carrier-integration': integration,
        'x-carrier-signature': signature,
      },
      body: raw,
    });
    if (res.status === 409 && attempt < 10) {
      await res.arrayBuffer();
      continue;
    }
    if (res.status !== 200) throw new Error(`POST /carrier-events answered ${res.status}: ${await res.text()}`);
    return res;
  }
}

/**
 * How a benchmark starts a service (ServiceProcess' options): from its compiled `main.js` and the directory it runs in,
 * or (`fromSource`) its `main.ts` under tsx.
 */
export interface ServiceStart {
  readonly fromSource: boolean;
  options(service: string): { readonly entry?: { readonly main: string; readonly cwd: string } };
}

/**
 * The services as the image runs them — `node services/<service>/src/main.js` of `npm run build`, with production
 * dependencies only (deploy/docker/Dockerfile) — so a benchmark measures what ships. Built into `dist/` once per run
 * (≈ 20 s: the build, then `npm ci --omit=dev` there from npm's cache). `BENCH_FROM_SOURCE=1`: each service's `main.ts`
 * under tsx, as `npm start` and the tests run them (its CPU per request is higher: measured 10 %
 * for compensation, docs/benchmarks.md).
 */
export async function shippedServices(): Promise<ServiceStart> {
  if (process.env.BENCH_FROM_SOURCE === '1') {
    log('services run from source under tsx (BENCH_FROM_SOURCE=1)');
    return { fromSource: true, options: () => ({}) };
  }
  const dist = join(REPO_ROOT, 'dist');
  const run = (command: string, args: string[], cwd: string) =>
    new Promise<void>((resolve, reject) =>
      execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) =>
        error
          ? reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${stderr || error.message}`))
          : resolve(),
      ),
    );
  log('building the services as the image runs them (npm run build → dist/; BENCH_FROM_SOURCE=1 skips this)…');
  const started = Date.now();
  await run('npm', ['run', '-s', 'build'], REPO_ROOT);
  log('  installing their production dependencies in dist/ (npm ci --omit=dev)…');
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], dist);
  log(`  built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return {
    fromSource: false,
    options: (service) => ({ entry: { main: join(dist, 'services', service, 'src', 'main.js'), cwd: dist } }),
  };
}
