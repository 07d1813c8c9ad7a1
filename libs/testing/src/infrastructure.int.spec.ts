import { Kafka, logLevel, type Message } from 'kafkajs';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';
import { Client } from 'pg';
import {
  createTestDatabase,
  DROP_APPLICATION_NAME,
  databaseUrl,
  exactlyOnceProducer,
  kafkaBrokers,
  parseKcatJson,
  readTopicWithKcat,
  redactUrl,
  uniqueName,
} from '@aftersales/testing';

// Jest ignores `testTimeout` inside a `projects` entry, so set it here.
jest.setTimeout(60_000);

describe('@aftersales/testing helpers (real PostgreSQL and Kafka)', () => {
  describe('uniqueName', () => {
    it('is unique, lowercase, sanitised and bounded', () => {
      const a = uniqueName('Returns.Saga Test');
      const b = uniqueName('Returns.Saga Test');
      expect(a).not.toBe(b);
      expect(a).toMatch(/^returns\.saga-test-[a-z0-9]+$/);
      const db = uniqueName('x'.repeat(100), { separator: '_', maxLength: 63 });
      expect(db.length).toBeLessThanOrEqual(63);
      expect(db).toMatch(/^[a-z0-9_]+$/);
    });
  });

  describe('createTestDatabase', () => {
    it('creates a uniquely named database on the DATABASE_URL server and drops it', async () => {
      const db = await createTestDatabase('Testing Lib-Spec');
      expect(db.name).toMatch(/^testing_lib_spec_[a-z0-9]+$/);
      expect(db.name.length).toBeLessThanOrEqual(63);
      expect(new URL(db.url).pathname).toBe(`/${db.name}`);

      // Left connected on purpose: drop() uses WITH (FORCE), so a forgotten pool must not block it.
      const client = new Client({ connectionString: db.url });
      client.on('error', () => undefined); // the forced drop terminates this connection
      await client.connect();
      await client.query('CREATE TABLE probe (id int PRIMARY KEY)');
      await client.query('INSERT INTO probe VALUES (42)');
      const { rows } = await client.query<{ db: string; id: number }>('SELECT current_database() AS db, id FROM probe');
      expect(rows).toEqual([{ db: db.name, id: 42 }]);

      expect(await databaseExists(db.name)).toBe(true);
      await db.drop({ graceMs: 100 });
      expect(await databaseExists(db.name)).toBe(false);
      await expect(db.drop()).resolves.toBeUndefined(); // idempotent
      await client.end().catch(() => undefined);
    });

    // CONTEXT: pg's Pool.end() resolves once it has asked its connections to close, before their sessions are gone.
    // A forced drop at that moment terminated them, and a pool without an `error` listener crashed the process
    // (`npm run bench`, on its own clean-up).
    it('lets a session that is closing go before it drops: no termination reaches its client', async () => {
      const db = await createTestDatabase('testing_drop_grace');
      const client = new Client({ connectionString: db.url });
      const errors: Error[] = [];
      client.on('error', (error) => errors.push(error));
      await client.connect();
      const dropping = db.drop();
      // The client closes only once the drop is under way (its session is in pg_stat_activity).
      const admin = new Client({ connectionString: databaseUrl() });
      await admin.connect();
      try {
        for (;;) {
          const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [
            DROP_APPLICATION_NAME,
          ]);
          if (rows.length > 0) break;
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await admin.end();
      }
      await client.end();
      await dropping;
      expect(errors).toEqual([]);
      expect(await databaseExists(db.name)).toBe(false);
    });

    it('terminates a session still open after the grace period', async () => {
      const db = await createTestDatabase('testing_drop_forced');
      const client = new Client({ connectionString: db.url });
      const errors: Error[] = [];
      client.on('error', (error) => errors.push(error));
      await client.connect();
      await db.drop({ graceMs: 100 });
      expect(await databaseExists(db.name)).toBe(false);
      await client.query('SELECT 1').catch(() => undefined);
      expect(errors.map((e) => e.message)).toContain('terminating connection due to administrator command');
    });

    it('gives a long prefix a name within the 63-character limit', async () => {
      const db = await createTestDatabase('a_very_long_prefix_'.repeat(5));
      try {
        expect(db.name.length).toBeLessThanOrEqual(63);
        expect(await databaseExists(db.name)).toBe(true);
      } finally {
        await db.drop();
      }
    });
  });

  describe('readTopicWithKcat', () => {
    const kafka = new Kafka({ clientId: 'testing-lib-spec', brokers: kafkaBrokers(), logLevel: logLevel.WARN });
    const admin = kafka.admin();

    beforeAll(() => admin.connect());
    afterAll(() => admin.disconnect());

    /** A producer per test: a kafkajs producer keeps asking for metadata of topics it wrote to, even deleted ones. */
    async function produce(topic: string, messages: Message[]): Promise<void> {
      const producer = exactlyOnceProducer(kafka);
      await producer.connect();
      try {
        await producer.send({ topic, messages });
      } finally {
        await producer.disconnect();
      }
    }

    it('reads back messages produced with kafkajs, with key, headers, partition and offset', async () => {
      const topic = uniqueName('testing.kcat');
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
      try {
        await produce(topic, [
          {
            key: 'claim-1',
            value: JSON.stringify({ type: 'ClaimOpened', claimId: 'claim-1' }),
            headers: { 'ce-type': 'ClaimOpened', traceparent: Buffer.from('00-abc-def-01') },
          },
          { key: null, value: 'second' },
        ]);

        const messages = await readTopicWithKcat(topic, { count: 2 });

        expect(messages).toEqual([
          expect.objectContaining({
            topic,
            key: 'claim-1',
            payload: '{"type":"ClaimOpened","claimId":"claim-1"}',
            headers: { 'ce-type': 'ClaimOpened', traceparent: '00-abc-def-01' },
            partition: 0,
            offset: 0,
          }),
          expect.objectContaining({ key: null, payload: 'second', headers: {}, partition: 0, offset: 1 }),
        ]);
        expect(messages[0]!.timestamp).toBeGreaterThan(0);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });

    it('waits for messages that are produced after it started reading', async () => {
      const topic = uniqueName('testing.kcat-late');
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 3 }]);
      try {
        const reading = readTopicWithKcat(topic, { count: 3, timeoutMs: 20_000 });
        reading.catch(() => undefined); // awaited below; avoids an unhandled rejection if produce() throws first
        await new Promise((r) => setTimeout(r, 1_000));
        await produce(
          topic,
          [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: i })),
        );
        const messages = await reading;
        expect(messages.map((m) => `${m.partition}:${m.key}=${m.payload}`).sort()).toEqual([
          '0:k0=v0',
          '1:k1=v1',
          '2:k2=v2',
        ]);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });

    it("with `until`, waits for matching messages among other runs' messages", async () => {
      const topic = uniqueName('testing.kcat-until');
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 2 }]);
      try {
        await produce(topic, [
          { key: 'other-run', value: 'old', partition: 0 },
          { key: 'mine', value: 'first', partition: 1 },
        ]);
        const reading = readTopicWithKcat(topic, { count: 2, until: (m) => m.key === 'mine', timeoutMs: 20_000 });
        reading.catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500));
        await produce(topic, [{ key: 'mine', value: 'second', partition: 0 }]);
        expect((await reading).map((m) => m.payload).sort()).toEqual(['first', 'second']);

        await expect(
          readTopicWithKcat(topic, { count: 1, until: (m) => m.key === 'nobody', timeoutMs: 1_000 }),
        ).rejects.toThrow(`kcat read 0 of 1 matching message(s) (of 3 read) from topic "${topic}"`);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });

    it('with `since`, skips what the topic held before that instant', async () => {
      const topic = uniqueName('testing.kcat-since');
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 2 }]);
      try {
        const now = Date.now();
        await produce(topic, [
          { key: 'earlier-run', value: 'old', partition: 0, timestamp: String(now - 120_000) },
          { key: 'earlier-run', value: 'old', partition: 1, timestamp: String(now - 90_000) },
          { key: 'this-run', value: 'new', partition: 1, timestamp: String(now) },
        ]);
        const read = await readTopicWithKcat(topic, { count: 1, since: now - 60_000, until: () => true });
        expect(read.map((m) => `${m.key}=${m.payload}`)).toEqual(['this-run=new']);
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });

    it('fails with a clear message when fewer messages arrive than expected', async () => {
      const topic = uniqueName('testing.kcat-empty');
      await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
      try {
        await expect(readTopicWithKcat(topic, { count: 1, timeoutMs: 1_500 })).rejects.toThrow(
          `kcat read 0 of 1 message(s) from topic "${topic}"`,
        );
      } finally {
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      }
    });
  });

  describe('environment helpers', () => {
    it('parses kcat -J lines, including the flat header array and tombstones', () => {
      const out =
        '{"topic":"t","partition":1,"offset":7,"tstype":"create","ts":1,"broker":1,"headers":["a","1","b",null],"key":"k","payload":null}\n' +
        '% Reached end of topic t [1] at offset 8\n';
      expect(parseKcatJson(out)).toEqual([
        { topic: 't', partition: 1, offset: 7, timestamp: 1, key: 'k', payload: '', headers: { a: '1', b: '' } },
      ]);
    });

    it('explains what to do when globalSetup did not run', () => {
      const saved = { brokers: process.env.KAFKA_BROKERS, db: process.env.DATABASE_URL };
      try {
        delete process.env.KAFKA_BROKERS;
        delete process.env.DATABASE_URL;
        expect(() => kafkaBrokers()).toThrow(/KAFKA_BROKERS is not set.*globalSetup/);
        expect(() => databaseUrl()).toThrow(/DATABASE_URL is not set.*globalSetup/);
      } finally {
        process.env.KAFKA_BROKERS = saved.brokers;
        process.env.DATABASE_URL = saved.db;
      }
    });

    it('redacts passwords in connection strings', () => {
      expect(redactUrl('postgres://app:s3cr3t@db:5432/x')).toBe('postgres://app:***@db:5432/x');
      expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe(
        'postgres://postgres@127.0.0.1:5432/postgres',
      );
    });
  });
});

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}
