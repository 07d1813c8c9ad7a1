import type { Admin, ITopicConfig } from 'kafkajs';

/**
 * Errors a metadata request answers while a new topic settles: the broker asked has not learnt of the topic yet
 * (KRaft propagates it to each broker's metadata cache a moment after CreateTopics returns), or a partition's leader
 * is still being elected. Both pass; anything else is a real failure.
 */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

export interface CreateTopicsOptions {
  /** How long the broker may take to create the topics and elect every partition's leader (default 30 s). */
  timeoutMs?: number;
}

/**
 * Creates topics and returns once every partition of each has a leader, so the caller can produce and consume at
 * once. Returns false when every topic already existed (as kafkajs does).
 *
 * kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE: a metadata answer of UNKNOWN_TOPIC_OR_PARTITION
 * (the topic not yet in the answering broker's cache, tulios/kafkajs#1222 and #815) makes createTopics throw although
 * the topic was created. Here both count as "not yet", and the wait ends on partition leaders, not on the absence of
 * an error.
 */
export async function createTopicsWithLeaders(
  admin: Admin,
  topics: ITopicConfig[],
  options: CreateTopicsOptions = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const created = await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  await awaitTopicLeaders(admin, topics, timeoutMs);
  return created;
}

async function awaitTopicLeaders(admin: Admin, topics: ITopicConfig[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const names = topics.map((t) => t.topic);
  let waitingFor = 'metadata';
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: names });
      const byName = new Map(described.map((t) => [t.name, t.partitions]));
      const unsettled = topics.filter((t) => {
        const partitions = byName.get(t.topic);
        if (partitions === undefined || partitions.length === 0) return true;
        if (t.numPartitions !== undefined && t.numPartitions > 0 && partitions.length < t.numPartitions) return true;
        return partitions.some((p) => p.leader < 0 || (p.partitionErrorCode ?? 0) !== 0);
      });
      if (unsettled.length === 0) return;
      waitingFor = `leaders of ${unsettled.map((t) => t.topic).join(', ')}`;
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === undefined || !SETTLING.has(type)) throw error;
      waitingFor = `${names.join(', ')} (${type})`;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Kafka created ${names.join(', ')} but ${waitingFor} did not settle within ${timeoutMs} ms; ` +
          'check that every broker of the cluster is up (kafka-metadata-quorum.sh describe --status)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
