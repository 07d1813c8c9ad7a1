/**
 * `npm run bench`: throughput of the event store append, the outbox relay and the inbox consumer against
 * baselines, on the real Postgres and Kafka of this machine, in one run. Prints progress, then a table. Then the
 * incident escalation latency (`test/bench/incident-latency.ts`: complaints at 200/s for 60 s through intake and
 * incidents running as real processes, p50/p99 from HTTP accept to `IncidentEscalated` on Kafka, against a bare
 * Kafka hop measured in the same run), which prints its own tables. Then the SLA timers under a backlog
 * (`test/bench/case-sla.ts`: 100,000 open cases with running clocks while 200 new cases/s arrive, how late warnings
 * and breaches fire and how long case commands take, against an empty backlog in the same run), its own tables too.
 * Then the projection rebuild (`test/bench/projection-rebuild.ts`: `projection rebuild intake case-worklist` on 250,000
 * events, in events/s against a plain read of the same events in the same run), its own table too.
 *
 *   npm run bench                      # full scale (~7 min)
 *   BENCH_SCALE=0.2 npm run bench      # quick run: shorter cells, fewer messages (the latency run keeps its load)
 *   BENCH_ONLY=append,relay npm run bench
 *   BENCH_ONLY=incidents npm run bench # the latency run alone (same as npm run bench:incidents)
 *   BENCH_ONLY=cases npm run bench     # the SLA timers under a backlog alone (same as npm run bench:cases)
 *   BENCH_ONLY=projections npm run bench # the projection rebuild alone (same as npm run bench:projections)
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), KAFKA_BROKERS (default
 * 127.0.0.1:9092). Each scenario uses fresh databases and topics and drops / deletes them afterwards.
 * Exits 0 once the table is printed, whether targets are met or not; 1 if a scenario failed.
 * See docs/benchmarks.md for the method and the latest results.
 */
import { execSync, spawn } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { benchAppend } from './append';
import { benchInbox } from './inbox';
import { benchRelay } from './relay';
import { BROKERS, checkpoint, kafka, log, now, otherLoad, printTable, SCALE, SERVER_URL, type Row } from './support';

const scenarios: Record<string, () => Promise<Row[]>> = { append: benchAppend, relay: benchRelay, inbox: benchInbox };

async function preflight(): Promise<void> {
  await checkpoint(SERVER_URL).catch((error: Error) => {
    throw new Error(`Postgres at ${SERVER_URL} does not answer (${error.message})`);
  });
  const admin = kafka('bench-preflight').admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `Kafka at ${BROKERS.join(',')} does not answer (${(error as Error).message}); start it with: bash deploy/local/kafka.sh start`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function gitRevision(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execSync('git status --porcelain -- libs contracts', {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return dirty.trim() ? `${sha} (libs/contracts modified)` : sha;
  } catch {
    return 'unknown';
  }
}

const RESULT_MARKER = '@@bench-result ';

interface ChildResult {
  readonly rows: Row[];
  readonly otherLoad: { max: number; sum: number; n: number };
}

/**
 * Runs one scenario in a child Node process (same loader, same environment), so no scenario inherits another's
 * JIT state, heap or connection pools: e.g. after the append scenario has run emmett's and pg's code with many
 * row shapes, the relay's row parsing in the same process measured ~20 % slower than in a fresh one. The child
 * prints its progress as usual and its rows on one marked line; returns null if the scenario failed.
 */
function runInChild(name: string): Promise<ChildResult | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      env: { ...process.env, BENCH_CHILD_SCENARIO: name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let result: ChildResult | null = null;
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith(RESULT_MARKER)) result = JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult;
        else process.stdout.write(`${line}\n`);
      }
    });
    child.once('close', (code) => {
      if (buffered) process.stdout.write(buffered);
      resolve(code === 0 ? result : null);
    });
  });
}

/**
 * The incident escalation latency, in its own process: it starts intake and incidents as further processes and
 * prints its tables itself. Resolves whether it completed (targets met or not).
 */
function runIncidentLatency(): Promise<boolean> {
  return runOwnTables('incident-latency.ts');
}

/**
 * SLA timers under a backlog of open cases (`test/bench/case-sla.ts`): intake as a real process, a baseline on an
 * empty backlog, then 100,000 open cases (scaled by BENCH_SCALE) while new cases arrive; prints its own tables.
 */
function runCaseSla(): Promise<boolean> {
  return runOwnTables('case-sla.ts');
}

/** Runs a bench script that prints its own tables in its own process; resolves whether it completed. */
function runOwnTables(script: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, join(__dirname, script)], {
      env: process.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('close', (code) => resolve(code === 0));
  });
}

