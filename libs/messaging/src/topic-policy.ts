import type { TopicSpec } from './ports';

/**
 * How a service's topics are made: by the service at start (replication, `min.insync.replicas`, retention and
 * compaction from here), or by the cluster's operator (Strimzi `KafkaTopic`s, a managed Kafka's console), in which case
 * the service only checks that they exist, at start and in its readiness probe.
 */
export interface TopicPolicy {
  /** `false` (`KAFKA_CREATE_TOPICS=false`): never create topics; a missing one fails the start and the readiness. */
  readonly create: boolean;
  /** Copies of each partition; `undefined`: the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** Copies a write must reach (`acks=all`); `undefined`: the broker's `min.insync.replicas`. */
  readonly minInsyncReplicas?: number;
  /** `retention.ms` of event topics; `undefined`: the broker's. */
  readonly retentionMs?: number;
  /** `retention.ms` of dead-letter topics (`*.dlq`); `undefined`: the broker's. */
  readonly deadLetterRetentionMs?: number;
  /** Per topic, by exact name: partitions, replicas and topic configs that win over everything above. */
  readonly overrides?: Readonly<Record<string, TopicOverride>>;
}

/** What `KAFKA_TOPIC_CONFIG` may say about one topic. */
export interface TopicOverride {
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** Topic configs by their Kafka name (`retention.ms`, `cleanup.policy`, `min.insync.replicas`, …). */
  readonly config?: Readonly<Record<string, string>>;
}

/** A topic as it is created: the spec's partitions unless overridden, and its configs. */
export interface ResolvedTopic {
  readonly topic: string;
  readonly partitions: number;
  /** -1: the broker's default. */
  readonly replicationFactor: number;
  readonly config: Readonly<Record<string, string>>;
}

/** The broker decides everything (tests, tools): topics are created with the broker's defaults. */
export const BROKER_DEFAULTS: TopicPolicy = { create: true };

/** Topic configs `KAFKA_TOPIC_CONFIG` may set; anything else is refused at start (a typo would be silently ignored). */
export const TOPIC_CONFIG_KEYS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'min.insync.replicas',
  'segment.bytes',
  'segment.ms',
  'max.message.bytes',
  'min.compaction.lag.ms',
  'max.compaction.lag.ms',
  'delete.retention.ms',
  'min.cleanable.dirty.ratio',
  'compression.type',
  'message.timestamp.type',
] as const;

const DAY_MS = 86_400_000;
/** Production defaults: three copies, a write on two of them before it counts. */
export const DEFAULT_REPLICATION_FACTOR = 3;
export const DEFAULT_MIN_INSYNC_REPLICAS = 2;
export const DEFAULT_RETENTION_MS = 7 * DAY_MS;
export const DEFAULT_DLQ_RETENTION_MS = 30 * DAY_MS;

const EXAMPLE_TOPIC_CONFIG = `KAFKA_TOPIC_CONFIG='{"aftersales.intake.events":{"partitions":12,"config":{"retention.ms":"-1"}},"aftersales.surveys.case-register.dlq":{"config":{"cleanup.policy":"compact"}}}'`;

function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number, fallback: number, example: string): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name}=${raw}: expected a whole number ≥ ${min} (e.g. ${name}=${example})`);
  }
  return value;
}

/**
 * The topic policy from the environment, with production defaults (3 replicas, `min.insync.replicas` 2, events kept
 * 7 days, dead letters 30 days); a single-broker development cluster sets `KAFKA_REPLICATION_FACTOR=1` and
 * `KAFKA_MIN_INSYNC_REPLICAS=1` (`npm start` does).
 *
 * - `KAFKA_CREATE_TOPICS` (`true`/`false`), `KAFKA_REPLICATION_FACTOR`, `KAFKA_MIN_INSYNC_REPLICAS`,
 *   `KAFKA_RETENTION_MS`, `KAFKA_DLQ_RETENTION_MS` (-1: forever);
 * - `KAFKA_TOPIC_CONFIG`: JSON, per topic name `{ partitions?, replicationFactor?, config?: { <topic config>: value } }`.
 *
 * @example
 * topicPolicyFromEnv({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '1' });
 * // { create: true, replicationFactor: 1, minInsyncReplicas: 1, retentionMs: 604800000, deadLetterRetentionMs: 2592000000, overrides: {} }
 */
export function topicPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): TopicPolicy {
  const create = env.KAFKA_CREATE_TOPICS?.trim() || 'true';
  if (create !== 'true' && create !== 'false') {
    throw new Error(
      `KAFKA_CREATE_TOPICS=${create}: expected true or false (e.g. KAFKA_CREATE_TOPICS=false when Strimzi KafkaTopics make them)`,
    );
  }
  const replicationFactor = wholeNumber(env, 'KAFKA_REPLICATION_FACTOR', 1, DEFAULT_REPLICATION_FACTOR, '3');
  const minInsyncReplicas = wholeNumber(
    env,
    'KAFKA_MIN_INSYNC_REPLICAS',
    1,
    Math.min(DEFAULT_MIN_INSYNC_REPLICAS, replicationFactor),
    '2',
  );
  if (minInsyncReplicas > replicationFactor) {
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS=${minInsyncReplicas} exceeds KAFKA_REPLICATION_FACTOR=${replicationFactor}: no write could ever succeed (e.g. 3 replicas, 2 in sync)`,
    );
  }
  const retentionMs = wholeNumber(env, 'KAFKA_RETENTION_MS', -1, DEFAULT_RETENTION_MS, String(DEFAULT_RETENTION_MS));
  const deadLetterRetentionMs = wholeNumber(
    env,
    'KAFKA_DLQ_RETENTION_MS',
    -1,
    DEFAULT_DLQ_RETENTION_MS,
    String(DEFAULT_DLQ_RETENTION_MS),
  );
  return {
    create: create === 'true',
    replicationFactor,
    minInsyncReplicas,
    retentionMs,
    deadLetterRetentionMs,
    overrides: parseTopicOverrides(env.KAFKA_TOPIC_CONFIG),
  };
}

