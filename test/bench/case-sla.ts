/**
 * SLA timers under a backlog (issue 9): 100,000 open cases with running SLA clocks while 200 new cases/s arrive. How
 * late the clocks' warning and breach timers fire (target p99 ≤ 1 s) and how long case commands take, against a
 * baseline measured in the same run: the same arrivals on an empty backlog.
 *
 *   npm run bench:cases                        # 100,000 cases of backlog, 200 new cases/s for 60 s
 *   BENCH_SCALE=0.1 npm run bench:cases        # 10,000 cases of backlog, a 10 s window (at least 10 s)
 *   BENCH_RATE=100 npm run bench:cases
 *   BENCH_PHASE_ORDER=backlog-first npm run bench:cases   # the backlog phase first (alternate between runs)
 *
 * Intake runs as a real process (its main.ts) on a fresh database per phase:
 *
 * 1. Baseline: intake on an empty database; the tenant's SLA policy set; new cases posted open-loop at the rate for a
 *    warm-up (not measured) and the window.
 * 2. Backlog: intake restarted on another fresh database; the backlog tenant's cases opened through `POST /cases` as
 *    fast as intake takes them (64 in flight), each with two running clocks (first response, resolution); then the
 *    same arrivals as in the baseline, on their own tenant, while the backlog's timers keep falling due.
 *
 * The SLA policy (both tenants): a 24/7 calendar (UTC, every day 00:00–00:00), elapsed budgets, warning at 80 %, the
 * supervisor notified at the breach. Of every ten arrivals one is a chat (first response within 10 s) left to
 * warn at 8 s and breach at 10 s, one an e-mail acknowledged at once (`POST /cases/:id/acknowledgement`, its clock
 * met, its timers cancelled), eight e-mails whose clocks keep running (first response 1 h, resolution 24 h). Backlog cases are opened on the other channels, priorities and two categories: 40 classes whose
 * first response budgets are 1.5, 3, … 60 minutes, chosen at random per case, so the backlog's warnings and breaches fall
 * due in a steady stream from the start of the seeding until an hour later (the window sits in it) while most clocks
 * keep running. Every case's resolution clock (24 h) keeps running throughout.
 *
 * Lateness of a timer = when it fired minus its `due_at`, for every warning and breach timer due inside the measured
 * window that appended its `SlaClockWarned` / `SlaClockBreached`. When it fired: the later of `es_timers.fired_at` (the
 * instant the timer's turn came in its transaction) and the `recorded_at` of that event (`clock_timestamp()` at its
 * append), so the figure holds for both versions of the `TimerScheduler` (before issue 9's fix `fired_at` was the
 * instant a round of 50 started). Where it went: due → the start of its transaction (about the `fired_at` of the
 * transaction's first warning or breach, events of one transaction share a `transaction_id`), and from there to
 * its append (the timers fired before it in the same transaction).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { signDevToken } from '@aftersales/platform-http';
import { cpuSecondsOf, freePort, LoadClient, ServiceProcess } from '@aftersales/test-kit';
import {
  BROKERS,
  CpuSampler,
  cpuSampler,
  recordOther,
  SCALE,
  benchServiceEnv,
  withDatabase,
  type CpuSnapshot,
} from './support';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Math.max(10, Math.round(Number(process.env.BENCH_SECONDS ?? 60) * SCALE));
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const BACKLOG = Math.max(1_000, Math.round((100_000 * SCALE) / 1_000) * 1_000);
const SEED_CONCURRENCY = Number(process.env.BENCH_SEED_CONCURRENCY ?? 64);
/**
 * Of every ten arrivals, one is a chat left unacknowledged (its 10 s first-response clock warns and breaches in the
 * window), one is acknowledged at once (the command whose latency is measured; its first-response clock met), and
 * eight keep both clocks running (first response within an hour, resolution within 24 h).
 */
const SHORT_EVERY = 10;
const ACKNOWLEDGED = 5;
const ARRIVAL_BUDGET_S = 10;
const TARGET_P99_MS = 1_000;
/**
 * Which phase runs first (`BENCH_PHASE_ORDER`): the first one meets a cold service and a fresh Postgres cluster's
 * caches; alternate it between runs before reading the command-latency ratio.
 */
type PhaseOrder = 'baseline-first' | 'backlog-first';
const PHASE_ORDER: PhaseOrder = process.env.BENCH_PHASE_ORDER === 'backlog-first' ? 'backlog-first' : 'baseline-first';
const SECRET = 'bench-secret-bench-secret-bench-secret';

