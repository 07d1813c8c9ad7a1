/**
 * Operator commands (`npm run ops -- …`, scripts/ops.ts) against the platform's Kafka (`KAFKA_BROKERS`, default
 * 127.0.0.1:9092, with `KAFKA_SSL`/`KAFKA_SASL_*` as the services take them) and event stores (`DATABASE_URL`).
 *
 *   npm run ops -- dlq list                                   # every dead-letter topic and how many letters it holds
 *   npm run ops -- dlq list <dlq-topic> [filters]             # its letters: position, failed at, codes, event, reason
 *   npm run ops -- dlq show <dlq-topic> <partition>:<offset>  # one letter: headers and payload
 *   npm run ops -- dlq redrive <dlq-topic> [filters] [--dry-run]
 *   npm run ops -- events tail --case <id> [--since <ISO time>] [--follow] [--json]
 *   npm run ops -- consumer-groups lag [--prefix <group prefix>] [--partitions] [--max-lag <n>]
 *   npm run ops -- topics describe [<topic>…]
 *   npm run ops -- audit verify <service>|all [--stream <id>]… [--all] [--prefix <stream prefix>] [--database <name>]
 *   npm run ops -- privacy key-status <service> [--database <name>]
 *   npm run ops -- privacy rotate-master-key <service> [--database <name>] [--batch <n>] [--dry-run]
 *   npm run ops -- projection list [<service>]
 *   npm run ops -- projection rebuild <service> <projection> [--database <name>]
 *
 * Filters: --since <ISO time> --until <ISO time> --code <dlq or handler code> --type <ce_type> --event <ce_id>
 * --at <p:o>[,<p:o>…]. Redriven letters go back to the topic they came from and through the failed consumer's inbox:
 * each effect still happens once (every other consumer of that topic recorded the event and skips it).
 *
 * Exit codes: 0 done; 1 failed (the broker, a letter refused); 2 the command line is wrong.
 */
import { Services, type Service } from '@aftersales/contracts';
import { ProjectionRebuildError, type RebuildPhase } from '@aftersales/eventstore';
import { wrappedKeyCounts } from '@aftersales/privacy';
import { openReadOnly, serviceDatabaseUrl, verifyStoreAudit, type AuditSummary } from './audit';
import { consumerGroupLag, describeTopics } from './cluster';
import { openPrivacyStore, rotateServiceMasterKey } from './privacy';
import { describeRebuild, openRebuildPool, rebuildServiceProjection, type ProjectionCatalogue } from './projections';
import { tailCaseEvents, type CaseEvent } from './events-tail';
import {
  deadLetterTopics,
  OpsUsageError,
  readDeadLetters,
  redrive,
  type DeadLetter,
  type DeadLetterFilter,
} from './dead-letters';

const USAGE = `usage:
  npm run ops -- dlq list [<dlq-topic> [filters]]
  npm run ops -- dlq show <dlq-topic> <partition>:<offset>
  npm run ops -- dlq redrive <dlq-topic> [filters] [--dry-run]
  npm run ops -- events tail --case <id> [--since <ISO time>] [--follow] [--json]
  npm run ops -- consumer-groups lag [--prefix <group prefix>] [--partitions] [--max-lag <n>]
  npm run ops -- topics describe [<topic>…]
  npm run ops -- audit verify <service>|all [--stream <id>]… [--all] [--prefix <stream prefix>] [--database <name>]
  npm run ops -- privacy key-status <service> [--database <name>]
  npm run ops -- privacy rotate-master-key <service> [--database <name>] [--batch <n>] [--dry-run]
    (PRIVACY_MASTER_KEY: the new key; PRIVACY_PREVIOUS_MASTER_KEYS: the old one(s))
  npm run ops -- projection list [<service>]
  npm run ops -- projection rebuild <service> <projection> [--database <name>]
    (built beside the live tables, caught up and swapped in one short transaction: reads keep answering)
filters: --since <ISO time> --until <ISO time> --code <code> --type <ce_type> --event <ce_id> --at <partition:offset>[,…]
environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM,
  KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD; DATABASE_URL (audit, privacy, projection: the Postgres server of the
  services' databases)`;

/** Where a command writes: its answer (stdout) and its complaints (stderr); progress lines optionally. */
export interface OpsIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** A progress line, rewritten in place on a terminal; `done` for its last state. */
  readonly progress?: (line: string, done: boolean) => void;
}