/** The scenarios that print their own tables, in order; resolves whether all completed. */
async function runTableScenarios(withLatency: boolean, withCases: boolean, withProjections: boolean): Promise<boolean> {
  let ok = true;
  if (withLatency) {
    log('incident escalation latency (npm run bench:incidents), in its own processes…');
    ok = (await runIncidentLatency()) && ok;
  }
  if (withCases) {
    log('SLA timers under a backlog of open cases (npm run bench:cases), in its own processes…');
    ok = (await runCaseSla()) && ok;
  }
  if (withProjections) {
    log('projection rebuild against a plain read (npm run bench:projections), in its own process…');
    ok = (await runOwnTables('projection-rebuild.ts')) && ok;
  }
  return ok;
}

/** In the child: run one scenario and report its rows and the foreign load it saw. */
async function child(name: string): Promise<number> {
  try {
    const rows = await scenarios[name]!();
    process.stdout.write(`${RESULT_MARKER}${JSON.stringify({ rows, otherLoad })}\n`);
    return 0;
  } catch (error) {
    log(`scenario ${name} FAILED: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

async function main(): Promise<number> {
  const childScenario = process.env.BENCH_CHILD_SCENARIO;
  if (childScenario) return child(childScenario);
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const selected = Object.keys(scenarios).filter((name) => only.length === 0 || only.includes(name));
  const withLatency = only.length === 0 || only.includes('incidents');
  const withCases = only.length === 0 || only.includes('cases');
  const withProjections = only.length === 0 || only.includes('projections');
  if (selected.length === 0) {
    if (!withLatency && !withCases && !withProjections)
      throw new Error(
        `BENCH_ONLY=${only.join(',')}: choose among ${[...Object.keys(scenarios), 'incidents', 'cases', 'projections'].join(', ')}`,
      );
    // The projection rebuild needs Postgres only.
    if (withLatency || withCases) await preflight();
    return (await runTableScenarios(withLatency, withCases, withProjections)) ? 0 : 1;
  }
  log(
    `scale ${SCALE}, scenarios ${selected.join(', ')}; commit ${gitRevision()}; node ${process.version}, ${os.cpus().length} cpus, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB; postgres ${SERVER_URL.replace(/\/\/[^@]*@/, '//')}, kafka ${BROKERS.join(',')}`,
  );
  await preflight();
  const started = now();
  const rows: Row[] = [];
  let failed = false;
  for (const name of selected) {
    const result = await runInChild(name);
    if (result) {
      rows.push(...result.rows);
      otherLoad.max = Math.max(otherLoad.max, result.otherLoad.max);
      otherLoad.sum += result.otherLoad.sum;
      otherLoad.n += result.otherLoad.n;
    } else {
      failed = true;
      rows.push({ scenario: `${name} (failed)`, ours: null, baseline: null, target: null });
    }
  }
  log(`done in ${((now() - started) / 1000).toFixed(0)} s`);
  printTable(rows);
  process.stdout.write(
    [
      '',
      'ours / baseline: events (append) or messages per second, best of 2 rounds (the order alternates between rounds).',
      'Baselines:',
      '- append vs raw INSERT: one multi-row INSERT per batch (7 parameters per row, a prepared statement) into a plain',
      '  table with the same columns and no index, constraint, stream row or hash: the cost floor of storing the rows.',
      '- append vs emmett: @event-driven-io/emmett-postgresql appendToStream with the expected stream version, same payloads.',
      '- relay: a raw kafkajs producer (idempotent, acks=all) sending the same keys/values/headers from memory in batches',
      '  of 500; the relay also reads the events from Postgres, validates them and commits a checkpoint per batch.',
      '- inbox: a raw kafkajs eachBatch consumer doing JSON.parse + the same INSERT per event in autocommit (one WAL flush',
      '  per event; no dedup, no validation) and committing offsets per batch. The (info) row compares with the same',
      '  consumer doing 100 INSERTs per transaction, i.e. what the inbox costs beyond batching its commits.',
      'Method, machine and analysis: docs/benchmarks.md.',
      '',
    ].join('\n'),
  );
  if (otherLoad.n > 0) {
    const avg = otherLoad.sum / otherLoad.n;
    process.stdout.write(
      `\nOther workloads on this machine used ${avg.toFixed(2)} cores on average (max ${otherLoad.max.toFixed(2)}) of ` +
        `${os.cpus().length} during the measurements` +
        (avg > 0.25 ? ' — the results are depressed and noisy; rerun on a quiet machine.\n' : '.\n'),
    );
  }
  if (rows.some((r) => r.ours === null || r.baseline === null)) failed = true;
  if (!(await runTableScenarios(withLatency, withCases, withProjections))) failed = true;
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`bench failed: ${error.stack ?? String(error)}`);
    process.exit(1);
  },
);
