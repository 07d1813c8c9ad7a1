import type { Service } from './services';

/**
 * Kafka header names of the CloudEvents 1.0 Kafka protocol binding (binary content mode): the context attributes as
 * `ce_<attribute>` headers, the platform's extension attributes (`tenantid`, `correlationid`, `causationid`: valid
 * CloudEvents attribute names, lower-case alphanumerics) likewise, and the W3C Trace Context headers. The event payload
 * (CloudEvents `data`) is the message value, serialised as JSON; the message key is the aggregate (stream) id. A
 * CloudEvents SDK (e.g. the `cloudevents` npm package's `Kafka.toEvent`) reads every attribute.
 *
 * @example
 * ```ts
 * import { CloudEventHeaders } from '@aftersales/contracts';
 * const type = message.headers?.[CloudEventHeaders.type]?.toString(); // 'aftersales.intake.case-opened.v1'
 * const tenant = message.headers?.[CloudEventHeaders.tenant]?.toString(); // 'acme' (header ce_tenantid)
 * ```
 */
export const CloudEventHeaders = {
  /** CloudEvents spec version, always `1.0`. */
  specVersion: 'ce_specversion',
  /** Unique event id; consumers de-duplicate on (`ce_source`, `ce_id`). */
  id: 'ce_id',
  /** Versioned event type: `aftersales.<service>.<event-name>.v<N>`. */
  type: 'ce_type',
  /** Producing service: `/aftersales/<service>`. */
  source: 'ce_source',
  /** When the event happened (RFC 3339). */
  time: 'ce_time',
  /** Aggregate (stream) id the event belongs to; equals the Kafka key unless the contract keys otherwise. */
  subject: 'ce_subject',
  /** Payload media type, always `application/json` (CloudEvents `datacontenttype`). */
  contentType: 'content-type',
  /** Extension attribute `tenantid`: the tenant the event belongs to. */
  tenant: 'ce_tenantid',
  /** Extension attribute `correlationid`: shared by every message of one business flow (initial request/command id). */
  correlationId: 'ce_correlationid',
  /** Extension attribute `causationid`: id of the message (command or event) that directly caused this event. */
  causationId: 'ce_causationid',
  /** W3C Trace Context `traceparent` of the producing span. */
  traceparent: 'traceparent',
  /** W3C Trace Context `tracestate`, sent when the producing trace has vendor state. */
  tracestate: 'tracestate',
} as const;

/**
 * The header names contracts 0.1 used for the platform's extensions, which are not valid CloudEvents attribute names
 * (CloudEvents SDKs drop them). **Deprecated**: producers still send them beside the {@link CloudEventHeaders} for one
 * version of the contracts (0.2), and consumers accept a message carrying only these (an older producer during a
 * rolling upgrade, a dead letter redriven from before the upgrade); both stop in the next version (ADR 16).
 */
export const LegacyCloudEventHeaders = {
  /** @deprecated read {@link CloudEventHeaders.tenant} (`ce_tenantid`). */
  tenant: 'tenant',
  /** @deprecated read {@link CloudEventHeaders.correlationId} (`ce_correlationid`). */
  correlationId: 'correlation_id',
  /** @deprecated read {@link CloudEventHeaders.causationId} (`ce_causationid`). */
  causationId: 'causation_id',
} as const;

/** The CloudEvents extension attributes of the platform, as a CloudEvents SDK names them (without `ce_`). */
export const CloudEventExtensions = {
  tenant: 'tenantid',
  correlationId: 'correlationid',
  causationId: 'causationid',
} as const;

/**
 * The value of a platform extension header: its CloudEvents name first, the deprecated name (contracts 0.1) second.
 *
 * @example
 * ```ts
 * extensionHeader({ tenant: 'acme' }, 'tenant'); // 'acme' (an old producer)
 * extensionHeader({ ce_tenantid: 'acme', tenant: 'acme' }, 'tenant'); // 'acme'
 * ```
 */
export function extensionHeader(
  headers: Readonly<Record<string, string | undefined>>,
  attribute: keyof typeof LegacyCloudEventHeaders,
): string | undefined {
  return headers[CloudEventHeaders[attribute]] || headers[LegacyCloudEventHeaders[attribute]] || undefined;
}

/** One of the {@link CloudEventHeaders} header names. */
export type CloudEventHeaderName = (typeof CloudEventHeaders)[keyof typeof CloudEventHeaders];

/** Value of the `ce_specversion` header. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** Value of the `content-type` header: every payload is JSON. */
export const EVENT_CONTENT_TYPE = 'application/json';

/** Value of the `ce_source` header of a service, e.g. `/aftersales/intake`. */
export type EventSource<S extends Service = Service> = `/aftersales/${S}`;

/**
 * The `ce_source` of a service.
 *
 * @example
 * ```ts
 * eventSource('intake'); // '/aftersales/intake'
 * ```
 */
export function eventSource<S extends Service>(service: S): EventSource<S> {
  return `/aftersales/${service}`;
}

/**
 * Envelope metadata of an event on the wire, i.e. the decoded {@link CloudEventHeaders}
 * (attribute names follow CloudEvents where one exists).
 *
 * @example
 * ```ts
 * const metadata: CloudEventMetadata = {
 *   specversion: '1.0',
 *   id: '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
 *   type: 'aftersales.intake.case-opened.v1',
 *   source: '/aftersales/intake',
 *   time: '2025-03-14T09:26:53.589Z',
 *   subject: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c',
 *   datacontenttype: 'application/json',
 *   traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
 *   tenant: 'acme',
 *   correlationId: 'c0ffee00-0000-4000-8000-000000000001',
 *   causationId: 'c0ffee00-0000-4000-8000-000000000001',
 * };
 * ```
 */
