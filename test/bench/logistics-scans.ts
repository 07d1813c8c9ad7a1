/**
 * Carrier scans through logistics' webhook (issue 11): batches of scans posted to `POST /carrier-events` (HMAC-signed,
 * each scan normalised, recorded once by its event id, the tracking rules evaluated and the shipment's durable timer
 * cancelled and rescheduled, the shipments list updated) as fast as the service takes them, against a baseline in the
 * same run: plain multi-row INSERTs of the same scans into one table of a fresh database. Meanwhile, stalled timers of
 * other shipments fall due (their last scan dated 48 h before a point in the window) and their lateness is measured.
 *
 *   npm run bench:logistics                          # 20,000 active shipments, 2,000 of them stalling in the window, 60 s
 *   BENCH_SCALE=0.1 npm run bench:logistics          # 2,000 shipments, a 10 s window
 *   BENCH_BATCH=500 BENCH_IN_FLIGHT=4 npm run bench:logistics
 *   BENCH_TIMER_PROCESS=shared npm run bench:logistics   # timers on the HTTP process's event loop (one process)
 *   BENCH_API_REPLICAS=1 npm run bench:logistics         # one API process instead of the chart's default two
 *
 * By default logistics runs as two processes on one database (ADR 24): `SERVICE_ROLES=api,consumers,relay` takes the
 * webhook, `SERVICE_ROLES=workers` fires the timers, so timers do not queue behind scan batches on one event loop.
 *
 * Logistics runs as real processes (its main.ts) on a fresh database. Lateness of a stall = its `ShipmentStalled`'s
 * `recorded_at` − the instant it fell due (the last scan + 48 h), for every stall due inside the window.
 */
import { Client } from 'pg';
import { signDevToken } from '@aftersales/platform-http';
import { cpuSecondsOf, freePort, ServiceProcess } from '@aftersales/test-kit';
import {
  apiCaller,
  BROKERS,
  CpuSampler,
  cpuSampler,
  postCarrierEvents,
  SCALE,
  SERVER_URL,
  withDatabase,
} from './support';

const SHIPMENTS = Math.max(1_000, Math.round(20_000 * SCALE));
const STALLING = Math.round(SHIPMENTS / 10);
const SECONDS = Math.max(10, Math.round(60 * SCALE));
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 4);
const TARGET_SCANS_PER_S = 5_000;
const TARGET_P99_MS = 1_000;
const SECRET = 'bench-secret-bench-secret-bench-secret';
const CARRIER_SECRET = 'bench-carrier-secret-bench-carrier-secret';
const HOUR = 3_600_000;
/** `own` (default): the timers in a process of their own (SERVICE_ROLES); `shared`: one process runs everything. */
const TIMER_PROCESS = process.env.BENCH_TIMER_PROCESS === 'shared' ? 'shared' : 'own';
/** Processes taking the webhook, like the chart's default `replicas: 2`; the batches in flight go round them. */
const API_REPLICAS = Math.max(1, Number(process.env.BENCH_API_REPLICAS ?? 2));

