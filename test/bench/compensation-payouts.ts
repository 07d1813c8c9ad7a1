/**
 * Payouts end to end at a sustained rate (issue 12): `POST /compensations` (cash, the customer's consent given, within
 * the requester's limit: approved, the month budget reserved, the payout requested) → compensation sends it to the
 * payment sandbox (a real process, HTTP with an Idempotency-Key) → the sandbox confirms by its signed webhook →
 * compensation records it paid (ledger, budget spent). p50/p99 end to end and per stage, against a bare Kafka hop
 * (produce → consume) and a bare HTTP call (to the sandbox, a separate process) measured in the same run at the same
 * rate.
 *
 *   npm run bench:compensation                                  # 500 payouts/s for 30 s
 *   BENCH_RATE=100 BENCH_SECONDS=10 npm run bench:compensation
 *   SERVICE_CPU_PROFILE_DIR=/tmp/prof npm run bench:compensation # a V8 CPU profile of compensation when it stops
 *   BENCH_TIMER_PROCESS=own npm run bench:compensation           # the send timers in a process of their own (ADR 24)
 *   BENCH_REPLICAS=2 npm run bench:compensation                  # two compensation processes, requests spread over both
 *   BENCH_FROM_SOURCE=1 npm run bench:compensation              # compensation's main.ts under tsx, not the build
 *   BENCH_WARMUP_SECONDS=0 npm run bench:compensation           # measured from a cold start (default: 5 s warm-up)
 *
 * Compensation runs as the image runs it: compiled by `npm run build`, with production dependencies only
 * (`shippedServices`); the payment sandbox, a development tool, from source.
 *
 * The end to end time runs from the client sending the request to compensation recording `PayoutConfirmed` (its event
 * store's `recorded_at`; one machine, one clock); the stages from the order's own events. Every payout is checked
 * afterwards: paid once at the provider (no duplicate key), booked once in a balanced ledger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { signDevToken } from '@aftersales/platform-http';
import { cpuSecondsOf, freePort, LoadClient, ServiceProcess } from '@aftersales/test-kit';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  BROKERS,
  CpuSampler,
  cpuSampler,
  describeCpu,
  kafka,
  log,
  measureKafkaHop,
  percentile,
  SCALE,
  shippedServices,
  sleep,
  openLoop,
} from './support';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Math.max(5, Math.round(Number(process.env.BENCH_SECONDS ?? 30) * SCALE));
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 10);
/** How long the bench waits for the last payouts to be confirmed after the window. */
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 120);
const AMOUNT = 100;
/** Seconds compensation's idle CPU is measured before the run. */
const IDLE_SECONDS = 5;
const SECRET = 'bench-compensation-secret';
/**
 * `shared` (default): one compensation process runs every role; `own`: a second process runs its timers (the sends,
 * `SERVICE_ROLES=workers`) beside the one that takes requests and webhooks (`api,consumers,relay`).
 */
const TIMER_PROCESS = process.env.BENCH_TIMER_PROCESS === 'own' ? 'own' : 'shared';
/**
 * Compensation processes taking requests (each with every role, as replicas behind a Kubernetes Service): the client
 * spreads its requests over them in turn; each is the provider's callback URL for the payouts it sends, and one of
 * them holds the relay's leadership.
 */
const REPLICAS = Math.max(1, Math.floor(Number(process.env.BENCH_REPLICAS ?? 1)));
/** Seconds of payouts at the rate before the measurement, all paid first (BENCH_WARMUP_SECONDS; 0: none). */
const WARMUP_SECONDS = Math.max(0, Number(process.env.BENCH_WARMUP_SECONDS ?? 5));
const PROVIDER_SECRET = 'bench-provider-secret';
const ROOT = path.resolve(__dirname, '../..');
const client = new LoadClient({ maxSockets: 512, timeoutMs: 60_000 });

interface Payout {
  readonly causeId: string;
  /** Wall clock (ms) when the request was sent. */
  sentAt?: number;
  http?: number;
  failed?: string;
}

function startSandbox(port: number): ChildProcess {
  const logFile = openSync(path.join(tmpdir(), `bench-payment-sandbox-${port}.log`), 'a');
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'services/compensation/sandbox/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), COMPENSATION_PROVIDER_WEBHOOK_SECRET: PROVIDER_SECRET },
    stdio: ['ignore', logFile, logFile],
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Write system calls a process made so far (`syscw` in /proc/<pid>/io): every Postgres round trip is one `writev`, so
 * per payout it counts compensation's round trips plus its few HTTP answers and requests and its Kafka produces.
 */
function writesOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * How many orders each step's transactions wrote, on average: the requests (group commit, ADR 25), the sends (timer
 * batches, ADR 21) and the confirmations (report batches, ADR 21/23), by the transactions their events were stored in.
 */
