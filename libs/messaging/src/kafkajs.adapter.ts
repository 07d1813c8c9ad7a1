import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type IHeaders,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from '@aftersales/observability';
import { kafkaAccessRefused, kafkaSecurityFromEnv, type KafkaSecurity } from './kafka-security';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';
import { BROKER_DEFAULTS, resolveTopic, TopicsMissing, type TopicPolicy } from './topic-policy';
import type {
  ConsumerSubscription,
  IncomingMessage,
  MessageConsumer,
  MessageProducer,
  MessagingClient,
  OutgoingMessage,
  PartitionLag,
  ProducerOptions,
  TopicSpec,
} from './ports';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) out[k] = value.toString();
  }
  return out;
}

const toRecords = (messages: readonly OutgoingMessage[]) =>
  messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } }));

class KafkaJsProducer implements MessageProducer {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, acks: -1, messages: toRecords(messages) });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Each send is one transaction: a producer fenced by a newer one with the same transactional id can publish nothing. */
class KafkaJsTransactionalProducer implements MessageProducer {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const transaction = await this.producer.transaction();
    try {
      await transaction.send({ topic, acks: -1, messages: toRecords(messages) });
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/**
 * A consumer that outlives broker crashes. kafkajs restarts a consumer itself after a retriable failure (the broker
 * went away and its retries ran out); after a failure it judges not retriable it emits `crash` with `restart: false`
 * and stays stopped, which left a service running without consuming. This adapter then replaces the kafkajs consumer
 * with a new one (same group, same handler) after a backoff, until it is disconnected. Offsets are committed only
 * after a batch was handled, so a restart redelivers at most the batches in progress; the inbox absorbs them.
 */
class KafkaJsConsumer implements MessageConsumer {
  private readonly lagByPartition = new Map<string, number>();
  private consumer: Consumer;
  private subscription: ConsumerSubscription | undefined;
  private stopped = false;
  private replacing: Promise<void> | null = null;

  constructor(
    private readonly create: () => Consumer,
    private readonly logger?: Logger,
  ) {
    this.consumer = this.watched(create());
  }

  async connect(): Promise<void> {
    await this.consumer.connect();
  }

  async run(subscription: ConsumerSubscription): Promise<void> {
    this.subscription = subscription;
    await this.start(this.consumer, subscription);
  }

  private watched(consumer: Consumer): Consumer {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const { error, restart } = payload as { error: Error; restart: boolean };
      this.logger?.warn({ err: error, groupId: payload.groupId, restart }, 'Kafka consumer crashed');
      if (!restart && !this.stopped && consumer === this.consumer) this.replacing ??= this.replace();
    });
    return consumer;
  }

  /** A new kafkajs consumer in place of one that crashed for good; retried with backoff until it runs. */
  private async replace(): Promise<void> {
    let backoff = 500;
    try {
      while (!this.stopped) {
        await sleep(backoff);
        if (this.stopped) return;
        const next = this.watched(this.create());
        try {
          await this.consumer.disconnect().catch(() => undefined);
          this.consumer = next;
          await next.connect();
          if (this.subscription) await this.start(next, this.subscription);
          this.logger?.info({ groupId: this.subscription?.groupId }, 'Kafka consumer replaced after a crash');
          return;
        } catch (error) {
          this.logger?.warn(
            { err: error, groupId: this.subscription?.groupId },
            'Kafka consumer restart failed; retrying',
          );
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
    } finally {
      this.replacing = null;
    }
  }

  private async start(consumer: Consumer, subscription: ConsumerSubscription): Promise<void> {
    await consumer.subscribe({ topics: [...subscription.topics], fromBeginning: subscription.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: subscription.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset, commitOffsetsIfNecessary }) => {
        const messages: IncomingMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key ? m.key.toString() : null,
          value: m.value,
          headers: headersToStrings(m.headers),
        }));
        if (messages.length === 0) return;
        // Stopping: the batch in hand is finished and committed (isStopping), a revoked partition is abandoned (isStale).
        await subscription.eachBatch(messages, { heartbeat, isStale, isStopping: () => !isRunning() });
        resolveOffset(batch.lastOffset());
        // With autoCommit off, commitOffsetsIfNecessary() without offsets commits nothing: name them.
        await commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }],
            },
          ],
        });
        this.lagByPartition.set(
          `${batch.topic}:${batch.partition}`,
          Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1),
        );
      },
    });
  }

  lag(): ReadonlyMap<string, number> {
    return this.lagByPartition;
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    await this.replacing;
    await this.consumer.disconnect();
  }
}