const log = (m: string) => console.log(`[logistics-bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

interface ScanLine {
  eventId: string;
  trackingNumber: string;
  status: string;
  location: string;
  occurredAt: string;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

/**
 * CPU of every party from now on, per scan: the webhook processes, the timer process, Postgres, Kafka, this bench (the
 * client). What the machine can give is 2 cores × the window: 5,000 scans/s needs ≤ 400 µs of it per scan.
 */
async function windowCpu(webhook: readonly ServiceProcess[], timers: ServiceProcess | null) {
  const sampler = await cpuSampler();
  const cpuOf = (processes: readonly ServiceProcess[]) =>
    processes.reduce((sum, p) => sum + (cpuSecondsOf(p.pid) ?? 0), 0);
  const timerProcesses = timers ? [timers] : [];
  const before = { webhook: cpuOf(webhook), timers: cpuOf(timerProcesses), machine: sampler.snapshot() };
  return {
    perItemUs(items: number, seconds: number) {
      const machine = sampler.available ? CpuSampler.between(before.machine, sampler.snapshot()) : null;
      const us = (cpuSeconds: number) => (cpuSeconds * 1e6) / items;
      return {
        webhook: us(cpuOf(webhook) - before.webhook),
        timers: us(cpuOf(timerProcesses) - before.timers),
        postgres: machine ? us(machine.postgres * seconds) : Number.NaN,
        kafka: machine ? us(machine.kafka * seconds) : Number.NaN,
        bench: machine ? us(machine.self * seconds) : Number.NaN,
      };
    },
  };
}

async function main(): Promise<void> {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const database = `bench_logistics_${suffix}`;
  const baselineDb = `bench_logistics_base_${suffix}`;
  const tenant = `bench-${suffix}`;
  const environment = {
    DATABASE_URL: SERVER_URL,
    DATABASE_NAME: database,
    KAFKA_BROKERS: BROKERS.join(','),
    AUTH_JWT_SECRET: SECRET,
    KAFKA_CONSUMER_GROUP_PREFIX: `bench-${suffix}.`,
    KAFKA_CONSUMER_FROM_BEGINNING: 'false',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
  };
  const service = new ServiceProcess('logistics', await freePort(), {
    ...environment,
    ...(TIMER_PROCESS === 'own' ? { SERVICE_ROLES: 'api,consumers,relay' } : {}),
  });
  // More API replicas: the first one's roles, started after it (it made the database).
  const replicas: ServiceProcess[] = [service];
  for (let i = 1; i < API_REPLICAS; i++) {
    replicas.push(
      new ServiceProcess('logistics', await freePort(), {
        ...environment,
        ...(TIMER_PROCESS === 'own' ? { SERVICE_ROLES: 'api,consumers,relay' } : {}),
      }),
    );
  }
  const timers =
    TIMER_PROCESS === 'own'
      ? new ServiceProcess('logistics', await freePort(), { ...environment, SERVICE_ROLES: 'workers' })
      : null;
  try {
    log(
      `starting logistics (${API_REPLICAS} API process(es)${timers ? ' with api,consumers,relay + one with workers' : ' with every role'}, fresh database ${database})…`,
    );
    await service.start(120_000);
    for (const replica of replicas.slice(1)) await replica.start(120_000);
    // After the first: it made and migrated the database.
    await timers?.start(120_000);
    const admin = await signDevToken({ subject: 'admin', tenant, roles: ['admin'] }, SECRET);
    const ops = await signDevToken({ subject: 'ops', tenant, roles: ['logistics'] }, SECRET);
    const call = apiCaller(service.url);
    await call(admin, 'PUT', '/carrier-integrations/bench-sf', { carrier: 'SF Express', secret: CARRIER_SECRET });
    const post = async (events: readonly ScanLine[], replica = 0) => {
      const url = (replicas[replica % replicas.length] as ServiceProcess).url;
      await (await postCarrierEvents(url, 'bench-sf', CARRIER_SECRET, events)).arrayBuffer();
    };

    // Seeding: the shipments, each picked up. The stalling ones' pickup is dated so that 48 h after it falls inside the
    // window (spread over it); the others' is now (their timers lie 48 h ahead and every load scan moves them).
    const tracking = Array.from({ length: SHIPMENTS }, (_, i) => `SFB${suffix}${i}`);
    const seedStart = Date.now();
    await pool(tracking, 32, async (trackingNumber) => {
      await call(ops, 'POST', '/shipments', {
        orderId: `ORD-${trackingNumber}`.slice(0, 64),
        carrier: 'SF Express',
        trackingNumber,
        originRegion: 'CN-ZJ',
        destinationRegion: `CN-${trackingNumber.length % 7}`,
        items: [{ sku: 'BENCH', quantity: 1 }],
      });
    });
    log(`  ${SHIPMENTS} shipments registered in ${((Date.now() - seedStart) / 1000).toFixed(0)} s`);
    const setupMs = Math.max(60_000, SHIPMENTS * 2);
    const windowStart = Date.now() + setupMs;
    const pickups: ScanLine[] = tracking.map((trackingNumber, i) => ({
      eventId: `${trackingNumber}-pickup`,
      trackingNumber,
      status: 'picked_up',
      location: 'Hangzhou hub',
      occurredAt: new Date(
        i < STALLING ? windowStart - 48 * HOUR + ((i + 0.5) / STALLING) * SECONDS * 1000 : Date.now(),
      ).toISOString(),
    }));
    const batches: ScanLine[][] = [];
    for (let i = 0; i < pickups.length; i += BATCH) batches.push(pickups.slice(i, i + BATCH));
    await pool(batches, IN_FLIGHT, post);
    // Planner statistics for the seeded tables, as autovacuum would gather them in production (it is off on CI machines).
    await withDatabase(database, (c) => c.query('ANALYZE'));
    log(`  pickups recorded; the window opens in ${((windowStart - Date.now()) / 1000).toFixed(0)} s`);
    while (Date.now() < windowStart) await new Promise((r) => setTimeout(r, 200));

    // Load: batches of scans of the non-stalling shipments, as fast as the service takes them, for the window.
    const moving = tracking.slice(STALLING);
    let sent = 0;
    let seq = 0;
    const latencies: number[] = [];
    const loadStart = Date.now();
    const loadEnd = loadStart + SECONDS * 1000;
    const allScans: ScanLine[] = [];
    const cpu = await windowCpu(replicas, timers);
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, slot) => {
        while (Date.now() < loadEnd) {
          const batch: ScanLine[] = Array.from({ length: BATCH }, () => {
            seq += 1;
            return {
              eventId: `scan-${suffix}-${seq}`,
              trackingNumber: moving[seq % moving.length] as string,
              status: seq % 3 === 0 ? 'InTransit' : 'in_transit',
              location: `Hub ${seq % 50}`,
              occurredAt: new Date().toISOString(),
            };
          });
          const t = performance.now();
          await post(batch, slot);
          latencies.push(performance.now() - t);
          sent += batch.length;
          allScans.push(...batch);
        }
      }),
    );
    const loadSeconds = (Date.now() - loadStart) / 1000;
    const ours = sent / loadSeconds;
    const cpuPerScan = cpu.perItemUs(sent, loadSeconds);
    latencies.sort((a, b) => a - b);
    log(`  ours: ${sent} scans in ${loadSeconds.toFixed(1)} s = ${ours.toFixed(0)} scans/s`);

    // Let the stalling timers fire (late ones too, so their lateness is counted), then measure it.
    await new Promise((r) => setTimeout(r, 30_000));
    const lateness = await withDatabase(database, async (c) => {
      // When each stall was recorded against when it fell due (48 h after the last scan, the default rule): the
      // tracking timer itself is moved on to the lost rule by the check that records the stall (ADR 27).
      const { rows } = await c.query<{ ms: number }>(
        `SELECT extract(epoch FROM (recorded_at - ((data->>'lastScanAt')::timestamptz + interval '48 hours'))) * 1000 AS ms
           FROM es_events
          WHERE type = 'ShipmentStalled'
            AND (data->>'lastScanAt')::timestamptz + interval '48 hours' >= $1
            AND (data->>'lastScanAt')::timestamptz + interval '48 hours' < $2`,
        [new Date(windowStart), new Date(windowStart + SECONDS * 1000)],
      );
      const stalled = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM es_events WHERE type = 'ShipmentStalled'",
      );
      const active = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM es_timers WHERE fired_at IS NULL AND cancelled_at IS NULL',
      );
      return {
        ms: rows.map((r) => Number(r.ms)).sort((a, b) => a - b),
        stalled: stalled.rows[0]?.n ?? 0,
        active: active.rows[0]?.n ?? 0,
      };
    });

    // Baseline: the same scans, plain multi-row INSERTs into one table of a fresh database, same batches and concurrency.
    await withDatabase('postgres', (c) => c.query(`CREATE DATABASE ${baselineDb}`));
    const baseline = await withDatabase(baselineDb, async () => {
      const clients = await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          const url = new URL(SERVER_URL);
          url.pathname = `/${baselineDb}`;
          const c = new Client({ connectionString: url.toString() });
          await c.connect();
          return c;
        }),
      );
      await clients[0]?.query(
        'CREATE TABLE scans (event_id text PRIMARY KEY, tracking_number text, status text, location text, occurred_at timestamptz)',
      );
      const chunks: ScanLine[][] = [];
      for (let i = 0; i < allScans.length; i += BATCH) chunks.push(allScans.slice(i, i + BATCH));
      let next = 0;
      const t = Date.now();
      await Promise.all(
        clients.map(async (c) => {
          while (next < chunks.length) {
            const chunk = chunks[next++] as ScanLine[];
            const values = chunk.map(
              (_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`,
            );
            await c.query(
              `INSERT INTO scans VALUES ${values.join(', ')}`,
              chunk.flatMap((s) => [s.eventId, s.trackingNumber, s.status, s.location, s.occurredAt]),
            );
          }
        }),
      );
      const seconds = (Date.now() - t) / 1000;
      await Promise.all(clients.map((c) => c.end()));
      return allScans.length / seconds;
    });

    const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
    console.log('');
    console.log('| measurement | value | target | met? |');
    console.log('| :-- | --: | :-- | :-- |');
    console.log(
      `| scans through the webhook (batches of ${BATCH}, ${IN_FLIGHT} in flight), scans/s | ${fmt(ours)} | ≥ ${TARGET_SCANS_PER_S} | ${ours >= TARGET_SCANS_PER_S ? 'yes' : 'NO'} |`,
    );
    console.log(`| baseline: plain INSERT of the same scans, rows/s | ${fmt(baseline)} | — | — |`);
    console.log(`| ours / baseline | ${(ours / baseline).toFixed(3)}× | — | — |`);
    console.log(
      `| batch latency p50 / p99, ms | ${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 99))} | — | — |`,
    );
    console.log(
      `| stalls due in the window: lateness (recorded − due) p50 / p99 / max, ms (n=${lateness.ms.length}) | ${fmt(percentile(lateness.ms, 50))} / ${fmt(percentile(lateness.ms, 99))} / ${fmt(lateness.ms.at(-1) ?? Number.NaN)} | p99 ≤ ${TARGET_P99_MS} | ${percentile(lateness.ms, 99) <= TARGET_P99_MS ? 'yes' : 'NO'} |`,
    );
    console.log(
      `| ShipmentStalled appended / stalling shipments | ${lateness.stalled} / ${STALLING} | all | ${lateness.stalled >= STALLING ? 'yes' : 'NO'} |`,
    );
    console.log(`| active timers at the end (shipments ${SHIPMENTS}) | ${lateness.active} | — | — |`);
    console.log(
      `| CPU per scan in the window, µs: webhook processes / timer process / Postgres / Kafka / bench client | ${fmt(cpuPerScan.webhook)} / ${fmt(cpuPerScan.timers)} / ${fmt(cpuPerScan.postgres)} / ${fmt(cpuPerScan.kafka)} / ${fmt(cpuPerScan.bench)} | — | — |`,
    );
    console.log(
      `| peak memory (RSS) of each webhook process, MiB | ${replicas.map((r) => fmt(r.peakMemoryMiB() ?? Number.NaN)).join(' / ')} | — | — |`,
    );
    console.log('');
    console.log(
      timers
        ? `Timers fired by a process of their own (SERVICE_ROLES=workers); the webhook taken by ${API_REPLICAS} process(es) with SERVICE_ROLES=api,consumers,relay.`
        : `${API_REPLICAS} process(es) ran every role (BENCH_TIMER_PROCESS=shared).`,
    );
  } finally {
    await timers?.stop();
    for (const replica of replicas.slice(1)) await replica.stop();
    await service.stop();
    for (const db of [database, baselineDb]) {
      await withDatabase('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)).catch(
        () => undefined,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
