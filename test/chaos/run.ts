/**
 * The fault runner (`npm run chaos`): intake, incidents and surveys run as real processes (their main.ts) on a
 * Postgres and a Kafka broker of the runner's own, under a steady load of commands, while faults are applied in turn:
 * SIGKILL of each service (then restarted), SIGKILL of the broker (then `kafka.sh start`), `pg_ctl restart -m
 * immediate`. Then it checks what the platform promises: no accepted command lost on the way to Kafka, no projection
 * entry missing, no effect applied twice, every service still running (none exited on its own), and how long the
 * platform took to converge after the last fault. Exit code 1 when a target is missed.
 *
 *   npm run chaos
 *   CHAOS_CASE_RATE=20 CHAOS_COMPLAINT_RATE=10 CHAOS_SETTLE_SECONDS=15 npm run chaos
 *
 * Needs: Java 17 + Maven (the broker), PostgreSQL server binaries (initdb, pg_ctl; as root the server runs as the
 * `postgres` user), kcat. Uses free ports and a temporary directory; nothing else on the machine is touched.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseChannels, CaseOpenedV1, ComplaintRegisteredV1, IncidentOpenedV1, Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import { readTopicWithKcat, type KcatMessage } from '@aftersales/testing';
import { freePort, LoadClient, ServiceProcess, WebhookReceiver } from '@aftersales/test-kit';
import { OwnKafka, OwnPostgres } from './infrastructure';

const CASE_RATE = Number(process.env.CHAOS_CASE_RATE ?? 20);
const COMPLAINT_RATE = Number(process.env.CHAOS_COMPLAINT_RATE ?? 10);
const DECLARE_EVERY_MS = Number(process.env.CHAOS_DECLARE_EVERY_MS ?? 2_000);
/** Load between two faults (and before the first), so each fault hits a platform that has recovered. */
const SETTLE_SECONDS = Number(process.env.CHAOS_SETTLE_SECONDS ?? 15);
/** Load after the last fault before the runner stops sending. */
const TAIL_SECONDS = Number(process.env.CHAOS_TAIL_SECONDS ?? 10);
const CONVERGE_TIMEOUT_S = Number(process.env.CHAOS_CONVERGE_TIMEOUT_SECONDS ?? 180);
/** A request without an answer after this long hung (a target: none may). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Answered, but slower than this: reported (on a shared 2-core machine the load of others shows here). */
const SLOW_MS = 10_000;
const SECRET = 'chaos-secret-chaos-secret-chaos-secret';
const TENANT = 'chaos-shop';
const BATCH_SIZE = 10; // complaints per product batch (distinct customers): enough to open and escalate an incident

const startedAt = performance.now();
const clock = () => `${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s`;
const log = (message: string) => console.log(`[chaos ${clock()}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- load ----------------------------------------------------------------------------------------------------------

type Kind = 'case' | 'complaint' | 'declare';
type Outcome = 'accepted' | 'unavailable' | 'server-error' | 'client-error' | 'down' | 'timeout';
/** Answered (any status) but slower than SLOW_MS, counted apart from the outcome. */
const SLOW = 'slow';

class Tally {
  readonly counts = new Map<string, number>();
  readonly accepted: Record<Kind, string[]> = { case: [], complaint: [], declare: [] };
  readonly samples = new Map<string, string>();

  add(kind: Kind, outcome: Outcome, id: string, sample?: string): void {
    const key = `${kind}:${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (outcome === 'accepted') this.accepted[kind].push(id);
    if (sample && !this.samples.has(key)) this.samples.set(key, sample);
  }

  total(outcome?: Outcome, kind?: Kind): number {
    let n = 0;
    for (const [key, value] of this.counts) {
      if (key === SLOW) continue;
      const [k, o] = key.split(':');
      if ((!outcome || o === outcome) && (!kind || k === kind)) n += value;
    }
    return n;
  }
}

const client = new LoadClient({ maxSockets: 128, timeoutMs: REQUEST_TIMEOUT_MS });
const post = (url: string, token: string, body: unknown) => client.post(url, token, body, { keepBody: true });

class Load {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private complaints = 0;

  constructor(
    private readonly tally: Tally,
    private readonly token: string,
    private readonly urls: { intake: string; incidents: string },
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all(this.inflight);
  }