/**
 * kafkajs' own log lines, through the service's logger. A protocol error kafkajs retries by itself (a broker that is
 * restarting, a group coordinator loading, a transaction begun while the previous commit's markers are written) is
 * logged by kafkajs as an ERROR for every attempt; it is debug here: what failed for good reaches the caller.
 */
function logKafkaJs(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
  const context = { kafkajs: fields, namespace };
  if (level > logLevel.WARN) {
    logger.debug(context, message);
    return;
  }
  const retryCount = typeof fields.retryCount === 'number' ? fields.retryCount : undefined;
  const retried = message.startsWith('[Connection] Response') || retryCount !== undefined;
  if (!retried) {
    if (level === logLevel.ERROR) logger.error(context, message);
    else logger.warn(context, message);
  } else if ((retryCount ?? 0) >= 5) {
    // Still failing after several attempts: worth a warning (the broker may be down for longer than a blip).
    logger.warn(context, message);
  } else {
    logger.debug(context, message);
  }
}

/**
 * The kafkajs adapter of the messaging port.
 *
 * @example
 * ```ts
 * const kafka = new KafkaJsClient({ clientId: 'intake', brokers: ['127.0.0.1:9092'] });
 * await kafka.ensureTopics([{ topic: 'aftersales.intake.events', partitions: 6 }]);
 * ```
 */
/** How long a consumer's fetch waits at the broker when nothing is new, unless configured (Kafka's own default). */
export const DEFAULT_CONSUMER_MAX_WAIT_MS = 500;

export class KafkaJsClient implements MessagingClient {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private pinging: Promise<void> | undefined;
  private readonly owned: Array<{ disconnect(): Promise<void> }> = [];
  private readonly logger: Logger | undefined;
  private readonly brokers: readonly string[];
  private readonly security: KafkaSecurity;
  private readonly topicPolicy: TopicPolicy;
  private readonly consumerMaxWaitMs: number;

