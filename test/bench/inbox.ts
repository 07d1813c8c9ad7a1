/**
 * Scenario 3 — inbox consumer throughput.
 *
 * N valid CaseOpened v1 messages (CloudEvents binary-mode headers) are produced to a fresh 6-partition
 * topic beforehand. Then, each on its own fresh database with the same `case_summary` table:
 * - ours:     an `InboxConsumer` (KafkaJsClient, 3 partitions concurrently, chunks of 100) whose handler inserts
 *             one row per event inside the inbox transaction (inbox row + handler rows + commit per chunk;
 *             headers checked, payload validated against the contract);
 * - baseline: a raw kafkajs consumer (same consumer settings, 3 partitions concurrently) with eachBatch:
 *             JSON.parse, the same INSERT per event in autocommit (one commit per event, no dedup, no
 *             validation), then resolve + commit the batch's offset.
 * Both are timed from `start` until every message is processed (rows committed), after a warm-up on another topic.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { Partitioners, type Admin, type Consumer } from 'kafkajs';
import { dlqTopic, type CaseOpenedV1 } from '@aftersales/contracts';
import { openServiceDatabase } from '@aftersales/eventstore';
import { InboxConsumer, KafkaJsClient, type InboxHandler } from '@aftersales/messaging';
import { platformMetrics } from '@aftersales/observability';
import { createTestDatabase, uniqueName } from '@aftersales/testing';
import {
  BROKERS,
  CASE_OPENED_TYPE,
  caseOpened,
  checkpoint,
  createTopics,
  deleteGroup,
  describeCpu,
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

const SERVICE = 'surveys';
const CONCURRENCY = 3; // InboxConsumer's default partitionsConsumedConcurrently
const CHUNK = 100; // InboxConsumer's default chunkSize
const GROUP_PREFIX = 'bench.';
const ROUNDS = 2;

const CREATE_SUMMARY = `
  CREATE TABLE case_summary (
    event_id     text        PRIMARY KEY,
    case_id      uuid        NOT NULL,
    tenant_id    text        NOT NULL,
    channel      text        NOT NULL,
    problem_type text        NOT NULL,
    opened_at    timestamptz NOT NULL
  )`;
const INSERT_SUMMARY = `INSERT INTO case_summary (event_id, case_id, tenant_id, channel, problem_type, opened_at)
  VALUES ($1, $2, $3, $4, $5, $6)`;

function summaryParams(eventId: string, tenant: string, data: CaseOpenedV1): unknown[] {
  return [eventId, data.caseId, tenant, data.channel, data.problemType, data.openedAt];
}

async function produce(admin: Admin, topic: string, count: number): Promise<void> {
  const producer = kafka('bench-inbox-seed').producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let offset = 0; offset < count; offset += 1_000) {
      const messages = Array.from({ length: Math.min(1_000, count - offset) }, (_, i) => {
        const caseId = randomUUID();
        const id = randomUUID();
        const data = caseOpened(caseId, offset + i);
        return {
          key: caseId,
          value: JSON.stringify(data),
          headers: {
            ce_specversion: '1.0',
            ce_id: id,
            ce_type: CASE_OPENED_TYPE,
            ce_source: '/aftersales/intake',
            ce_time: data.openedAt,
            ce_subject: caseId,
            'content-type': 'application/json',
            // As the relay sends them: the CloudEvents extensions and, for one version, their deprecated names (ADR 16).
            ce_tenantid: data.tenantId,
            ce_correlationid: id,
            ce_causationid: id,
            tenant: data.tenantId,
            correlation_id: id,
            causation_id: id,
            traceparent: `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`,
          },
        };
      });
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  const stored = (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  if (stored !== count) throw new Error(`topic ${topic} holds ${stored} messages, expected ${count}`);
}

async function processedBy(groupId: string): Promise<number> {
  const metric = await platformMetrics.consumed.get();
  return metric.values
    .filter((v) => v.labels.consumer === groupId && v.labels.outcome === 'processed')
    .reduce((sum, v) => sum + v.value, 0);
}

/** Committed offsets of a group on a topic, summed (-1 = nothing committed for a partition). */
async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<{ committed: number; uncommittedPartitions: number }> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const partitions = offsets?.partitions ?? [];
  return {
    committed: partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0),
    uncommittedPartitions: partitions.filter((p) => Number(p.offset) < 0).length,
  };
}

