/**
 * Whole returns at a sustained rate (issue 10): request → approve → return parcel delivered → inspect → refund paid,
 * with returns, logistics, compensation, the payment sandbox and intake running as real processes, p50/p99 per step,
 * against one bare Kafka hop measured in the same run.
 *
 *   npm run bench:returns                                  # 200 returns/s for 30 s
 *   BENCH_RATE=50 BENCH_SECONDS=20 npm run bench:returns
 *   BENCH_SCALE=0.5 npm run bench:returns                  # the window scaled (at least 10 s)
 *   BENCH_FROM_SOURCE=1 npm run bench:returns              # the services' main.ts under tsx instead of the build
 *
 * Each return is driven by its own chain of calls started open-loop at the rate: `POST /returns`, `POST …/decision`
 * (returns asks logistics for the return shipment over Kafka), `POST /shipments/:id/label` once logistics has it, one
 * signed carrier webhook with the pick-up and delivery scans (logistics tells returns over Kafka), `POST …/inspection`
 * once returns recorded the receipt (returns asks compensation for the refund over Kafka; compensation pays through the
 * sandbox's HTTP API and its signed webhook, and answers over Kafka). Cross-service steps are timed from the services'
 * own event stores (`recorded_at`), the HTTP steps from the client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import { cpuSecondsOf, freePort, LoadClient, ServiceProcess } from '@aftersales/test-kit';
import { createTestDatabase, waitForConsumerGroups, type TestDatabase } from '@aftersales/testing';
import {
  BROKERS,
  CpuSampler,
  cpuSampler,
  describeCpu,
  kafka,
  log,
  measureKafkaHop,
  openLoop,
  percentile,
  SCALE,
  shippedServices,
  sleep,
} from './support';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Math.max(10, Math.round(Number(process.env.BENCH_SECONDS ?? 30) * SCALE));
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 10);
/** How long the bench waits for the last returns to close after the window. */
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 120);
const SECRET = 'bench-returns-secret';
const PROVIDER_SECRET = 'bench-provider-secret';
const SERVICES = ['intake', 'returns', 'logistics', 'compensation'] as const;
type ServiceName = (typeof SERVICES)[number];
const ROOT = path.resolve(__dirname, '../..');
const client = new LoadClient({ maxSockets: 512, timeoutMs: 60_000 });

interface Journey {
  readonly returnId: string;
  requestedAt?: number;
  shipmentId?: string;
  trackingNumber?: string;
  scannedAt?: number;
  failed?: string;
  readonly http: Partial<Record<'request' | 'decision' | 'label' | 'webhook' | 'inspection', number>>;
}