  /**
   * `security` defaults to {@link kafkaSecurityFromEnv}: TLS and SASL from `KAFKA_SSL` and `KAFKA_SASL_*`. `topics`: how
   * topics are created (a service passes `topicPolicyFromEnv()`); by default with the broker's defaults.
   * `consumerMaxWaitMs`: how long a consumer's fetch waits at the broker when nothing is new (default 500 ms, Kafka's
   * `fetch.max.wait.ms`). A message ends the wait at once (the fetch asks for one byte at least), so it costs no
   * latency; a shorter wait only polls more often while idle (100 ms: about a third more CPU for an idle service, ADR 35),
   * a longer one makes a stopping or rebalancing consumer wait longer for its fetch to return.
   */
  constructor(options: {
    clientId: string;
    brokers: readonly string[];
    logger?: Logger;
    security?: KafkaSecurity;
    topics?: TopicPolicy;
    consumerMaxWaitMs?: number;
  }) {
    this.logger = options.logger;
    this.consumerMaxWaitMs = options.consumerMaxWaitMs ?? DEFAULT_CONSUMER_MAX_WAIT_MS;
    this.topicPolicy = options.topics ?? BROKER_DEFAULTS;
    const logger = options.logger;
    this.brokers = options.brokers;
    this.security = options.security ?? kafkaSecurityFromEnv();
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...this.security,
      logLevel: logLevel.WARN,
      ...(logger ? { logCreator: () => (entry: LogEntry) => logKafkaJs(logger, entry) } : {}),
      retry: { initialRetryTime: 100, retries: 8 },
    });
  }

  async producer(options: ProducerOptions = {}): Promise<MessageProducer> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The idempotent producer keeps retrying while the broker is away; callers see a slow send, not a loss. A
      // transaction that begins while the broker still writes the previous one's commit markers is refused as
      // CONCURRENT_TRANSACTIONS for a few milliseconds: retry that soon (the Java client waits 20 ms), not after 100.
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: options.transactionalId ? 10 : 100,
        maxRetryTime: 5_000,
      },
      transactionalId: options.transactionalId,
    });
    await this.refusedOr(producer.connect());
    const owned = options.transactionalId ? new KafkaJsTransactionalProducer(producer) : new KafkaJsProducer(producer);
    this.owned.push(owned);
    return {
      send: (topic, messages) => owned.send(topic, messages),
      disconnect: async () => {
        this.disown(owned);
        await owned.disconnect();
      },
    };
  }

  async consumer(groupId: string): Promise<MessageConsumer> {
    const consumer = new KafkaJsConsumer(
      () => this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: this.consumerMaxWaitMs }),
      this.logger,
    );
    await this.refusedOr(consumer.connect());
    this.owned.push(consumer);
    return consumer;
  }

  private disown(client: { disconnect(): Promise<void> }): void {
    const at = this.owned.indexOf(client);
    if (at >= 0) this.owned.splice(at, 1);
  }

  /**
   * Creates the missing topics. Retried (about 20 s in all): services starting together on a fresh broker create
   * the same topics at once, and kafkajs' wait for the new partitions' leaders gives up on a metadata answer it does
   * not retry ("This server does not host this topic-partition") while a busy broker is still creating them.
   */
  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.createMissingTopics(topics);
        return;
      } catch (error) {
        // Wrong credentials, an untrusted certificate, missing topics the service may not create, more replicas than
        // brokers: no retry helps, the operator must fix the settings.
        const refused = kafkaAccessRefused(error, this.brokers, this.security);
        if (refused) throw refused;
        if (error instanceof TopicsMissing || error instanceof TopicsRefused) throw error;
        if (attempt >= 8) throw error;
        this.logger?.warn({ err: error, attempt }, 'creating Kafka topics failed; retrying');
        await sleep(250 * 2 ** Math.min(attempt, 4));
      }
    }
  }

  private async createMissingTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin = await this.adminClient();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    if (!this.topicPolicy.create) throw new TopicsMissing(missing.map((t) => t.topic));
    const resolved = missing.map((t) => resolveTopic(this.topicPolicy, t));
    const replicas = Math.max(...resolved.map((t) => t.replicationFactor));
    if (replicas > 1) {
      const { brokers } = await admin.describeCluster();
      if (brokers.length < replicas) {
        throw new TopicsRefused(
          `cannot create ${resolved.map((t) => t.topic).join(', ')} with ${replicas} replicas: the cluster at ` +
            `${this.brokers.join(',')} has ${brokers.length} broker(s). Set KAFKA_REPLICATION_FACTOR (and ` +
            `KAFKA_MIN_INSYNC_REPLICAS) to what the cluster holds, e.g. KAFKA_REPLICATION_FACTOR=1 ` +
            'KAFKA_MIN_INSYNC_REPLICAS=1 for a single-broker development cluster',
        );
      }
    }
    try {
      await createTopicsWithLeaders(
        admin,
        resolved.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })),
        })),
      );
    } catch (error) {
      // A config the broker refuses (a value out of range): name the topic and what was asked.
      const e = error as { type?: string; errors?: Array<{ type?: string }> };
      const types = [e.type, ...(e.errors ?? []).map((x) => x.type)];
      if (types.some((t) => t === 'INVALID_CONFIG' || t === 'INVALID_REPLICATION_FACTOR' || t === 'POLICY_VIOLATION')) {
        throw new TopicsRefused(
          `Kafka refused to create ${resolved.map((t) => `${t.topic} ${JSON.stringify(t.config)}`).join(', ')}: ` +
            `${(error as Error).message} (check KAFKA_TOPIC_CONFIG, KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS)`,
        );
      }
      throw error;
    }
  }

  async missingTopics(topics: readonly string[]): Promise<string[]> {
    const admin = await this.adminClient();
    const existing = new Set(await admin.listTopics());
    return topics.filter((t) => !existing.has(t));
  }

  /** One check at a time: probes arriving while the broker is away wait for the check in progress, not pile up. */
  ping(): Promise<void> {
    this.pinging ??= this.describeCluster().finally(() => {
      this.pinging = undefined;
    });
    return this.pinging;
  }

  async groupLag(groupId: string, topics: readonly string[]): Promise<readonly PartitionLag[]> {
    const admin = await this.adminClient();
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition);
        // -1: the group committed nothing on this partition yet; where it starts (the beginning or the end) is the
        // consumer's setting, so no lag is claimed until it commits.
        if (!end || offset === '-1') continue;
        lags.push({ topic, partition, lag: Math.max(0, Number(end.high) - Number(offset)) });
      }
    }
    return lags;
  }

  private async describeCluster(): Promise<void> {
    const admin = await this.adminClient();
    try {
      await admin.describeCluster();
    } catch (error) {
      // A fresh admin client for the next probe, rather than one whose connections may be stuck on a dead broker.
      if (this.admin === admin) this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const client of this.owned.splice(0)) await client.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** `work`, with a refused login or certificate turned into {@link KafkaAccessRefused} (a clear startup error). */
  private async refusedOr<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw kafkaAccessRefused(error, this.brokers, this.security) ?? error;
    }
  }

  private async adminClient(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await this.refusedOr(admin.connect());
      this.admin = admin;
    }
    return this.admin;
  }
}

/** Kafka cannot create the topics as configured (more replicas than brokers, a refused topic config). */
export class TopicsRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopicsRefused';
  }
}