const consoleIo: OpsIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: (line, done) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${done ? '\n' : ''}`);
    else if (done) process.stderr.write(`${line}\n`);
  },
};

interface Context {
  readonly brokers: readonly string[];
  readonly io: OpsIo;
  readonly env: NodeJS.ProcessEnv;
  /** Ends a following command (`events tail --follow`), stops a rebuild before its swap: Ctrl-C from the command line. */
  readonly signal?: AbortSignal;
  /** The services' projections, loaded when a `projection` command needs them. */
  readonly projections: () => Promise<ProjectionCatalogue>;
}

function options(args: readonly string[], name: string): string[] {
  const values: string[] = [];
  args.forEach((arg, i) => {
    if (arg !== `--${name}`) return;
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new OpsUsageError(`--${name} needs a value`);
    values.push(value);
  });
  return values;
}

/** Refuses options a command does not know (a typo must not silently widen what it does). */
function onlyOptions(args: readonly string[], known: Record<string, 'flag' | 'value'>): string[] {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-')) positional.push(arg);
    else if (known[arg] === 'value') i++;
    else if (known[arg] !== 'flag') throw new OpsUsageError(`unknown option ${arg}`);
  }
  return positional;
}

function wholeNumber(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new OpsUsageError(`--${name} must be a whole number ≥ 0, e.g. --${name} 1000`);
  return n;
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new OpsUsageError(`--${name} needs a value`);
  return value;
}

function timeOption(args: readonly string[], name: string): Date | undefined {
  const raw = option(args, name);
  if (raw === undefined) return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime()))
    throw new OpsUsageError(`--${name} is not a time: ${raw} (e.g. 2026-12-01T10:00:00Z)`);
  return at;
}

function position(raw: string): string {
  if (!/^\d+:\d+$/.test(raw)) throw new OpsUsageError(`not a position: ${raw} (partition:offset, e.g. 0:42)`);
  return raw;
}

function filterOf(args: readonly string[]): DeadLetterFilter {
  const at = option(args, 'at');
  return {
    since: timeOption(args, 'since'),
    until: timeOption(args, 'until'),
    code: option(args, 'code'),
    type: option(args, 'type'),
    eventId: option(args, 'event'),
    positions: at === undefined ? undefined : new Set(at.split(',').map(position)),
  };
}

/** A progress bar, updated at most every 200 ms. */
function progress(io: OpsIo, label: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 200) return;
    last = now;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    io.progress?.(`${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`, done === total);
  };
}

const oneLine = (s: string, max = 100) => {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function printLetters(io: OpsIo, letters: readonly DeadLetter[]): void {
  io.out(['position', 'failed at', 'code', 'handler code', 'event type', 'event id', 'reason'].join('\t'));
  for (const l of letters) {
    io.out(
      [
        `${l.partition}:${l.offset}`,
        l.failedAt ?? '-',
        l.code,
        l.handlerCode ?? '-',
        l.eventType ?? '-',
        l.eventId ?? '-',
        oneLine(l.reason),
      ].join('\t'),
    );
  }
  io.out(`${letters.length} letter(s)`);
}

async function listLetters({ brokers, io }: Context, topic: string | undefined, rest: string[]): Promise<number> {
  if (!topic) {
    const topics = await deadLetterTopics(brokers);
    io.out('topic\tletters');
    for (const t of topics) io.out(`${t.topic}\t${t.letters}`);
    io.out(`${topics.length} dead-letter topic(s) on ${brokers.join(',')}`);
    return 0;
  }
  const filter = filterOf(rest);
  printLetters(io, await readDeadLetters(brokers, topic, filter, progress(io, `reading ${topic}`)));
  return 0;
}

async function showLetter(
  { brokers, io }: Context,
  topic: string | undefined,
  at: string | undefined,
): Promise<number> {
  if (!topic || !at) throw new OpsUsageError('dlq show needs a topic and a position (partition:offset)');
  const [letter] = await readDeadLetters(brokers, topic, { positions: new Set([position(at)]) });
  if (!letter) {
    io.err(`no letter at ${at} of ${topic} (see: npm run ops -- dlq list ${topic})`);
    return 1;
  }
  const payload = letter.value?.toString('utf8') ?? null;
  let shown: unknown = payload;
  try {
    shown = payload === null ? null : JSON.parse(payload);
  } catch {
    // Unreadable payloads are shown as they are: that is often why they were dead-lettered.
  }
  io.out(JSON.stringify({ position: at, key: letter.key, headers: letter.headers, payload: shown }, null, 2));
  return 0;
}

async function redriveLetters({ brokers, io }: Context, topic: string | undefined, rest: string[]): Promise<number> {
  if (!topic) throw new OpsUsageError('dlq redrive needs a dead-letter topic');
  const dryRun = rest.includes('--dry-run');
  const filter = filterOf(rest);
  const letters = await readDeadLetters(brokers, topic, filter, progress(io, `reading ${topic}`));
  const result = await redrive(brokers, letters, { dryRun, onProgress: progress(io, 'redriving') });
  for (const [source, n] of Object.entries(result.bySource)) {
    io.out(`${dryRun ? 'would redrive' : 'redrove'} ${n} letter(s) to ${source}`);
  }
  for (const { letter, why } of result.refused) io.err(`refused ${letter.partition}:${letter.offset}: ${why}`);
  if (letters.length === 0) io.out('no letter matched: nothing redriven');
  return result.refused.length > 0 ? 1 : 0;
}

function printEvent(io: OpsIo, event: CaseEvent, json: boolean): void {
  if (json) {
    const { headers: _headers, ...shown } = event;
    io.out(JSON.stringify(shown));
    return;
  }
  io.out(
    [
      event.timestamp,
      event.topic,
      `${event.partition}:${event.offset}`,
      event.type ?? '-',
      event.subject ?? event.key ?? '-',
      event.id ?? '-',
    ].join('\t'),
  );
}

async function events({ brokers, io, env, signal }: Context, args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'tail') throw new OpsUsageError(`unknown events command: ${command ?? '(none)'}`);
  onlyOptions(rest, { '--case': 'value', '--since': 'value', '--follow': 'flag', '-f': 'flag', '--json': 'flag' });
  const caseId = option(rest, 'case');
  if (!caseId) throw new OpsUsageError('events tail needs --case <case id>');
  const follow = rest.includes('--follow') || rest.includes('-f');
  const json = rest.includes('--json');
  if (!json) io.out(['time', 'topic', 'position', 'type', 'subject', 'event id'].join('\t'));
  const result = await tailCaseEvents(brokers, caseId, (event) => printEvent(io, event, json), {
    follow,
    since: timeOption(rest, 'since'),
    signal,
    env,
    onProgress: progress(io, 'reading event topics'),
  });
  io.err(
    `${result.matched} event(s) of case ${caseId} among ${result.read} read${follow ? ' (stopped following)' : ''}`,
  );
  return 0;
}

async function consumerGroups({ brokers, io, env }: Context, args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'lag') throw new OpsUsageError(`unknown consumer-groups command: ${command ?? '(none)'}`);
  onlyOptions(rest, { '--prefix': 'value', '--partitions': 'flag', '--max-lag': 'value' });
  const maxLag = wholeNumber(option(rest, 'max-lag'), 'max-lag');
  const perPartition = rest.includes('--partitions');
  const lags = await consumerGroupLag(brokers, {
    prefix: option(rest, 'prefix'),
    env,
    onProgress: progress(io, 'reading consumer groups'),
  });
  io.out(['group', 'state', 'members', 'topic', perPartition ? 'partition' : 'partitions', 'lag'].join('\t'));
  for (const l of lags) {
    if (perPartition) {
      for (const p of l.partitions) {
        io.out([l.group, l.state, l.members, l.topic, p.partition, p.lag].join('\t'));
      }
    } else io.out([l.group, l.state, l.members, l.topic, l.partitions.length, l.lag].join('\t'));
  }
  const groups = new Set(lags.map((l) => l.group)).size;
  io.out(`${groups} group(s), ${lags.reduce((sum, l) => sum + l.lag, 0)} message(s) behind in all`);
  if (maxLag === undefined) return 0;
  const over = lags.filter((l) => l.lag > maxLag);
  for (const l of over)
    io.err(`${l.group} is ${l.lag} message(s) behind on ${l.topic} (more than --max-lag ${maxLag})`);
  return over.length > 0 ? 1 : 0;
}

async function topicsCommand({ brokers, io, env }: Context, args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'describe') throw new OpsUsageError(`unknown topics command: ${command ?? '(none)'}`);
  const names = onlyOptions(rest, {});
  const { topics, unknown } = await describeTopics(brokers, names, env);
  io.out(
    [
      'topic',
      'partitions',
      'replicas',
      'min.insync',
      'under-replicated',
      'offline',
      'retention.ms',
      'cleanup',
      'messages',
    ].join('\t'),
  );
  for (const t of topics) {
    io.out(
      [
        t.topic,
        t.partitions,
        t.replicationFactor,
        t.minInsyncReplicas ?? '-',
        t.underReplicated,
        t.offline,
        t.retentionMs ?? '-',
        t.cleanupPolicy ?? '-',
        t.messages,
      ].join('\t'),
    );
  }
  io.out(`${topics.length} topic(s) on ${brokers.join(',')}`);
  for (const name of unknown) io.err(`no topic ${name} on ${brokers.join(',')}`);
  const unhealthy = topics.filter((t) => t.underReplicated > 0 || t.offline > 0);
  for (const t of unhealthy)
    io.err(`${t.topic}: ${t.offline} partition(s) offline, ${t.underReplicated} under-replicated`);
  return unknown.length > 0 || unhealthy.length > 0 ? 1 : 0;
}

async function audit({ io, env }: Context, args: readonly string[]): Promise<number> {
  const [command, target, ...rest] = args;
  if (command !== 'verify') throw new OpsUsageError(`unknown audit command: ${command ?? '(none)'}`);
  onlyOptions(rest, { '--stream': 'value', '--all': 'flag', '--prefix': 'value', '--database': 'value' });
  if (!target || target.startsWith('--'))
    throw new OpsUsageError(`audit verify needs a service (${Services.join(', ')}) or all`);
  if (target !== 'all' && !(Services as readonly string[]).includes(target)) {
    throw new OpsUsageError(`unknown service ${target}: one of ${Services.join(', ')}, or all`);
  }
  const streams = options(rest, 'stream');
  const all = rest.includes('--all');
  const prefix = option(rest, 'prefix');
  if (!all && streams.length === 0) throw new OpsUsageError('name streams (--stream <id>) or verify --all');
  const database = option(rest, 'database');
  if (database && target === 'all')
    throw new OpsUsageError("--database names one service's database: give the service");
  const server = env.DATABASE_URL?.trim();
  if (!server) throw new OpsUsageError("set DATABASE_URL to the Postgres server of the services' databases");
  const services: Service[] = target === 'all' ? [...Services] : [target as Service];
  const total: AuditSummary = { streams: 0, ok: 0, tampered: 0, missing: 0, events: 0 };
  let absent = 0;
  io.out(['result', 'service', 'stream', 'detail'].join('\t'));
  for (const service of services) {
    const name = database ?? `aftersales_${service}`;
    const pool = await openReadOnly(serviceDatabaseUrl(server, name), `ops audit verify ${service}`);
    if (!pool) {
      absent += 1;
      io.err(`${service}: no database ${name} on the server of DATABASE_URL`);
      continue;
    }
    try {
      const summary = await verifyStoreAudit(
        pool,
        service,
        { streams, all, prefix },
        { out: io.out, onProgress: progress(io, `verifying ${service}`) },
      );
      for (const key of Object.keys(total) as Array<keyof AuditSummary>) {
        (total as Record<keyof AuditSummary, number>)[key] += summary[key];
      }
    } finally {
      await pool.end();
    }
  }
  io.out(
    `${total.streams} stream(s), ${total.events} event(s): ${total.ok} OK, ${total.tampered} TAMPERED, ${total.missing} MISSING`,
  );
  // A named service without a database cannot be verified: a failure. `all` skips services not deployed here.
  const failedServices = target === 'all' ? (absent === services.length ? absent : 0) : absent;
  return total.tampered + total.missing + failedServices > 0 ? 1 : 0;
}

async function privacy({ io, env }: Context, args: readonly string[]): Promise<number> {
  const [command, service, ...rest] = args;
  if (command !== 'key-status' && command !== 'rotate-master-key') {
    throw new OpsUsageError(`unknown privacy command: ${command ?? '(none)'}`);
  }
  onlyOptions(rest, { '--database': 'value', '--batch': 'value', '--dry-run': 'flag' });
  if (!service || !(Services as readonly string[]).includes(service)) {
    throw new OpsUsageError(`privacy ${command} needs a service (${Services.join(', ')})`);
  }
  const server = env.DATABASE_URL?.trim();
  if (!server) throw new OpsUsageError("set DATABASE_URL to the Postgres server of the services' databases");
  const database = option(rest, 'database') ?? `aftersales_${service}`;
  const pool = await openPrivacyStore(serviceDatabaseUrl(server, database));
  if (!pool) {
    io.err(`${service}: no database ${database} on the server of DATABASE_URL`);
    return 1;
  }
  try {
    if (command === 'key-status') {
      io.out('master key\tdata keys');
      for (const [key, n] of Object.entries(await wrappedKeyCounts(pool))) io.out(`${key}\t${n}`);
      return 0;
    }
    const dryRun = rest.includes('--dry-run');
    const batch = wholeNumber(option(rest, 'batch'), 'batch');
    if (batch === 0) throw new OpsUsageError('--batch must be at least 1');
    const { result, currentKeyId, after } = await rotateServiceMasterKey(pool, env, {
      batchSize: batch,
      dryRun,
      onProgress: progress(io, `re-wrapping ${service}'s data keys`),
    });
    io.out(
      dryRun
        ? `would re-wrap ${result.stale} data key(s) under ${currentKeyId} (${result.alreadyCurrent} already under it)`
        : `re-wrapped ${result.rewrapped} data key(s) under ${currentKeyId} (${result.alreadyCurrent} already under it)`,
    );
    for (const f of result.failed) {
      io.err(`could not re-wrap ${f.tenant}/${f.customerId} (master key ${f.masterKeyId ?? '(legacy)'}): ${f.reason}`);
    }
    io.out(
      `data keys per master key now: ${
        Object.entries(after)
          .map(([k, n]) => `${k}=${n}`)
          .join(', ') || '(none)'
      }`,
    );
    if (!dryRun && result.failed.length === 0) {
      io.out('done: every data key is wrapped by the new key; PRIVACY_PREVIOUS_MASTER_KEYS can be removed');
    }
    return result.failed.length > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}