const log = (m: string) => console.log(`[cases-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const client = new LoadClient({ maxSockets: 256, timeoutMs: 30_000 });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- The SLA policy ---------------------------------------------------------------------------------------------

const BACKLOG_CHANNELS = ['phone', 'email', 'order-page', 'social-media', 'app'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const BACKLOG_CATEGORIES = ['non-quality', 'order-change'] as const;

interface BacklogClass {
  readonly channel: (typeof BACKLOG_CHANNELS)[number];
  readonly priority: (typeof PRIORITIES)[number];
  readonly problemType: (typeof BACKLOG_CATEGORIES)[number];
  readonly budgetSeconds: number;
}

/** 40 classes of backlog cases (a policy holds at most 50 targets), first-response budgets 1.5, 3, … 60 minutes. */
const BACKLOG_CLASSES: readonly BacklogClass[] = BACKLOG_CHANNELS.flatMap((channel) =>
  PRIORITIES.flatMap((priority) => BACKLOG_CATEGORIES.map((problemType) => ({ channel, priority, problemType }))),
).map((c, i) => ({ ...c, budgetSeconds: (i + 1) * 90 }));

const seconds = (amount: number) => ({ amount, unit: 'seconds' as const });

const slaPolicy = {
  calendar: {
    timeZone: 'UTC',
    workingDays: [1, 2, 3, 4, 5, 6, 7],
    shifts: [{ start: '00:00', end: '00:00' }],
    holidays: [],
  },
  warningShare: 0.8,
  targets: [
    { clock: 'first_response', when: { channels: ['chat'] }, budget: seconds(ARRIVAL_BUDGET_S), basis: 'elapsed' },
    {
      clock: 'first_response',
      when: { problemTypes: ['invoice'] },
      budget: { amount: 1, unit: 'hours' },
      basis: 'elapsed',
    },
    ...BACKLOG_CLASSES.map((c) => ({
      clock: 'first_response',
      when: { channels: [c.channel], priorities: [c.priority], problemTypes: [c.problemType] },
      budget: seconds(c.budgetSeconds),
      basis: 'elapsed',
    })),
    { clock: 'resolution', when: {}, budget: { amount: 24, unit: 'hours' }, basis: 'elapsed' },
  ],
  complexCategories: [],
  dispatchCategories: [],
  escalation: {
    ladder: [
      { rung: 'supervisor', afterBreach: { amount: 0, unit: 'hours' } },
      { rung: 'complaint_team', afterBreach: { amount: 24, unit: 'hours' } },
    ],
    webhookUrl: null,
  },
};

// --- One phase ----------------------------------------------------------------------------------------------------

interface Tokens {
  readonly agent: string;
  readonly manager: string;
}

async function tokensOf(tenant: string): Promise<Tokens> {
  return {
    agent: await signDevToken({ subject: 'bench-agent', tenant, roles: ['agent'] }, SECRET),
    manager: await signDevToken({ subject: 'bench-manager', tenant, roles: ['cs-manager'] }, SECRET),
  };
}

async function setPolicy(url: string, tokens: Tokens): Promise<void> {
  const res = await fetch(`${url}/sla-policies`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${tokens.manager}`, 'content-type': 'application/json' },
    body: JSON.stringify(slaPolicy),
  });
  if (res.status !== 200) throw new Error(`PUT /sla-policies answered ${res.status}: ${await res.text()}`);
}

export interface Latencies {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const summarise = (values: number[]): Latencies => {
  values.sort((a, b) => a - b);
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: values.at(-1) ?? NaN };
};

export interface PhaseResult {
  readonly backlog: number;
  readonly posted: number;
  readonly opened: number;
  readonly failed: number;
  readonly open: Latencies;
  readonly acknowledge: Latencies;
  /**
   * Lateness of warning and breach timers due in the window, arrivals' and backlog's apart, and all of them; and where
   * it went: from `due_at` to the start of the transaction that claimed the timer (`untilClaimed`: the loop's wait or
   * its previous transactions) and from there to the timer's own firing (`inTransaction`: the timers fired before it
   * in the same transaction).
   */
  readonly lateness: {
    readonly arrivals: Latencies;
    readonly backlog: Latencies;
    readonly all: Latencies;
    readonly untilClaimed: Latencies;
    readonly inTransaction: Latencies;
  };
  /** Timers due in the window that had not fired when the measurement ended (waited up to 60 s after the window). */
  readonly unfired: number;
  /** Timers of every kind (warnings, breaches, rungs, notifications) fired per second in the window. */
  readonly timersPerSecond: number;
  /** Timers (of every kind) still pending at the end of the window: the running clocks' future warnings/breaches. */
  readonly pending: number;
  readonly cpu: { readonly intake: number; readonly postgres: number; readonly other: number } | null;
  readonly seeding?: { readonly seconds: number; readonly perSecond: number; readonly open: Latencies };
}

