/**
 * Incident escalation latency (issue: incident response): complaints are posted to intake at a steady rate
 * (default 200/s for 60 s), in groups of 10 distinct customers per product batch. The 10th complaint of a
 * batch crosses the level-2 threshold; we measure from the moment intake ACCEPTED that 10th complaint
 * (HTTP 201 received) to the moment `IncidentEscalated` (L3 → L2) for that batch is visible on Kafka.
 * Target: p99 ≤ 500 ms on this 2-core machine with Kafka and Postgres on it.
 *
 *   npm run bench:incidents                       # 200/s for 60 s
 *   BENCH_RATE=100 BENCH_SECONDS=20 npm run bench:incidents
 *
 * The services run as real processes (their main.ts), on fresh databases, with a unique tenant.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { IncidentEscalatedV1, IncidentOpenedV1, Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import { freePort, LoadClient, ServiceProcess } from '@aftersales/test-kit';
import { benchServiceEnv, measureKafkaHop, percentile, waitForStableGroup } from './support';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 10);
/**
 * Seconds of the same steady load before the measured window (not measured): the services were just started, and
 * their first seconds (JIT, connection pools filling, first fetches) are start-up, not the steady state the target
 * is about. Posting does not pause between the two: the measured window starts under load. 0 measures from a cold
 * start.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const GROUP = 10; // complaints (distinct customers) per batch: the 10th crosses L3 → L2
const SERVER_URL = process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const SECRET = 'bench-secret-bench-secret-bench-secret';

const log = (m: string) => console.log(`[incidents-bench] ${m}`);

/** The load generator's HTTP client (keep-alive node:http: half the CPU of `fetch` per request here). */
const client = new LoadClient({ maxSockets: 256, timeoutMs: 30_000 });
const post = async (url: string, token: string, body: unknown): Promise<number> =>
  (await client.post(url, token, body)).status;

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: SERVER_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface IncidentLatencyResult {
  readonly rate: number;
  readonly seconds: number;
  readonly posted: number;
  readonly accepted: number;
  readonly escalations: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly httpP99: number;
  /** The baseline measured in the same run: one bare Kafka hop (produce → consume) at the same rate. */
  readonly kafkaHop: { readonly p50: number; readonly p99: number };
  /**
   * The slowest 1 % of escalations: when their 10th complaint was accepted (seconds into the run) and their latency.
   * Clustered in time means a stall of the machine or one process (a checkpoint, a pause); spread means queueing.
   */
  readonly slowest: ReadonlyArray<{ readonly atSeconds: number; readonly ms: number }>;
  /** CPU the services used per measured complaint (ms), from `/proc`; empty where there is none. */
  readonly cpuPerComplaint: ReadonlyArray<{ readonly service: string; readonly ms: number }>;
  /** The warm-up's escalations (the services' first seconds under load), for information. */
  readonly warmup: {
    readonly seconds: number;
    readonly escalations: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Where the time went, per measured escalation (p50/p99 of each stage, ms). */
  readonly stages: ReadonlyArray<{ readonly stage: string; readonly p50: number; readonly p99: number }>;
}

/**
 * CPU time (user + system, ms) a process has used so far, from `/proc/<pid>/stat` (clock ticks of 10 ms, the usual
 * USER_HZ); undefined where there is no `/proc` (macOS), in which case the CPU line is left out.
 */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Epoch milliseconds of a `performance.now()` reading (all processes share this machine's clock). */
const epochOf = (perfNow: number) => performance.timeOrigin + perfNow;

export async function benchIncidentLatency(): Promise<IncidentLatencyResult> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const dbs = { intake: `bench_intake_${suffix}`, incidents: `bench_incidents_${suffix}` };
  const tenant = `bench-${suffix}`;
  // Fresh consumer groups start at the end of the shared topics: no replay of earlier runs' complaints.
  const intake = new ServiceProcess('intake', await freePort(), benchServiceEnv(suffix, dbs.intake, SECRET));
  const incidents = new ServiceProcess('incidents', await freePort(), benchServiceEnv(suffix, dbs.incidents, SECRET));
  const kafka = new Kafka({ clientId: 'incident-bench', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `incident-bench-${suffix}`, maxWaitTimeInMs: 20 });
  try {
    log(`baseline: one bare Kafka hop at ${RATE}/s for ${BASELINE_SECONDS} s…`);
    const kafkaHop = await measureKafkaHop(kafka, RATE, BASELINE_SECONDS, suffix);
    log(`  Kafka hop p50 ${kafkaHop.p50.toFixed(0)} ms, p99 ${kafkaHop.p99.toFixed(0)} ms`);
    log('starting intake and incidents (real processes, fresh databases)…');
    await Promise.all([intake.start(90_000), incidents.start(90_000)]);
    await waitForStableGroup(kafka, `bench-${suffix}.incidents.complaint-clustering`);

    const batchOfIncident = new Map<string, string>();
    const escalatedAt = new Map<string, number>(); // batch → time IncidentEscalated was seen
    const pendingEscalations = new Map<string, number>(); // incidentId → time seen before IncidentOpened mapped it
    // For the stage breakdown: the escalation's event id, its cause (the crossing complaint's intake event id) and
    // the Kafka timestamps (CreateTime, set by each relay's producer) of both.
    const escalationOf = new Map<string, { eventId: string; causationId: string; kafkaAt: number; seenAt: number }>();
    const intakeKafkaAt = new Map<string, number>(); // intake event id → Kafka timestamp
    await consumer.connect();
    await consumer.subscribe({ topics: [Topics.incidents, Topics.intake], fromBeginning: false });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const seenAt = performance.now();
        const type = message.headers?.ce_type?.toString();
        if (message.headers?.ce_tenantid?.toString() !== tenant) return;
        if (topic === Topics.intake) {
          intakeKafkaAt.set(message.headers?.ce_id?.toString() ?? '', Number(message.timestamp));
          return;
        }
        const data = JSON.parse(message.value?.toString() ?? '{}') as {
          incidentId: string;
          clusterKey?: string;
          toLevel?: string;
        };
        if (type === IncidentOpenedV1.type && data.clusterKey) {
          const batch = /batch-[a-z0-9]+-\d+/i.exec(data.clusterKey)?.[0]?.toLowerCase();
          if (batch) {
            batchOfIncident.set(data.incidentId, batch);
            const early = pendingEscalations.get(data.incidentId);
            if (early !== undefined) escalatedAt.set(batch, early);
          }
        } else if (type === IncidentEscalatedV1.type && data.toLevel === 'L2') {
          escalationOf.set(data.incidentId, {
            eventId: message.headers?.ce_id?.toString() ?? '',
            causationId: message.headers?.ce_causationid?.toString() ?? '',
            kafkaAt: Number(message.timestamp),
            seenAt,
          });
          const batch = batchOfIncident.get(data.incidentId);
          if (batch) escalatedAt.set(batch, seenAt);
          else pendingEscalations.set(data.incidentId, seenAt);
        }
      },
    });
    while (!joined) await new Promise((r) => setTimeout(r, 100));

    const token = await signDevToken({ subject: 'bench-agent', tenant, roles: ['agent'] }, SECRET);
    const total = RATE * SECONDS;
    const warmup = Math.round((RATE * WARMUP_SECONDS) / GROUP) * GROUP; // whole batches
    const lastAccepted = new Map<string, number>();
    const acceptedCount = new Map<string, number>();
    const httpLatencies: number[] = [];
    let accepted = 0;
    let failed = 0;
    let warmupFailed = 0;
    const failures = new Map<string, number>(); // reason → count
    if (warmup > 0) log(`warm-up: ${warmup} complaints at ${RATE}/s (${WARMUP_SECONDS} s, not measured), then…`);
    log(`posting ${total} complaints at ${RATE}/s for ${SECONDS} s (${total / GROUP} batches of ${GROUP})…`);
    const warmupStarted = performance.now();
    const started = warmupStarted + (warmup * 1000) / RATE; // the measured window
    const measuredBatch = (batch: string) => Number(batch.slice(batch.lastIndexOf('-') + 1)) >= warmup / GROUP;
    const inflight: Array<Promise<void>> = [];
    const services = [intake, incidents];
    let cpuAtStart: Array<number | undefined> = [];
    for (let i = 0; i < warmup + total; i++) {
      if (i === warmup) cpuAtStart = services.map((service) => cpuMsOf(service.pid));
      const due = warmupStarted + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = `batch-${suffix}-${Math.floor(i / GROUP)}`;
      const sent = performance.now();
      const inWindow = i >= warmup;
      inflight.push(
        post(`${intake.url}/complaints`, token, {
          complaintId: randomUUID(),
          customer: { id: `cus-${i}` },
          orderId: `ORD-${i}`,
          productSku: 'BATTERY-20K',
          batch,
          category: 'product-quality',
          description: 'Power bank swells while charging',
        }).then(
          (status) => {
            const at = performance.now();
            if (!inWindow) {
              if (status !== 201) warmupFailed += 1;
              else {
                acceptedCount.set(batch, (acceptedCount.get(batch) ?? 0) + 1);
                lastAccepted.set(batch, Math.max(lastAccepted.get(batch) ?? 0, at));
              }
              return;
            }
            if (status !== 201) {
              failed += 1;
              failures.set(`HTTP ${status}`, (failures.get(`HTTP ${status}`) ?? 0) + 1);
              return;
            }
            accepted += 1;
            httpLatencies.push(at - sent);
            acceptedCount.set(batch, (acceptedCount.get(batch) ?? 0) + 1);
            lastAccepted.set(batch, Math.max(lastAccepted.get(batch) ?? 0, at));
          },
          (error: Error & { code?: string }) => {
            if (!inWindow) {
              warmupFailed += 1;
              return;
            }
            failed += 1;
            const reason = error.code ?? error.message;
            failures.set(reason, (failures.get(reason) ?? 0) + 1);
          },
        ),
      );
      if (i > warmup && (i - warmup) % (RATE * 10) === 0)
        log(`  ${i - warmup}/${total} posted, ${accepted} accepted, ${escalatedAt.size} escalations seen`);
    }
    await Promise.all(inflight);
    const fullBatches = [...acceptedCount].filter(([b, n]) => n === GROUP && measuredBatch(b)).map(([b]) => b);
    const reasons = [...failures].map(([reason, n]) => `${n}× ${reason}`).join(', ');
    if (warmupFailed > 0) log(`WARNING: ${warmupFailed} warm-up posts failed`);
    log(
      `all posted in ${((performance.now() - started) / 1000).toFixed(1)} s; ${failed} failed${reasons ? ` (${reasons})` : ''}; waiting for escalations…`,
    );
    const deadline = performance.now() + 120_000;
    while (fullBatches.some((b) => !escalatedAt.has(b)) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // The services' CPU over the measured window (posting, then until the last escalation was seen).
    const cpuPerComplaint = services.flatMap((service, n) => {
      const [before, after] = [cpuAtStart[n], cpuMsOf(service.pid)];
      return before === undefined || after === undefined
        ? []
        : [{ service: service.service, ms: (after - before) / total }];
    });
    const measured = fullBatches
      .filter((b) => escalatedAt.has(b))
      .map((b) => ({
        atSeconds: ((lastAccepted.get(b) as number) - started) / 1000,
        ms: (escalatedAt.get(b) as number) - (lastAccepted.get(b) as number),
      }))
      .sort((a, b) => a.ms - b.ms);
    const latencies = measured.map((m) => m.ms);
    const warmLatencies = [...acceptedCount]
      .filter(([b, n]) => n === GROUP && !measuredBatch(b) && escalatedAt.has(b))
      .map(([b]) => (escalatedAt.get(b) as number) - (lastAccepted.get(b) as number))
      .sort((a, b) => a - b);
    const slowest = measured.slice(-Math.max(1, Math.ceil(measured.length / 100))).reverse();
    httpLatencies.sort((a, b) => a - b);
    const missing = fullBatches.length - latencies.length;
    if (missing > 0) log(`WARNING: ${missing} batches never escalated within 120 s after the last post`);
    const incidentOfBatch = new Map([...batchOfIncident].map(([incident, batch]) => [batch, incident]));
    const stages = await stageBreakdown(
      dbs,
      fullBatches.flatMap((b) => {
        const e = escalationOf.get(incidentOfBatch.get(b) ?? '');
        return e ? [{ ...e, acceptedAt: epochOf(lastAccepted.get(b) as number), seenAt: epochOf(e.seenAt) }] : [];
      }),
      intakeKafkaAt,
    );
    return {
      rate: RATE,
      seconds: SECONDS,
      posted: total,
      accepted,
      escalations: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      httpP99: percentile(httpLatencies, 99),
      kafkaHop,
      slowest,
      cpuPerComplaint,
      warmup: {
        seconds: WARMUP_SECONDS,
        escalations: warmLatencies.length,
        p50: percentile(warmLatencies, 50),
        p99: percentile(warmLatencies, 99),
        max: warmLatencies.at(-1) ?? Number.NaN,
      },
      stages,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await Promise.all([intake.stop(), incidents.stop()]);
    await withAdmin(async (c) => {
      for (const db of Object.values(dbs)) await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }).catch(() => undefined);
  }
}

