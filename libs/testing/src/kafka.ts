import { spawn } from 'node:child_process';

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
  /** How many messages to wait for. */
  count: number;
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
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
 * Reads a topic from the beginning with kcat — an independent client, so tests do not verify kafkajs with kafkajs.
 * Runs `kcat -C -J -b <brokers> -t <topic> -o beginning -c <count> -e` and, while fewer than `count` messages
 * exist (or the topic does not exist yet), retries until `timeoutMs`. Messages come in kcat's order (per partition
 * by offset; partitions interleaved).
 */
export async function readTopicWithKcat(topic: string, options: ReadTopicOptions): Promise<KcatMessage[]> {
  const brokers = options.brokers ?? kafkaBrokers();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let last: { messages: KcatMessage[]; stderr: string } = { messages: [], stderr: '' };

  for (;;) {
    const remaining = deadline - Date.now();
    last = await runKcat(
      ['-C', '-J', '-q', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-c', String(options.count), '-e'],
      Math.max(remaining, 1_000),
    );
    if (last.messages.length >= options.count) return last.messages.slice(0, options.count);
    if (Date.now() + 250 >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `kcat read ${last.messages.length} of ${options.count} message(s) from topic "${topic}" within ${timeoutMs} ms` +
      (last.stderr.trim() ? `; kcat said: ${last.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''),
  );
}

function runKcat(args: string[], timeoutMs: number): Promise<{ messages: KcatMessage[]; stderr: string }> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
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
        resolveRun({ messages: parseKcatJson(stdout), stderr });
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