/** Posts `count` backlog cases with `concurrency` in flight; prints progress every tenth. */
/**
 * A production database has planner statistics: autovacuum analyzes a table as it grows. Where the server runs without
 * autovacuum (this machine's Postgres: `autovacuum = off` in its `conf.d/90-ci.conf`), a freshly seeded backlog has
 * none, and the planner guesses: a read of 25 case streams was planned as a parallel bitmap scan of a third of
 * `es_events`. So the backlog's database is analyzed as it is seeded (each tenth), as autovacuum would have.
 */
async function analyzeUnlessAutovacuum(database: string): Promise<void> {
  await withDatabase(database, async (c) => {
    const { rows } = await c.query<{ autovacuum: string }>(`SELECT current_setting('autovacuum') AS autovacuum`);
    if (rows[0]?.autovacuum === 'on') return;
    const started = performance.now();
    await c.query('ANALYZE');
    log(
      `  autovacuum is off on this server: analyzed the database in ${((performance.now() - started) / 1000).toFixed(1)} s, as autovacuum would have`,
    );
  });
}

async function seedBacklog(
  url: string,
  token: string,
  count: number,
  database: string,
): Promise<PhaseResult['seeding']> {
  log(`seeding ${count.toLocaleString('en-US')} open cases through POST /cases (${SEED_CONCURRENCY} in flight)…`);
  const started = performance.now();
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let lastReport = started;
  let analyzing: Promise<void> = Promise.resolve();
  const step = Math.max(1, Math.round(count / 10));
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const c = BACKLOG_CLASSES[Math.floor(Math.random() * BACKLOG_CLASSES.length)]!;
      const sent = performance.now();
      const { status } = await client.post(`${url}/cases`, token, {
        caseId: randomUUID(),
        channel: c.channel,
        priority: c.priority,
        problemType: c.problemType,
        orderId: `ORD-B-${i}`,
        customerId: `cus-b-${i}`,
        description: 'Asked to change the delivery address of the order',
      });
      latencies.push(performance.now() - sent);
      if (status !== 201) {
        failed += 1;
        if (failed > 100) throw new Error(`seeding: more than 100 cases refused (last HTTP ${status})`);
      }
      if ((i + 1) % step === 0) {
        // Autovacuum analyzes a table each time it grew by a tenth: so does the seeding (one at a time).
        analyzing = analyzing.then(() => analyzeUnlessAutovacuum(database));
        const t = performance.now();
        log(
          `  ${(i + 1).toLocaleString('en-US')} cases (${((step * 1000) / (t - lastReport)).toFixed(0)}/s over the last ${step.toLocaleString('en-US')})`,
        );
        lastReport = t;
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  await analyzing;
  const s = (performance.now() - started) / 1000;
  if (failed > 0) log(`  ${failed} backlog cases refused`);
  log(`  seeded in ${s.toFixed(0)} s (${(count / s).toFixed(0)}/s)`);
  return { seconds: s, perSecond: count / s, open: summarise(latencies) };
}

async function runPhase(name: 'baseline' | 'backlog', backlog: number): Promise<PhaseResult> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const database = `bench_cases_${suffix}`;
  const intake = new ServiceProcess('intake', await freePort(), benchServiceEnv(suffix, database, SECRET));
  try {
    log(`${name}: starting intake (real process, fresh database ${database})…`);
    await intake.start(120_000);
    const arrivalsTenant = `bench-arrivals-${suffix}`;
    const backlogTenant = `bench-backlog-${suffix}`;
    const arrivals = await tokensOf(arrivalsTenant);
    await setPolicy(intake.url, arrivals);
    let seeding: PhaseResult['seeding'];
    if (backlog > 0) {
      const tokens = await tokensOf(backlogTenant);
      await setPolicy(intake.url, tokens);
      seeding = await seedBacklog(intake.url, tokens.agent, backlog, database);
    }
    const result = await measureArrivals(intake, database, arrivals, backlog, arrivalsTenant);
    return { ...result, ...(seeding ? { seeding } : {}) };
  } finally {
    await intake.stop();
    await withDatabase('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(
      () => undefined,
    );
  }
}