interface MeasuredEscalation {
  readonly eventId: string;
  readonly causationId: string;
  readonly kafkaAt: number;
  readonly seenAt: number;
  readonly acceptedAt: number;
}

/**
 * Splits each measured latency into stages from timestamps the system records anyway: intake's `recorded_at` of
 * the crossing complaint, the Kafka timestamp its relay gave it, the incidents inbox transaction's start
 * (`es_inbox.processed_at` = `now()`), `recorded_at` of `IncidentEscalated`, its Kafka timestamp, and when this
 * bench's consumer saw it. All on one machine, one clock.
 */
async function stageBreakdown(
  dbs: { intake: string; incidents: string },
  measured: readonly MeasuredEscalation[],
  intakeKafkaAt: ReadonlyMap<string, number>,
): Promise<IncidentLatencyResult['stages']> {
  if (measured.length === 0) return [];
  const at = async (db: string, sql: string, ids: string[]) => {
    const url = new URL(SERVER_URL);
    url.pathname = `/${db}`;
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const { rows } = await c.query<{ id: string; ms: string }>(sql, [ids]);
      return new Map(rows.map((r) => [r.id, Number(r.ms)]));
    } finally {
      await c.end();
    }
  };
  const causes = measured.map((m) => m.causationId);
  const epochMs = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;
  const intakeRecorded = await at(
    dbs.intake,
    `SELECT event_id::text AS id, ${epochMs('recorded_at')} AS ms FROM es_events WHERE event_id::text = ANY($1)`,
    causes,
  );
  const inboxStarted = await at(
    dbs.incidents,
    `SELECT event_id AS id, ${epochMs('processed_at')} AS ms FROM es_inbox WHERE event_id = ANY($1)`,
    causes,
  );
  const escalationRecorded = await at(
    dbs.incidents,
    `SELECT event_id::text AS id, ${epochMs('recorded_at')} AS ms FROM es_events WHERE event_id::text = ANY($1)`,
    measured.map((m) => m.eventId),
  );
  const stages: Array<[string, (m: MeasuredEscalation) => number | undefined]> = [
    ['intake append → HTTP 201 received', (m) => sub(m.acceptedAt, intakeRecorded.get(m.causationId))],
    [
      'intake append → on Kafka (intake relay)',
      (m) => sub(intakeKafkaAt.get(m.causationId), intakeRecorded.get(m.causationId)),
    ],
    [
      'on Kafka → incidents inbox transaction starts',
      (m) => sub(inboxStarted.get(m.causationId), intakeKafkaAt.get(m.causationId)),
    ],
    [
      'inbox transaction start → IncidentEscalated appended',
      (m) => sub(escalationRecorded.get(m.eventId), inboxStarted.get(m.causationId)),
    ],
    [
      'IncidentEscalated appended → on Kafka (commit + incidents relay)',
      (m) => sub(m.kafkaAt, escalationRecorded.get(m.eventId)),
    ],
    ['on Kafka → seen by the bench consumer', (m) => m.seenAt - m.kafkaAt],
  ];
  return stages.map(([stage, of]) => {
    const values = measured.flatMap((m) => {
      const v = of(m);
      return v === undefined || Number.isNaN(v) ? [] : [v];
    });
    values.sort((a, b) => a - b);
    return { stage, p50: percentile(values, 50), p99: percentile(values, 99) };
  });
}

