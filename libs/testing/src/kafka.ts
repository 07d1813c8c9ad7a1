import { spawn } from 'node:child_process';
import { Partitioners, type Kafka, type Producer, type ProducerConfig } from 'kafkajs';

/** Brokers from `KAFKA_BROKERS`, as set by the Jest globalSetup (libs/testing/src/global-setup.ts). */
export function kafkaBrokers(): string[] {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) {
    throw new Error(
      'KAFKA_BROKERS is not set. Integration tests get it from the Jest globalSetup (libs/testing/src/global-setup.ts): ' +
        'run them with `npx jest --selectProjects integration` or `npm run test:int`, ' +
        'or start a broker with `bash deploy/local/kafka.sh start` and export KAFKA_BROKERS=127.0.0.1:9092.',
    );
  }
  return brokers;
}

/**
 * A raw kafkajs producer for tests that writes each message once, as the services' own producers do
 * (libs/messaging's adapter). kafkajs's default producer is not idempotent, and it retries a produce request as a
 * whole: when one partition of a request fails (a broker that has just created a topic can still answer
 * UNKNOWN_TOPIC_OR_PARTITION for a partition whose leader it already reports), the partitions that had taken their
 * messages get them a second time, and a test counting offsets sees one message too many.
 */
export function exactlyOnceProducer(kafka: Kafka, config: Omit<ProducerConfig, 'idempotent'> = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    ...config,
    idempotent: true,
    maxInFlightRequests: 1,
  });
}

export interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  /** Message timestamp in ms (create or log-append time, whichever the topic uses). */
  timestamp: number;
  key: string | null;
  /** The value as text; an empty string for a tombstone (null value). */
  payload: string;
  /** Header values as text. A repeated key keeps its last value; a null value becomes ''. */
  headers: Record<string, string>;
}

export interface ReadTopicOptions {
  /** How many messages to wait for (matching `until`, when given). */
  count: number;
  /**
   * Only count messages matching this predicate, reading the whole topic to its end each time: for
   * topics that hold other runs' messages too. All matching messages are returned.
   */
  until?: (message: KcatMessage) => boolean;
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /**
   * Read from the first message of each partition stamped at or after this instant (epoch ms; kcat `-o s@<ms>`).
   * Default: a minute before this test file started ({@link DEFAULT_SINCE}), so a suite on a long-lived broker skips
   * what earlier runs and benchmarks left there; 0 reads from the beginning.
   */
  since?: number;
  brokers?: string[];
}

/** One line of `kcat -C -J` (kcat 1.7): headers come as a flat `[k1, v1, k2, v2, …]` array, absent when none. */
interface KcatJsonLine {
  topic: string;
  partition: number;
  offset: number;
  ts?: number;
  headers?: Array<string | null>;
  key: string | null;
  payload: string | null;
}

/**
 * Where reads start unless told: a minute before this module was loaded — in a Jest run, before the test file started
 * (each file loads its own copy), so before anything the file waits for was produced (the broker stamps messages with
 * this machine's clock). A developer's broker keeps every earlier run's and benchmark's events: read from the
 * beginning, `aftersales.compensation.events` took longer to parse than a test's 30 s wait after a day of benchmarks.
 */
const DEFAULT_SINCE = Date.now() - 60_000;

/**
 * Reads a topic from `since` (default {@link DEFAULT_SINCE}) with kcat — an independent client, so tests do not verify kafkajs
 * with kafkajs. Runs `kcat -C -J -b <brokers> -t <topic> -o s@<since> -c <count> -e` and, while fewer than `count`
 * messages exist (or the topic does not exist yet), retries until `timeoutMs`. With `until`, reads the topic from `since`
 * each time (no `-c`) and waits for `count` matching messages. Messages come in kcat's
 * order (per partition by offset; partitions interleaved).
 */