async function measureArrivals(
  intake: ServiceProcess,
  database: string,
  tokens: Tokens,
  backlog: number,
  arrivalsTenant: string,
): Promise<Omit<PhaseResult, 'seeding'>> {
  const warmup = Math.round(RATE * WARMUP_SECONDS);
  const total = RATE * SECONDS;
  log(
    `posting ${RATE} new cases/s: ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s measured (1 in 10 a chat left to breach, 1 in 10 acknowledged)…`,
  );
  const openLatencies: number[] = [];
  const ackLatencies: number[] = [];
  let opened = 0;
  let failed = 0;
  const failures = new Map<string, number>();
  const fail = (reason: string) => {
    failed += 1;
    failures.set(reason, (failures.get(reason) ?? 0) + 1);
  };
  const inflight: Array<Promise<void>> = [];
  const began = performance.now();
  const windowStart = performance.timeOrigin + began + WARMUP_SECONDS * 1000;
  const windowEnd = windowStart + SECONDS * 1000;
  const sampler = await cpuSampler();
  let cpuBefore: { snap: CpuSnapshot; intake: number | undefined } | null = null;
  let lastProgress = began;
  for (let i = 0; i < warmup + total; i++) {
    const measured = i >= warmup;
    if (i === warmup) cpuBefore = { snap: sampler.snapshot(), intake: cpuSecondsOf(intake.pid) ?? undefined };
    const due = began + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (performance.now() - lastProgress >= 10_000) {
      lastProgress = performance.now();
      log(
        `  ${i - warmup > 0 ? `${i - warmup} measured` : `${i} warm-up`} cases posted, ${openLatencies.length} opened`,
      );
    }
    const caseId = randomUUID();
    const sent = performance.now();
    inflight.push(
      client
        .post(`${intake.url}/cases`, tokens.agent, {
          caseId,
          ...(i % SHORT_EVERY === 0
            ? { channel: 'chat', problemType: 'non-quality' }
            : { channel: 'email', problemType: 'invoice' }),
          orderId: `ORD-A-${i}`,
          customerId: `cus-a-${i}`,
          description: 'The jacket is too small; the customer would like a larger size',
        })
        .then(async ({ status }) => {
          if (status !== 201) return measured ? fail(`open: HTTP ${status}`) : undefined;
          if (measured) {
            opened += 1;
            openLatencies.push(performance.now() - sent);
          }
          if (i % SHORT_EVERY !== ACKNOWLEDGED) return;
          const ackSent = performance.now();
          const ack = await client.post(`${intake.url}/cases/${caseId}/acknowledgement`, tokens.agent, {
            message: 'We have your request and will exchange the jacket',
            expectedCycle: '3–5 working days',
          });
          if (!measured) return;
          if (ack.status !== 200) return fail(`acknowledge: HTTP ${ack.status}`);
          ackLatencies.push(performance.now() - ackSent);
        })
        .catch((error: Error & { code?: string }) => {
          if (measured) fail(error.code ?? error.message);
        }),
    );
  }
  const cpuAfter = { snap: sampler.snapshot(), intake: cpuSecondsOf(intake.pid) ?? undefined };
  await Promise.all(inflight);
  if (failures.size > 0) log(`  failures: ${[...failures].map(([r, n]) => `${r} × ${n}`).join(', ')}`);
  let cpu: PhaseResult['cpu'] = null;
  if (cpuBefore && sampler.available && cpuBefore.intake !== undefined && cpuAfter.intake !== undefined) {
    const use = CpuSampler.between(cpuBefore.snap, cpuAfter.snap);
    const secondsMeasured = (cpuAfter.snap.at - cpuBefore.snap.at) / 1000;
    const intakeCores = (cpuAfter.intake - cpuBefore.intake) / secondsMeasured;
    // The sampler counts intake's process as "other" (it is neither Postgres, Kafka nor this process).
    const other = Math.max(0, use.other - intakeCores);
    recordOther({ ...use, other });
    cpu = { intake: intakeCores, postgres: use.postgres, other };
  }

  return withDatabase(database, async (c) => {
    const windowParams = [new Date(windowStart), new Date(windowEnd)];
    // Every warning and breach timer due in the window fires (or the wait ends after 60 s).
    let unfired = 0;
    for (let waited = 0; waited <= 60; waited++) {
      const { rows } = await c.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM es_timers
          WHERE due_at >= $1 AND due_at < $2 AND fired_at IS NULL AND cancelled_at IS NULL
            AND kind IN ('sla-warning', 'sla-breach')`,
        windowParams,
      );
      unfired = Number(rows[0]!.n);
      if (unfired === 0) break;
      await sleep(1000);
    }
    // When it fired: the later of its fired_at (the instant its turn in the transaction came) and the append of its
    // event (clock_timestamp()). Its transaction began about when the first timer of that transaction (same
    // transaction_id) came to its turn: `claim_ms` is due → that instant, `in_tx_ms` the rest.
    const { rows } = await c.query<{ tenant: string; ms: number; claim_ms: number; in_tx_ms: number }>(
      `WITH fired AS (
         SELECT t.tenant, t.due_at, greatest(t.fired_at, min(e.recorded_at)) AS at, t.fired_at,
                (array_agg(e.transaction_id::text))[1] AS tx
           FROM es_timers t
           JOIN es_events e
             ON e.stream_id = 'case-' || (t.payload->>'caseId')
            AND e.type = CASE t.kind WHEN 'sla-warning' THEN 'SlaClockWarned' ELSE 'SlaClockBreached' END
            AND e.data->>'clockId' = t.payload->>'clockId'
            AND e.recorded_at >= t.due_at - interval '1 second'
          WHERE t.kind IN ('sla-warning', 'sla-breach') AND t.due_at >= $1 AND t.due_at < $2 AND t.fired_at IS NOT NULL
          GROUP BY t.timer_id, t.tenant, t.due_at, t.fired_at
       ), began AS (
         SELECT fired.*, min(fired_at) OVER (PARTITION BY tx) AS tx_began FROM fired
       )
       SELECT tenant, (extract(epoch FROM at - due_at) * 1000)::float8 AS ms,
              (extract(epoch FROM greatest(tx_began - due_at, interval '0')) * 1000)::float8 AS claim_ms,
              (extract(epoch FROM at - greatest(tx_began, due_at)) * 1000)::float8 AS in_tx_ms
         FROM began`,
      windowParams,
    );
    const { rows: counts } = await c.query<{ fired: string; pending: string }>(
      `SELECT count(*) FILTER (WHERE fired_at >= $1 AND fired_at < $2)::text AS fired,
              count(*) FILTER (WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at >= $2)::text AS pending
         FROM es_timers`,
      windowParams,
    );
    return {
      backlog,
      posted: total,
      opened,
      failed,
      open: summarise(openLatencies),
      acknowledge: summarise(ackLatencies),
      lateness: {
        arrivals: summarise(rows.filter((r) => r.tenant === arrivalsTenant).map((r) => r.ms)),
        backlog: summarise(rows.filter((r) => r.tenant !== arrivalsTenant).map((r) => r.ms)),
        all: summarise(rows.map((r) => r.ms)),
        untilClaimed: summarise(rows.map((r) => r.claim_ms)),
        inTransaction: summarise(rows.map((r) => r.in_tx_ms)),
      },
      unfired,
      timersPerSecond: Number(counts[0]!.fired) / SECONDS,
      pending: Number(counts[0]!.pending),
      cpu,
    };
  });
}

export interface CaseSlaResult {
  readonly baseline: PhaseResult;
  readonly backlog: PhaseResult;
  readonly order: PhaseOrder;
}

export async function benchCaseSla(): Promise<CaseSlaResult> {
  log(
    `backlog ${BACKLOG.toLocaleString('en-US')} cases, arrivals ${RATE}/s × ${SECONDS} s (scale ${SCALE}); ` +
      `node ${process.version}, ${os.cpus().length} cpus; kafka ${BROKERS.join(',')}`,
  );
  const phases = {
    baseline: async () => {
      const result = await runPhase('baseline', 0);
      printPhase('baseline (empty backlog)', result);
      return result;
    },
    backlog: async () => {
      const result = await runPhase('backlog', BACKLOG);
      printPhase(`with ${BACKLOG.toLocaleString('en-US')} open cases`, result);
      return result;
    },
  };
  if (PHASE_ORDER === 'backlog-first') {
    const backlog = await phases.backlog();
    return { baseline: await phases.baseline(), backlog, order: PHASE_ORDER };
  }
  const baseline = await phases.baseline();
  return { baseline, backlog: await phases.backlog(), order: PHASE_ORDER };
}

const ms = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(0)} ms`);

function printPhase(title: string, r: PhaseResult): void {
  const l = r.lateness;
  log(
    `${title}: ${r.opened}/${r.posted} opened (${r.failed} failed); timer lateness p50 ${ms(l.all.p50)}, p99 ${ms(l.all.p99)}, ` +
      `max ${ms(l.all.max)} over ${l.all.n} warnings/breaches (${l.backlog.n} of the backlog), ${r.unfired} unfired; ` +
      `${r.timersPerSecond.toFixed(0)} timers/s fired; POST /cases p99 ${ms(r.open.p99)}, acknowledgement p99 ${ms(r.acknowledge.p99)}` +
      (r.cpu
        ? `; cpu cores: intake ${r.cpu.intake.toFixed(2)}, pg ${r.cpu.postgres.toFixed(2)}, other ${r.cpu.other.toFixed(2)}`
        : ''),
  );
}

export function printCaseSlaTables(r: CaseSlaResult): void {
  const { baseline: b, backlog: o } = r;
  const ratio = (x: number, y: number) => (y > 0 ? `${(x / y).toFixed(2)}×` : '-');
  const rows: Array<[string, Latencies, Latencies, string]> = [
    [
      'timer lateness, warnings + breaches due in the window',
      o.lateness.all,
      b.lateness.all,
      `p99 ≤ ${TARGET_P99_MS} ms`,
    ],
    ["  of the arrivals' clocks", o.lateness.arrivals, b.lateness.arrivals, 'info'],
    ["  of the backlog's clocks", o.lateness.backlog, b.lateness.backlog, 'info'],
    ['  of it: due → its transaction began (claim wait)', o.lateness.untilClaimed, b.lateness.untilClaimed, 'info'],
    ['  of it: its transaction began → it fired', o.lateness.inTransaction, b.lateness.inTransaction, 'info'],
    ['POST /cases (open, 2 clocks)', o.open, b.open, 'info'],
    ['POST /cases/:id/acknowledgement', o.acknowledge, b.acknowledge, 'info'],
  ];
  console.log(`\nPhase order: ${r.order} (BENCH_PHASE_ORDER).`);
  console.log(
    `\n| measurement (${RATE} new cases/s × ${SECONDS} s) | n | p50 | p99 | max | baseline n / p50 / p99 (empty backlog) | p99 ratio | target | met? |`,
  );
  console.log('|:---|---:|---:|---:|---:|:---|---:|:---|:---|');
  for (const [name, ours, base, target] of rows) {
    const met = target === 'info' ? '-' : ours.p99 <= TARGET_P99_MS ? 'yes' : 'NO';
    console.log(
      `| ${name} | ${ours.n} | ${ms(ours.p50)} | ${ms(ours.p99)} | ${ms(ours.max)} | ${base.n} / ${ms(base.p50)} / ${ms(base.p99)} | ${ratio(ours.p99, base.p99)} | ${target} | ${met} |`,
    );
  }
  console.log(
    `\nBacklog: ${o.backlog.toLocaleString('en-US')} open cases seeded` +
      (o.seeding
        ? ` in ${o.seeding.seconds.toFixed(0)} s (${o.seeding.perSecond.toFixed(0)}/s, POST /cases p50 ${ms(o.seeding.open.p50)}, p99 ${ms(o.seeding.open.p99)} at ${SEED_CONCURRENCY} in flight)`
        : '') +
      `; ${o.pending.toLocaleString('en-US')} timers still pending after the window (baseline ${b.pending.toLocaleString('en-US')}). ` +
      `Timers fired per second in the window (every kind: warnings, breaches, rungs, notices): ${o.timersPerSecond.toFixed(0)} (baseline ${b.timersPerSecond.toFixed(0)}). ` +
      `Unfired at the end: ${o.unfired} (baseline ${b.unfired}). Failed requests: ${o.failed} (baseline ${b.failed}).`,
  );
  const cpu = (p: PhaseResult) =>
    p.cpu
      ? `intake ${p.cpu.intake.toFixed(2)}, postgres ${p.cpu.postgres.toFixed(2)}, other workloads ${p.cpu.other.toFixed(2)}`
      : 'unknown';
  console.log(`CPU cores during the window: with the backlog ${cpu(o)}; baseline ${cpu(b)}.`);
}

if (require.main === module) {
  benchCaseSla()
    .then((r) => {
      printCaseSlaTables(r);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