const sub = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);

if (require.main === module) {
  benchIncidentLatency()
    .then((r) => {
      const ms = (n: number) => `${n.toFixed(0)} ms`;
      console.log('\n| scenario | rate | accepted | escalations | p50 | p99 | max | HTTP accept p99 | target | met? |');
      console.log('|---|---|---|---|---|---|---|---|---|---|');
      console.log(
        `| complaint accepted → IncidentEscalated on Kafka | ${r.rate}/s × ${r.seconds} s${WARMUP_SECONDS > 0 ? ` after ${WARMUP_SECONDS} s warm-up` : ' from a cold start'} | ${r.accepted}/${r.posted} | ${r.escalations} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.httpP99)} | p99 ≤ 500 ms | ${r.p99 <= 500 ? 'yes' : 'NO'} |`,
      );
      console.log(
        `\nBaseline measured in this run: one bare Kafka hop at ${r.rate}/s: p50 ${ms(r.kafkaHop.p50)}, p99 ${ms(r.kafkaHop.p99)}. ` +
          `The escalation path takes two hops plus the work: p50 ${(r.p50 / r.kafkaHop.p50).toFixed(1)}×, ` +
          `p99 ${(r.p99 / r.kafkaHop.p99).toFixed(1)}× the single hop.`,
      );
      if (r.cpuPerComplaint.length > 0) {
        console.log(
          `\nCPU per measured complaint: ${r.cpuPerComplaint.map((c) => `${c.service} ${c.ms.toFixed(2)} ms`).join(', ')} ` +
            `(user + system, from /proc, over the measured window).`,
        );
      }
      if (r.warmup.escalations > 0) {
        console.log(
          `\nDuring the ${r.warmup.seconds} s warm-up right after the services started (not measured against the target): ` +
            `${r.warmup.escalations} escalations, p50 ${ms(r.warmup.p50)}, p99 ${ms(r.warmup.p99)}, max ${ms(r.warmup.max)}.`,
        );
      }
      console.log(
        `\nSlowest 1 % (${r.slowest.length}), by when their 10th complaint was accepted: ` +
          r.slowest.map((x) => `${ms(x.ms)} at ${x.atSeconds.toFixed(1)} s`).join(', '),
      );
      console.log('\n| stage (crossing complaint → its escalation) | p50 | p99 |');
      console.log('|---|---|---|');
      for (const st of r.stages) console.log(`| ${st.stage} | ${ms(st.p50)} | ${ms(st.p99)} |`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
