import { ConfigResourceTypes } from 'kafkajs';
import { kafkaOf } from './kafka';

/** How far one consumer group is behind on one topic (its partitions summed). */
export interface GroupLag {
  readonly group: string;
  /** The group's state: Stable (consuming), Empty (no member), PreparingRebalance, … */
  readonly state: string;
  readonly members: number;
  readonly topic: string;
  readonly partitions: ReadonlyArray<{
    readonly partition: number;
    /** Committed offset; `null` when the group has committed none there. */
    readonly committed: number | null;
    readonly end: number;
    readonly lag: number;
  }>;
  readonly lag: number;
}

/** Groups the ops commands make for themselves (reads that commit nothing). */
const OPS_GROUP = /^ops\./;

/**
 * The lag of the consumer groups (all, or those whose id starts with `prefix`): per group and topic, the messages
 * between each partition's committed offset and its end. A partition without a commit counts from its first retained
 * message (what a group starting from the beginning still has to read).
 */
export async function consumerGroupLag(
  brokers: readonly string[],
  options: { prefix?: string; env?: NodeJS.ProcessEnv; onProgress?: (done: number, total: number) => void } = {},
): Promise<GroupLag[]> {
  const admin = kafkaOf(brokers, options.env).admin();
  await admin.connect();
  try {
    const groupIds = (await admin.listGroups()).groups
      .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
      .map((g) => g.groupId)
      .filter((id) => !OPS_GROUP.test(id) && id.startsWith(options.prefix ?? ''))
      .sort();
    if (groupIds.length === 0) return [];
    const described = new Map((await admin.describeGroups(groupIds)).groups.map((g) => [g.groupId, g]));
    const ends = new Map<string, Map<number, { low: number; high: number }>>();
    const endsOf = async (topic: string) => {
      let known = ends.get(topic);
      if (!known) {
        known = new Map(
          (await admin.fetchTopicOffsets(topic)).map((p) => [
            p.partition,
            { low: Number(p.low), high: Number(p.high) },
          ]),
        );
        ends.set(topic, known);
      }
      return known;
    };
    const out: GroupLag[] = [];
    for (const [index, group] of groupIds.entries()) {
      const info = described.get(group);
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
        const topicEnds = await endsOf(topic);
        const rows = [...topicEnds].map(([partition, { low, high }]) => {
          const raw = Number(partitions.find((p) => p.partition === partition)?.offset ?? -1);
          const committed = raw >= 0 ? raw : null;
          return { partition, committed, end: high, lag: Math.max(0, high - (committed ?? low)) };
        });
        out.push({
          group,
          state: info?.state ?? 'Unknown',
          members: info?.members.length ?? 0,
          topic,
          partitions: rows.sort((a, b) => a.partition - b.partition),
          lag: rows.reduce((sum, r) => sum + r.lag, 0),
        });
      }
      options.onProgress?.(index + 1, groupIds.length);
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** A topic as the cluster holds it. */
export interface TopicDescription {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Partitions whose in-sync replicas are fewer than their replicas. */
  readonly underReplicated: number;
  /** Partitions without a leader (unavailable). */
  readonly offline: number;
  readonly minInsyncReplicas: string | null;
  readonly retentionMs: string | null;
  readonly cleanupPolicy: string | null;
  /** Messages retained (high minus low watermark, all partitions). */
  readonly messages: number;
}

/** The platform's topics (`aftersales.*`), or the named ones: partitions, replicas, health, configs, size. */
export async function describeTopics(
  brokers: readonly string[],
  names: readonly string[] = [],
  env?: NodeJS.ProcessEnv,
): Promise<{ topics: TopicDescription[]; unknown: string[] }> {
  const admin = kafkaOf(brokers, env).admin();
  await admin.connect();
  try {
    const all = await admin.listTopics();
    const unknown = names.filter((n) => !all.includes(n));
    const wanted = (
      names.length ? names.filter((n) => all.includes(n)) : all.filter((t) => t.startsWith('aftersales.'))
    )
      .slice()
      .sort();
    if (wanted.length === 0) return { topics: [], unknown };
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics: wanted });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: wanted.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    const configs = new Map(
      resources.map((r) => [r.resourceName, new Map(r.configEntries.map((e) => [e.configName, e.configValue]))]),
    );
    const topics: TopicDescription[] = [];
    for (const topic of wanted) {
      const meta = metadata.find((m) => m.name === topic);
      const partitions = meta?.partitions ?? [];
      const offsets = await admin.fetchTopicOffsets(topic);
      const config = configs.get(topic);
      topics.push({
        topic,
        partitions: partitions.length,
        replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
        underReplicated: partitions.filter((p) => p.isr.length < p.replicas.length).length,
        offline: partitions.filter((p) => p.leader < 0).length,
        minInsyncReplicas: config?.get('min.insync.replicas') ?? null,
        retentionMs: config?.get('retention.ms') ?? null,
        cleanupPolicy: config?.get('cleanup.policy') ?? null,
        messages: offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
      });
    }
    return { topics, unknown };
  } finally {
    await admin.disconnect();
  }
}