const PHASE_LABELS: Record<RebuildPhase, string> = {
  fold: 'folding events set-based',
  'catch-up': 'applying events written meanwhile',
  swap: 'swapping tables',
};

/** The projections of a service, or why the command line names none (exit 2, with what it could name). */
function projectionsOf(catalogue: ProjectionCatalogue, service: string | undefined, command: string) {
  if (!service || service.startsWith('--')) {
    throw new OpsUsageError(`projection ${command} needs a service (${Services.join(', ')})`);
  }
  if (!(Services as readonly string[]).includes(service)) {
    throw new OpsUsageError(`unknown service ${service}: one of ${Services.join(', ')}`);
  }
  return catalogue[service as Service] ?? [];
}

const projectionNames = (catalogue: ProjectionCatalogue) =>
  Services.flatMap((s) => (catalogue[s] ?? []).map((p) => `${s} ${p.name}`)).join(', ') || '(none)';

function listProjections(io: OpsIo, catalogue: ProjectionCatalogue, service: string | undefined): number {
  const services = service === undefined ? [...Services] : [service];
  io.out(['service', 'projection', 'rebuild', 'tables', 'what'].join('\t'));
  let listed = 0;
  for (const s of services) {
    for (const p of projectionsOf(catalogue, s, 'list')) {
      io.out([s, p.name, p.rebuild ? 'set-based' : 'replay', p.tables.join(','), p.description].join('\t'));
      listed += 1;
    }
  }
  io.out(`${listed} projection(s)`);
  return 0;
}