/** Resolves when a value for the key arrives (fed by a poller), or rejects after `timeoutMs`. */
class Awaiting<T> {
  private readonly waiting = new Map<string, (value: T) => void>();
  private readonly known = new Map<string, T>();
  for(key: string, timeoutMs: number): Promise<T> {
    const known = this.known.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        reject(new Error(`waited ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(key, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
  }
  arrived(key: string, value: T): void {
    this.known.set(key, value);
    const resolve = this.waiting.get(key);
    this.waiting.delete(key);
    resolve?.(value);
  }
}

function startSandbox(port: number): ChildProcess {
  const logFile = openSync(path.join(tmpdir(), `bench-payment-sandbox-${port}.log`), 'a');
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'services/compensation/sandbox/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), COMPENSATION_PROVIDER_WEBHOOK_SECRET: PROVIDER_SECRET },
    stdio: ['ignore', logFile, logFile],
  });
}

const summarise = (values: number[]) => {
  values.sort((a, b) => a - b);
  return { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99) };
};

/** p50/p99 inputs per step: HTTP steps from the client, cross-service steps from the services' event stores. */
async function stepSeries(
  journeys: readonly Journey[],
  returnsDb: Pool,
  logisticsDb: Pool,
  tenant: string,
): Promise<Record<string, number[]>> {
  // Cross-service steps from the services' own clocks (one machine, one clock).
  const { rows: steps } = await returnsDb.query<{
    return_id: string;
    approved: Date | null;
    received: Date | null;
    inspected: Date | null;
    closed: Date | null;
  }>(
    `SELECT substr(stream_id, 8) AS return_id,
            min(recorded_at) FILTER (WHERE type = 'ReturnApproved') AS approved,
            min(recorded_at) FILTER (WHERE type = 'ReturnReceived') AS received,
            min(recorded_at) FILTER (WHERE type = 'ReturnInspected') AS inspected,
            min(recorded_at) FILTER (WHERE type = 'ReturnClosed') AS closed
       FROM es_events WHERE stream_id LIKE 'return-%' GROUP BY stream_id`,
  );
  const { rows: made } = await logisticsDb.query<{ return_id: string; registered_at: Date }>(
    `SELECT return_id::text, registered_at FROM shipments_index WHERE tenant = $1 AND purpose = 'return'`,
    [tenant],
  );
  const shipmentMade = new Map(made.map((r) => [r.return_id, r.registered_at.getTime()]));
  const byId = new Map(journeys.map((j) => [j.returnId, j]));
  const series: Record<string, number[]> = {
    'request (POST /returns)': [],
    'approve (POST …/decision)': [],
    'return shipment made (returns → Kafka → logistics)': [],
    'parcel delivered → receipt (webhook → logistics → Kafka → returns)': [],
    'inspect (POST …/inspection)': [],
    'refund paid (returns → compensation → provider → compensation → returns)': [],
    'whole return, request → closed': [],
  };
  for (const j of journeys) {
    if (j.http.request !== undefined) series['request (POST /returns)']!.push(j.http.request);
    if (j.http.decision !== undefined) series['approve (POST …/decision)']!.push(j.http.decision);
    if (j.http.inspection !== undefined) series['inspect (POST …/inspection)']!.push(j.http.inspection);
  }
  for (const r of steps) {
    const j = byId.get(r.return_id);
    const made = shipmentMade.get(r.return_id);
    if (r.approved && made)
      series['return shipment made (returns → Kafka → logistics)']!.push(made - r.approved.getTime());
    if (j?.scannedAt && r.received)
      series['parcel delivered → receipt (webhook → logistics → Kafka → returns)']!.push(
        r.received.getTime() - j.scannedAt,
      );
    if (r.inspected && r.closed)
      series['refund paid (returns → compensation → provider → compensation → returns)']!.push(
        r.closed.getTime() - r.inspected.getTime(),
      );
    if (j?.requestedAt && r.closed) series['whole return, request → closed']!.push(r.closed.getTime() - j.requestedAt);
  }
  return series;
}

/**
 * When the relays sent the run's events: each message's timestamp (the producer's create time, set as the relay
 * sends) by its `ce_id`, read back from the services' topics from the run's start to their end.
 */
async function sentTimes(since: number): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  const client = kafka('bench-returns-sent-times');
  const admin = client.admin();
  await admin.connect();
  const topics = SERVICES.map((s) => Topics[s]);
  const starts = new Map<string, Array<{ partition: number; offset: string }>>();
  let remaining = 0;
  const ends = new Map<string, number>();
  for (const topic of topics) {
    const from = await admin.fetchTopicOffsetsByTimestamp(topic, since);
    const high = await admin.fetchTopicOffsets(topic);
    starts.set(topic, from);
    for (const p of high) {
      const start = Number(from.find((f) => f.partition === p.partition)?.offset ?? p.high);
      if (Number(p.high) > start) {
        ends.set(`${topic}/${p.partition}`, Number(p.high) - 1);
        remaining += 1;
      }
    }
  }
  await admin.disconnect();
  if (remaining === 0) return sent;
  const consumer = client.consumer({ groupId: `bench-returns-sent-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const id = message.headers?.ce_id?.toString();
      if (id) sent.set(id, Number(message.timestamp));
      const key = `${topic}/${partition}`;
      const end = ends.get(key);
      if (end !== undefined && Number(message.offset) >= end) {
        ends.delete(key);
        if (ends.size === 0) done();
      }
    },
  });
  for (const [topic, from] of starts)
    for (const f of from) consumer.seek({ topic, partition: f.partition, offset: f.offset });
  await Promise.race([finished, sleep(60_000)]);
  await consumer.disconnect();
  return sent;
}

interface HopSeries {
  readonly whole: number[];
  readonly relay: number[];
  readonly consumer: number[];
  /** The consuming transaction began → the first event it appended (consumed events that caused one). */
  readonly handler: number[];
}