  private send(kind: Kind, id: string, url: string, body: unknown): void {
    const sentAt = performance.now();
    const done = post(url, this.token, body).then(
      ({ status, text }) => {
        if (performance.now() - sentAt > SLOW_MS) this.tally.counts.set(SLOW, (this.tally.counts.get(SLOW) ?? 0) + 1);
        if (status >= 200 && status < 300) this.tally.add(kind, 'accepted', id);
        else if (status === 503) this.tally.add(kind, 'unavailable', id, text.slice(0, 200));
        else if (status >= 500) this.tally.add(kind, 'server-error', id, `${status} ${text.slice(0, 300)}`);
        else this.tally.add(kind, 'client-error', id, `${status} ${text.slice(0, 300)}`);
      },
      (error: Error & { code?: string }) =>
        this.tally.add(kind, error.code === 'TIMEOUT' ? 'timeout' : 'down', id, error.code ?? error.message),
    );
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
  }

  private async run(): Promise<void> {
    const started = performance.now();
    let cases = 0;
    let declared = 0;
    while (this.running) {
      const elapsed = performance.now() - started;
      while (cases < (elapsed / 1000) * CASE_RATE) {
        const caseId = randomUUID();
        this.send('case', caseId, `${this.urls.intake}/cases`, {
          caseId,
          channel: CaseChannels[cases % CaseChannels.length],
          orderId: `ORD-${cases}`,
          customerId: `cus-${cases % 500}`,
          problemType: 'quality',
          description: 'Battery swells while charging',
        });
        cases += 1;
      }
      while (this.complaints < (elapsed / 1000) * COMPLAINT_RATE) {
        const n = this.complaints;
        const complaintId = randomUUID();
        this.send('complaint', complaintId, `${this.urls.intake}/complaints`, {
          complaintId,
          customer: { id: `cus-${n}` },
          orderId: `ORD-C-${n}`,
          productSku: 'BATTERY-20K',
          batch: `chaos-batch-${Math.floor(n / BATCH_SIZE)}`,
          category: 'product-quality',
          description: 'Power bank swells while charging',
        });
        this.complaints += 1;
      }
      while (declared < elapsed / DECLARE_EVERY_MS) {
        const incidentId = randomUUID();
        this.send('declare', incidentId, `${this.urls.incidents}/incidents`, {
          incidentId,
          category: 'service-failure',
          level: 'L3',
          summary: `Chaos drill incident ${declared}`,
          reason: 'Declared by the fault runner',
        });
        declared += 1;
      }
      await sleep(20);
    }
  }
}

// --- checks --------------------------------------------------------------------------------------------------------

interface Findings {
  /** Accepted (2xx) commands whose event is not on Kafka, per kind. */
  readonly lost: Record<Kind, string[]>;
  /** Projection entries missing for accepted commands, per projection. */
  readonly missing: Record<string, number>;
  /** Effects applied more than once, per effect. */
  readonly duplicated: Record<string, number>;
  readonly onKafka: { cases: number; complaints: number; incidentsOpened: number; messages: number };
  /**
   * Pages delivered again under the same Idempotency-Key: the webhook call and the record of it cannot commit
   * together, so a crash or a database restart between the receiver's 2xx and the commit sends it again (at least
   * once to an external system); the receiver deduplicates by the key, as the pager's contract asks.
   */
  readonly redelivered: number;
}

async function readAll(topic: string, brokers: string): Promise<KcatMessage[]> {
  try {
    return await readTopicWithKcat(topic, { count: 1, until: () => true, timeoutMs: 15_000, brokers: [brokers] });
  } catch {
    return [];
  }
}

