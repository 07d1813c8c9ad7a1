import type { Service } from './services';

/**
 * The event topic of every service: one topic per service, `aftersales.<service>.events`.
 *
 * Every event a service publishes goes to its topic, keyed by the aggregate (stream) id,
 * so all events of one aggregate are totally ordered within a partition.
 *
 * @example
 * ```ts
 * import { Topics } from '@aftersales/contracts';
 * Topics.intake; // 'aftersales.intake.events'
 * ```
 */
export const Topics = {
  /** Case intake: cases (tickets) opened on customer channels. */
  intake: 'aftersales.intake.events',
  /** Returns and exchanges: return authorisations, receipts, inspections. */
  returns: 'aftersales.returns.events',
  /** Reverse logistics: pick-ups, shipments, parcel tracking. */
  logistics: 'aftersales.logistics.events',
  /** Compensation: refunds, vouchers, goodwill payments. */
  compensation: 'aftersales.compensation.events',
  /** Incidents: escalations, complaints, SLA breaches. */
  incidents: 'aftersales.incidents.events',
  /** Surveys: customer-satisfaction surveys and their answers. */
  surveys: 'aftersales.surveys.events',
} as const satisfies { readonly [S in Service]: `aftersales.${S}.events` };

/** Name of a service event topic, e.g. `'aftersales.intake.events'`. */
export type EventTopic<S extends Service = Service> = (typeof Topics)[S];

/** Name of a dead-letter topic: `aftersales.<service>.<consumer>.dlq`. */
export type DeadLetterTopic<S extends Service = Service, C extends string = string> = `aftersales.${S}.${C}.dlq`;

/** A consumer name: kebab-case, starting with a letter (`case-projector`, `sla-timer`). */
const CONSUMER_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * The event topic of a service.
 *
 * @example
 * ```ts
 * eventTopic('returns'); // 'aftersales.returns.events'
 * ```
 */
export function eventTopic<S extends Service>(service: S): EventTopic<S> {
  return Topics[service];
}

/**
 * The dead-letter topic of one consumer: `aftersales.<service>.<consumer>.dlq`, where `service`
 * is the service that *owns the consumer* (not the one that produced the message; that one is
 * recorded in the `dlq_source_topic` header).
 *
 * @param consumer kebab-case consumer name, unique within the service.
 * @throws RangeError when `consumer` is not kebab-case.
 *
 * @example
 * ```ts
 * dlqTopic('returns', 'case-projector'); // 'aftersales.returns.case-projector.dlq'
 * ```
 */
export function dlqTopic<S extends Service, C extends string>(service: S, consumer: C): DeadLetterTopic<S, C> {
  if (!CONSUMER_NAME.test(consumer)) {
    throw new RangeError(`Invalid consumer name "${consumer}": expected kebab-case, e.g. "case-projector"`);
  }
  return `aftersales.${service}.${consumer}.dlq`;
}

/** Kafka settings of one kind of topic, as the platform publishes them for production clusters. */
export interface TopicSettings {
  readonly partitions: number;
  readonly replicas: number;
  /** `min.insync.replicas`: with `acks=all` (every producer of the platform), a write needs this many replicas. */
  readonly minInsyncReplicas: number;
  /** `retention.ms`. */
  readonly retentionMs: number;
  /** `cleanup.policy`. */
  readonly cleanupPolicy: 'delete' | 'compact';
}

/**
 * The production settings of the platform's topics, published in the AsyncAPI document's Kafka bindings and applied by
 * the Helm chart's Strimzi `KafkaTopic`s (`deploy/helm/aftersales/values.yaml`, `kafkaTopics`; a contract test keeps
 * the two equal). Local brokers run one replica. Event topics keep 7 days: the event stores are the record, a consumer
 * further behind than that rebuilds from them; dead letters keep 30 days, time for an operator to redrive them.
 */
export const TopicSettingsByKind = {
  events: { partitions: 6, replicas: 3, minInsyncReplicas: 2, retentionMs: 604_800_000, cleanupPolicy: 'delete' },
  deadLetters: {
    partitions: 1,
    replicas: 3,
    minInsyncReplicas: 2,
    retentionMs: 2_592_000_000,
    cleanupPolicy: 'delete',
  },
} as const satisfies Record<'events' | 'deadLetters', TopicSettings>;