/**
 * Every hop between the services in the run, split out of the cross-service steps: an event's append in its service
 * (`recorded_at`) → the start of the consumer transaction that took it in another service (its `es_inbox.processed_at`,
 * the transaction's `now()`): the relay's wait and send, the broker, the consumer's fetch and its queue. Keyed by the
 * source service and event type and the consuming group; the time from there to the consumer's own events is the
 * handler's.
 */
async function hopSeries(
  pools: Readonly<Record<ServiceName, Pool>>,
  sent: ReadonlyMap<string, number>,
): Promise<Record<string, HopSeries>> {
  const appended = new Map<string, { service: ServiceName; type: string; at: number }>();
  /** Per service, the first event appended because of a consumed event (its causation id). */
  const caused = new Map<string, number>();
  for (const service of SERVICES) {
    const { rows } = await pools[service].query<{ event_id: string; type: string; recorded_at: Date }>(
      'SELECT event_id::text, type, recorded_at FROM es_events',
    );
    for (const r of rows) appended.set(r.event_id, { service, type: r.type, at: r.recorded_at.getTime() });
    const effects = await pools[service].query<{ causation_id: string; first: Date }>(
      `SELECT metadata->>'causationId' AS causation_id, min(recorded_at) AS first FROM es_events
        WHERE metadata ? 'causationId' GROUP BY 1`,
    );
    for (const r of effects.rows) caused.set(`${service}|${r.causation_id}`, r.first.getTime());
  }
  const series: Record<string, HopSeries> = {};
  for (const service of SERVICES) {
    const { rows } = await pools[service].query<{ consumer: string; event_id: string; processed_at: Date }>(
      'SELECT consumer, event_id, processed_at FROM es_inbox',
    );
    for (const r of rows) {
      const source = appended.get(r.event_id);
      if (!source || source.service === service) continue;
      const key = `${source.service} ${source.type} → ${r.consumer}`;
      const entry = (series[key] ??= { whole: [], relay: [], consumer: [], handler: [] });
      entry.whole.push(r.processed_at.getTime() - source.at);
      const effect = caused.get(`${service}|${r.event_id}`);
      if (effect !== undefined) entry.handler.push(effect - r.processed_at.getTime());
      const at = sent.get(r.event_id);
      if (at !== undefined) {
        entry.relay.push(at - source.at);
        entry.consumer.push(r.processed_at.getTime() - at);
      }
    }
  }
  return series;
}

/** Polls logistics for the shipments it made for returns and returns for its receipts (one query each per 50 ms). */
function startPollers(logisticsDb: Pool, returnsDb: Pool, tenant: string) {
  const shipments = new Awaiting<string>();
  const receipts = new Awaiting<true>();
  let polling = true;
  // Both read only what waits for the bench's next step (a shipment without its label, a return received and not yet
  // inspected), so each poll stays small whatever the run's length.
  const loop = (async () => {
    while (polling) {
      const { rows } = await logisticsDb.query<{ shipment_id: string; return_id: string }>(
        `SELECT shipment_id, return_id FROM shipments_index
          WHERE tenant = $1 AND purpose = 'return' AND tracking_number IS NULL`,
        [tenant],
      );
      for (const r of rows) shipments.arrived(r.return_id, r.shipment_id);
      const received = await returnsDb.query<{ return_id: string }>(
        `SELECT return_id FROM returns_index WHERE tenant = $1 AND status = 'received'`,
        [tenant],
      );
      for (const r of received.rows) receipts.arrived(r.return_id, true);
      await sleep(50);
    }
  })();
  return {
    shipments,
    receipts,
    logisticsDb,
    returnsDb,
    stop: async () => {
      polling = false;
      await loop;
    },
  };
}

