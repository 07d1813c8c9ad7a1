import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CaseOpenedV1, type Service } from '@aftersales/contracts';
import {
  commitGeneration,
  openServiceDatabase,
  PostgresEventStore,
  START,
  type EventMetadata,
  type ServiceDatabase,
  type StoredEvent,
} from '@aftersales/eventstore';
import {
  createTestDatabase,
  exactlyOnceProducer,
  kafkaBrokers,
  readTopicWithKcat,
  uniqueName,
  type TestDatabase,
} from '@aftersales/testing';
import {
  InboxConsumer,
  KafkaJsClient,
  OutboxRelay,
  PermanentError,
  integrationEventsByType,
  type ConsumedEvent,
  type IntegrationEventMapper,
} from './index';

const metadata: EventMetadata = { tenant: 'shop-1', actor: { id: 'agent-1' }, correlationId: 'corr-1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

const caseOpened = (caseId: string, n: number): CaseOpenedV1 => ({
  caseId,
  tenantId: 'shop-1',
  channel: 'chat',
  orderId: `ORD-${n}`,
  customerId: 'cus-1',
  problemType: 'quality',
  description: `event ${n}`,
  evidence: [],
  openedAt: new Date().toISOString(),
});

/** Stored events of type `Opened` carry a CaseOpened v1 payload as is. */
const mapper: IntegrationEventMapper = (e) =>
  e.type === 'Opened' ? { type: CaseOpenedV1.type, subject: (e.data as CaseOpenedV1).caseId, data: e.data } : null;

describe('outbox relay and inbox consumer on real Kafka and Postgres', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let store: PostgresEventStore;
  let kafka: KafkaJsClient;

  beforeAll(async () => {
    testDb = await createTestDatabase('messaging');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 12 });
    await db.pool.query('CREATE TABLE effects (event_id text PRIMARY KEY, n int NOT NULL)');
    store = new PostgresEventStore(db.pool);
    kafka = new KafkaJsClient({ clientId: 'messaging-int', brokers: kafkaBrokers() });
  });
  afterAll(async () => {
    await kafka.close();
    await db.close();
    await testDb.drop();
  });

  const relayFor = (topic: string) =>
    new OutboxRelay({
      service: 'intake',
      topic,
      pool: db.pool,
      messaging: kafka,
      toIntegrationEvent: mapper,
      idleMs: 10,
      standbyMs: 100,
    });

  it('one relay leads; it publishes every event in order, resumes after a restart, and skips internal events', async () => {
    const topic = uniqueName('relay-test');
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
    const caseId = randomUUID();
    const stream = `case-${caseId}`;
    for (let n = 1; n <= 20; n++) {
      await store.append(stream, n - 1 === 0 ? 'no_stream' : n - 1, [
        { id: randomUUID(), type: n % 5 === 0 ? 'InternalNote' : 'Opened', data: caseOpened(caseId, n), metadata },
      ]);
    }

    const [a, b] = [relayFor(topic), relayFor(topic)];
    a.start();
    b.start();
    await until(async () => ((await a.checkpoint()).position > 0n ? true : undefined));
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const leader = a.isLeader ? a : b;
    const standby = a.isLeader ? b : a;

    // The leader stops (a deploy); the standby takes over and publishes what is appended meanwhile.
    await leader.stop();
    for (let n = 21; n <= 24; n++) {
      await store.append(stream, 'any', [{ id: randomUUID(), type: 'Opened', data: caseOpened(caseId, n), metadata }]);
    }
    await until(async () => (standby.isLeader ? true : undefined));
    const messages = await readTopicWithKcat(topic, { count: 20, timeoutMs: 30_000 });
    await standby.stop();

    // 24 appended, 4 internal (n = 5, 10, 15, 20) never published: 20 messages, all on one partition, in order.
    const orders = messages.map((m) => (JSON.parse(m.payload) as CaseOpenedV1).orderId);
    expect(orders).toEqual(
      [1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13, 14, 16, 17, 18, 19, 21, 22, 23, 24].map((n) => `ORD-${n}`),
    );
    expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    expect(messages.every((m) => m.key === caseId && m.headers.ce_subject === caseId)).toBe(true);
  });

  it('with a mapper by type, the relay reads only the payloads it publishes and moves past the others (ADR 36)', async () => {
    const topic = uniqueName('relay-typed');
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    const fresh = await createTestDatabase('messaging_typed');
    const freshDb = await openServiceDatabase({ serverUrl: fresh.url, database: fresh.name });
    try {
      const freshStore = new PostgresEventStore(freshDb.pool);
      const caseId = randomUUID();
      // Ten events: 'Opened' at n = 1, 4, 7 (published), internal 'Scanned' ones between and after them, so the
      // batch ends on three events the relay must move past without publishing anything.
      const types = (n: number) => (n % 3 === 1 && n < 10 ? 'Opened' : 'Scanned');
      for (let n = 1; n <= 10; n++) {
        await freshStore.append(`case-${caseId}`, n === 1 ? 'no_stream' : n - 1, [
          { id: randomUUID(), type: types(n), data: caseOpened(caseId, n), metadata },
        ]);
      }
      const typed = integrationEventsByType({
        Opened: (e) => ({ type: CaseOpenedV1.type, subject: (e.data as CaseOpenedV1).caseId, data: e.data }),
      });
      expect(typed.publishes).toEqual(['Opened']);
      expect(typed({ type: 'Scanned' } as StoredEvent)).toBeNull();
      // Every event the relay hands the mapper is seen: a relay that read them all would hand it the internal ones.
      const seen: string[] = [];
      const counting = Object.assign(
        (e: StoredEvent) => {
          seen.push(e.type);
          return typed(e);
        },
        { publishes: typed.publishes },
      );
      const relay = new OutboxRelay({
        service: 'intake',
        topic,
        pool: freshDb.pool,
        messaging: kafka,
        toIntegrationEvent: counting,
        idleMs: 10,
        checkpointEveryMs: 0,
      });
      relay.start();
      const last = (await freshStore.readAll(START)).at(-1)!;
      await until(async () => ((await relay.checkpoint()).position === last.position ? true : undefined));
      const messages = await readTopicWithKcat(topic, { count: 3, timeoutMs: 30_000 });
      await relay.stop();
      expect(messages.map((m) => (JSON.parse(m.payload) as CaseOpenedV1).orderId)).toEqual(['ORD-1', 'ORD-4', 'ORD-7']);
      // The mapper saw only its type: the internal events were passed by their position, their payloads unread.
      expect(seen).toEqual(['Opened', 'Opened', 'Opened']);
      const read = await freshStore.readAllOf(START, ['Opened'], 4);
      expect(read.read).toBe(4);
      expect(read.events.map((e) => (e.data as CaseOpenedV1).orderId)).toEqual(['ORD-1', 'ORD-4']);
      expect(read.through?.position).toBe((await freshStore.readAll(START, 4)).at(-1)!.position);
    } finally {
      await freshDb.close();
      await fresh.drop();
    }
  });

  it('the relay refuses to publish an event that breaks its contract, and publishes nothing past it', async () => {
    const topic = uniqueName('relay-invalid');
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    const fresh = await createTestDatabase('messaging_invalid');
    const freshDb = await openServiceDatabase({ serverUrl: fresh.url, database: fresh.name });
    try {
      const freshStore = new PostgresEventStore(freshDb.pool);
      await freshStore.append('case-x', 'no_stream', [
        { id: randomUUID(), type: 'Opened', data: { caseId: 'not-a-uuid' }, metadata },
      ]);
      const relay = new OutboxRelay({
        service: 'intake',
        topic,
        pool: freshDb.pool,
        messaging: kafka,
        toIntegrationEvent: mapper,
      });
      relay.start();
      const failure = await until(async () => (relay.lastError ? relay.lastError : undefined));
      await relay.stop();
      expect(failure).toMatchObject({ code: 'MESSAGING.CONTRACT_VIOLATION' });
      expect((await relay.checkpoint()).position).toBe(0n);
    } finally {
      await freshDb.close();
      await fresh.drop();
    }
  });

  describe('inbox consumer', () => {
    const headersFor = (id: string, extensions: Record<string, string> = { ce_tenantid: 'shop-1' }) => ({
      ce_specversion: '1.0',
      ce_id: id,
      ce_type: CaseOpenedV1.type,
      ce_source: '/aftersales/intake',
      'content-type': 'application/json',
      ...extensions,
    });

    async function produce(topic: string, ids: string[], extensions?: Record<string, string>) {
      const producer = exactlyOnceProducer(new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }));
      await producer.connect();
      await producer.send({
        topic,
        messages: ids.map((id, n) => ({
          key: 'k',
          value: JSON.stringify(caseOpened(randomUUID(), n)),
          headers: headersFor(id, extensions),
        })),
      });
      await producer.disconnect();
    }

    it('reads the extensions under their CloudEvents names and, for one version, under the deprecated names (ADR 16)', async () => {
      const topic = uniqueName('inbox-extensions');
      await kafka.ensureTopics([{ topic, partitions: 1 }]);
      const [current, legacy] = [randomUUID(), randomUUID()];
      await produce(topic, [current], {
        ce_tenantid: 'shop-1',
        ce_correlationid: 'corr-new',
        ce_causationid: 'cause-new',
      });
      // What a producer of contracts 0.1 sent, and what a dead letter of that time still carries when redriven.
      await produce(topic, [legacy], { tenant: 'shop-1', correlation_id: 'corr-old', causation_id: 'cause-old' });
      const seen = new Map<string, ConsumedEvent>();
      const inbox = new InboxConsumer({
        service: 'surveys' as Service,
        consumer: uniqueName('extensions'),
        topics: [topic],
        pool: db.pool,
        messaging: kafka,
        handlerFor: () => async (event: ConsumedEvent) => void seen.set(event.id, event),
      });
      await inbox.start();
      try {
        await until(async () => (seen.size === 2 ? true : undefined));
      } finally {
        await inbox.stop();
      }
      expect(seen.get(current)).toMatchObject({
        tenant: 'shop-1',
        correlationId: 'corr-new',
        causationId: 'cause-new',
      });
      expect(seen.get(legacy)).toMatchObject({ tenant: 'shop-1', correlationId: 'corr-old', causationId: 'cause-old' });
    });

    it('retries transient failures with backoff, dead-letters permanent ones, and applies the rest exactly once', async () => {
      const topic = uniqueName('inbox-test');
      const consumerName = uniqueName('effects');
      await kafka.ensureTopics([{ topic, partitions: 1 }]);
      const [transient, permanent, ok1, ok2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await produce(topic, [transient, permanent, ok1, ok2, ok1 /* redelivered */]);

      let transientFailures = 0;
      const inbox = new InboxConsumer({
        service: 'surveys' as Service,
        consumer: consumerName,
        topics: [topic],
        pool: db.pool,
        messaging: kafka,
        maxBackoffMs: 200,
        handlerFor: () => async (event: ConsumedEvent, tx) => {
          if (event.id === transient && transientFailures < 2) {
            transientFailures += 1;
            throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
          }
          if (event.id === permanent) throw new PermanentError('CASE.RULE', 'this event breaks a rule');
          await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, 1)', [event.id]);
        },
      });
      await inbox.start();
      try {
        await until(async () => {
          const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM effects WHERE event_id = ANY($1)', [
            [transient, ok1, ok2],
          ]);
          return rows[0].n === 3 ? true : undefined;
        });
        const dead = await readTopicWithKcat(inbox.deadLetterTopic, {
          count: 1,
          until: (m) => m.headers.ce_id === permanent,
        });
        expect(dead[0]?.headers).toMatchObject({ dlq_error_code: 'HANDLER_REJECTED', dlq_source_topic: topic });
        expect(dead[0]?.headers.dlq_reason).toContain('this event breaks a rule');
      } finally {
        await inbox.stop();
      }
      expect(transientFailures).toBe(2);
      const { rows } = await db.pool.query('SELECT event_id FROM effects WHERE event_id = ANY($1)', [
        [transient, permanent, ok1, ok2],
      ]);
      expect(rows.map((r) => r.event_id).sort()).toEqual([transient, ok1, ok2].sort());
    });

    // CONTEXT: every inbox commit used to wake the relay, so a consumer that only writes a projection (intake's case
    // timeline) sent it polling for nothing, once per chunk: about a tenth of intake's statements in bench:returns.
    it('wakes the event pollers after a chunk that stored events, not after one that only wrote a projection', async () => {
      const topic = uniqueName('inbox-wakes');
      await kafka.ensureTopics([{ topic, partitions: 1 }]);
      const [projected, appended] = [randomUUID(), randomUUID()];
      const wakes = new Map<string, number>();
      const inbox = new InboxConsumer({
        service: 'surveys' as Service,
        consumer: uniqueName('wakes'),
        topics: [topic],
        pool: db.pool,
        messaging: kafka,
        handlerFor: () => async (event: ConsumedEvent, tx) => {
          if (event.id === appended)
            await store.append(
              `wakes-${event.id}`,
              'no_stream',
              [{ id: randomUUID(), type: 'Noted', data: {}, metadata }],
              tx,
            );
          else await tx.query('INSERT INTO effects (event_id, n) VALUES ($1, 1)', [event.id]);
        },
      });
      await inbox.start();
      try {
        // One at a time, each in a chunk of its own: the events channel's generation before and after its commit.
        let before = commitGeneration('events');
        await produce(topic, [projected]);
        await until(async () => {
          const { rows } = await db.pool.query('SELECT 1 FROM effects WHERE event_id = $1', [projected]);
          return rows.length === 1 ? true : undefined;
        });
        // Its commit is seen from here before the consumer has read the answer to its COMMIT: give it that time.
        await sleep(300);
        wakes.set(projected, commitGeneration('events') - before);
        before = commitGeneration('events');
        await produce(topic, [appended]);
        await until(async () => (commitGeneration('events') > before ? true : undefined));
        wakes.set(appended, commitGeneration('events') - before);
      } finally {
        await inbox.stop();
      }
      expect(await store.readStream(`wakes-${appended}`)).toHaveLength(1);
      expect(wakes.get(projected)).toBe(0);
      expect(wakes.get(appended)).toBe(1);
    });

    it('after a restart, a redelivered batch has no second effect', async () => {
      const topic = uniqueName('inbox-restart');
      const consumerName = uniqueName('counter');
      await kafka.ensureTopics([{ topic, partitions: 1 }]);
      await db.pool.query('CREATE TABLE IF NOT EXISTS counters (name text PRIMARY KEY, n int NOT NULL)');
      const ids = Array.from({ length: 10 }, () => randomUUID());
      await produce(topic, ids);
      const make = () =>
        new InboxConsumer({
          service: 'surveys' as Service,
          consumer: consumerName,
          topics: [topic],
          pool: db.pool,
          messaging: kafka,
          handlerFor: () => async (_event: ConsumedEvent, tx) => {
            await tx.query(
              `INSERT INTO counters (name, n) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET n = counters.n + 1`,
              [consumerName],
            );
          },
        });
      const count = async () =>
        (await db.pool.query('SELECT n FROM counters WHERE name = $1', [consumerName])).rows[0]?.n as
          number | undefined;

      const first = make();
      await first.start();
      await until(async () => ((await count()) === 10 ? true : undefined));
      // The offsets are committed after the inbox transaction, so a restart resumes where it stopped.
      const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const committedOffset = (groupId: string, offset: string) =>
        until(async () => {
          const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return offsets?.partitions[0]?.offset === offset ? offset : undefined;
        });
      try {
        expect(await committedOffset(first.groupId, '10')).toBe('10');
        await first.stop();
        // CONTEXT: a crash between the inbox commit and the offset commit redelivers; simulate it by
        // replaying the same events to the topic and starting a new instance of the consumer.
        await produce(topic, ids);
        const second = make();
        await second.start();
        try {
          // Wait until the new instance has taken the whole redelivered batch (its offsets are committed after its
          // inbox transaction), not a fixed time a loaded machine may not give it.
          expect(await committedOffset(second.groupId, '20')).toBe('20');
        } finally {
          await second.stop();
        }
      } finally {
        await admin.disconnect();
      }
      expect(await count()).toBe(10);
    });
  });
});