/** Runs an InboxConsumer on `topic` until it processed `count` events; returns ms from start(). */
async function runInbox(resources: Resources, admin: Admin, pool: Pool, topic: string, count: number, label: string) {
  const consumerName = uniqueName(`bench-${label}`);
  const dlq = dlqTopic(SERVICE, consumerName);
  // The dead-letter topic exists in steady state; create it here so start() does not time a topic creation.
  await createTopics(admin, resources, [dlq], 1);
  const messaging = new KafkaJsClient({ clientId: `bench-${label}`, brokers: BROKERS });
  const handler: InboxHandler = async (event, tx) => {
    await tx.query(INSERT_SUMMARY, summaryParams(event.id, event.tenant, event.data as CaseOpenedV1));
  };
  const inbox = new InboxConsumer({
    service: SERVICE,
    consumer: consumerName,
    topics: [topic],
    groupPrefix: GROUP_PREFIX,
    pool,
    messaging,
    handlerFor: (type) => (type === CASE_OPENED_TYPE ? handler : undefined),
  });
  resources.defer(`consumer group ${inbox.groupId}`, () => deleteGroup(admin, inbox.groupId));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await inbox.stop();
    await messaging.close();
  };
  resources.defer(`inbox consumer ${label}`, stop);
  const started = now();
  await inbox.start();
  while ((await processedBy(inbox.groupId)) < count) await sleep(5);
  const ms = now() - started;
  await stop();
  return { ms, groupId: inbox.groupId };
}

type Kind = 'inbox' | 'raw' | 'raw-tx';

/**
 * Runs a raw kafkajs consumer on `topic` until it inserted `count` rows; returns ms from connect().
 * `raw`: each INSERT in autocommit (the baseline); `raw-tx`: chunks of 100 INSERTs in one transaction each, like the
 * inbox but without inbox rows, validation or tracing (the stricter, informational baseline).
 */
async function runRaw(
  mode: 'raw' | 'raw-tx',
  resources: Resources,
  admin: Admin,
  pool: Pool,
  topic: string,
  count: number,
  label: string,
) {
  const groupId = `${GROUP_PREFIX}${uniqueName(`bench-${label}`)}`;
  resources.defer(`consumer group ${groupId}`, () => deleteGroup(admin, groupId));
  const consumer: Consumer = kafka(`bench-${label}`).consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await consumer.disconnect();
  };
  resources.defer(`raw consumer ${label}`, stop);
  let processed = 0;
  const started = now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: CONCURRENCY,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, isRunning }) => {
      const params = batch.messages.map((m) => {
        const data = JSON.parse(m.value?.toString('utf8') ?? '') as CaseOpenedV1;
        return summaryParams(m.headers?.ce_id?.toString() ?? '', m.headers?.ce_tenantid?.toString() ?? '', data);
      });
      if (mode === 'raw') {
        for (const values of params) {
          if (!isRunning()) return;
          await pool.query(INSERT_SUMMARY, values);
          processed += 1;
        }
      } else {
        for (let i = 0; i < params.length; i += CHUNK) {
          if (!isRunning()) return;
          const chunk = params.slice(i, i + CHUNK);
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            for (const values of chunk) await client.query(INSERT_SUMMARY, values);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          } finally {
            client.release();
          }
          processed += chunk.length;
        }
      }
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary({
        topics: [
          {
            topic: batch.topic,
            partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }],
          },
        ],
      });
    },
  });
  while (processed < count) await sleep(5);
  const ms = now() - started;
  await stop();
  return { ms, groupId };
}

