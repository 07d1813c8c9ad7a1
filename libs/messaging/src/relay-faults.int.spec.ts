import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CaseOpenedV1 } from '@aftersales/contracts';
import {
  openServiceDatabase,
  PostgresEventStore,
  type EventMetadata,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import {
  createTestDatabase,
  databaseUrl,
  kafkaBrokers,
  readTopicWithKcat,
  uniqueName,
  type KcatMessage,
  type TestDatabase,
} from '@aftersales/testing';
import { KafkaJsClient, OutboxRelay, type IntegrationEventMapper } from './index';

const metadata: EventMetadata = { tenant: 'shop-1', actor: { id: 'agent-1' }, correlationId: 'corr-1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
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

const mapper: IntegrationEventMapper = (e) =>
  e.type === 'Opened' ? { type: CaseOpenedV1.type, subject: (e.data as CaseOpenedV1).caseId, data: e.data } : null;

/**
 * The committed messages of one case on the topic (kcat reads committed transactions only), once `expected` distinct
 * events are there. The store is shared by the tests, and a new relay publishes it from the beginning.
 */
async function readDistinct(
  topic: string,
  caseId: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<KcatMessage[]> {
  return until(
    async () => {
      const messages = await readTopicWithKcat(topic, { count: 1, until: (m) => m.key === caseId, timeoutMs: 5_000 });
      return new Set(messages.map((m) => m.headers.ce_id)).size >= expected ? messages : undefined;
    },
    timeoutMs,
    `${expected} distinct events on ${topic}`,
  );
}

/** The order numbers in which events first appear on the topic (duplicates after their first copy are dropped). */
function firstCopies(messages: readonly KcatMessage[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const m of messages) {
    if (seen.has(m.headers.ce_id ?? '')) continue;
    seen.add(m.headers.ce_id ?? '');
    out.push(Number((JSON.parse(m.payload) as CaseOpenedV1).orderId.slice(4)));
  }
  return out;
}

// CONTEXT: the relay's leadership is a session advisory lock on its own connection. pg_terminate_backend of that
// connection (what a database restart or failover does to it) releases the lock on the server at once.
describe('outbox relay when its leader connection is terminated (real Kafka and Postgres)', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let store: PostgresEventStore;
  let kafka: KafkaJsClient;
  let admin: Client;

  /** Backends of the test database holding a relay's session advisory lock. */
  const leaderBackends = async () =>
    (
      await admin.query<{ pid: number }>(
        `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND a.datname = $1`,
        [testDb.name],
      )
    ).rows.map((r) => r.pid);

  beforeAll(async () => {
    testDb = await createTestDatabase('relay_faults');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, poolSize: 8 });
    store = new PostgresEventStore(db.pool);
    kafka = new KafkaJsClient({ clientId: 'relay-faults-int', brokers: kafkaBrokers() });
    admin = new Client({ connectionString: databaseUrl() });
    await admin.connect();
  });
  afterAll(async () => {
    await kafka.close();
    await db.close();
    await admin.end();
    await testDb.drop();
  });

  const relayFor = (topic: string) =>
    new OutboxRelay({
      service: 'intake',
      topic,
      pool: db.pool,
      messaging: kafka,
      toIntegrationEvent: mapper,
      idleMs: 20,
      standbyMs: 100,
    });

  const append = async (caseId: string, from: number, to: number) => {
    for (let n = from; n <= to; n++) {
      await store.append(`case-${caseId}`, 'any', [
        { id: randomUUID(), type: 'Opened', data: caseOpened(caseId, n), metadata },
      ]);
    }
  };

  it('keeps publishing after its leader connection is terminated: leadership re-taken, every event once in order', async () => {
    const topic = uniqueName('relay-terminated');
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
    const caseId = randomUUID();
    await append(caseId, 1, 10);
    const relay = relayFor(topic);
    relay.start();
    try {
      await readDistinct(topic, caseId, 10);
      const [leader] = await leaderBackends();
      expect(leader).toBeDefined();
      await admin.query('SELECT pg_terminate_backend($1)', [leader]);
      await append(caseId, 11, 20);
      // Terminated twice while it publishes: each time the lock is gone and comes back on a new connection.
      const next = await until(
        async () => (await leaderBackends()).find((pid) => pid !== leader),
        15_000,
        'a new leader connection',
      );
      await admin.query('SELECT pg_terminate_backend($1)', [next]);
      await append(caseId, 21, 30);
      const messages = await readDistinct(topic, caseId, 30);
      expect(firstCopies(messages)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      await until(async () => (relay.isLeader ? true : undefined), 15_000, 'the relay to lead again');
      expect(await leaderBackends()).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it('with two relays, the one whose connection died never publishes after the other took over', async () => {
    const topic = uniqueName('relay-takeover');
    await kafka.ensureTopics([{ topic, partitions: 3 }]);
    const caseId = randomUUID();
    await append(caseId, 1, 10);
    const [a, b] = [relayFor(topic), relayFor(topic)];
    a.start();
    b.start();
    try {
      await readDistinct(topic, caseId, 10);
      for (let round = 0; round < 3; round++) {
        const [leader] = await leaderBackends();
        await admin.query('SELECT pg_terminate_backend($1)', [leader]);
        await append(caseId, 11 + round * 10, 20 + round * 10);
        await until(
          async () => ((await leaderBackends()).some((pid) => pid !== leader) ? true : undefined),
          15_000,
          'a new leader',
        );
        // Never two leaders at once: one lock, one holder, at every look (what the old leader may still have in
        // flight is fenced by the new term's producer: see the last test).
        expect(await leaderBackends()).toHaveLength(1);
        // The old leader notices it lost the lock (its connection's events arrive a little after the termination).
        await until(
          async () => ([a.isLeader, b.isLeader].filter(Boolean).length === 1 ? true : undefined),
          10_000,
          'exactly one relay to consider itself leader',
        );
      }
      const messages = await readDistinct(topic, caseId, 40);
      expect(firstCopies(messages)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('a fenced producer (same transactional id, newer producer) can publish nothing more', async () => {
    const topic = uniqueName('relay-fenced');
    await kafka.ensureTopics([{ topic, partitions: 1 }]);
    const transactionalId = uniqueName('fence-test');
    const message = (n: number) => ({ key: 'k', value: `m-${n}`, headers: { ce_id: `id-${n}` } });
    const old = await kafka.producer({ transactionalId });
    await old.send(topic, [message(1)]);
    const fresh = await kafka.producer({ transactionalId });
    await fresh.send(topic, [message(2)]);
    await expect(old.send(topic, [message(3)])).rejects.toThrow();
    await fresh.send(topic, [message(4)]);
    const messages = await readTopicWithKcat(topic, { count: 1, until: () => true, timeoutMs: 10_000 });
    expect(messages.map((m) => m.payload)).toEqual(['m-1', 'm-2', 'm-4']);
    await old.disconnect();
    await fresh.disconnect();
  });
});
