import { CloudEventHeaders as H, LegacyCloudEventHeaders as Legacy } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import type { OutgoingMessage } from './ports';

/** A stored event as published on Kafka: a contract type and payload. */
export interface IntegrationEvent {
  /** `ce_type`, e.g. `aftersales.intake.case-opened.v1`. */
  readonly type: string;
  readonly subject: string;
  readonly data: unknown;
}

/**
 * Maps a service's stored (domain) event to its published contract event, or `null` for an
 * internal event that integrators never see. Internals can change without breaking integrators.
 */
export type IntegrationEventMapper = (event: StoredEvent) => IntegrationEvent | null;

/**
 * An {@link IntegrationEventMapper} that names the stored event types it can publish (`publishes`): the outbox relay
 * then reads only those events' payloads and passes the others by their position (ADR 36). Made by
 * {@link integrationEventsByType}, so the list and the mapping are one table and cannot drift apart.
 */
export interface TypedIntegrationEventMapper extends IntegrationEventMapper {
  readonly publishes: readonly string[];
}

/**
 * A mapper from one function per stored event type (each may still answer `null`, e.g. for a purpose it does not
 * publish); a type without an entry is internal and never published. The relay reads the payloads of the table's types
 * only: a service whose internal events are most of its store (logistics' carrier scans) no longer has every one of
 * them read, sent and parsed to be dropped.
 *
 * @example
 * ```ts
 * export const integrationEvents = integrationEventsByType({
 *   ShipmentStalled: (stored) => ({ type: ShipmentStalledV1.type, subject: …, data: … }),
 * });
 * ```
 */
export function integrationEventsByType(
  table: Readonly<Record<string, (event: StoredEvent) => IntegrationEvent | null>>,
): TypedIntegrationEventMapper {
  const byType = new Map(Object.entries(table));
  const mapper = (event: StoredEvent) => byType.get(event.type)?.(event) ?? null;
  return Object.assign(mapper, { publishes: Object.freeze([...byType.keys()]) });
}

/**
 * CloudEvents 1.0 Kafka binary mode: attributes in `ce_*` headers (the platform's extensions as `ce_tenantid`,
 * `ce_correlationid`, `ce_causationid`), W3C `traceparent`/`tracestate`, the JSON payload as the value. The deprecated
 * extension names of contracts 0.1 (`tenant`, `correlation_id`, `causation_id`) are sent beside them for one version
 * (ADR 16), so integrators reading them keep working until they move.
 */
export function toKafkaMessage(
  service: string,
  event: StoredEvent,
  integration: IntegrationEvent,
  traceparent: string | undefined,
  key: string = integration.subject,
): OutgoingMessage {
  const causation = event.metadata.causationId ?? event.id;
  const headers: Record<string, string> = {
    [H.specVersion]: '1.0',
    [H.id]: event.id,
    [H.type]: integration.type,
    [H.source]: `/aftersales/${service}`,
    [H.time]: event.recordedAt.toISOString(),
    [H.subject]: integration.subject,
    [H.contentType]: 'application/json',
    [H.tenant]: event.metadata.tenant,
    [H.correlationId]: event.metadata.correlationId,
    [H.causationId]: causation,
    [Legacy.tenant]: event.metadata.tenant,
    [Legacy.correlationId]: event.metadata.correlationId,
    [Legacy.causationId]: causation,
  };
  if (traceparent) headers[H.traceparent] = traceparent;
  if (event.metadata.tracestate) headers[H.tracestate] = event.metadata.tracestate;
  // Key = the aggregate id (the subject) unless the contract keys by what the event is about: either way every event
  // of one stream has one key, so a stream keeps its order on one partition.
  return { key, value: JSON.stringify(integration.data), headers };
}