/** One timed run on a fresh database: warm up on `warmTopic`, then consume `topic` with a new group. */
async function measure(
  kind: Kind,
  admin: Admin,
  topics: { warm: string; warmCount: number; main: string; total: number },
): Promise<{ rate: number; committed: number }> {
  const resources = new Resources();
  try {
    const testDb = await createTestDatabase(`bench_inbox_${kind}`);
    resources.defer(`database ${testDb.name}`, () => testDb.drop());
    const db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 10 });
    resources.defer(`${kind} database pool`, () => db.close());
    await db.pool.query(CREATE_SUMMARY);
    const run = (topic: string, count: number, label: string) =>
      kind === 'inbox'
        ? runInbox(resources, admin, db.pool, topic, count, label)
        : runRaw(kind, resources, admin, db.pool, topic, count, label);

    await checkpoint();
    await run(topics.warm, topics.warmCount, `${kind}-warm`);
    const { value, cpu } = await observe(() => run(topics.main, topics.total, kind));
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM case_summary');
    const expected = topics.warmCount + topics.total;
    if (Number(rows[0]?.n) !== expected)
      throw new Error(`${kind}: case_summary holds ${rows[0]?.n} rows, expected ${expected}`);
    const offsets = await committedOffsets(admin, value.groupId, topics.main);
    const r = rate(topics.total, value.ms);
    log(
      `  ${kind.padEnd(6)} ${fmtRate(r).padStart(9)} messages (${topics.total} in ${(value.ms / 1000).toFixed(2)} s from start); ` +
        `Kafka offsets committed ${offsets.committed}/${topics.total}${cpu ? `; ${describeCpu(cpu)}` : ''}`,
    );
    return { rate: r, committed: offsets.committed };
  } finally {
    await resources.release();
  }
}

export async function benchInbox(): Promise<Row[]> {
  const total = scaled(20_000, 1_000);
  const warmCount = Math.max(500, Math.round(total / 20));
  log(`scenario 3: inbox — ${total} messages, 6 partitions, ${CONCURRENCY} partitions concurrently, ${ROUNDS} rounds`);
  const resources = new Resources();
  try {
    const admin = kafka('bench-inbox-admin').admin();
    await admin.connect();
    resources.defer('kafka admin', () => admin.disconnect());
    const warm = uniqueName('bench.inbox-warmup');
    const main = uniqueName('bench.inbox');
    await createTopics(admin, resources, [warm, main]);
    await produce(admin, warm, warmCount);
    await produce(admin, main, total);
    log(`  produced ${total} messages (+${warmCount} for warm-up)`);

    const runs: Record<Kind, number[]> = { inbox: [], raw: [], 'raw-tx': [] };
    let inboxCommitted = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const order: Kind[] = round % 2 === 0 ? ['inbox', 'raw', 'raw-tx'] : ['raw-tx', 'raw', 'inbox'];
      for (const kind of order) {
        const result = await measure(kind, admin, { warm, warmCount, main, total });
        runs[kind].push(result.rate);
        if (kind === 'inbox') inboxCommitted = Math.min(inboxCommitted, result.committed);
      }
    }
    const note =
      inboxCommitted < total
        ? `InboxConsumer left ${total - inboxCommitted} of ${total} Kafka offsets uncommitted (the baseline commits each batch): ` +
          'libs/messaging/src/kafkajs.adapter.ts calls commitOffsetsIfNecessary() without offsets, a no-op with autoCommit: false'
        : undefined;
    return [
      {
        scenario: `inbox consume (${total} msgs) vs raw per-event autocommit`,
        ours: Math.max(...runs.inbox),
        baseline: Math.max(...runs.raw),
        target: 0.5,
        ...(note ? { note } : {}),
      },
      {
        scenario: `  (info) inbox vs raw, 100 INSERTs per transaction`,
        ours: Math.max(...runs.inbox),
        baseline: Math.max(...runs['raw-tx']),
        target: null,
      },
    ];
  } finally {
    await resources.release();
  }
}