export async function readTopicWithKcat(topic: string, options: ReadTopicOptions): Promise<KcatMessage[]> {
  const brokers = options.brokers ?? kafkaBrokers();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const since = options.since ?? DEFAULT_SINCE;
  const from = since <= 0 ? 'beginning' : `s@${Math.floor(since)}`;
  const args = ['-C', '-J', '-q', '-b', brokers.join(','), '-t', topic, '-o', from, '-e'];
  // Reaching the end of an idle partition takes 10 ms instead of librdkafka's default 500 ms.
  args.push('-X', 'fetch.wait.max.ms=10');
  if (!options.until) args.push('-c', String(options.count));

  // The attempt that got furthest, for the error message (a last attempt may have been cut short).
  let best = { read: 0, matched: 0, stderr: '' };
  for (;;) {
    // Even the last attempt gets a fair chance to read the whole topic.
    const { matched, read, stderr } = await runKcat(
      args,
      Math.max(deadline - Date.now(), 5_000),
      options.until ?? (() => true),
      // With a filter, every matching message to the end of the topic (a test may count duplicates).
      options.until ? Number.POSITIVE_INFINITY : options.count,
    );
    if (matched.length >= options.count) return options.until ? matched : matched.slice(0, options.count);
    if (matched.length >= best.matched) best = { read, matched: matched.length, stderr };
    if (Date.now() + 250 >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const what = options.until ? `matching message(s) (of ${best.read} read)` : 'message(s)';
  const said = best.stderr.trim().split('\n').slice(-3).join(' | ');
  throw new Error(
    `kcat read ${best.matched} of ${options.count} ${what} from topic "${topic}" within ${timeoutMs} ms` +
      (said ? `; kcat said: ${said}` : ''),
  );
}

/**
 * Runs kcat and parses its output as it comes, keeping only the messages `keep` accepts: a topic other tests (or a
 * benchmark) filled with millions of messages costs time, not memory. Stops kcat once `enough` messages were kept.
 */
function runKcat(
  args: string[],
  timeoutMs: number,
  keep: (message: KcatMessage) => boolean,
  enough: number,
): Promise<{ matched: KcatMessage[]; read: number; stderr: string }> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const matched: KcatMessage[] = [];
    let read = 0;
    let partial = '';
    let stderr = '';
    let failure: unknown = null;
    const take = (lines: string) => {
      for (const message of parseKcatJson(lines)) {
        read += 1;
        if (keep(message)) matched.push(message);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (failure) return;
      const text = partial + chunk;
      const end = text.lastIndexOf('\n');
      partial = end < 0 ? text : text.slice(end + 1);
      try {
        if (end >= 0) take(text.slice(0, end));
      } catch (error) {
        failure = error;
        child.kill('SIGTERM');
        return;
      }
      if (matched.length >= enough) child.kill('SIGTERM');
    });
    // The last lines of stderr say why kcat stopped; keep a bounded tail.
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8_192)));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      rejectRun(
        error.code === 'ENOENT'
          ? new Error('kcat is not installed: apt-get install -y kcat (Debian/Ubuntu) or brew install kcat (macOS)')
          : error,
      );
    });
    child.once('close', () => {
      clearTimeout(timer);
      try {
        if (failure) throw failure;
        if (matched.length < enough) take(partial);
        resolveRun({ matched, read, stderr });
      } catch (error) {
        rejectRun(error);
      }
    });
  });
}

/** Parses `kcat -J` output (one JSON object per line). */
export function parseKcatJson(output: string): KcatMessage[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const raw = JSON.parse(line) as KcatJsonLine;
      const headers: Record<string, string> = {};
      const flat = raw.headers ?? [];
      for (let i = 0; i + 1 < flat.length; i += 2) headers[String(flat[i])] = flat[i + 1] ?? '';
      return {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        timestamp: raw.ts ?? 0,
        key: raw.key,
        payload: raw.payload ?? '',
        headers,
      };
    });
}

/**
 * Waits until each consumer group has joined with its partitions. Services started with
 * `consumeFromBeginning: false` (or `KAFKA_CONSUMER_FROM_BEGINNING=false`) start fresh groups at the end of the
 * shared topics, so a test must not produce before its consumers listen.
 */
export async function waitForConsumerGroups(
  groupIds: string[],
  timeoutMs = 60_000,
  brokers = kafkaBrokers(),
): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups(groupIds);
      if (groups.every((g) => g.state === 'Stable' && g.members.length > 0)) return;
      if (Date.now() > deadline) throw new Error(`consumer groups ${groupIds.join(', ')} did not become stable`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await admin.disconnect();
  }
}
