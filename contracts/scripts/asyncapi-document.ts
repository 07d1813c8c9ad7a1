/**
 * Builds the AsyncAPI 3.0.0 document of the platform from the event catalogue. Pure: no I/O, so
 * the contract tests can compare the committed `contracts/asyncapi.yaml` against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLOUDEVENTS_SPEC_VERSION,
  CloudEventHeaders,
  DeadLetterHeader,
  EVENT_CONTENT_TYPE,
  EventCatalogue,
  LegacyCloudEventHeaders,
  Services,
  Topics,
  eventSource,
  toJSONSchema,
  type AnyEventContract,
  type JSONSchema,
  type Service,
} from '@aftersales/contracts';

/** A JSON value, as it will appear in the YAML document. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Kafka binding version understood by AsyncAPI 3.0 tooling. */
const KAFKA_BINDING_VERSION = '0.5.0';

/** Sizing hints published with every event topic (production; local brokers use 1 replica). */
const TOPIC_HINTS = { partitions: 6, replicas: 3 } as const;

/** Component / channel id of a service's event channel, e.g. `intakeEvents`. */
export function channelId(service: Service): string {
  return `${service}Events`;
}

/** Component id of a message: its `ce_type` (unique, and valid as an AsyncAPI component key). */
export function messageId(contract: AnyEventContract): string {
  return contract.type;
}

function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function asJson(schema: JSONSchema): JsonObject {
  return toJSONSchema(schema) as JsonObject;
}

