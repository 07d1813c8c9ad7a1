import { Kafka, logLevel, ConfigResourceTypes, type Admin } from 'kafkajs';
import { kafkaBrokers, uniqueName } from '@aftersales/testing';
import { KafkaJsClient, TopicsRefused } from './kafkajs.adapter';
import { TopicsMissing, type TopicPolicy } from './topic-policy';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';

// CONTEXT: the real (single-node) broker. Topics are created as the policy says — replicas, min.insync.replicas,
// retention per kind of topic, compaction per topic — and, when the cluster manages its topics, only checked.
describe('topic policy on the broker', () => {
  let admin: Admin;
  const clients: KafkaJsClient[] = [];
  const client = (topics: TopicPolicy) => {
    const c = new KafkaJsClient({ clientId: uniqueName('topics'), brokers: kafkaBrokers(), topics });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await admin.disconnect();
  });

  const configOf = async (topic: string) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
  };

  it('creates event and dead-letter topics with their retention, min.insync.replicas and per-topic compaction', async () => {
    const events = `aftersales.${uniqueName('tp', { separator: '-' })}.events`;
    const compacted = `aftersales.${uniqueName('tp', { separator: '-' })}.events`;
    const dlq = `aftersales.${uniqueName('tp', { separator: '-' })}.projector.dlq`;
    await client({
      create: true,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      retentionMs: 3_600_000,
      deadLetterRetentionMs: 7_200_000,
      overrides: { [compacted]: { partitions: 2, config: { 'cleanup.policy': 'compact', 'retention.ms': '-1' } } },
    }).ensureTopics([
      { topic: events, partitions: 3 },
      { topic: compacted, partitions: 3 },
      { topic: dlq, partitions: 1 },
    ]);

    expect(await configOf(events)).toMatchObject({
      'retention.ms': '3600000',
      'min.insync.replicas': '1',
      'cleanup.policy': 'delete',
    });
    expect(await configOf(dlq)).toMatchObject({ 'retention.ms': '7200000' });
    expect(await configOf(compacted)).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    const { topics } = await admin.fetchTopicMetadata({ topics: [events, compacted] });
    // The broker answers metadata in its own order, not the order asked for.
    const shapes = topics.map((t) => [t.name, t.partitions.length, t.partitions[0]?.replicas.length]);
    expect(shapes).toHaveLength(2);
    expect(shapes).toEqual(
      expect.arrayContaining([
        [events, 3, 1],
        [compacted, 2, 1],
      ]),
    );
  });

  it('refuses more replicas than the cluster has brokers, saying what to set', async () => {
    const topic = `aftersales.${uniqueName('tp', { separator: '-' })}.events`;
    const attempt = client({ create: true, replicationFactor: 3, minInsyncReplicas: 2 }).ensureTopics([
      { topic, partitions: 1 },
    ]);
    await expect(attempt).rejects.toThrow(TopicsRefused);
    await expect(attempt).rejects.toThrow(
      /with 3 replicas: the cluster .* has 1 broker\(s\).*KAFKA_REPLICATION_FACTOR=1/,
    );
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('with topic creation off, creates nothing: names the missing topics until the cluster made them', async () => {
    const managed = client({ create: false });
    const present = `aftersales.${uniqueName('tp', { separator: '-' })}.events`;
    const absent = `aftersales.${uniqueName('tp', { separator: '-' })}.x.dlq`;
    await client({ create: true, replicationFactor: 1 }).ensureTopics([{ topic: present, partitions: 1 }]);

    await expect(managed.ensureTopics([{ topic: present }, { topic: absent }])).rejects.toThrow(TopicsMissing);
    await expect(managed.ensureTopics([{ topic: absent }])).rejects.toThrow(
      new RegExp(`topic\\(s\\) missing: ${absent.replace(/\./g, '\\.')}\\. KAFKA_CREATE_TOPICS=false`),
    );
    expect(await managed.missingTopics([present, absent])).toEqual([absent]);
    expect(await admin.listTopics()).not.toContain(absent);

    await createTopicsWithLeaders(admin, [{ topic: absent, numPartitions: 1 }]);
    await expect(managed.ensureTopics([{ topic: present }, { topic: absent }])).resolves.toBeUndefined();
    expect(await managed.missingTopics([present, absent])).toEqual([]);
  });
});
