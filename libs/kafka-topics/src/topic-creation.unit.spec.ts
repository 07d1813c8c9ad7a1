import type { Admin, ITopicConfig, PartitionMetadata } from 'kafkajs';
import { createTopicsWithLeaders } from './topic-creation';

/** kafkajs's protocol errors carry their Kafka error name as `type`. */
function protocolError(type: string): Error {
  return Object.assign(new Error(`metadata answered ${type}`), { type });
}

function partition(partitionId: number, leader: number): PartitionMetadata {
  return { partitionErrorCode: 0, partitionId, leader, replicas: [1], isr: [1], offlineReplicas: [] };
}

/** An admin whose metadata answers are scripted, one per call; the last repeats. */
function scriptedAdmin(answers: Array<Error | Record<string, PartitionMetadata[]>>, created = true) {
  const calls = { createTopics: [] as unknown[], fetchTopicMetadata: 0 };
  const admin = {
    createTopics: (options: unknown) => {
      calls.createTopics.push(options);
      return Promise.resolve(created);
    },
    fetchTopicMetadata: () => {
      const answer = answers[Math.min(calls.fetchTopicMetadata, answers.length - 1)]!;
      calls.fetchTopicMetadata += 1;
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({
        topics: Object.entries(answer).map(([name, partitions]) => ({ name, partitions })),
      });
    },
  } as unknown as Admin;
  return { admin, calls };
}

const topics: ITopicConfig[] = [{ topic: 'returns.events', numPartitions: 2 }];

describe('createTopicsWithLeaders', () => {
  it('waits through UNKNOWN_TOPIC_OR_PARTITION and LEADER_NOT_AVAILABLE until every partition has a leader', async () => {
    // The answers a KRaft broker gives right after CreateTopics: kafkajs's waitForLeaders throws on the first.
    const { admin, calls } = scriptedAdmin([
      protocolError('UNKNOWN_TOPIC_OR_PARTITION'),
      protocolError('LEADER_NOT_AVAILABLE'),
      { 'returns.events': [partition(0, 1)] }, // one of two partitions known so far
      { 'returns.events': [partition(0, 1), partition(1, -1)] }, // the second without a leader
      { 'returns.events': [partition(0, 1), partition(1, 1)] },
    ]);

    await expect(createTopicsWithLeaders(admin, topics)).resolves.toBe(true);

    expect(calls.fetchTopicMetadata).toBe(5);
    expect(calls.createTopics).toEqual([{ topics, waitForLeaders: false, timeout: 30_000 }]);
  });

  it('reports topics that already existed as kafkajs does (false) once their leaders answer', async () => {
    const { admin } = scriptedAdmin([{ 'returns.events': [partition(0, 1), partition(1, 1)] }], false);
    await expect(createTopicsWithLeaders(admin, topics)).resolves.toBe(false);
  });

  it('rethrows any other error at once', async () => {
    const { admin, calls } = scriptedAdmin([protocolError('TOPIC_AUTHORIZATION_FAILED')]);
    await expect(createTopicsWithLeaders(admin, topics)).rejects.toThrow(
      'metadata answered TOPIC_AUTHORIZATION_FAILED',
    );
    expect(calls.fetchTopicMetadata).toBe(1);
  });

  it('gives up after the timeout, naming what did not settle and what to check', async () => {
    const { admin } = scriptedAdmin([{ 'returns.events': [partition(0, 1), partition(1, -1)] }]);
    await expect(createTopicsWithLeaders(admin, topics, { timeoutMs: 250 })).rejects.toThrow(
      /created returns\.events but leaders of returns\.events did not settle within 250 ms; check that every broker/,
    );
  });
});
