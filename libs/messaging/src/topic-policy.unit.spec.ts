import { resolveTopic, topicPolicyFromEnv } from './topic-policy';

describe('topicPolicyFromEnv', () => {
  it('defaults to production: topics created with 3 replicas, 2 in sync, events 7 days, dead letters 30 days', () => {
    expect(topicPolicyFromEnv({})).toEqual({
      create: true,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      retentionMs: 604_800_000,
      deadLetterRetentionMs: 2_592_000_000,
      overrides: {},
    });
  });

  it('takes a single-broker development cluster (1 replica, 1 in sync) and topics managed by the cluster', () => {
    expect(topicPolicyFromEnv({ KAFKA_REPLICATION_FACTOR: '1' })).toMatchObject({
      replicationFactor: 1,
      minInsyncReplicas: 1,
    });
    expect(topicPolicyFromEnv({ KAFKA_CREATE_TOPICS: 'false' }).create).toBe(false);
  });

  it('refuses settings no cluster could honour, with an example', () => {
    expect(() => topicPolicyFromEnv({ KAFKA_REPLICATION_FACTOR: '0' })).toThrow(
      /KAFKA_REPLICATION_FACTOR=0: expected a whole number ≥ 1 \(e\.g\. KAFKA_REPLICATION_FACTOR=3\)/,
    );
    expect(() => topicPolicyFromEnv({ KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' })).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS=3 exceeds KAFKA_REPLICATION_FACTOR=2/,
    );
    expect(() => topicPolicyFromEnv({ KAFKA_CREATE_TOPICS: 'no' })).toThrow(/expected true or false/);
    expect(() => topicPolicyFromEnv({ KAFKA_RETENTION_MS: '1.5' })).toThrow(/KAFKA_RETENTION_MS=1\.5/);
  });

  it('reads per-topic overrides from KAFKA_TOPIC_CONFIG and refuses unknown configs with an example', () => {
    const policy = topicPolicyFromEnv({
      KAFKA_TOPIC_CONFIG: JSON.stringify({
        'aftersales.intake.events': { partitions: 12, config: { 'retention.ms': '-1' } },
        'aftersales.surveys.case-register.dlq': { config: { 'cleanup.policy': 'compact' } },
      }),
    });
    expect(policy.overrides).toEqual({
      'aftersales.intake.events': { partitions: 12, replicationFactor: undefined, config: { 'retention.ms': '-1' } },
      'aftersales.surveys.case-register.dlq': {
        partitions: undefined,
        replicationFactor: undefined,
        config: { 'cleanup.policy': 'compact' },
      },
    });
    expect(() => topicPolicyFromEnv({ KAFKA_TOPIC_CONFIG: '{"t":{"config":{"retention.hours":"1"}}}' })).toThrow(
      /"t"\.config has "retention\.hours", not one of .*; e\.g\. KAFKA_TOPIC_CONFIG='\{/,
    );
    expect(() => topicPolicyFromEnv({ KAFKA_TOPIC_CONFIG: 'retention=1' })).toThrow(/KAFKA_TOPIC_CONFIG: not JSON/);
    expect(() => topicPolicyFromEnv({ KAFKA_TOPIC_CONFIG: '{"t":{"partitions":0}}' })).toThrow(/partitions must be/);
    expect(() => topicPolicyFromEnv({ KAFKA_TOPIC_CONFIG: '{"t":{"config":{"cleanup.policy":"forever"}}}' })).toThrow(
      /cleanup\.policy"\] must be delete, compact/,
    );
  });
});

describe('resolveTopic', () => {
  const policy = topicPolicyFromEnv({
    KAFKA_TOPIC_CONFIG: JSON.stringify({
      'aftersales.intake.events': { replicationFactor: 5, config: { 'cleanup.policy': 'compact' } },
    }),
  });

  it('gives event and dead-letter topics their own retention, and the override the last word', () => {
    expect(resolveTopic(policy, { topic: 'aftersales.surveys.events', partitions: 6 })).toEqual({
      topic: 'aftersales.surveys.events',
      partitions: 6,
      replicationFactor: 3,
      config: { 'min.insync.replicas': '2', 'retention.ms': '604800000' },
    });
    expect(resolveTopic(policy, { topic: 'aftersales.surveys.case-register.dlq', partitions: 1 }).config).toEqual({
      'min.insync.replicas': '2',
      'retention.ms': '2592000000',
    });
    expect(resolveTopic(policy, { topic: 'aftersales.intake.events', partitions: 6 })).toMatchObject({
      replicationFactor: 5,
      config: { 'cleanup.policy': 'compact', 'retention.ms': '604800000' },
    });
  });

  it('leaves everything to the broker without a policy', () => {
    expect(resolveTopic({ create: true }, { topic: 't' })).toEqual({
      topic: 't',
      partitions: 3,
      replicationFactor: -1,
      config: {},
    });
  });
});