function printResults(
  series: Record<string, number[]>,
  journeys: readonly Journey[],
  hop: { p50: number; p99: number },
  run: { total: number; windowSeconds: number; closed: number; startedAt: number; lastClosedAt: number },
): void {
  const { total, windowSeconds, closed, startedAt, lastClosedAt } = run;
  const failures = new Map<string, number>();
  for (const j of journeys) if (j.failed) failures.set(j.failed, (failures.get(j.failed) ?? 0) + 1);

  const ms = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(0)} ms`);
  console.log(`\n| step (${RATE} returns/s × ${SECONDS} s) | n | p50 | p99 | p99 / Kafka hop p99 |`);
  console.log('|:---|---:|---:|---:|---:|');
  for (const [step, values] of Object.entries(series)) {
    const s = summarise(values);
    console.log(`| ${step} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} | ${(s.p99 / hop.p99).toFixed(1)}× |`);
  }
  console.log(
    `\nBaseline in this run: one bare Kafka hop at ${RATE}/s: p50 ${ms(hop.p50)}, p99 ${ms(hop.p99)}. ` +
      `Started ${total} returns in ${windowSeconds.toFixed(1)} s (${(total / windowSeconds).toFixed(0)}/s offered); ` +
      `${closed} closed within ${DRAIN_SECONDS} s after the last step` +
      (failures.size > 0 ? `; failed: ${[...failures].map(([why, n]) => `${why} × ${n}`).join(', ')}` : '') +
      '.',
  );
  // Sustained means the last return closed about one whole-return time after the window, not a growing queue later.
  const spanSeconds = (lastClosedAt - startedAt) / 1000;
  console.log(
    `Closed ${(closed / spanSeconds).toFixed(0)} returns/s over the ${spanSeconds.toFixed(1)} s from the first request ` +
      `to the last return closed (${(spanSeconds - windowSeconds).toFixed(1)} s after the window).`,
  );
}

function printHops(hops: Record<string, HopSeries>, hop: { p50: number; p99: number }): void {
  const ms = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(0)} ms`);
  const pair = (values: number[]) => {
    const x = summarise(values);
    return `${ms(x.p50)} / ${ms(x.p99)}`;
  };
  console.log(
    '\n| hop: append in a service → the consuming transaction began in another | n | p50 / p99 | of it: append → relay sent | relay sent → consumer began | then: consumer began → its first event | p99 / Kafka hop p99 |',
  );
  console.log('|:---|---:|---:|---:|---:|---:|---:|');
  for (const [key, values] of Object.entries(hops).sort(([a], [b]) => a.localeCompare(b))) {
    const whole = summarise(values.whole);
    console.log(
      `| ${key} | ${whole.n} | ${pair(values.whole)} | ${pair(values.relay)} | ${pair(values.consumer)} | ${values.handler.length > 0 ? pair(values.handler) : '-'} | ${(whole.p99 / hop.p99).toFixed(1)}× |`,
    );
  }
}