/** The projection a rebuild's command line names, or why it names none (exit 2). */
function chosenProjection(catalogue: ProjectionCatalogue, service: string | undefined, name: string | undefined) {
  const declared = projectionsOf(catalogue, service, 'rebuild');
  if (declared.length === 0) {
    throw new OpsUsageError(
      `${service} keeps no projection to rebuild; the projections are: ${projectionNames(catalogue)}`,
    );
  }
  const chosen = declared.find((p) => p.name === name);
  if (!chosen) {
    throw new OpsUsageError(
      `${name ? `unknown projection ${name} of ${service}` : `name a projection of ${service}`}: ` +
        `one of ${declared.map((p) => p.name).join(', ')}`,
    );
  }
  return chosen;
}

async function rebuildCommand(
  { io, env, signal }: Context,
  catalogue: ProjectionCatalogue,
  args: readonly string[],
): Promise<number> {
  const [service, name, ...rest] = args;
  onlyOptions(rest, { '--database': 'value' });
  const chosen = chosenProjection(catalogue, service, name);
  const server = env.DATABASE_URL?.trim();
  if (!server) throw new OpsUsageError("set DATABASE_URL to the Postgres server of the services' databases");
  const database = option(rest, 'database') ?? `aftersales_${service}`;
  const pool = await openRebuildPool(serviceDatabaseUrl(server, database), `ops projection rebuild ${chosen.name}`);
  if (!pool) {
    io.err(`${service}: no database ${database} on the server of DATABASE_URL (name it with --database)`);
    return 1;
  }
  const bars = new Map<RebuildPhase, (done: number, total: number) => void>();
  try {
    const report = await rebuildServiceProjection(pool, chosen, {
      signal,
      onProgress: ({ phase, done, total }) => {
        const bar = bars.get(phase) ?? progress(io, `${service}/${chosen.name}: ${PHASE_LABELS[phase]}`);
        bars.set(phase, bar);
        bar(done, total);
      },
    });
    for (const line of describeRebuild(service as string, report)) io.out(line);
    if (report.retiredSchemaLeft) {
      io.err(
        `the replaced tables are left in schema ${report.retiredSchemaLeft} (a reader still held them): ` +
          `drop it later with DROP SCHEMA ${report.retiredSchemaLeft} CASCADE`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ProjectionRebuildError)) throw error;
    io.err(`failed: ${error.message}\n${error.hint}`);
    return 1;
  }
}

