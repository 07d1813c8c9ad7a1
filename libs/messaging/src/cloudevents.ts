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

/** CloudEvents 1.0 Kafka binary mode: attributes in `ce_*` headers, the JSON payload as the value. */
export function toKafkaMessage(
  service: string,
  event: StoredEvent,
  integration: IntegrationEvent,
  traceparent: string | undefined,
  key: string = integration.subject,
): OutgoingMessage {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: integration.type,
    ce_source: `/aftersales/${service}`,
    ce_time: event.recordedAt.toISOString(),
    ce_subject: integration.subject,
    'content-type': 'application/json',
    tenant: event.metadata.tenant,
    correlation_id: event.metadata.correlationId,
    causation_id: event.metadata.causationId ?? event.id,
  };
  if (traceparent) headers.traceparent = traceparent;
  if (event.metadata.tracestate) headers.tracestate = event.metadata.tracestate;
  // Key = the aggregate id (the subject) unless the contract keys by what the event is about: either way every event
  // of one stream has one key, so a stream keeps its order on one partition.
  return { key, value: JSON.stringify(integration.data), headers };
}
