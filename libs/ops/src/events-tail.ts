import { randomUUID } from 'node:crypto';
import { EVENT_TOPIC, headersOf, kafkaOf } from './kafka';

/** One event of a case, as read from an event topic. */
export interface CaseEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The broker's timestamp of the message (ISO). */
  readonly timestamp: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly type: string | null;
  readonly id: string | null;
  readonly subject: string | null;
  readonly tenant: string | null;
  /** The payload, parsed (the text when it is not JSON). */
  readonly data: unknown;
}

export interface TailOptions {
  /** Keep reading new events until `signal` aborts; otherwise stop at the topics' ends as of the call. */
  readonly follow: boolean;
  /** Only events the broker stored at or after this time. */
  readonly since?: Date;
  readonly signal?: AbortSignal;
  /** Messages read so far against those to read up to the ends as of the start (the catch-up's progress). */
  readonly onProgress?: (read: number, total: number) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * True when an event belongs to the case: keyed or subjected by it (the case's own events), or a `caseId`-like field of
 * its payload names it (another service's events about the case: its incident, its return, its compensation…).
 */
export function concernsCase(
  caseId: string,
  key: string | null,
  headers: Record<string, string>,
  data: unknown,
): boolean {
  if (key === caseId || headers.ce_subject === caseId) return true;
  return mentions(data, caseId, 0);
}

function mentions(value: unknown, caseId: string, depth: number): boolean {
  if (depth > 5 || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => mentions(v, caseId, depth + 1));
  for (const [field, v] of Object.entries(value)) {
    if (/caseIds?$/i.test(field) && (v === caseId || (Array.isArray(v) && v.includes(caseId)))) return true;
    if (mentions(v, caseId, depth + 1)) return true;
  }
  return false;
}

/**
 * Reads every event topic of the platform (`aftersales.<service>.events`) from its start (or `since`) and hands over
 * the events of one case in the order each topic holds them; with `follow`, goes on with new ones until `signal`
 * aborts. Commits nothing: a throwaway consumer group, deleted afterwards.
 */
export async function tailCaseEvents(
  brokers: readonly string[],
  caseId: string,
  onEvent: (event: CaseEvent) => void,
  options: TailOptions,
): Promise<{ readonly read: number; readonly matched: number }> {
  const kafka = kafkaOf(brokers, options.env);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `ops.events-tail.${randomUUID()}`;
  let read = 0;
  let matched = 0;
  try {
    const topics = (await admin.listTopics()).filter((t) => EVENT_TOPIC.test(t)).sort();
    if (topics.length === 0) return { read, matched };
    // Where to start and where the catch-up ends, per topic-partition.
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const from = options.since
        ? await admin.fetchTopicOffsetsByTimestamp(topic, options.since.getTime())
        : offsets.map((p) => ({ partition: p.partition, offset: p.low }));
      for (const p of offsets) {
        // No message at or after `since` there: Kafka answers -1, i.e. start at the end.
        const found = Number(from.find((f) => f.partition === p.partition)?.offset ?? -1);
        const start = found < 0 ? Number(p.high) : found;
        starts.set(`${topic}:${p.partition}`, Math.max(start, Number(p.low)));
        ends.set(`${topic}:${p.partition}`, Number(p.high));
      }
    }
    const pending = new Set([...ends].filter(([tp, end]) => (starts.get(tp) ?? end) < end).map(([tp]) => tp));
    const total = [...ends].reduce((sum, [tp, end]) => sum + Math.max(0, end - (starts.get(tp) ?? end)), 0);
    options.onProgress?.(0, total);
    if (!options.follow && pending.size === 0) return { read, matched };
    // Progress counts offsets passed, not messages: a transactional producer's commit markers take offsets that no
    // message handler sees (other services' relays publish in transactions), so counting messages stopped short of
    // the total and the bar never finished. A partition's markers are passed with the batch that reaches them.
    const passedUpTo = new Map<string, number>();
    let passed = 0;
    const pass = (tp: string, upTo: number) => {
      const end = ends.get(tp) ?? 0;
      const before = passedUpTo.get(tp) ?? starts.get(tp) ?? end;
      const after = Math.min(Math.max(upTo, before), end);
      if (after <= before) return;
      passedUpTo.set(tp, after);
      passed += after - before;
      options.onProgress?.(passed, total);
    };

    // A crash kafkajs would not restart (a rebalance lost under load, a partition leader moving while topics are being
    // created) is retried a few times before the command gives up with it.
    let restarts = 0;
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      retry: { retries: 8, restartOnFailure: async () => ++restarts <= 3 },
    });
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        const finish = () => resolve();
        if (options.signal?.aborted) return finish();
        options.signal?.addEventListener('abort', finish, { once: true });
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        // The catch-up of a partition ends once a batch reaches the end as of the start. Told by kafkajs after each
        // batch, also one of transaction markers only (the relay publishes in transactions: a topic's last offset is
        // often a commit marker, which no message handler ever sees).
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const tp = `${payload.topic}:${payload.partition}`;
          pass(tp, Number(payload.lastOffset) + 1);
          if (!pending.has(tp) || Number(payload.lastOffset) + 1 < (ends.get(tp) ?? 0)) return;
          pending.delete(tp);
          if (pending.size === 0 && !options.follow) finish();
        });
        consumer
          .subscribe({ topics, fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              eachMessage: async ({ topic, partition, message }) => {
                const tp = `${topic}:${partition}`;
                const offset = Number(message.offset);
                if (offset < (starts.get(tp) ?? 0)) return;
                const inCatchUp = offset < (ends.get(tp) ?? 0);
                if (inCatchUp) {
                  read += 1;
                  pass(tp, offset + 1);
                }
                const headers = headersOf(message.headers);
                const text = message.value?.toString('utf8') ?? null;
                let data: unknown = text;
                try {
                  data = text === null ? null : JSON.parse(text);
                } catch {
                  // Shown as text: an integrator's or a broken producer's message is still worth seeing.
                }
                const key = message.key?.toString('utf8') ?? null;
                if (concernsCase(caseId, key, headers, data)) {
                  matched += 1;
                  onEvent({
                    topic,
                    partition,
                    offset: message.offset,
                    timestamp: new Date(Number(message.timestamp)).toISOString(),
                    key,
                    headers,
                    type: headers.ce_type ?? null,
                    id: headers.ce_id ?? null,
                    subject: headers.ce_subject ?? null,
                    tenant: headers.ce_tenantid ?? headers.tenant ?? null,
                    data,
                  });
                }
              },
            }),
          )
          .then(() => {
            // Start where asked (`since`), not at the beginning: seeking after `run` is how kafkajs takes it.
            for (const [tp, start] of starts) {
              const at = tp.lastIndexOf(':');
              consumer.seek({ topic: tp.slice(0, at), partition: Number(tp.slice(at + 1)), offset: String(start) });
            }
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return { read, matched };
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