async function projection(context: Context, args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'list' && command !== 'rebuild') {
    throw new OpsUsageError(`unknown projection command: ${command ?? '(none)'}`);
  }
  const catalogue = await context.projections();
  if (command === 'rebuild') return rebuildCommand(context, catalogue, rest);
  if (rest.length > 1) throw new OpsUsageError('projection list takes a service at most');
  return listProjections(context.io, catalogue, rest[0]);
}

async function dlq(context: Context, args: readonly string[]): Promise<number> {
  const [command, topic, ...rest] = args;
  switch (command) {
    case 'list':
      return listLetters(context, topic, rest);
    case 'show':
      return showLetter(context, topic, rest[0]);
    case 'redrive':
      return redriveLetters(context, topic, rest);
    default:
      throw new OpsUsageError(`unknown dlq command: ${command ?? '(none)'}`);
  }
}

/**
 * Runs one ops command line and answers its exit code (0 done, 1 failed, 2 wrong command line). It writes to `io`: the
 * console from the command line, a buffer in a test.
 */
export async function runOps(
  argv: readonly string[],
  settings: {
    readonly brokers?: readonly string[];
    readonly io?: OpsIo;
    readonly env?: NodeJS.ProcessEnv;
    readonly signal?: AbortSignal;
    /** The services' projections (or how to load them) for `projection` commands; none when absent. */
    readonly projections?: ProjectionCatalogue | (() => Promise<ProjectionCatalogue>);
  } = {},
): Promise<number> {
  const io = settings.io ?? consoleIo;
  const env = settings.env ?? process.env;
  const brokers =
    settings.brokers ??
    (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  const [area, ...args] = argv;
  try {
    const catalogue = settings.projections ?? {};
    const projections = typeof catalogue === 'function' ? catalogue : () => Promise.resolve(catalogue);
    const context: Context = { brokers, io, env, signal: settings.signal, projections };
    switch (area) {
      case 'dlq':
        return await dlq(context, args);
      case 'events':
        return await events(context, args);
      case 'consumer-groups':
        return await consumerGroups(context, args);
      case 'topics':
        return await topicsCommand(context, args);
      case 'audit':
        return await audit(context, args);
      case 'privacy':
        return await privacy(context, args);
      case 'projection':
        return await projection(context, args);
      default:
        throw new OpsUsageError(area ? `unknown area: ${area}` : 'no command given');
    }
  } catch (error) {
    if (error instanceof OpsUsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    const where =
      area === 'audit' || area === 'privacy' || area === 'projection'
        ? 'Is Postgres reachable at DATABASE_URL?'
        : `Is Kafka reachable at ${brokers.join(',')}? (KAFKA_BROKERS)`;
    io.err(`failed: ${(error as Error).message}\n${where}`);
    return 1;
  }
}
