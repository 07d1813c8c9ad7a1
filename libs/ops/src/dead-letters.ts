import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { KafkaJsClient, type OutgoingMessage } from '@aftersales/messaging';
import { headersOf, kafkaOf } from './kafka';

/**
 * Dead letters of the platform's consumers (`aftersales.<service>.<consumer>.dlq`): what each inbox could not apply,
 * with why (`dlq_*` headers, libs/messaging `InboxConsumer`). Read without committing anything (a throwaway group,
 * deleted afterwards), and redriven to the topic they came from: the consumer that failed applies them through its
 * inbox (it never recorded them), every other consumer of that topic skips them by their CloudEvents id (it recorded
 * them), so each effect still happens once, however often a letter is redriven.
 */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** `ce_id` / `ce_type` of the original event, when it had them (an unreadable message may not). */
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly code: string;
  readonly handlerCode: string | null;
  readonly reason: string;
  readonly consumer: string;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string } | null;
  readonly failedAt: string | null;
}

/** Which dead letters a command applies to; every given criterion must hold. */
export interface DeadLetterFilter {
  /** Failed at or after. */
  readonly since?: Date;
  /** Failed before. */
  readonly until?: Date;
  /** `dlq_error_code` (UNPARSEABLE, INVALID_SCHEMA, HANDLER_REJECTED, …) or `dlq_handler_code` (RETURN.NOT_FOUND, …). */
  readonly code?: string;
  /** `ce_type` of the original event. */
  readonly type?: string;
  /** `ce_id` of the original event. */
  readonly eventId?: string;
  /** Exact letters: `partition:offset` of the dead-letter topic. */
  readonly positions?: ReadonlySet<string>;
}

export const DEAD_LETTER_TOPIC = /^aftersales\.[a-z0-9-]+\.[a-z0-9-]+\.dlq$/;

export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  const failed = letter.failedAt ? Date.parse(letter.failedAt) : Number.NaN;
  if (filter.since && !(failed >= filter.since.getTime())) return false;
  if (filter.until && !(failed < filter.until.getTime())) return false;
  if (filter.code && filter.code !== letter.code && filter.code !== letter.handlerCode) return false;
  if (filter.type && filter.type !== letter.eventType) return false;
  if (filter.eventId && filter.eventId !== letter.eventId) return false;
  if (filter.positions && !filter.positions.has(`${letter.partition}:${letter.offset}`)) return false;
  return true;
}

/** The platform's dead-letter topics and how many letters each holds (high minus low watermark, all partitions). */
export async function deadLetterTopics(brokers: readonly string[]): Promise<Array<{ topic: string; letters: number }>> {
  const admin = kafkaOf(brokers).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => DEAD_LETTER_TOPIC.test(t)).sort();
    const counts = [];
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      counts.push({ topic, letters: offsets.reduce((sum, p) => sum + (Number(p.high) - Number(p.low)), 0) });
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a dead-letter topic from its first retained letter to its end as of the call, keeping those the filter
 * selects. Commits nothing: the reading group is created for the call and deleted after it.
 */
export async function readDeadLetters(
  brokers: readonly string[],
  topic: string,
  filter: DeadLetterFilter = {},
  onProgress: (read: number, total: number) => void = () => undefined,
  timeoutMs = 60_000,
): Promise<DeadLetter[]> {
  if (!DEAD_LETTER_TOPIC.test(topic)) {
    throw new OpsUsageError(`${topic} is not a dead-letter topic (aftersales.<service>.<consumer>.dlq)`);
  }
  const kafka = kafkaOf(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `ops.dead-letter-reader.${randomUUID()}`;
  try {
    if (!(await admin.listTopics()).includes(topic))
      throw new OpsUsageError(`no topic ${topic} on ${brokers.join(',')}`);
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic))
        .filter((p) => Number(p.high) > Number(p.low))
        .map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]),
    );
    const total = [...ends.values()].reduce((sum, p) => sum + p.high - p.low, 0);
    if (total === 0) return [];
    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    let read = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const pending = new Set(ends.keys());
        const timer = setTimeout(
          () =>
            reject(
              new Error(`read ${read} of ${total} letters of ${topic} in ${timeoutMs / 1000} s; is the broker slow?`),
            ),
          timeoutMs,
        );
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        consumer
          .subscribe({ topic, fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              eachMessage: async ({ partition, message }) => {
                const end = ends.get(partition);
                if (!end || Number(message.offset) >= end.high || !pending.has(partition)) return;
                read += 1;
                onProgress(read, total);
                const letter = letterOf(topic, partition, message.offset, message.key, message.value, message.headers);
                if (matches(letter, filter)) letters.push(letter);
                if (Number(message.offset) + 1 >= end.high) {
                  pending.delete(partition);
                  if (pending.size === 0) done();
                }
              },
            }),
          )
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return letters.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** Why `redrive` could not send a letter back: it has no source (an old letter) or no CloudEvents id. */
export interface RedriveRefusal {
  readonly letter: DeadLetter;
  readonly why: string;
}