async function check(tally: Tally, pg: OwnPostgres, kafka: OwnKafka, pager: WebhookReceiver): Promise<Findings> {
  const [intakeTopic, incidentsTopic] = await Promise.all([
    readAll(Topics.intake, kafka.brokers),
    readAll(Topics.incidents, kafka.brokers),
  ]);
  const payloadIds = (messages: KcatMessage[], type: string, field: string) =>
    new Set(
      messages
        .filter((m) => m.headers.ce_type === type)
        .map((m) => (JSON.parse(m.payload) as Record<string, string>)[field]),
    );
  const cases = payloadIds(intakeTopic, CaseOpenedV1.type, 'caseId');
  const complaints = payloadIds(intakeTopic, ComplaintRegisteredV1.type, 'complaintId');
  const opened = payloadIds(incidentsTopic, IncidentOpenedV1.type, 'incidentId');
  const lost = {
    case: tally.accepted.case.filter((id) => !cases.has(id)),
    complaint: tally.accepted.complaint.filter((id) => !complaints.has(id)),
    declare: tally.accepted.declare.filter((id) => !opened.has(id)),
  };

  const registered = await pg
    .query<{ case_id: string }>(
      'aftersales_surveys',
      'SELECT case_id::text AS case_id FROM surveys_case_register WHERE tenant = $1',
      [TENANT],
    )
    .catch(() => []);
  const registeredIds = new Set(registered.map((r) => r.case_id));
  const [stats] = await pg
    .query<{ counted: string }>(
      'aftersales_surveys',
      'SELECT coalesce(sum(cases), 0) AS counted FROM surveys_channel_stats WHERE tenant = $1',
      [TENANT],
    )
    .catch(() => [{ counted: '0' }]);
  const clustered = await pg
    .query<{ complaint_id: string; clustered: string; attached: string }>(
      'aftersales_incidents',
      `SELECT data->>'complaintId' AS complaint_id,
              count(*) FILTER (WHERE type = 'ComplaintClustered') AS clustered,
              count(*) FILTER (WHERE type = 'ComplaintAttached') AS attached
         FROM es_events WHERE type IN ('ComplaintClustered', 'ComplaintAttached') GROUP BY 1`,
    )
    .catch(() => []);
  const clusteredIds = new Set(clustered.filter((r) => Number(r.clustered) > 0).map((r) => r.complaint_id));
  // The same page decided twice (two page ids for one incident, level and trigger) would page a team twice. (The
  // runner's incidents only go up a level, never down and up again, so every such pair is a duplicate.)
  const [pagedTwice] = await pg
    .query<{ n: string }>(
      'aftersales_incidents',
      `SELECT count(*) AS n FROM (
         SELECT stream_id FROM es_events WHERE type = 'ResponseTeamPaged'
          GROUP BY stream_id, data->>'level', data->>'trigger' HAVING count(*) > 1) AS twice`,
    )
    .catch(() => [{ n: '0' }]);
  const [pages] = await pg
    .query<{ paged: string; undelivered: string }>(
      'aftersales_incidents',
      `SELECT count(*) AS paged,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM pager_deliveries d WHERE d.page_id = e.id)) AS undelivered
         FROM es_events e WHERE e.type = 'ResponseTeamPaged'`,
    )
    .catch(() => [{ paged: '0', undelivered: '0' }]);
  const deliveries = new Map<string, number>();
  for (const hook of pager.received) {
    if (hook.status >= 300) continue;
    const key = String(hook.headers['idempotency-key']);
    deliveries.set(key, (deliveries.get(key) ?? 0) + 1);
  }

  return {
    lost,
    missing: {
      'surveys case register (accepted cases not registered)': tally.accepted.case.filter(
        (id) => !registeredIds.has(id),
      ).length,
      'incidents clustering (accepted complaints not clustered)': tally.accepted.complaint.filter(
        (id) => !clusteredIds.has(id),
      ).length,
      'pages not delivered (ResponseTeamPaged without a delivery)': Number(pages?.undelivered ?? 0),
    },
    duplicated: {
      'surveys_channel_stats counted more cases than registered': Math.max(
        0,
        Number(stats?.counted ?? 0) - registered.length,
      ),
      'complaints clustered more than once': clustered.filter((r) => Number(r.clustered) > 1).length,
      'complaints attached to an incident more than once': clustered.filter((r) => Number(r.attached) > 1).length,
      'pages decided twice (two page ids for one incident, level and trigger)': Number(pagedTwice?.n ?? 0),
    },
    redelivered: [...deliveries.values()].filter((n) => n > 1).length,
    onKafka: {
      cases: cases.size,
      complaints: complaints.size,
      incidentsOpened: opened.size,
      messages: intakeTopic.length + incidentsTopic.length,
    },
  };
}

const lostCount = (f: Findings) => f.lost.case.length + f.lost.complaint.length + f.lost.declare.length;
const missingCount = (f: Findings) => Object.values(f.missing).reduce((a, b) => a + b, 0);
const duplicatedCount = (f: Findings) => Object.values(f.duplicated).reduce((a, b) => a + b, 0);

