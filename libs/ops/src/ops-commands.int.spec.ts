import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';
import { openServiceDatabase, PostgresEventStore, type ServiceDatabase } from '@aftersales/eventstore';
import {
  createTestDatabase,
  exactlyOnceProducer,
  kafkaBrokers,
  uniqueName,
  type TestDatabase,
} from '@aftersales/testing';
import { runOps } from './run-ops';

/** Runs an ops command line in this process (as `npm run ops -- …` does): exit code, stdout and stderr lines. */
async function ops(
  args: string[],
  settings: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; out?: string[] } = {},
): Promise<{ code: number; out: string[]; err: string[]; progress: string[] }> {
  const out = settings.out ?? [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runOps(args, {
    brokers: kafkaBrokers(),
    env: settings.env ?? process.env,
    signal: settings.signal,
    io: {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      progress: (line, done) => done && progress.push(line),
    },
  });
  return { code, out, err, progress };
}

const waitFor = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ok()) throw new Error(`gave up waiting for ${what}`);
};

// CONTEXT: the operator commands on the real broker and Postgres, each on topics, groups and databases of its own.
describe('ops commands: events tail, consumer-groups lag, topics describe, audit verify', () => {
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    producer = exactlyOnceProducer(kafka);
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
  });

  const newTopic = async (name: string, partitions = 2) => {
    await createTopicsWithLeaders(admin, [{ topic: name, numPartitions: partitions }]);
    return name;
  };
  const event = (type: string, subject: string, data: unknown, key = subject) => ({
    key,
    value: JSON.stringify(data),
    headers: { ce_id: randomUUID(), ce_type: type, ce_subject: subject, ce_specversion: '1.0', tenant: 'shop-1' },
  });

  describe('events tail --case', () => {
    const caseId = randomUUID();
    let caseTopic: string;
    let otherTopic: string;
    let since: string;

    beforeAll(async () => {
      since = new Date(Date.now() - 1_000).toISOString();
      caseTopic = await newTopic(`aftersales.${uniqueName('tail-cases')}.events`);
      otherTopic = await newTopic(`aftersales.${uniqueName('tail-returns')}.events`);
      await producer.send({
        topic: caseTopic,
        messages: [event('CaseOpened.v1', caseId, { caseId, channel: 'chat' })],
      });
      await producer.send({
        topic: otherTopic,
        messages: [
          event('ReturnRequested.v1', 'ret-1', { returnId: 'ret-1', caseId }),
          event('ReturnRequested.v1', 'ret-2', { returnId: 'ret-2', caseId: randomUUID() }),
        ],
      });
      // The last one as the services' relays publish: in a transaction, so a commit marker takes the offset after it
      // (no message handler sees it; counting messages, the progress bar never reached its total).
      const transactional = exactlyOnceProducer(new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }), {
        transactionalId: uniqueName('ops-tail-relay'),
      });
      await transactional.connect();
      try {
        const transaction = await transactional.transaction();
        await transaction.send({ topic: caseTopic, messages: [event('CaseOpened.v1', 'other', { caseId: 'other' })] });
        await transaction.commit();
      } finally {
        await transactional.disconnect();
      }
    });

    it("lists the case's own events and other services' events about it, across topics", async () => {
      const { code, out, err, progress } = await ops(['events', 'tail', '--case', caseId, '--since', since]);
      expect(code).toBe(0);
      const rows = out.slice(1).map((line) => line.split('\t'));
      expect(rows.map(([, topic, , type, subject]) => [topic, type, subject])).toEqual(
        expect.arrayContaining([
          [caseTopic, 'CaseOpened.v1', caseId],
          [otherTopic, 'ReturnRequested.v1', 'ret-1'],
        ]),
      );
      expect(rows).toHaveLength(2);
      expect(err.join('\n')).toMatch(new RegExp(`2 event\\(s\\) of case ${caseId} among \\d+ read`));
      expect(progress.at(-1)).toMatch(/reading event topics \[#+\] (\d+)\/\1/);
    });

    it('follows the case: a new event shows up until the operator stops it', async () => {
      const stop = new AbortController();
      const out: string[] = [];
      const running = ops(['events', 'tail', '--case', caseId, '--since', since, '--follow', '--json'], {
        signal: stop.signal,
        out,
      });
      await waitFor('the two known events', () => out.length >= 2);
      await producer.send({
        topic: otherTopic,
        messages: [event('CompensationPaid.v1', 'pay-1', { payoutId: 'pay-1', refund: { caseIds: [caseId] } })],
      });
      await waitFor('the new event', () => out.some((line) => line.includes('CompensationPaid.v1')));
      stop.abort();
      const { code } = await running;
      expect(code).toBe(0);
      const followed = out.map((line) => JSON.parse(line) as { type: string; subject: string; data: unknown });
      expect(followed.map((e) => e.type)).toEqual(
        expect.arrayContaining(['CaseOpened.v1', 'ReturnRequested.v1', 'CompensationPaid.v1']),
      );
      expect(followed).toHaveLength(3);
    });

    it('refuses a command line without a case (exit 2)', async () => {
      const { code, err } = await ops(['events', 'tail']);
      expect(code).toBe(2);
      expect(err.join('\n')).toContain('events tail needs --case <case id>');
      expect((await ops(['events', 'tail', '--case', caseId, '--sinse', since])).code).toBe(2);
    });
  });

  describe('consumer-groups lag', () => {
    it("sums each group's lag per topic, per partition on request, and fails above --max-lag", async () => {
      const topic = await newTopic(`aftersales.${uniqueName('lag')}.events`, 2);
      const group = uniqueName('ops-lag-test');
      await producer.send({
        topic,
        messages: [0, 1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: String(i), partition: 0 })),
      });
      await producer.send({ topic, messages: [{ key: 'p1', value: 'x', partition: 1 }] });
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });

      const summed = await ops(['consumer-groups', 'lag', '--prefix', group]);
      expect(summed.code).toBe(0);
      // Partition 0: 5 written, 2 committed → 3; partition 1: nothing committed → its 1 message.
      expect(summed.out).toContain([group, 'Empty', '0', topic, '2', '4'].join('\t'));
      expect(summed.out.at(-1)).toBe('1 group(s), 4 message(s) behind in all');

      const perPartition = await ops(['consumer-groups', 'lag', '--prefix', group, '--partitions']);
      expect(perPartition.out).toEqual(
        expect.arrayContaining([
          [group, 'Empty', '0', topic, '0', '3'].join('\t'),
          [group, 'Empty', '0', topic, '1', '1'].join('\t'),
        ]),
      );

      const over = await ops(['consumer-groups', 'lag', '--prefix', group, '--max-lag', '3']);
      expect(over.code).toBe(1);
      expect(over.err).toContain(`${group} is 4 message(s) behind on ${topic} (more than --max-lag 3)`);
      expect((await ops(['consumer-groups', 'lag', '--prefix', group, '--max-lag', '4'])).code).toBe(0);
      expect((await ops(['consumer-groups', 'lag', '--max-lag', 'lots'])).code).toBe(2);
      await admin.deleteGroups([group]);
    });
  });

  describe('topics describe', () => {
    it('shows partitions, replicas, min.insync.replicas, retention, cleanup and size; an unknown topic fails', async () => {
      const topic = uniqueName('aftersales.describe');
      await createTopicsWithLeaders(admin, [
        {
          topic,
          numPartitions: 3,
          configEntries: [
            { name: 'retention.ms', value: '3600000' },
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.insync.replicas', value: '1' },
          ],
        },
      ]);
      await producer.send({
        topic,
        messages: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
        ],
      });

      const described = await ops(['topics', 'describe', topic]);
      expect(described.code).toBe(0);
      expect(described.out).toContain([topic, 3, 1, 1, 0, 0, 3600000, 'compact', 2].join('\t'));

      const all = await ops(['topics', 'describe']);
      expect(all.out.some((line) => line.startsWith(`${topic}\t`))).toBe(true);

      const missing = await ops(['topics', 'describe', topic, 'aftersales.no-such.events']);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain(`no topic aftersales.no-such.events on ${kafkaBrokers().join(',')}`);
    });
  });

  describe('audit verify', () => {
    let testDb: TestDatabase;
    let db: ServiceDatabase;
    let env: NodeJS.ProcessEnv;
    const streams = { a: `case-${randomUUID()}`, b: `case-${randomUUID()}`, other: `return-${randomUUID()}` };
    const ids: string[] = [];

    beforeAll(async () => {
      testDb = await createTestDatabase('ops_audit');
      db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
      const store = new PostgresEventStore(db.pool);
      for (const stream of Object.values(streams)) {
        for (const n of [1, 2, 3]) {
          const id = randomUUID();
          ids.push(id);
          await store.append(stream, 'any', [
            {
              id,
              type: 'Noted',
              data: { n },
              metadata: { tenant: 'shop-1', actor: { id: 'agent-7' }, correlationId: 'c-1' },
            },
          ]);
        }
      }
      env = { ...process.env, DATABASE_URL: testDb.url };
    });

    afterAll(async () => {
      await db?.close();
      await testDb?.drop();
    });

    const audit = (...args: string[]) =>
      ops(['audit', 'verify', 'intake', '--database', testDb.name, ...args], { env });

    it('verifies every stream of a service store (OK lines, exit 0), or a prefix of them', async () => {
      const all = await audit('--all');
      expect(all.code).toBe(0);
      expect(all.out).toContain(`OK\tintake\t${streams.a}\t3 events, hash chain intact`);
      expect(all.out.at(-1)).toBe('3 stream(s), 9 event(s): 3 OK, 0 TAMPERED, 0 MISSING');
      expect(all.progress.at(-1)).toMatch(/verifying intake \[#+\] 3\/3/);

      const cases = await audit('--all', '--prefix', 'case-');
      expect(cases.out.at(-1)).toBe('2 stream(s), 6 event(s): 2 OK, 0 TAMPERED, 0 MISSING');
    });

    it('names the first tampered event and a named stream without events (exit 1)', async () => {
      const victim = ids[4] as string; // the second event of stream b
      await db.pool.query(`UPDATE es_events SET data = '{"n": 20}' WHERE event_id = $1`, [victim]);
      const unknown = `case-${randomUUID()}`;
      const result = await audit('--stream', streams.a, '--stream', streams.b, '--stream', unknown);
      expect(result.code).toBe(1);
      expect(result.out).toContain(`OK\tintake\t${streams.a}\t3 events, hash chain intact`);
      expect(result.out.find((line) => line.startsWith(`TAMPERED\tintake\t${streams.b}`))).toMatch(
        new RegExp(`first bad event ${victim} \\(version 2, position \\d+\\): stored content does not match its hash`),
      );
      expect(result.out).toContain(`MISSING\tintake\t${unknown}\tno events stored`);
      expect(result.out.at(-1)).toBe('3 stream(s), 6 event(s): 1 OK, 1 TAMPERED, 1 MISSING');
    });

    it('refuses a wrong command line (exit 2) and fails on a service without a database (exit 1)', async () => {
      expect((await ops(['audit', 'verify', 'intake', '--all'], { env: { ...env, DATABASE_URL: '' } })).code).toBe(2);
      expect((await ops(['audit', 'verify', 'nowhere', '--all'], { env })).code).toBe(2);
      expect((await ops(['audit', 'verify', 'intake'], { env })).code).toBe(2);
      const nothing = `absent_${randomUUID().slice(0, 8)}`;
      const absent = await ops(['audit', 'verify', 'intake', '--all', '--database', nothing], { env });
      expect(absent.code).toBe(1);
      expect(absent.err).toContain(`intake: no database ${nothing} on the server of DATABASE_URL`);
    });
  });
});
