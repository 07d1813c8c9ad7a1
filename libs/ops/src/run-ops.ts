/**
 * Operator commands (`npm run ops -- …`, scripts/ops.ts) against the platform's Kafka (`KAFKA_BROKERS`, default 127.0.0.1:9092).
 *
 *   npm run ops -- dlq list                                   # every dead-letter topic and how many letters it holds
 *   npm run ops -- dlq list <dlq-topic> [filters]             # its letters: position, failed at, codes, event, reason
 *   npm run ops -- dlq show <dlq-topic> <partition>:<offset>  # one letter: headers and payload
 *   npm run ops -- dlq redrive <dlq-topic> [filters] [--dry-run]
 *
 * Filters: --since <ISO time> --until <ISO time> --code <dlq or handler code> --type <ce_type> --event <ce_id>
 * --at <p:o>[,<p:o>…]. Redriven letters go back to the topic they came from and through the failed consumer's inbox:
 * each effect still happens once (every other consumer of that topic recorded the event and skips it).
 *
 * Exit codes: 0 done; 1 failed (the broker, a letter refused); 2 the command line is wrong.
 */
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
filters: --since <ISO time> --until <ISO time> --code <code> --type <ce_type> --event <ce_id> --at <partition:offset>[,…]
environment: KAFKA_BROKERS (default 127.0.0.1:9092)`;

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
  options: { readonly brokers?: readonly string[]; readonly io?: OpsIo } = {},
): Promise<number> {
  const io = options.io ?? consoleIo;
  const brokers =
    options.brokers ??
    (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
  const [area, ...args] = argv;
  try {
    if (area === 'dlq') return await dlq({ brokers, io }, args);
    throw new OpsUsageError(area ? `unknown area: ${area}` : 'no command given');
  } catch (error) {
    if (error instanceof OpsUsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`failed: ${(error as Error).message}\nIs Kafka reachable at ${brokers.join(',')}? (KAFKA_BROKERS)`);
    return 1;
  }
}