// --- faults --------------------------------------------------------------------------------------------------------

interface FaultRecord {
  readonly name: string;
  readonly seconds: number;
  readonly note: string;
}

/** Polls every service's readiness while `during` runs and until all are ready again. */
async function watchReadiness(
  services: readonly ServiceProcess[],
  during: () => Promise<void>,
): Promise<{ sawNotReady: string[]; liveFailures: number; readyAgainAfterMs: number }> {
  const sawNotReady = new Set<string>();
  let liveFailures = 0;
  let watching = true;
  const probe = async () => {
    while (watching) {
      await Promise.all(
        services.map(async (s) => {
          const ready = await fetch(`${s.url}/health/ready`, { signal: AbortSignal.timeout(3_000) })
            .then((r) => r.status)
            .catch(() => 0);
          if (ready !== 200) sawNotReady.add(s.service);
          const live = await fetch(`${s.url}/health/live`, { signal: AbortSignal.timeout(3_000) })
            .then((r) => r.status)
            .catch(() => 0);
          if (live !== 200) liveFailures += 1;
        }),
      );
      await sleep(200);
    }
  };
  const probing = probe();
  await during();
  const doneAt = performance.now();
  for (;;) {
    const statuses = await Promise.all(
      services.map((s) =>
        fetch(`${s.url}/health/ready`)
          .then((r) => r.status)
          .catch(() => 0),
      ),
    );
    if (statuses.every((s) => s === 200)) break;
    await sleep(100);
  }
  const readyAgainAfterMs = performance.now() - doneAt;
  watching = false;
  await probing;
  return { sawNotReady: [...sawNotReady], liveFailures, readyAgainAfterMs };
}

interface Outcomes {
  readonly tally: Tally;
  readonly faults: readonly FaultRecord[];
  readonly findings: Findings;
  readonly converged: boolean;
  readonly convergeSeconds: number;
  readonly services: readonly ServiceProcess[];
  readonly pager: WebhookReceiver;
  readonly readiness: { readonly liveFailures: number };
  readonly scriptProblems: readonly string[];
  readonly loadAtStart: string;
}

