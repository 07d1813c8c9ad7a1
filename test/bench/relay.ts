/**
 * Scenario 2 — outbox relay publish throughput.
 *
 * N CaseOpened events are appended to a fresh service database (not timed). Then:
 * - ours:     an `OutboxRelay` (KafkaJsClient producer: idempotent, acks=all, batch 500) is started and timed
 *             until it reported all events published (its own counter). Per batch it reads its checkpoint, reads
 *             the events from Postgres, maps and validates them against the contract, sends, and saves the
 *             checkpoint (a commit).
 * - baseline: a raw kafkajs producer (idempotent, acks=all) sending the very same messages (keys, values,
 *             headers, built beforehand from the stored events) from memory in sequential batches of 500.
 * Each to its own fresh 6-partition topic. Both warm up first (the relay on a separate warm-up topic).
 */
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { openServiceDatabase, PostgresEventStore, START, type StoredEvent } from '@aftersales/eventstore';
import {
  KafkaJsClient,
  OutboxRelay,
  toKafkaMessage,
  type IntegrationEventMapper,
  type OutgoingMessage,
} from '@aftersales/messaging';
import { platformMetrics } from '@aftersales/observability';
import { createTestDatabase, uniqueName } from '@aftersales/testing';
import {
  BROKERS,
  CASE_OPENED_TYPE,
  caseOpened,
  checkpoint,
  createTopics,
  describeCpu,
  eventMetadata,
  fmtRate,
  kafka,
  log,
  now,
  observe,
  rate,
  Resources,
  scaled,
  sleep,
  type Row,
} from './support';

const SERVICE = 'intake';
const BATCH = 500;
const EVENTS_PER_STREAM = 10;
const ROUNDS = 2;

const toIntegrationEvent: IntegrationEventMapper = (event) => {
  const data = event.data as { caseId: string };
  return { type: CASE_OPENED_TYPE, subject: data.caseId, data: event.data };
};

/**
 * Reads the `total` stored events through `readAll`, as the relay will. readAll never passes a transaction that
 * is still running anywhere on the server (xids are server-wide), so another database's open transaction can hold
 * events back for a while: keep paging until all are visible (or 60 s passed).
 */
async function readEverything(store: PostgresEventStore, total: number): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after = START;
  const deadline = now() + 60_000;
  while (all.length < total && now() < deadline) {
    const page = await store.readAll(after, 5_000);
    if (page.length === 0) {
      await sleep(100);
      continue;
    }
    all.push(...page);
    after = page[page.length - 1]!;
  }
  return all;
}

/** Messages the relay reported published to `topic` (its own counter, bumped after the checkpoint commit). */
async function publishedTo(topic: string): Promise<number> {
  const metric = await platformMetrics.relayPublished.get();
  return metric.values.filter((v) => v.labels.topic === topic).reduce((sum, v) => sum + v.value, 0);
}

/**
 * Starts the relay and waits until it published `count` messages to `topic` (polling its in-process counter every
 * 2 ms, so the wait puts no load on Postgres or Kafka); returns the elapsed ms.
 */
async function runRelayUntil(relay: OutboxRelay, topic: string, count: number): Promise<number> {
  const started = now();
  relay.start();
  while ((await publishedTo(topic)) < count) await sleep(2);
  const ms = now() - started;
  await relay.stop();
  return ms;
}