export interface RedriveResult {
  readonly redriven: number;
  readonly bySource: Readonly<Record<string, number>>;
  readonly refused: readonly RedriveRefusal[];
}

/**
 * Sends letters back to the topic they came from, with their key (so their partition and order among the aggregate's
 * events), value and original headers; the `dlq_*` headers are replaced by `redriven_from` (`<dlq>/<partition>:<offset>`)
 * and `redriven_at`. A letter without a source topic or a `ce_id` is refused (the inbox could not keep it to one
 * effect). `dryRun` only counts.
 */
export async function redrive(
  brokers: readonly string[],
  letters: readonly DeadLetter[],
  options: { dryRun?: boolean; now?: () => Date; onProgress?: (sent: number, total: number) => void } = {},
): Promise<RedriveResult> {
  const refused: RedriveRefusal[] = [];
  const bySource = new Map<string, OutgoingMessage[]>();
  const at = (options.now ?? (() => new Date()))().toISOString();
  for (const letter of letters) {
    if (!letter.source) refused.push({ letter, why: 'no dlq_source_topic header: where it came from is unknown' });
    else if (!letter.eventId) refused.push({ letter, why: 'no ce_id: its consumers could not apply it only once' });
    else {
      const headers = Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !name.startsWith('dlq_')));
      const message: OutgoingMessage = {
        key: letter.key,
        value: letter.value,
        headers: { ...headers, redriven_from: `${letter.topic}/${letter.partition}:${letter.offset}`, redriven_at: at },
      };
      bySource.set(letter.source.topic, [...(bySource.get(letter.source.topic) ?? []), message]);
    }
  }
  const counts = Object.fromEntries([...bySource].map(([topic, messages]) => [topic, messages.length]));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (options.dryRun || total === 0) return { redriven: 0, bySource: counts, refused };
  const client = new KafkaJsClient({ clientId: 'aftersales-ops', brokers });
  const producer = await client.producer();
  let sent = 0;
  try {
    for (const [topic, messages] of bySource) {
      for (let i = 0; i < messages.length; i += 500) {
        const chunk = messages.slice(i, i + 500);
        await producer.send(topic, chunk);
        sent += chunk.length;
        options.onProgress?.(sent, total);
      }
    }
  } finally {
    await producer.disconnect();
    await client.close();
  }
  return { redriven: sent, bySource: counts, refused };
}

/** A command line the ops tool cannot act on (exit code 2). */
export class OpsUsageError extends Error {}

function letterOf(
  topic: string,
  partition: number,
  offset: string,
  key: Buffer | null,
  value: Buffer | null,
  raw: IHeaders | undefined,
): DeadLetter {
  const headers = headersOf(raw);
  const sourceTopic = headers.dlq_source_topic;
  return {
    topic,
    partition,
    offset,
    key: key ? key.toString('utf8') : null,
    value,
    headers,
    eventId: headers.ce_id ?? null,
    eventType: headers.ce_type ?? null,
    code: headers.dlq_error_code ?? 'UNKNOWN',
    handlerCode: headers.dlq_handler_code ?? null,
    reason: headers.dlq_reason ?? '',
    consumer: headers.dlq_consumer ?? topic.replace(/^aftersales\./, '').replace(/\.dlq$/, ''),
    source: sourceTopic
      ? {
          topic: sourceTopic,
          partition: Number(headers.dlq_source_partition ?? -1),
          offset: headers.dlq_source_offset ?? '',
        }
      : null,
    failedAt: headers.dlq_failed_at ?? null,
  };
}
