import { randomUUID } from 'node:crypto';
import { eventKey, eventSubject, validateEvent, type AnyEventContract, type EventData } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { KafkaJsClient, toKafkaMessage, type MessageProducer, type OutgoingMessage } from '@aftersales/messaging';
import { kafkaBrokers } from '@aftersales/testing';

/** How one published event differs from the defaults. */
export interface PublishOptions {
  /** `tenant` header; defaults to the payload's `tenantId`. */
  readonly tenant?: string;
  /** `ce_id`; a new UUID by default (pass the same id twice to simulate a redelivery). */
  readonly id?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** `ce_time`; now by default. */
  readonly time?: Date;
  /** Publish a payload that does not satisfy the contract (poison tests); valid payloads are checked by default. */
  readonly skipValidation?: boolean;
}

/**
 * Publishes contract events to their topics exactly as a service's outbox relay does (CloudEvents binary mode headers
 * from the same `toKafkaMessage`, the contract's Kafka key), so a test can play the upstream service of a consumer.
 * `raw` sends anything at all (broken JSON, missing headers) for poison-message tests.
 *
 * @example
 * ```ts
 * const upstream = await ContractPublisher.connect();
 * const id = await upstream.publish(CaseOpenedV1, aCaseOpened({ tenantId: 'shop-1' }));
 * await upstream.close();
 * ```
 */
export class ContractPublisher {
  private constructor(
    private readonly client: KafkaJsClient,
    private readonly producer: MessageProducer,
  ) {}

  static async connect(brokers: readonly string[] = kafkaBrokers()): Promise<ContractPublisher> {
    const client = new KafkaJsClient({ clientId: `test-publisher-${randomUUID().slice(0, 8)}`, brokers: [...brokers] });
    return new ContractPublisher(client, await client.producer());
  }

  /** Publishes one event of `contract`; returns its `ce_id`. */
  async publish<C extends AnyEventContract>(
    contract: C,
    data: EventData<C>,
    options: PublishOptions = {},
  ): Promise<string> {
    const [id] = await this.publishAll(contract, [data], options);
    return id as string;
  }

  /** Publishes events of one contract in one batch (same options for all; ids are new unless `options.id`). */
  async publishAll<C extends AnyEventContract>(
    contract: C,
    payloads: ReadonlyArray<EventData<C>>,
    options: PublishOptions = {},
  ): Promise<string[]> {
    const messages = payloads.map((data) => contractMessage(contract, data, options));
    await this.producer.send(contract.topic, messages);
    return messages.map((m) => m.headers.ce_id as string);
  }

  /** Sends messages as they are (any key, value and headers) to `topic`. */
  async raw(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    await this.producer.send(topic, messages);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    await this.client.close();
  }
}

/** The Kafka message a relay would publish for `data` of `contract` (see {@link ContractPublisher}). */
export function contractMessage<C extends AnyEventContract>(
  contract: C,
  data: EventData<C>,
  options: PublishOptions = {},
): OutgoingMessage {
  if (!options.skipValidation) {
    const verdict = validateEvent(contract.type, data);
    if (!verdict.ok) throw new Error(`${contract.type}: the test payload breaks its contract: ${verdict.message}`);
  }
  const payloadTenant = (data as { tenantId?: unknown }).tenantId;
  const tenant = options.tenant ?? (typeof payloadTenant === 'string' ? payloadTenant : 'tenant-of-test');
  const id = options.id ?? randomUUID();
  const stored = {
    id,
    type: contract.type,
    data,
    metadata: {
      tenant,
      actor: { id: 'test-publisher' },
      correlationId: options.correlationId ?? randomUUID(),
      ...(options.causationId ? { causationId: options.causationId } : {}),
    },
    recordedAt: options.time ?? new Date(),
  } as unknown as StoredEvent;
  const subject = safely(() => eventSubject(contract, data)) ?? id;
  const key = safely(() => eventKey(contract, data)) ?? subject;
  return toKafkaMessage(contract.service, stored, { type: contract.type, subject, data }, undefined, key);
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