/** Header schema of one event version (CloudEvents Kafka binary mode + W3C Trace Context), as the relay sends them. */
function headersSchema(contract: AnyEventContract): JsonObject {
  const h = CloudEventHeaders;
  const legacy = LegacyCloudEventHeaders;
  const header = (description: string, extra: JsonObject = {}): JsonObject => ({
    type: 'string',
    description,
    ...extra,
  });
  const deprecated = (name: string): JsonObject =>
    header(
      `Deprecated name of \`${name}\` (contracts 0.1), with the same value; sent beside it up to the next version of the contracts. Read \`${name}\`.`,
      {
        minLength: 1,
        deprecated: true,
      },
    );
  // Required: what every message on the topic has, including those sent before contracts 0.2.0 (they stay retained for
  // days). The CloudEvents extension headers are on every message since 0.2.0, the deprecated ones on every message up to
  // the next version (ADR 15).
  const always = [h.specVersion, h.id, h.type, h.source, h.time, h.subject, h.contentType, h.traceparent];
  const since = (legacyName: string) =>
    ` Sent on every message since contracts 0.2.0; a message from before carries only the deprecated \`${legacyName}\`.`;
  return {
    type: 'object',
    description:
      'CloudEvents 1.0 Kafka protocol binding, binary content mode: every context attribute as a `ce_<attribute>` header (the platform extensions `tenantid`, `correlationid`, `causationid` included), plus the W3C Trace Context headers. All values are UTF-8 strings.',
    required: [...always, ...Object.values(legacy)],
    properties: {
      [h.specVersion]: header('CloudEvents `specversion`.', { const: CLOUDEVENTS_SPEC_VERSION }),
      [h.id]: header(
        'CloudEvents `id`: unique event id. Consumers de-duplicate on (`ce_source`, `ce_id`); delivery is at-least-once.',
        { minLength: 1 },
      ),
      [h.type]: header(
        'CloudEvents `type`: `aftersales.<service>.<event-name>.v<N>`. Select the payload schema by this header.',
        { const: contract.type },
      ),
      [h.source]: header('CloudEvents `source`: `/aftersales/<service>`.', { const: eventSource(contract.service) }),
      [h.time]: header('CloudEvents `time`: when the event happened (RFC 3339).', { format: 'date-time' }),
      [h.subject]: header(
        contract.partitionKey
          ? `CloudEvents \`subject\`: the aggregate id, equal to payload field \`${contract.subject}\` (the Kafka key is described in the message bindings).`
          : `CloudEvents \`subject\`: the aggregate id, equal to the Kafka key and to payload field \`${contract.subject}\`.`,
        { minLength: 1 },
      ),
      [h.contentType]: header('CloudEvents `datacontenttype` of the message value.', { const: EVENT_CONTENT_TYPE }),
      [h.tenant]: header(
        `CloudEvents extension \`tenantid\`: the tenant the event belongs to (= payload \`tenantId\`).${since(legacy.tenant)}`,
        { minLength: 1 },
      ),
      [h.correlationId]: header(
        `CloudEvents extension \`correlationid\`: shared by all messages of one business flow (the initial request or command id).${since(legacy.correlationId)}`,
        { minLength: 1 },
      ),
      [h.causationId]: header(
        `CloudEvents extension \`causationid\`: id of the message (command or event) that directly caused this event.${since(legacy.causationId)}`,
        { minLength: 1 },
      ),
      [h.traceparent]: header(
        'W3C Trace Context `traceparent` of the producing span (sent whenever OpenTelemetry runs, i.e. unless `OTEL_SDK_DISABLED=true`).',
        { pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
      ),
      [h.tracestate]: header('W3C Trace Context `tracestate`: sent when the producing trace carries vendor state.'),
      [legacy.tenant]: deprecated(h.tenant),
      [legacy.correlationId]: deprecated(h.correlationId),
      [legacy.causationId]: deprecated(h.causationId),
    },
  };
}

/** Example headers + payload, when the schema carries `examples`. */
function messageExamples(contract: AnyEventContract): Json[] {
  const examples: unknown = contract.schema.examples;
  if (!Array.isArray(examples)) return [];
  return examples.map((payload: unknown, index): Json => {
    const data = payload as Record<string, unknown>;
    const subject = String(data[contract.subject]);
    const tenant = typeof data['tenantId'] === 'string' ? data['tenantId'] : 'acme';
    return {
      name: examples.length === 1 ? 'example' : `example-${index + 1}`,
      summary: contract.summary,
      headers: {
        [CloudEventHeaders.specVersion]: CLOUDEVENTS_SPEC_VERSION,
        [CloudEventHeaders.id]: '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
        [CloudEventHeaders.type]: contract.type,
        [CloudEventHeaders.source]: eventSource(contract.service),
        [CloudEventHeaders.time]: '2025-03-14T09:26:53.589Z',
        [CloudEventHeaders.subject]: subject,
        [CloudEventHeaders.contentType]: EVENT_CONTENT_TYPE,
        [CloudEventHeaders.traceparent]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        [CloudEventHeaders.tenant]: tenant,
        [CloudEventHeaders.correlationId]: 'c0ffee00-0000-4000-8000-000000000001',
        [CloudEventHeaders.causationId]: 'c0ffee00-0000-4000-8000-000000000001',
        [LegacyCloudEventHeaders.tenant]: tenant,
        [LegacyCloudEventHeaders.correlationId]: 'c0ffee00-0000-4000-8000-000000000001',
        [LegacyCloudEventHeaders.causationId]: 'c0ffee00-0000-4000-8000-000000000001',
      },
      payload: JSON.parse(JSON.stringify(payload)) as Json,
    };
  });
}

function message(contract: AnyEventContract): JsonObject {
  const subjectSchema = asJson(contract.schema.properties[contract.subject] as JSONSchema);
  const key: JsonObject = contract.partitionKey
    ? { type: 'string', description: `${contract.partitionKey.description} Events with the same key are ordered.` }
    : {
        type: 'string',
        description: `Aggregate (stream) id: payload field \`${contract.subject}\`, same as \`ce_subject\`. Events with the same key are ordered.`,
      };
  if (!contract.partitionKey && typeof subjectSchema['format'] === 'string') key['format'] = subjectSchema['format'];
  const result: JsonObject = {
    name: contract.type,
    title: `${pascalCase(contract.name)} v${contract.version}`,
    summary: contract.summary,
    contentType: EVENT_CONTENT_TYPE,
    tags: [{ name: contract.service }],
    headers: headersSchema(contract),
    payload: asJson(contract.schema),
    correlationId: {
      description: 'Business-flow correlation id.',
      location: `$message.header#/${CloudEventHeaders.correlationId}`,
    },
    bindings: { kafka: { key, bindingVersion: KAFKA_BINDING_VERSION } },
  };
  const examples = messageExamples(contract);
  if (examples.length > 0) result['examples'] = examples;
  return result;
}

const SERVICE_DESCRIPTIONS: Record<Service, string> = {
  intake: 'Case intake: after-sales cases (tickets) opened on customer channels.',
  returns: 'Returns and exchanges.',
  logistics: 'Reverse logistics: pick-ups, shipments and parcel tracking.',
  compensation: 'Compensation: refunds, vouchers and goodwill payments.',
  incidents: 'Incidents: escalations, complaints and SLA breaches.',
  surveys: 'Customer-satisfaction surveys.',
};

function infoDescription(): string {
  const dlq = Object.values(DeadLetterHeader)
    .map((name) => `\`${name}\``)
    .join(', ');
  return [
    'Integration events of the after-sales platform. Each service publishes its events on one Kafka topic,',
    '`aftersales.<service>.events`, keyed by the aggregate (stream) id, so the events of one aggregate are ordered (a contract may key by what its events are about instead, e.g. complaints by product or region: see the Kafka binding of each message).',
    '',
    '**Envelope.** CloudEvents 1.0, Kafka protocol binding, binary content mode: the CloudEvents attributes are',
    '`ce_*` headers, the message value is the JSON payload (`content-type: application/json`). The `ce_type`',
    'header (`aftersales.<service>.<event-name>.v<N>`) selects the payload schema. Platform extension attributes:',
    '`ce_tenantid`, `ce_correlationid`, `ce_causationid` (a CloudEvents SDK reads them as `tenantid`, `correlationid`,',
    '`causationid`); W3C Trace Context: `traceparent`, `tracestate`. Deprecated: `tenant`, `correlation_id`,',
    '`causation_id` carry the same values for one more version of the contracts, then stop.',
    '',
    '**Delivery.** At-least-once: de-duplicate on (`ce_source`, `ce_id`). Ignore `ce_type`s you do not handle.',
    'Payloads may gain new optional properties and enum values within a version: tolerate unknown properties and values.',
    '',
    '**Versioning.** Additive changes keep the version. A breaking change is published as a new version',
    '(`.v2`) side by side with the old one, on the same topic.',
    '',
    '**Dead letters.** A platform consumer that cannot process a message moves it, unchanged (key, value, headers),',
    'to its dead-letter topic `aftersales.<service>.<consumer>.dlq` (`<service>` = the service owning the consumer)',
    `and adds the headers ${dlq}. Dead-letter topics are internal and not described as channels here.`,
  ].join('\n');
}

function contractsPackageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/**
 * The AsyncAPI 3.0.0 document: one channel per service topic that has events, one message per
 * event version, one `send` operation per channel (the document describes the platform).
 */
export function buildAsyncApiDocument(catalogue: readonly AnyEventContract[] = EventCatalogue): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};

  for (const service of Services) {
    const contracts = catalogue.filter((contract) => contract.service === service);
    if (contracts.length === 0) continue;
    const id = channelId(service);
    const channelMessages: JsonObject = {};
    for (const contract of contracts) {
      messages[messageId(contract)] = message(contract);
      channelMessages[messageId(contract)] = { $ref: `#/components/messages/${messageId(contract)}` };
    }
    channels[id] = {
      address: Topics[service],
      title: `${service} events`,
      description: `${SERVICE_DESCRIPTIONS[service]} Key: aggregate id, unless a message's Kafka binding says otherwise. Partition count and replicas are sizing hints.`,
      messages: channelMessages,
      bindings: {
        kafka: { topic: Topics[service], ...TOPIC_HINTS, bindingVersion: KAFKA_BINDING_VERSION },
      },
    };
    operations[`send${pascalCase(service)}Events`] = {
      action: 'send',
      title: `Publish ${service} events`,
      summary: `The ${service} service publishes its events on ${Topics[service]}.`,
      channel: { $ref: `#/channels/${id}` },
      messages: contracts.map((contract) => ({ $ref: `#/channels/${id}/messages/${messageId(contract)}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'After-sales platform events',
      version: contractsPackageVersion(),
      description: infoDescription(),
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'Local development broker (`npm run infra:up`).',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}