/** The 1, 5 and 15 minute load averages (other work on the machine competes with the run). */
const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** Prints the report; returns the targets missed (none: every target met). */
function report(o: Outcomes): string[] {
  const { tally, faults, findings, converged, convergeSeconds, services, pager, readiness, scriptProblems } = o;
  const running = services.map((s) => ({ service: s.service, running: s.running, crashes: s.unexpectedExits }));
  const lines = [
    '',
    '=== chaos report ===',
    `load: ${CASE_RATE} cases/s, ${COMPLAINT_RATE} complaints/s, 1 declared incident per ${DECLARE_EVERY_MS / 1000} s`,
    `machine: ${cpus().length} cores; load average at the start ${o.loadAtStart}, at the end ${loadAverage()}`,
    'faults:',
    ...faults.map((f) => `  - ${f.name}: recovered in ${f.seconds.toFixed(1)} s${f.note ? `; ${f.note}` : ''}`),
    'commands (sent → outcome):',
    ...(['case', 'complaint', 'declare'] as const).map(
      (k) =>
        `  ${k.padEnd(9)} sent ${tally.total(undefined, k)}, 2xx ${tally.total('accepted', k)}, 503 ${tally.total('unavailable', k)}, ` +
        `other 5xx ${tally.total('server-error', k)}, 4xx ${tally.total('client-error', k)}, ` +
        `refused (process down) ${tally.total('down', k)}, no answer within ${REQUEST_TIMEOUT_MS / 1000} s ${tally.total('timeout', k)}`,
    ),
    `  answered but slower than ${SLOW_MS / 1000} s: ${tally.counts.get(SLOW) ?? 0}`,
    ...[...tally.samples]
      .filter(([key]) => !key.endsWith(':down'))
      .map(([key, sample]) => `    e.g. ${key}: ${sample}`),
    `on Kafka: ${findings.onKafka.cases} cases, ${findings.onKafka.complaints} complaints, ${findings.onKafka.incidentsOpened} incidents opened (${findings.onKafka.messages} messages read)`,
    `lost (accepted, never on Kafka): ${lostCount(findings)} (cases ${findings.lost.case.length}, complaints ${findings.lost.complaint.length}, declared incidents ${findings.lost.declare.length})`,
    `missing projection entries: ${missingCount(findings)}`,
    ...Object.entries(findings.missing).map(([what, n]) => `  ${what}: ${n}`),
    `duplicated effects: ${duplicatedCount(findings)}`,
    ...Object.entries(findings.duplicated).map(([what, n]) => `  ${what}: ${n}`),
    `converged: ${converged ? `yes, ${convergeSeconds.toFixed(1)} s after the last fault (load went on for ${TAIL_SECONDS} s of it)` : `NO within ${CONVERGE_TIMEOUT_S} s after the load stopped`}`,
    'processes:',
    ...running.map(
      (r) =>
        `  ${r.service.padEnd(9)} ${r.running ? 'running' : 'NOT RUNNING'}; exited on its own: ${r.crashes.length}` +
        r.crashes.map((c) => ` (code ${c.code}, signal ${c.signal}, at ${c.at.toISOString()})`).join(''),
    ),
    `pages delivered: ${pager.deliveredOn().length} (distinct page ids); delivered again under the same Idempotency-Key: ${findings.redelivered}`,
  ];
  const misses = [
    lostCount(findings) > 0 && 'lost commands',
    missingCount(findings) > 0 && 'missing projection entries',
    duplicatedCount(findings) > 0 && 'duplicated effects',
    running.some((r) => !r.running || r.crashes.length > 0) && 'a service exited on its own',
    !converged && 'did not converge',
    tally.total('server-error') > 0 && 'HTTP 5xx other than 503',
    tally.total('timeout') > 0 && `requests without an answer within ${REQUEST_TIMEOUT_MS / 1000} s`,
    readiness.liveFailures > 0 && 'liveness failed during the Postgres restart',
    scriptProblems.length > 0 && 'kafka.sh did not adopt or stop a broker without its pid file',
  ].filter(Boolean);
  lines.push(
    `kafka.sh after a lost pid file: ${scriptProblems.length === 0 ? 'start adopted the running broker, stop stopped it' : scriptProblems.join('; ')}`,
  );
  lines.push(
    misses.length === 0
      ? 'targets: all met (0 lost, 0 missing, 0 duplicated, all running)'
      : `targets MISSED: ${misses.join(', ')}`,
  );
  console.log(lines.join('\n'));
  for (const s of services) {
    if (s.unexpectedExits.length > 0) console.log(`--- last output of ${s.service} ---\n${s.logs()}`);
  }
  return misses as string[];
}