export interface CloudEventMetadata {
  /** `ce_specversion` */
  readonly specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  /** `ce_id` */
  readonly id: string;
  /** `ce_type`, e.g. `aftersales.intake.case-opened.v1` */
  readonly type: string;
  /** `ce_source`, e.g. `/aftersales/intake` */
  readonly source: EventSource;
  /** `ce_time` (RFC 3339 date-time) */
  readonly time: string;
  /** `ce_subject` = Kafka key = aggregate id */
  readonly subject: string;
  /** `content-type` */
  readonly datacontenttype: typeof EVENT_CONTENT_TYPE;
  /** `traceparent` (W3C Trace Context) */
  readonly traceparent: string;
  /** `ce_tenantid` (deprecated duplicate: `tenant`) */
  readonly tenant: string;
  /** `ce_correlationid` (deprecated duplicate: `correlation_id`) */
  readonly correlationId: string;
  /** `ce_causationid` (deprecated duplicate: `causation_id`) */
  readonly causationId: string;
  /** `tracestate` (W3C Trace Context), when the trace has vendor state */
  readonly tracestate?: string;
}

/**
 * Extra headers a consumer adds when it moves a message it cannot process to its dead-letter
 * topic (`aftersales.<service>.<consumer>.dlq`). The original key, value and headers are kept
 * unchanged. Use {@link DeadLetterHeader} to refer to a single header by role.
 *
 * @example
 * ```ts
 * import { DeadLetterHeaders } from '@aftersales/contracts';
 * const isDlqHeader = (name: string) => (DeadLetterHeaders as readonly string[]).includes(name);
 * ```
 */
export const DeadLetterHeaders = [
  'dlq_reason',
  'dlq_error_code',
  'dlq_handler_code',
  'dlq_consumer',
  'dlq_source_topic',
  'dlq_source_partition',
  'dlq_source_offset',
  'dlq_failed_at',
] as const;

/**
 * Why a message was dead-lettered, the `dlq_error_code` header. One set for every consumer of the platform:
 * - `UNPARSEABLE`, `MISSING_HEADER`, `UNKNOWN_TYPE`, `UNKNOWN_VERSION`, `SCHEMA_VIOLATION`: unreadable against the
 *   contracts, before any handler ran;
 * - `TENANT_MISMATCH`: the payload's `tenantId` differs from the `ce_tenantid` header (a producer bug; never applied);
 * - `HANDLER_REJECTED`: the handler refused it for good: a broken business rule (its code in `dlq_handler_code`);
 * - `RETRIES_EXHAUSTED`: an unexpected error repeated until the consumer's attempts ran out.
 */
export const DeadLetterCodes = [
  'UNPARSEABLE',
  'MISSING_HEADER',
  'UNKNOWN_TYPE',
  'UNKNOWN_VERSION',
  'SCHEMA_VIOLATION',
  'TENANT_MISMATCH',
  'HANDLER_REJECTED',
  'RETRIES_EXHAUSTED',
] as const;

/** One of the {@link DeadLetterCodes}. */
export type DeadLetterCode = (typeof DeadLetterCodes)[number];

/** One of the {@link DeadLetterHeaders}. */
export type DeadLetterHeaderName = (typeof DeadLetterHeaders)[number];

/**
 * The {@link DeadLetterHeaders} by role.
 *
 * @example
 * ```ts
 * headers[DeadLetterHeader.reason] = 'payload does not match aftersales.intake.case-opened.v1';
 * ```
 */
export const DeadLetterHeader = {
  /** Human-readable reason the message was dead-lettered. */
  reason: 'dlq_reason',
  /** Machine-readable error code: one of {@link DeadLetterCodes}. */
  errorCode: 'dlq_error_code',
  /** With `HANDLER_REJECTED` only: the stable code of the broken rule (`DomainError` or `PermanentError`), e.g. `RETURN.WRONG_STATUS`. */
  handlerCode: 'dlq_handler_code',
  /** Kafka group of the consumer that gave up on the message: `<service>.<consumer>`. */
  consumer: 'dlq_consumer',
  /** Topic the message was consumed from. */
  sourceTopic: 'dlq_source_topic',
  /** Partition the message was consumed from (decimal). */
  sourcePartition: 'dlq_source_partition',
  /** Offset of the message in its source partition (decimal). */
  sourceOffset: 'dlq_source_offset',
  /** When the message was dead-lettered (RFC 3339). */
  failedAt: 'dlq_failed_at',
} as const satisfies Record<string, DeadLetterHeaderName>;

/**
 * Decoded {@link DeadLetterHeaders}.
 *
 * @example
 * ```ts
 * const dlq: DeadLetterMetadata = {
 *   reason: '/caseId must match format "uuid"',
 *   errorCode: 'SCHEMA_VIOLATION',
 *   consumer: 'case-projector',
 *   sourceTopic: 'aftersales.intake.events',
 *   sourcePartition: 3,
 *   sourceOffset: '1042',
 *   failedAt: '2025-03-14T09:26:54.001Z',
 * };
 * ```
 */
export interface DeadLetterMetadata {
  /** `dlq_reason` */
  readonly reason: string;
  /** `dlq_error_code` */
  readonly errorCode: string;
  /** `dlq_handler_code` (with `HANDLER_REJECTED` only) */
  readonly handlerCode?: string;
  /** `dlq_consumer` */
  readonly consumer: string;
  /** `dlq_source_topic` */
  readonly sourceTopic: string;
  /** `dlq_source_partition` */
  readonly sourcePartition: number;
  /** `dlq_source_offset` (a string: Kafka offsets are 64-bit) */
  readonly sourceOffset: string;
  /** `dlq_failed_at` (RFC 3339 date-time) */
  readonly failedAt: string;
}
