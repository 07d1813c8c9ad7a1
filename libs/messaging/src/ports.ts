/**
 * The messaging port: what the outbox relay and inbox consumers need from a Kafka client. The
 * kafkajs adapter implements it; another client can be swapped in without touching them.
 */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string | Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MessageProducer {
  /** Resolves once the broker acknowledged every message (acks=all, idempotent). */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

export interface BatchControl {
  /** Keeps the group membership alive during long work (retries). */
  heartbeat(): Promise<void>;
  /** True when the consumer lost the partition (a rebalance): abandon work without committing. */
  isStale(): boolean;
  /**
   * True once the consumer is stopping (a graceful shutdown): it fetches nothing more, finishes the batch in hand and
   * commits it, but starts no retry (a batch that fails now is redelivered after the restart).
   */
  isStopping(): boolean;
}

export interface ConsumerSubscription {
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Handles a batch of one partition. The adapter commits the offset after the last message only once
   * this resolves; if it rejects, nothing is committed and the batch is delivered again.
   */
  readonly eachBatch: (messages: readonly IncomingMessage[], control: BatchControl) => Promise<void>;
  readonly partitionsConsumedConcurrently?: number;
  /** Where a group with no committed offset starts: the topic's beginning (default) or its end. */
  readonly fromBeginning?: boolean;
}

export interface MessageConsumer {
  run(subscription: ConsumerSubscription): Promise<void>;
  /** Messages behind the high watermark, per topic-partition, for lag metrics. */
  lag(): ReadonlyMap<string, number>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** Topic configs (`cleanup.policy`, `retention.ms`, …); the client's topic policy and overrides add to them. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface ProducerOptions {
  /**
   * Makes a fenced producer: each `send` is one Kafka transaction, and connecting another producer with the same id
   * fences this one (its sends from then on fail, and a transaction it left open is aborted). A relay whose leadership
   * passed to another instance can then never publish after the new leader started. Consumers read committed
   * messages only (kafkajs and librdkafka/kcat do by default).
   */
  readonly transactionalId?: string;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

export interface MessagingClient {
  producer(options?: ProducerOptions): Promise<MessageProducer>;
  consumer(groupId: string): Promise<MessageConsumer>;
  /**
   * Creates missing topics under the client's topic policy (existing ones are left as they are); when the policy says
   * topics are made by the cluster's operator, only checks they exist (`TopicsMissing` otherwise).
   */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Which of these topics do not exist (readiness, when topics are made by the cluster's operator). */
  missingTopics(topics: readonly string[]): Promise<string[]>;
  /** Answers when the cluster does; used by readiness probes. */
  ping(): Promise<void>;
  /**
   * The broker-side lag of a consumer group (admin API: each partition's end offset minus the group's committed offset,
   * partitions where it committed nothing are left out): it does not depend on a running member of the group.
   */
  groupLag(groupId: string, topics: readonly string[]): Promise<readonly PartitionLag[]>;
  close(): Promise<void>;
}