export async function benchRelay(): Promise<Row[]> {
  const total = scaled(20_000, EVENTS_PER_STREAM * 10);
  log(`scenario 2: relay — ${total} events, batch ${BATCH}, 6 partitions`);
  const resources = new Resources();
  try {
    const testDb = await createTestDatabase('bench_relay');
    resources.defer(`database ${testDb.name}`, () => testDb.drop());
    const db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 10 });
    resources.defer('relay database pool', () => db.close());
    const store = new PostgresEventStore(db.pool);

    // Not timed: fill the outbox (streams of 10 events, 4 writers).
    const streams = total / EVENTS_PER_STREAM;
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < streams) {
          const s = next++;
          const caseId = randomUUID();
          const data = caseOpened(caseId, s);
          const metadata = eventMetadata();
          const events = Array.from({ length: EVENTS_PER_STREAM }, () => ({
            id: randomUUID(),
            type: 'CaseOpened',
            data,
            metadata,
          }));
          await store.append(`case-${caseId}`, 'no_stream', events);
        }
      }),
    );
    const stored = await readEverything(store, total);
    if (stored.length !== total) {
      const { rows } = await db.pool.query<{ n: string; d: string }>(
        'SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM es_events',
      );
      throw new Error(
        `expected ${total} stored events, readAll returned ${stored.length}; es_events holds ${rows[0]?.n} (${rows[0]?.d} distinct)`,
      );
    }
    const messages: OutgoingMessage[] = stored.map((e) =>
      toKafkaMessage(SERVICE, e, toIntegrationEvent(e)!, e.metadata.traceparent),
    );
    log(`  appended ${total} events in ${streams} streams`);

    const admin = kafka('bench-relay-admin').admin();
    await admin.connect();
    resources.defer('kafka admin', () => admin.disconnect());
    // All topics up front, so they are deleted only after the producers disconnected.
    const warmTopic = uniqueName('bench.relay-warmup');
    const roundTopics = Array.from({ length: ROUNDS }, () => ({
      relay: uniqueName('bench.relay'),
      raw: uniqueName('bench.raw-producer'),
    }));
    await createTopics(admin, resources, [warmTopic, ...roundTopics.flatMap((t) => [t.relay, t.raw])]);

    const messaging = new KafkaJsClient({ clientId: 'bench-relay', brokers: BROKERS });
    resources.defer('relay kafka client', () => messaging.close());

    const rawKafka = kafka('bench-raw-producer');
    const rawProducer = rawKafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    await rawProducer.connect();
    resources.defer('raw producer', () => rawProducer.disconnect());
    const rawSend = async (topic: string, batch: readonly OutgoingMessage[]) => {
      await rawProducer.send({
        topic,
        acks: -1,
        messages: batch.map((m) => ({ key: m.key, value: m.value, headers: m.headers as Record<string, string> })),
      });
    };

    // Warm-up (not timed): the relay publishes the first ~10% to a warm-up topic (reading those rows, compiling the
    // contract validator, warming the producer); the raw producer sends as many messages there.
    const warmCount = Math.max(2 * BATCH, Math.round(total / 10));
    await checkpoint();
    const warmRelay = new OutboxRelay({
      service: SERVICE,
      topic: warmTopic,
      pool: db.pool,
      messaging,
      toIntegrationEvent,
      batchSize: BATCH,
    });
    await runRelayUntil(warmRelay, warmTopic, warmCount);
    for (let i = 0; i < warmCount; i += BATCH) await rawSend(warmTopic, messages.slice(i, i + BATCH));

    const runs = { relay: [] as number[], raw: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of round % 2 === 0 ? (['relay', 'raw'] as const) : (['raw', 'relay'] as const)) {
        const topic = roundTopics[round]![kind];
        const { value: ms, cpu } = await observe(async () => {
          if (kind === 'relay') {
            const relay = new OutboxRelay({
              service: SERVICE,
              topic,
              pool: db.pool,
              messaging,
              toIntegrationEvent,
              batchSize: BATCH,
            });
            return runRelayUntil(relay, topic, total);
          }
          const started = now();
          for (let i = 0; i < messages.length; i += BATCH) await rawSend(topic, messages.slice(i, i + BATCH));
          return now() - started;
        });
        const held = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
        // The relay publishes in transactions: each commit adds a marker record to every partition it wrote, so its
        // topics hold more offsets than messages (its counter above counts the messages).
        if (kind === 'raw' ? held !== total : held < total) {
          throw new Error(
            `${kind}: topic ${topic} holds ${held} offsets, expected ${kind === 'raw' ? '' : 'at least '}${total}`,
          );
        }
        runs[kind].push(rate(total, ms));
        log(
          `  ${kind.padEnd(5)} ${fmtRate(rate(total, ms)).padStart(9)} messages (${total} in ${(ms / 1000).toFixed(2)} s)` +
            (cpu ? `; ${describeCpu(cpu)}` : ''),
        );
      }
    }
    return [
      {
        scenario: `relay publish (${total} events, batch ${BATCH})`,
        ours: Math.max(...runs.relay),
        baseline: Math.max(...runs.raw),
        target: 0.7,
      },
    ];
  } finally {
    await resources.release();
  }
}