export async function benchReturnJourney(): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  const tenant = `bench-returns-${suffix}`;
  const groupPrefix = `bench-ret-${suffix}.`;
  log(`returns bench: ${RATE} returns/s for ${SECONDS} s (scale ${SCALE}); kafka ${BROKERS.join(',')}`);

  log(`baseline: one bare Kafka hop at ${RATE}/s for ${BASELINE_SECONDS} s…`);
  const hop = await measureKafkaHop(kafka('bench-returns-hop'), RATE, BASELINE_SECONDS, suffix);
  log(`  Kafka hop p50 ${hop.p50.toFixed(0)} ms, p99 ${hop.p99.toFixed(0)} ms`);

  const dbs: Partial<Record<ServiceName, TestDatabase>> = {};
  const processes: Partial<Record<ServiceName, ServiceProcess>> = {};
  const sandboxPort = await freePort();
  const sandbox = startSandbox(sandboxPort);
  const pools: Pool[] = [];
  try {
    const shipped = await shippedServices();
    for (const name of SERVICES) dbs[name] = await createTestDatabase(`bench_ret_${name}`);
    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)));
    for (const name of SERVICES) {
      const db = dbs[name] as TestDatabase;
      processes[name] = new ServiceProcess(
        name,
        ports[name] as number,
        {
          DATABASE_URL: db.url,
          DATABASE_NAME: db.name,
          AUTH_JWT_SECRET: SECRET,
          KAFKA_BROKERS: BROKERS.join(','),
          KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
          KAFKA_CONSUMER_FROM_BEGINNING: 'false',
          PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
          OTEL_SDK_DISABLED: 'true',
          LOG_LEVEL: 'warn',
          ...(name === 'compensation'
            ? {
                COMPENSATION_PROVIDER_URL: `http://127.0.0.1:${sandboxPort}`,
                COMPENSATION_PROVIDER_WEBHOOK_SECRET: PROVIDER_SECRET,
                COMPENSATION_PUBLIC_URL: `http://127.0.0.1:${ports.compensation}`,
              }
            : {}),
        },
        shipped.options(name),
      );
    }
    log('starting intake, returns, logistics, compensation and the payment sandbox (real processes)…');
    await Promise.all(SERVICES.map((s) => (processes[s] as ServiceProcess).start(120_000)));
    await waitForConsumerGroups(
      ['returns.return-saga', 'logistics.returns-saga', 'compensation.compensation-requests'].map(
        (g) => groupPrefix + g,
      ),
    );
    const url = (s: ServiceName) => (processes[s] as ServiceProcess).url;
    const token = (roles: string[]) => signDevToken({ subject: `bench-${roles[0]}`, tenant, roles }, SECRET);
    const [agent, logistics, admin] = await Promise.all([token(['agent']), token(['logistics']), token(['admin'])]);
    const integrationId = `bench-carrier-${suffix}`;
    const carrierSecret = randomBytes(16).toString('hex');
    const saved = await fetch(`${url('logistics')}/carrier-integrations/${integrationId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ carrier: 'SF Express', secret: carrierSecret }),
    });
    if (saved.status !== 200) throw new Error(`PUT /carrier-integrations answered ${saved.status}`);

    const poolOf = (s: ServiceName) => {
      const pool = new Pool({ connectionString: (dbs[s] as TestDatabase).url, max: 2 });
      pools.push(pool);
      return pool;
    };
    const pollers = startPollers(poolOf('logistics'), poolOf('returns'), tenant);
    const { shipments, receipts } = pollers;
    const returnsDb = pollers.returnsDb;
    const logisticsDb = pollers.logisticsDb;
    const journeys: Journey[] = [];
    const timed = async (j: Journey, step: keyof Journey['http'], call: () => Promise<{ status: number }>) => {
      const sent = performance.now();
      const { status } = await call();
      j.http[step] = performance.now() - sent;
      if (status >= 300) throw new Error(`${step}: HTTP ${status}`);
    };
    const post = (base: ServiceName, route: string, tok: string, body: unknown) =>
      client.post(`${url(base)}${route}`, tok, body);
    const journey = async (j: Journey, seq: number) => {
      j.requestedAt = Date.now();
      await timed(j, 'request', () =>
        post('returns', '/returns', agent, {
          returnId: j.returnId,
          orderId: `ORD-BENCH-${seq}`,
          kind: 'return',
          reason: 'quality',
          severity: 'unusable',
          items: [
            {
              sku: 'KETTLE-1L',
              quantity: 1,
              unitPrice: { amountMinor: 1_000, currency: 'CNY' },
              specialPrice: false,
              deliveredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
              condition: { unused: false, tagsAttached: false, packagingIntact: true },
            },
          ],
          orderPaid: { amountMinor: 1_000, currency: 'CNY' },
          evidenceRefs: [],
        }),
      );
      await timed(j, 'decision', () => post('returns', `/returns/${j.returnId}/decision`, agent, {}));
      j.shipmentId = await shipments.for(j.returnId, 120_000);
      j.trackingNumber = `SFB${suffix}${seq}`;
      await timed(j, 'label', () =>
        post('logistics', `/shipments/${j.shipmentId}/label`, logistics, {
          carrier: 'SF Express',
          trackingNumber: j.trackingNumber,
        }),
      );
      const at = new Date(Date.now() - 60_000).toISOString();
      const raw = JSON.stringify({
        events: [
          {
            eventId: `${j.trackingNumber}-1`,
            trackingNumber: j.trackingNumber,
            status: 'PickedUp',
            location: 'Guangzhou',
            occurredAt: at,
          },
          {
            eventId: `${j.trackingNumber}-2`,
            trackingNumber: j.trackingNumber,
            status: 'Delivered',
            location: 'Warehouse',
            occurredAt: new Date().toISOString(),
          },
        ],
      });
      j.scannedAt = Date.now();
      await timed(j, 'webhook', () =>
        fetch(`${url('logistics')}/carrier-events`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-carrier-integration': integrationId,
            'x-carrier-signature': `sha256=${createHmac('sha256', carrierSecret).update(raw).digest('hex')}`,
          },
          body: raw,
        }),
      );
      await receipts.for(j.returnId, 120_000);
      await timed(j, 'inspection', () =>
        post('returns', `/returns/${j.returnId}/inspection`, logistics, { grade: 'damaged', disposition: 'scrap' }),
      );
    };

    // CPU of each process from the first request to the last return closed, to say where a return's cost lies.
    const processCpu = () => ({
      ...Object.fromEntries(SERVICES.map((s) => [s, cpuSecondsOf(processes[s]?.pid) ?? 0])),
      sandbox: cpuSecondsOf(sandbox.pid) ?? 0,
    });
    const sampler = await cpuSampler();
    const machineBefore = sampler.snapshot();
    const cpuBefore = processCpu();
    const runStartedAt = Date.now();
    const total = RATE * SECONDS;
    log(`driving ${total} returns at ${RATE}/s…`);
    const { windowSeconds } = await openLoop(
      total,
      RATE,
      (i) => {
        const j: Journey = { returnId: randomUUID(), http: {} };
        journeys.push(j);
        return journey(j, i).catch((error: Error) => {
          j.failed = error.message;
        });
      },
      'returns started',
    );
    const closedBy = Date.now() + DRAIN_SECONDS * 1000;
    let closed = 0;
    for (;;) {
      const { rows } = await returnsDb.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM es_events WHERE type = 'ReturnClosed'`,
      );
      closed = rows[0]?.n ?? 0;
      if (closed >= journeys.filter((j) => !j.failed).length || Date.now() > closedBy) break;
      log(`  ${closed} returns closed…`);
      await sleep(2_000);
    }
    await pollers.stop();
    const { rows: last } = await returnsDb.query<{ at: Date | null }>(
      `SELECT max(recorded_at) AS at FROM es_events WHERE type = 'ReturnClosed'`,
    );
    const lastClosedAt = last[0]?.at?.getTime() ?? Date.now();
    const machine = sampler.available ? CpuSampler.between(machineBefore, sampler.snapshot()) : null;
    const cpuAfter = processCpu();

    const series = await stepSeries(journeys, returnsDb, logisticsDb, tenant);
    printResults(series, journeys, hop, { total, windowSeconds, closed, startedAt: runStartedAt, lastClosedAt });
    const perReturn = Object.entries(cpuAfter)
      .map(([name, seconds]) => {
        const used = seconds - (cpuBefore[name as keyof typeof cpuBefore] ?? 0);
        return `${name} ${((used * 1000) / Math.max(1, closed)).toFixed(1)} ms`;
      })
      .join(', ');
    console.log(
      `During the run: ${machine ? describeCpu(machine) : 'cpu cores: unknown'} (the services and the sandbox are in ` +
        `"other"). CPU per closed return: ${perReturn}` +
        (machine ? `, Postgres ${((machine.postgresSeconds * 1000) / Math.max(1, closed)).toFixed(1)} ms.` : '.'),
    );
    const servicePools = Object.fromEntries(
      SERVICES.map((s) => [s, s === 'returns' ? returnsDb : s === 'logistics' ? logisticsDb : poolOf(s)]),
    ) as Record<ServiceName, Pool>;
    // What a return costs in events: each is appended, published by its service's relay and read by its consumers.
    const events = await Promise.all(
      SERVICES.map(async (s) => {
        const { rows } = await servicePools[s].query<{ n: number }>('SELECT count(*)::int AS n FROM es_events');
        return { s, n: rows[0]?.n ?? 0 };
      }),
    );
    console.log(
      `Events stored per closed return: ${events.map(({ s, n }) => `${s} ${(n / Math.max(1, closed)).toFixed(1)}`).join(', ')} ` +
        `(${events.reduce((a, { n }) => a + n, 0)} events for ${closed} returns, setup included).`,
    );
    const sent = await sentTimes(runStartedAt);
    const hops = await hopSeries(servicePools, sent);
    printHops(hops, hop);
  } finally {
    await Promise.all(SERVICES.map((s) => processes[s]?.stop().catch(() => undefined)));
    sandbox.kill('SIGTERM');
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    for (const db of Object.values(dbs)) await db?.drop().catch(() => undefined);
  }
}

if (require.main === module) {
  benchReturnJourney().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
