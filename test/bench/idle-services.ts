/**
 * What the services spend doing nothing: each one started as a real process (`main.ts`, a fresh database, every role:
 * API, consumers, relay, timer loops), left idle, and its CPU read from `/proc/<pid>/stat` over a window. A machine
 * running every service pays this whatever the load (on 2 cores, four idle services at 100 ms/s each are a fifth of
 * the machine). Against a baseline measured in the same run: a bare Node process with a one-second interval timer
 * (Node's own idle floor).
 *
 *   npm run bench:idle                                              # intake, returns, logistics, compensation
 *   BENCH_SERVICES=compensation BENCH_IDLE_SECONDS=30 npm run bench:idle
 *   KAFKA_CONSUMER_MAX_WAIT_MS=100 npm run bench:idle               # another consumer fetch wait (ADR 35)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpuSecondsOf, freePort, ServiceProcess } from '@aftersales/test-kit';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { BROKERS, log, sleep } from './support';

const SERVICES = (process.env.BENCH_SERVICES ?? 'intake,returns,logistics,compensation').split(',');
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 15);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);

async function main(): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  log(`idle services: ${SERVICES.join(', ')}; ${SETTLE_SECONDS} s to settle, then ${IDLE_SECONDS} s measured`);
  const databases: TestDatabase[] = [];
  const processes: ServiceProcess[] = [];
  const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    for (const service of SERVICES) {
      const db = await createTestDatabase(`bench_idle_${service}`);
      databases.push(db);
      const port = await freePort();
      const running = new ServiceProcess(service as never, port, {
        DATABASE_URL: db.url,
        DATABASE_NAME: db.name,
        AUTH_JWT_SECRET: 'bench-idle-secret',
        KAFKA_BROKERS: BROKERS.join(','),
        KAFKA_CONSUMER_GROUP_PREFIX: `bench-idle-${suffix}.`,
        KAFKA_CONSUMER_FROM_BEGINNING: 'false',
        OTEL_SDK_DISABLED: 'true',
        LOG_LEVEL: 'warn',
        PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
        LOGISTICS_CARRIER_SECRETS: 'bench-carrier=bench-carrier-secret',
      });
      log(`starting ${service}…`);
      await running.start(120_000);
      processes.push(running);
    }
    log(`all started; ${SETTLE_SECONDS} s to settle (JIT, consumer groups joined)…`);
    await sleep(SETTLE_SECONDS * 1000);
    const pids = [...processes.map((p) => p.pid), floor.pid];
    const before = pids.map((pid) => cpuSecondsOf(pid) ?? 0);
    log(`measuring ${IDLE_SECONDS} s…`);
    await sleep(IDLE_SECONDS * 1000);
    const after = pids.map((pid) => cpuSecondsOf(pid) ?? 0);
    const perSecond = after.map((a, i) => ((a - before[i]!) / IDLE_SECONDS) * 1000);
    const baseline = perSecond.at(-1)!;
    console.log('');
    console.log(`| idle process (${IDLE_SECONDS} s) | CPU, ms per second | against the baseline |`);
    console.log('| :-- | --: | --: |');
    SERVICES.forEach((service, i) =>
      console.log(
        `| ${service} | ${perSecond[i]!.toFixed(1)} | ${(perSecond[i]! / Math.max(baseline, 0.1)).toFixed(0)}× |`,
      ),
    );
    const total = perSecond.slice(0, -1).reduce((a, b) => a + b, 0);
    console.log(`| all of them | ${total.toFixed(1)} | — |`);
    console.log(`| baseline: bare Node, a 1 s interval timer | ${baseline.toFixed(1)} | 1× |`);
  } finally {
    floor.kill();
    for (const running of processes) await running.stop().catch(() => undefined);
    for (const db of databases) await db.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