/** Parses and checks `KAFKA_TOPIC_CONFIG`; every error carries an example. */
export function parseTopicOverrides(raw: string | undefined): Record<string, TopicOverride> {
  if (!raw?.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return failOverride(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) return failOverride('expected a JSON object of topic names');
  return Object.fromEntries(Object.entries(parsed).map(([topic, value]) => [topic, parseOverride(topic, value)]));
}

function failOverride(why: string): never {
  throw new Error(`KAFKA_TOPIC_CONFIG: ${why}; e.g. ${EXAMPLE_TOPIC_CONFIG}`);
}

function parseOverride(topic: string, value: unknown): TopicOverride {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) failOverride(`"${topic}" is not a Kafka topic name`);
  if (!isObject(value)) return failOverride(`"${topic}" must map to an object`);
  const unknown = Object.keys(value).filter((k) => !['partitions', 'replicationFactor', 'config'].includes(k));
  if (unknown.length) {
    failOverride(`"${topic}" has unknown field(s) ${unknown.join(', ')} (partitions, replicationFactor, config)`);
  }
  const count = (field: 'partitions' | 'replicationFactor') => {
    const v = value[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      failOverride(`"${topic}".${field} must be a whole number ≥ 1`);
    }
    return v as number;
  };
  return {
    partitions: count('partitions'),
    replicationFactor: count('replicationFactor'),
    config: parseTopicConfig(topic, value.config),
  };
}

function parseTopicConfig(topic: string, raw: unknown): Record<string, string> {
  const config: Record<string, string> = {};
  if (raw === undefined) return config;
  if (!isObject(raw)) return failOverride(`"${topic}".config must be an object of topic configs`);
  for (const [key, v] of Object.entries(raw)) {
    if (!(TOPIC_CONFIG_KEYS as readonly string[]).includes(key)) {
      failOverride(`"${topic}".config has "${key}", not one of ${TOPIC_CONFIG_KEYS.join(', ')}`);
    }
    if (typeof v !== 'string' && typeof v !== 'number') failOverride(`"${topic}".config["${key}"] must be a string`);
    config[key] = String(v);
  }
  const policy = config['cleanup.policy'];
  if (policy && !/^(delete|compact|compact,delete|delete,compact)$/.test(policy)) {
    failOverride(`"${topic}".config["cleanup.policy"] must be delete, compact or compact,delete`);
  }
  return config;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dead-letter topics (`aftersales.<service>.<consumer>.dlq`) keep their letters longer than events are kept. */
const isDeadLetterTopic = (topic: string) => topic.endsWith('.dlq');

/**
 * The partitions, replicas and configs `spec` is created with under `policy`: the spec's own values, then the policy's
 * defaults for its kind of topic, then the topic's override.
 */
export function resolveTopic(policy: TopicPolicy, spec: TopicSpec): ResolvedTopic {
  const override = policy.overrides?.[spec.topic];
  const config: Record<string, string> = {};
  if (policy.minInsyncReplicas !== undefined) config['min.insync.replicas'] = String(policy.minInsyncReplicas);
  const retention = isDeadLetterTopic(spec.topic) ? policy.deadLetterRetentionMs : policy.retentionMs;
  if (retention !== undefined) config['retention.ms'] = String(retention);
  Object.assign(config, spec.config ?? {}, override?.config ?? {});
  return {
    topic: spec.topic,
    partitions: override?.partitions ?? spec.partitions ?? 3,
    replicationFactor: override?.replicationFactor ?? spec.replicationFactor ?? policy.replicationFactor ?? -1,
    config,
  };
}

/** Topics that must exist but do not, with what to do about it (`KAFKA_CREATE_TOPICS=false`). */
export class TopicsMissing extends Error {
  constructor(readonly topics: readonly string[]) {
    super(
      `Kafka topic(s) missing: ${topics.join(', ')}. KAFKA_CREATE_TOPICS=false: the cluster's operator creates them ` +
        '(Strimzi KafkaTopics: the Helm chart with kafkaTopics.enabled=true; a managed Kafka: its console or terraform); ' +
        'or let the service create them with KAFKA_CREATE_TOPICS=true',
    );
    this.name = 'TopicsMissing';
  }
}