async function ordersPerTransaction(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ type: string; events: number; transactions: number }>(
    `SELECT type, count(*)::int AS events, count(DISTINCT transaction_id)::int AS transactions FROM es_events
      WHERE type IN ('CompensationRequested', 'PayoutSent', 'PayoutConfirmed') GROUP BY type ORDER BY type`,
  );
  const of = (type: string, label: string) => {
    const row = rows.find((r) => r.type === type);
    return row
      ? `${label} ${(row.events / Math.max(1, row.transactions)).toFixed(1)} (${row.events} in ${row.transactions})`
      : `${label} -`;
  };
  return `Orders per transaction: ${of('CompensationRequested', 'requested')}, ${of('PayoutSent', 'sent')}, ${of('PayoutConfirmed', 'confirmed')}.`;
}

/** Transactions the bench's database committed or rolled back so far (its backends report them within a second). */
async function transactionsOf(pool: Pool, database: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1',
    [database],
  );
  return Number(rows[0]?.n ?? 0);
}

const summarise = (values: number[]) => {
  values.sort((a, b) => a - b);
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
};

const bareAgent = new Agent({ keepAlive: true, maxSockets: 512 });
/** One GET on a keep-alive connection, the body read. */
const get = (url: string) =>
  new Promise<void>((resolve, reject) => {
    const req = request(url, { agent: bareAgent }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });

/** A bare HTTP call at `rate`/s for `seconds`: `GET /health` of the sandbox (another process, a trivial handler). */
async function measureHttpCall(url: string, rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  await openLoop(Math.round(rate * seconds), rate, () => {
    const sent = performance.now();
    return get(url).then(
      () => void latencies.push(performance.now() - sent),
      () => undefined,
    );
  });
  return summarise(latencies);
}

/** Per order: when its payout was requested, sent and confirmed (compensation's own clock). */
async function stages(db: Pool): Promise<Map<string, { requested?: number; sent?: number; confirmed?: number }>> {
  const { rows } = await db.query<{ id: string; requested: Date | null; sent: Date | null; confirmed: Date | null }>(
    `SELECT substr(stream_id, 14) AS id,
            min(recorded_at) FILTER (WHERE type = 'PayoutRequested') AS requested,
            min(recorded_at) FILTER (WHERE type = 'PayoutSent') AS sent,
            min(recorded_at) FILTER (WHERE type = 'PayoutConfirmed') AS confirmed
       FROM es_events WHERE stream_id LIKE 'compensation-%' AND stream_id NOT LIKE 'compensation-policy-%'
      GROUP BY stream_id`,
  );
  return new Map(
    rows.map((r) => [
      r.id,
      { requested: r.requested?.getTime(), sent: r.sent?.getTime(), confirmed: r.confirmed?.getTime() },
    ]),
  );
}

/**
 * Drives `RATE` payouts/s for `SECONDS` (open loop, each its own request, spread over `urls` in turn); resolves when
 * every request answered.
 */
async function drive(
  urls: readonly string[],
  token: string,
  seconds = SECONDS,
): Promise<{ payouts: Payout[]; windowSeconds: number }> {
  const payouts: Payout[] = [];
  const pay = async (p: Payout) => {
    p.sentAt = Date.now();
    const sent = performance.now();
    const url = urls[payouts.length % urls.length]!;
    const res = await client.post(`${url}/compensations`, token, {
      cause: { kind: 'case', id: p.causeId },
      instrument: 'cash',
      amount: { amountMinor: AMOUNT, currency: 'CNY' },
      customerConsented: true,
    });
    p.http = performance.now() - sent;
    if (res.status !== 201) throw new Error(`POST /compensations: HTTP ${res.status}`);
  };
  const total = Math.round(RATE * seconds);
  log(`driving ${total} payouts at ${RATE}/s…`);
  const { windowSeconds } = await openLoop(
    total,
    RATE,
    () => {
      const p: Payout = { causeId: randomUUID() };
      payouts.push(p);
      return pay(p).catch((error: Error) => {
        p.failed = error.message;
      });
    },
    'payouts requested',
  );
  return { payouts, windowSeconds };
}

/** Waits until every accepted payout is paid, or `DRAIN_SECONDS`; returns how many were paid. */
async function drain(pool: Pool, tenant: string, accepted: number): Promise<number> {
  const drainBy = Date.now() + DRAIN_SECONDS * 1000;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM compensation_orders WHERE tenant = $1 AND status = 'paid'`,
      [tenant],
    );
    const paid = rows[0]?.n ?? 0;
    if (paid >= accepted || Date.now() > drainBy) return paid;
    log(`  ${paid} paid…`);
    await sleep(1_000);
  }
}

/** Once each: one payout per key at the provider, one booked movement per order, every movement balanced. */
async function verify(pool: Pool, sandboxUrl: string): Promise<string> {
  const provider = (await (await fetch(`${sandboxUrl}/payouts`)).json()) as { count: number; duplicates: number };
  const { rows } = await pool.query<{ twice: number; sum: string; unbalanced: number }>(
    `SELECT (SELECT count(*)::int FROM (SELECT compensation_id FROM compensation_ledger GROUP BY compensation_id
               HAVING count(DISTINCT movement_id) > 1) t) AS twice,
            (SELECT coalesce(sum(amount_minor), 0)::text FROM compensation_ledger) AS sum,
            (SELECT count(*)::int FROM (SELECT movement_id FROM compensation_ledger GROUP BY movement_id
               HAVING sum(amount_minor) <> 0) u) AS unbalanced`,
  );
  const books = rows[0]!;
  return (
    `Provider: ${provider.count} payouts, ${provider.duplicates} duplicates; ledger: ${books.twice} orders booked ` +
    `twice, sum ${books.sum}, ${books.unbalanced} unbalanced movements.`
  );
}

const STAGES = {
  http: 'request (POST /compensations, client)',
  send: 'payout requested → sent (timer → provider HTTP)',
  confirm: 'sent → confirmed (provider → signed webhook → books)',
  whole: 'end to end, request sent → payout confirmed',
} as const;

/** A payout's request sent and its confirmation recorded (wall clock, ms). */
interface Completion {
  readonly sentAt: number;
  readonly confirmedAt: number | undefined;
}

/**
 * p50/p99 inputs per stage: the request from the client, the rest from the order's events; and each payout's
 * completion, for the second-by-second table.
 */
async function seriesOf(
  pool: Pool,
  tenant: string,
  payouts: readonly Payout[],
): Promise<{ series: Record<string, number[]>; completions: Completion[] }> {
  const series: Record<string, number[]> = Object.fromEntries(Object.values(STAGES).map((s) => [s, []]));
  const completions: Completion[] = [];
  const push = (stage: string, value: number | undefined) => {
    if (value !== undefined && !Number.isNaN(value)) series[stage]!.push(value);
  };
  for (const p of payouts) if (!p.failed) push(STAGES.http, p.http);
  const byCause = new Map(payouts.map((p) => [p.causeId, p]));
  const { rows: ids } = await pool.query<{ compensation_id: string; cause_id: string }>(
    'SELECT compensation_id, cause_id FROM compensation_orders WHERE tenant = $1',
    [tenant],
  );
  const timeline = await stages(pool);
  const minus = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : a - b);
  for (const { compensation_id, cause_id } of ids) {
    const t = timeline.get(compensation_id);
    if (!t) continue;
    push(STAGES.send, minus(t.sent, t.requested));
    push(STAGES.confirm, minus(t.confirmed, t.sent));
    const sentAt = byCause.get(cause_id)?.sentAt;
    push(STAGES.whole, minus(t.confirmed, sentAt));
    if (sentAt !== undefined) completions.push({ sentAt, confirmedAt: t.confirmed });
  }
  return { series, completions };
}

/** Seconds at the start of the window that fill the pipeline: the sustained rate is read after them. */
const FILL_SECONDS = 3;

/**
 * Whether the rate was sustained, second by second of the window: requests sent, payouts confirmed, and the end to
 * end p50/p99 of that second's requests. A rate the platform keeps up with confirms as many per second as are
 * offered once the pipeline is full, and its latency stays flat; one it cannot keep up with confirms fewer and its
 * latency grows with every second of the run. (Paid per second from the first request to the last confirmation, printed
 * above, also counts the last payout's latency, which weighs more the shorter the run.)
 */
function printSustained(completions: readonly Completion[], windowSeconds: number): void {
  if (completions.length === 0) return;
  const start = Math.min(...completions.map((c) => c.sentAt));
  const seconds = Math.max(1, Math.round(windowSeconds));
  const sent = new Array<number>(seconds).fill(0);
  const paid = new Array<number>(seconds).fill(0);
  const latencies: number[][] = Array.from({ length: seconds }, () => []);
  for (const c of completions) {
    const s = Math.min(seconds - 1, Math.floor((c.sentAt - start) / 1000));
    if (s >= 0) {
      sent[s]! += 1;
      if (c.confirmedAt !== undefined) latencies[s]!.push(c.confirmedAt - c.sentAt);
    }
    const p = c.confirmedAt === undefined ? -1 : Math.floor((c.confirmedAt - start) / 1000);
    if (p >= 0 && p < seconds) paid[p]! += 1;
  }
  const ms = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(0)}`);
  console.log(
    '\n| second of the window | requests sent | payouts confirmed | end to end p50 / p99 of its requests, ms |',
  );
  console.log('|---:|---:|---:|:--|');
  for (let s = 0; s < seconds; s++) {
    const l = summarise(latencies[s]!);
    console.log(`| ${s + 1} | ${sent[s]} | ${paid[s]} | ${ms(l.p50)} / ${ms(l.p99)} |`);
  }
  const fill = Math.min(FILL_SECONDS, Math.max(0, seconds - 1));
  const steady = paid.slice(fill).reduce((a, b) => a + b, 0) / (seconds - fill);
  const offered = sent.slice(fill).reduce((a, b) => a + b, 0) / (seconds - fill);
  const early = summarise(latencies.slice(fill, fill + 3).flat()).p50;
  const late = summarise(latencies.slice(-3).flat()).p50;
  // Kept up with: at least 98 % of the offered rate confirmed, and the last seconds' latency not grown past twice the
  // first seconds' (and by more than 250 ms): a queue that builds up shows in both.
  const keptUp = steady >= 0.98 * offered && !(late > 2 * early && late - early > 250);
  console.log(
    `Sustained: ${steady.toFixed(0)} payouts confirmed per second from second ${fill + 1} to the window's end, ` +
      `${offered.toFixed(0)}/s offered; end to end p50 of the requests of seconds ${fill + 1}–${fill + 3}: ` +
      `${ms(early)} ms, of the last 3 s: ${ms(late)} ms — ` +
      (keptUp
        ? 'kept up with (≥ 98 % of the offered rate confirmed, latency flat).'
        : 'NOT kept up with (fewer confirmed than offered, or the latency grows: a queue builds up).'),
  );
}

