import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer, type IHeaders } from 'kafkajs';
import type {
  ConsumerSubscription,
  IncomingMessage,
  MessageConsumer,
  MessageProducer,
  MessagingClient,
  OutgoingMessage,
  TopicSpec,
} from './ports';

function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) out[k] = value.toString();
  }
  return out;
}

class KafkaJsProducer implements MessageProducer {
  constructor(private readonly producer: Producer) {}

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

class KafkaJsConsumer implements MessageConsumer {
  private readonly lagByPartition = new Map<string, number>();
  constructor(private readonly consumer: Consumer) {}

  async run(subscription: ConsumerSubscription): Promise<void> {
    await this.consumer.subscribe({ topics: [...subscription.topics], fromBeginning: subscription.fromBeginning ?? true });
    await this.consumer.run({
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
        await subscription.eachBatch(messages, { heartbeat, isStale: () => !isRunning() || isStale() });
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

  disconnect(): Promise<void> {
    return this.consumer.disconnect();
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
export class KafkaJsClient implements MessagingClient {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private readonly owned: Array<{ disconnect(): Promise<void> }> = [];

  constructor(options: { clientId: string; brokers: readonly string[] }) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      retry: { initialRetryTime: 100, retries: 8 },
    });
  }

  async producer(): Promise<MessageProducer> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The idempotent producer keeps retrying while the broker is away; callers see a slow send, not a loss.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    await producer.connect();
    this.owned.push(producer);
    return new KafkaJsProducer(producer);
  }

  async consumer(groupId: string): Promise<MessageConsumer> {
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    this.owned.push(consumer);
    return new KafkaJsConsumer(consumer);
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin = await this.adminClient();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions ?? 3,
        replicationFactor: t.replicationFactor ?? 1,
      })),
    });
  }

  async ping(): Promise<void> {
    const admin = await this.adminClient();
    await admin.describeCluster();
  }

  async close(): Promise<void> {
    for (const client of this.owned.splice(0)) await client.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  private async adminClient(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}