// --- main ----------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const loadAtStart = loadAverage();
  const dir = mkdtempSync(join(tmpdir(), 'aftersales-chaos-'));
  // Postgres runs as its own user (as root: `postgres`), which must reach its data dir inside this one.
  chmodSync(dir, 0o755);
  const pg = new OwnPostgres(join(dir, 'postgres'), await freePort());
  const kafka = new OwnKafka(join(dir, 'kafka'), await freePort(), await freePort());
  const pager = await WebhookReceiver.start();
  const services: ServiceProcess[] = [];
  const faults: FaultRecord[] = [];
  const tally = new Tally();
  let load: Load | null = null;
  let progress: NodeJS.Timeout | null = null;
  try {
    log(`own Postgres on 127.0.0.1:${pg.port} and own Kafka on ${kafka.brokers}, data in ${dir}`);
    await pg.init();
    await pg.start();
    log('Postgres up; starting the broker (kafka.sh start)…');
    await kafka.start();
    const env = {
      DATABASE_URL: pg.serverUrl,
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_PARTITIONS: '6',
      AUTH_JWT_SECRET: SECRET,
      PRIVACY_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
      PAGER_WEBHOOK_URL: pager.url('/'),
      LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
      OTEL_SDK_DISABLED: 'true',
      DATABASE_POOL_SIZE: '8',
    };
    for (const service of ['intake', 'incidents', 'surveys']) {
      services.push(new ServiceProcess(service, await freePort(), env, { logFile: join(dir, `${service}.log`) }));
    }
    const [intake, incidents] = services as [ServiceProcess, ServiceProcess, ServiceProcess];
    log('starting intake, incidents and surveys (real processes, main.ts)…');
    await Promise.all(services.map((s) => s.start(120_000)));
    const token = await signDevToken(
      { subject: 'chaos-agent', tenant: TENANT, roles: ['agent', 'supervisor'] },
      SECRET,
    );

    load = new Load(tally, token, { intake: intake.url, incidents: incidents.url });
    log(
      `load: ${CASE_RATE} cases/s + ${COMPLAINT_RATE} complaints/s to intake, an incident declared every ` +
        `${DECLARE_EVERY_MS / 1000} s to incidents; ${SETTLE_SECONDS} s between faults`,
    );
    load.start();
    progress = setInterval(() => {
      log(
        `  sent ${tally.total()}: 2xx ${tally.total('accepted')}, 503 ${tally.total('unavailable')}, ` +
          `other 5xx ${tally.total('server-error')}, 4xx ${tally.total('client-error')}, ` +
          `refused (process down) ${tally.total('down')}, timed out ${tally.total('timeout')}`,
      );
    }, 5_000);
    await sleep(SETTLE_SECONDS * 1000);

    const fault = async (name: string, apply: () => Promise<string>) => {
      log(`FAULT ${name}…`);
      const t0 = performance.now();
      const note = await apply();
      const seconds = (performance.now() - t0) / 1000;
      faults.push({ name, seconds, note });
      log(`  recovered from "${name}" in ${seconds.toFixed(1)} s${note ? ` (${note})` : ''}`);
    };
    for (const service of services) {
      await fault(`SIGKILL ${service.service}, restart it`, async () => {
        await service.kill('SIGKILL');
        await service.start(120_000);
        return '';
      });
      await sleep(SETTLE_SECONDS * 1000);
    }
    await fault('SIGKILL the Kafka broker, kafka.sh start', async () => {
      await kafka.kill9();
      const out = await kafka.start();
      return out.includes('not stopped cleanly') ? 'kafka.sh waited out the log recovery' : '';
    });
    await sleep(SETTLE_SECONDS * 1000);
    let readiness = { sawNotReady: [] as string[], liveFailures: 0, readyAgainAfterMs: 0 };
    await fault('pg_ctl restart -m immediate', async () => {
      readiness = await watchReadiness(services, () => pg.restartImmediate());
      return (
        `not ready during the outage: ${readiness.sawNotReady.join(', ') || 'none'}; all ready again ` +
        `${(readiness.readyAgainAfterMs / 1000).toFixed(1)} s after Postgres was back; liveness failures: ${readiness.liveFailures}`
      );
    });
    const lastFaultAt = performance.now();
    await sleep(TAIL_SECONDS * 1000);
    await load.stop();
    if (progress) clearInterval(progress);
    log(
      `load stopped (${tally.total()} commands sent); waiting for the platform to converge (at most ${CONVERGE_TIMEOUT_S} s)…`,
    );

    let findings = await check(tally, pg, kafka, pager);
    const deadline = performance.now() + CONVERGE_TIMEOUT_S * 1000;
    while ((lostCount(findings) > 0 || missingCount(findings) > 0) && performance.now() < deadline) {
      log(
        `  converging: lost ${lostCount(findings)}, missing ` +
          Object.entries(findings.missing)
            .filter(([, n]) => n > 0)
            .map(([what, n]) => `${n} in ${what.split(' (')[0]}`)
            .join(', '),
      );
      await sleep(2_000);
      findings = await check(tally, pg, kafka, pager);
    }
    const converged = lostCount(findings) === 0 && missingCount(findings) === 0;
    const convergeSeconds = (performance.now() - lastFaultAt) / 1000;
    if (progress) clearInterval(progress);
    progress = null;

    log("kafka.sh: losing the broker's pid file while it runs, then start (must adopt it) and stop (must stop it)…");
    const scriptProblems = await kafka.checkAdoptAndStop();
    const misses = report({
      tally,
      faults,
      findings,
      converged,
      convergeSeconds,
      services,
      pager,
      readiness,
      scriptProblems,
      loadAtStart,
    });
    return misses.length === 0 ? 0 : 1;
  } finally {
    if (progress) clearInterval(progress);
    await load?.stop().catch(() => undefined);
    log('cleaning up (services, broker, Postgres, data)…');
    await Promise.all(services.map((s) => s.stop().catch(() => undefined)));
    await pager.stop().catch(() => undefined);
    await kafka.stop();
    await pg.stop();
    client.close();
    if (!process.env.CHAOS_KEEP_DATA) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[chaos] the runner failed:', error);
    process.exit(2);
  },
);