function printResults(
  series: Record<string, number[]>,
  baselines: { hop: { p50: number; p99: number }; http: { p50: number; p99: number } },
  run: { payouts: readonly Payout[]; windowSeconds: number; paid: number; seconds: number },
): void {
  const ms = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(0)} ms`);
  console.log(`\n| stage (${RATE} payouts/s × ${SECONDS} s) | n | p50 | p99 |`);
  console.log('|:---|---:|---:|---:|');
  for (const [stage, values] of Object.entries(series)) {
    const s = summarise(values);
    console.log(`| ${stage} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} |`);
  }
  const { hop, http } = baselines;
  console.log(`| baseline: bare Kafka hop (produce → consume) | - | ${ms(hop.p50)} | ${ms(hop.p99)} |`);
  console.log(`| baseline: bare HTTP call (GET, another process) | - | ${ms(http.p50)} | ${ms(http.p99)} |`);
  const failures = new Map<string, number>();
  for (const p of run.payouts) if (p.failed) failures.set(p.failed, (failures.get(p.failed) ?? 0) + 1);
  const total = run.payouts.length;
  const accepted = total - [...failures.values()].reduce((a, b) => a + b, 0);
  console.log(
    `\nOffered ${total} payouts in ${run.windowSeconds.toFixed(1)} s (${(total / run.windowSeconds).toFixed(0)}/s); ` +
      `${accepted} accepted, ${run.paid} paid (${(run.paid / run.seconds).toFixed(0)} paid/s over the ${run.seconds.toFixed(1)} s ` +
      `from the first request to the last confirmation or the end of the ${DRAIN_SECONDS} s drain)` +
      (failures.size > 0 ? `; failed: ${[...failures].map(([why, n]) => `${why} × ${n}`).join(', ')}` : '') +
      '.',
  );
}

export async function benchCompensationPayouts(): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  const tenant = `bench-payouts-${suffix}`;
  log(`compensation bench: ${RATE} payouts/s for ${SECONDS} s (scale ${SCALE}); kafka ${BROKERS.join(',')}`);

  const sandboxPort = await freePort();
  const sandbox = startSandbox(sandboxPort);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  let db: TestDatabase | undefined;
  let service: ServiceProcess | undefined;
  const replicas: ServiceProcess[] = [];
  let timers: ServiceProcess | undefined;
  let pool: Pool | undefined;
  try {
    await waitForHttp(`${sandboxUrl}/health`, 60_000);
    log(`baseline: one bare Kafka hop at ${RATE}/s for ${BASELINE_SECONDS} s…`);
    const hop = await measureKafkaHop(kafka('bench-payouts-hop'), RATE, BASELINE_SECONDS, suffix);
    log(`  Kafka hop p50 ${hop.p50.toFixed(1)} ms, p99 ${hop.p99.toFixed(1)} ms`);
    log(`baseline: one bare HTTP call (GET /health of the sandbox) at ${RATE}/s for ${BASELINE_SECONDS} s…`);
    const http = await measureHttpCall(`${sandboxUrl}/health`, RATE, BASELINE_SECONDS);
    log(`  HTTP call p50 ${http.p50.toFixed(1)} ms, p99 ${http.p99.toFixed(1)} ms`);

    db = await createTestDatabase('bench_payouts');
    const port = await freePort();
    const environment = {
      DATABASE_URL: db.url,
      DATABASE_NAME: db.name,
      AUTH_JWT_SECRET: SECRET,
      KAFKA_BROKERS: BROKERS.join(','),
      KAFKA_CONSUMER_GROUP_PREFIX: `bench-pay-${suffix}.`,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      OTEL_SDK_DISABLED: 'true',
      LOG_LEVEL: 'warn',
      COMPENSATION_PROVIDER_URL: sandboxUrl,
      COMPENSATION_PROVIDER_WEBHOOK_SECRET: PROVIDER_SECRET,
      COMPENSATION_PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    const shipped = await shippedServices();
    const entry = shipped.options('compensation');
    service = new ServiceProcess(
      'compensation',
      port,
      {
        ...environment,
        ...(TIMER_PROCESS === 'own' ? { SERVICE_ROLES: 'api,consumers,relay' } : {}),
      },
      entry,
    );
    log(`starting compensation (a real process${TIMER_PROCESS === 'own' ? ', its timers in a second one' : ''})…`);
    await service.start(120_000);
    if (TIMER_PROCESS === 'own') {
      timers = new ServiceProcess(
        'compensation',
        await freePort(),
        { ...environment, SERVICE_ROLES: 'workers' },
        entry,
      );
      await timers.start(120_000);
    }
    for (let i = 1; i < REPLICAS; i++) {
      const replicaPort = await freePort();
      const replica = new ServiceProcess(
        'compensation',
        replicaPort,
        { ...environment, COMPENSATION_PUBLIC_URL: `http://127.0.0.1:${replicaPort}` },
        entry,
      );
      log(`starting compensation replica ${i + 1} of ${REPLICAS}…`);
      await replica.start(120_000);
      replicas.push(replica);
    }
    // Compensation's CPU and writes: of all its processes (timers apart, replicas).
    const pids = () => [service?.pid, timers?.pid, ...replicas.map((r) => r.pid)];
    const serviceCpu = (): number => pids().reduce<number>((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
    const serviceWrites = (): number => pids().reduce<number>((sum, pid) => sum + writesOf(pid), 0);
    pool = new Pool({ connectionString: db.url, max: 2 });
    const token = await signDevToken({ subject: 'bench-supervisor', tenant, roles: ['supervisor'] }, SECRET);
    const urls = [service.url, ...replicas.map((r) => r.url)];

    if (WARMUP_SECONDS > 0) {
      // A service that has run for a while, as in production: its code optimised by the JIT, its connections open.
      // Another tenant's payouts, all paid before the measurement starts; none of them is in the figures below.
      const warmTenant = `${tenant}-warmup`;
      const warmToken = await signDevToken(
        { subject: 'bench-supervisor', tenant: warmTenant, roles: ['supervisor'] },
        SECRET,
      );
      log(`warm-up: ${WARMUP_SECONDS} s at ${RATE}/s (BENCH_WARMUP_SECONDS; not measured)…`);
      const warm = await drive(urls, warmToken, WARMUP_SECONDS);
      const warmPaid = await drain(pool, warmTenant, warm.payouts.filter((p) => !p.failed).length);
      log(`  warm-up: ${warmPaid} of ${warm.payouts.length} paid`);
    }

    // What compensation spends idle (relay, consumers and timer loops polling), to tell the work of the payouts from
    // what the run's length adds: a run stretched by the machine's other load accrues more of it per payout.
    const idleFrom = serviceCpu();
    await sleep(IDLE_SECONDS * 1000);
    const idlePerSecond = (serviceCpu() - idleFrom) / IDLE_SECONDS;
    const sampler = await cpuSampler();
    const before = sampler.snapshot();
    const processCpu = () => ({ service: serviceCpu(), sandbox: cpuSecondsOf(sandbox.pid) ?? 0 });
    const cpuBefore = processCpu();
    const writesBefore = serviceWrites();
    const transactionsBefore = await transactionsOf(pool, db.name);
    const started = performance.now();
    const { payouts, windowSeconds } = await drive(urls, token);
    log(`  all ${payouts.length} requested in ${windowSeconds.toFixed(1)} s; waiting for the confirmations…`);
    const paid = await drain(pool, tenant, payouts.filter((p) => !p.failed).length);
    const seconds = (performance.now() - started) / 1000;
    const cpu = sampler.available ? CpuSampler.between(before, sampler.snapshot()) : null;
    const cpuAfter = processCpu();
    const writes = serviceWrites() - writesBefore;
    // Backends flush their statistics at most once a second.
    await sleep(1_500);
    const transactions = (await transactionsOf(pool, db.name)) - transactionsBefore;

    const { series, completions } = await seriesOf(pool, tenant, payouts);
    printResults(series, { hop, http }, { payouts, windowSeconds, paid, seconds });
    printSustained(completions, windowSeconds);
    console.log(await verify(pool, sandboxUrl));
    if (cpu) {
      // CPU per payout: what the machine's other load does not change (it stretches the latencies, not the work).
      const per = (seconds: number) => `${((seconds * 1000) / Math.max(1, paid)).toFixed(2)} ms`;
      console.log(
        `During the run: ${describeCpu(cpu)} (compensation and the sandbox are in "other"). CPU per paid payout: ` +
          `compensation ${per(cpuAfter.service - cpuBefore.service)}, sandbox ${per(cpuAfter.sandbox - cpuBefore.sandbox)}, ` +
          `Postgres ${per(cpu.postgresSeconds)}.`,
      );
    }
    const idleMs = idlePerSecond * seconds * 1000;
    const serviceMs = (cpuAfter.service - cpuBefore.service) * 1000;
    console.log(
      `Compensation idle: ${(idlePerSecond * 1000).toFixed(0)} ms of CPU per second; over the ${seconds.toFixed(1)} s ` +
        `run ${(idleMs / Math.max(1, paid)).toFixed(2)} ms per paid payout, so ` +
        `${((serviceMs - idleMs) / Math.max(1, paid)).toFixed(2)} ms per paid payout above idle.`,
    );
    const perPaid = (n: number) => (n / Math.max(1, paid)).toFixed(1);
    console.log(
      `Per paid payout: ${perPaid(transactions)} database transactions (the bench's own reads included), ` +
        `${perPaid(writes)} write system calls by compensation (each Postgres round trip is one; HTTP and Kafka add a few).`,
    );
    console.log(await ordersPerTransaction(pool));
    console.log(
      TIMER_PROCESS === 'own'
        ? 'Compensation ran as two processes: api,consumers,relay and workers (SERVICE_ROLES); its figures are their sums.'
        : REPLICAS > 1
          ? `Compensation ran as ${REPLICAS} replicas (every role each, requests spread over them); its figures are their sums.`
          : 'Compensation ran as one process (every role).',
    );
    console.log(
      shipped.fromSource
        ? 'Compensation ran from source (main.ts under tsx).'
        : 'Compensation ran as the image runs it (npm run build, production dependencies).',
    );
  } finally {
    await timers?.stop().catch(() => undefined);
    for (const replica of replicas) await replica.stop().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    sandbox.kill('SIGTERM');
    bareAgent.destroy();
    client.close();
    await pool?.end().catch(() => undefined);
    await db?.drop().catch(() => undefined);
  }
}

if (require.main === module) {
  benchCompensationPayouts().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
