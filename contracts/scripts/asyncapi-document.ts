/**
 * Builds the AsyncAPI 3.0.0 document of the platform from the event catalogue. Pure: no I/O, so
 * the contract tests can compare the committed `contracts/asyncapi.yaml` against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLOUDEVENTS_SPEC_VERSION,
  CloudEventHeaders,
  DeadLetterCodes,
  DeadLetterHeader,
  EVENT_CONTENT_TYPE,
  EventCatalogue,
  ExternalProducers,
  LegacyCloudEventHeaders,
  ServiceManifests,
  Services,
  TopicSettingsByKind,
  Topics,
  dlqTopic,
  eventSource,
  toJSONSchema,
  type AnyEventContract,
  type ConsumerManifest,
  type ExternalProducer,
  type JSONSchema,
  type Service,
  type ServiceManifest,
  type TopicSettings,
} from '@aftersales/contracts';

/** A JSON value, as it will appear in the YAML document. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Kafka binding version understood by AsyncAPI 3.0 tooling. */
const KAFKA_BINDING_VERSION = '0.5.0';

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
  // the next version (ADR 16).
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
    '**Operations.** Each service `send`s its events on its topic and `receive`s, per inbox consumer (Kafka group',
    '`<service>.<consumer>`), the events it handles from other topics; carrier integrations `send` scans onto the',
    'logistics topic (an ingress). The operations are tagged with the service or producer they belong to.',
    '',
    '**Dead letters.** A platform consumer that cannot process a message moves it, unchanged (key, value, headers),',
    'to its dead-letter topic `aftersales.<service>.<consumer>.dlq` (`<service>` = the service owning the consumer)',
    `and adds the headers ${dlq}. Each dead-letter topic is a channel here, sent to by its consumer.`,
  ].join('\n');
}

function contractsPackageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/** The Kafka channel binding of a topic: its production settings ({@link TopicSettingsByKind}). */
function topicBinding(topic: string, settings: TopicSettings): JsonObject {
  return {
    topic,
    partitions: settings.partitions,
    replicas: settings.replicas,
    topicConfiguration: {
      'cleanup.policy': [settings.cleanupPolicy],
      'retention.ms': settings.retentionMs,
      'min.insync.replicas': settings.minInsyncReplicas,
    },
    bindingVersion: KAFKA_BINDING_VERSION,
  };
}

/** camelCase of kebab-case parts: `['returns', 'return-saga']` → `returnsReturnSaga`. */
function camel(...parts: string[]): string {
  const pascal = parts.map(pascalCase).join('');
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** Channel id of a consumer's dead-letter topic, e.g. `returnsReturnSagaDeadLetters`. */
export function deadLetterChannelId(service: Service, consumer: string): string {
  return `${camel(service, consumer)}DeadLetters`;
}

/** Component id of the dead-letter message. */
const DEAD_LETTER_MESSAGE = 'deadLetter';

/** The message on every dead-letter topic: the original message, unchanged, with the `dlq_*` headers added. */
function deadLetterMessage(): JsonObject {
  const ce = CloudEventHeaders;
  const d = DeadLetterHeader;
  const header = (description: string, extra: JsonObject = {}): JsonObject => ({
    type: 'string',
    description,
    ...extra,
  });
  const example = EventCatalogue[0] as AnyEventContract;
  const [examplePayload] = example.schema.examples as unknown[];
  const exampleData = examplePayload as Record<string, unknown>;
  return {
    name: 'dead-letter',
    title: 'Dead letter',
    summary:
      'A message a platform consumer could not process, copied unchanged (key, value, headers) with the reason in `dlq_*` headers.',
    description:
      'The value is the original message value as received: usually the JSON payload of one of the contracts the consumer handles (see the channel), but possibly unreadable (`UNPARSEABLE`). The original headers are kept, so the CloudEvents headers are there when the original had them. `npm run ops -- dlq list | show | redrive` reads and redrives them.',
    contentType: EVENT_CONTENT_TYPE,
    tags: [{ name: 'dead-letters' }],
    headers: {
      type: 'object',
      description: 'The original headers (CloudEvents, W3C Trace Context) plus the dead-letter headers.',
      required: [d.reason, d.errorCode, d.consumer, d.sourceTopic, d.sourcePartition, d.sourceOffset, d.failedAt],
      properties: {
        [d.reason]: header('Human-readable reason (at most 2,000 characters).', { minLength: 1, maxLength: 2000 }),
        [d.errorCode]: header('Machine-readable reason.', { enum: [...DeadLetterCodes] }),
        [d.handlerCode]: header(
          'With `HANDLER_REJECTED` only: the stable code of the rule the handler refused it by, e.g. `RETURN.WRONG_STATUS`.',
        ),
        [d.consumer]: header('Kafka group of the consumer that gave up: `<service>.<consumer>`.', { minLength: 1 }),
        [d.sourceTopic]: header('Topic the message was consumed from.', { minLength: 1 }),
        [d.sourcePartition]: header('Partition it was consumed from (decimal).', { pattern: '^[0-9]+$' }),
        [d.sourceOffset]: header('Its offset in that partition (decimal; offsets are 64-bit).', {
          pattern: '^[0-9]+$',
        }),
        [d.failedAt]: header('When it was dead-lettered (RFC 3339).', { format: 'date-time' }),
        [ce.id]: header('The original `ce_id`, when it had one.'),
        [ce.type]: header('The original `ce_type`, when it had one.'),
        [ce.tenant]: header('The original `ce_tenantid`, when it had one.'),
      },
    },
    payload: {
      description:
        'The original message value, unchanged: usually a payload of one of the contracts the consumer handles, possibly unreadable.',
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: 'The original key, unchanged.' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    examples: [
      {
        name: 'schema-violation',
        summary: `A ${example.type} its consumer found invalid.`,
        headers: {
          [ce.specVersion]: CLOUDEVENTS_SPEC_VERSION,
          [ce.id]: '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10',
          [ce.type]: example.type,
          [ce.source]: eventSource(example.service),
          [ce.tenant]: String(exampleData['tenantId']),
          [d.reason]: `Payload does not match ${example.type}: /channel must be one of: "chat", "phone"`,
          [d.errorCode]: 'SCHEMA_VIOLATION',
          [d.consumer]: 'surveys.case-register',
          [d.sourceTopic]: example.topic,
          [d.sourcePartition]: '3',
          [d.sourceOffset]: '1042',
          [d.failedAt]: '2025-03-14T09:26:54.001Z',
        },
        payload: { ...(JSON.parse(JSON.stringify(examplePayload)) as JsonObject), channel: 'pigeon' },
      },
    ],
  };
}

const ref = (path: string): JsonObject => ({ $ref: path });

/** The topics (channel ids) a consumer reads: those of the contracts it handles, in {@link Services} order. */
function topicsOf(consumer: ConsumerManifest): Service[] {
  return Services.filter((service) => consumer.handles.some((contract) => contract.service === service));
}

function sendOperation(manifest: ServiceManifest): JsonObject {
  const id = channelId(manifest.service);
  return {
    action: 'send',
    title: `Publish ${manifest.service} events`,
    summary: `The ${manifest.service} service's outbox relay publishes its events on ${Topics[manifest.service]}, each once committed (transactional outbox).`,
    channel: ref(`#/channels/${id}`),
    messages: manifest.publishes.map((contract) => ref(`#/channels/${id}/messages/${messageId(contract)}`)),
    tags: [{ name: manifest.service }],
    bindings: {
      kafka: {
        clientId: { type: 'string', const: manifest.service },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function receiveOperation(manifest: ServiceManifest, consumer: ConsumerManifest, from: Service): JsonObject {
  const id = channelId(from);
  const group = `${manifest.service}.${consumer.consumer}`;
  return {
    action: 'receive',
    title: `${manifest.service} ${consumer.consumer} receives ${from} events`,
    summary: consumer.summary,
    description: `Inbox consumer \`${consumer.consumer}\` of ${manifest.service} (Kafka group \`${group}\`): each event is applied once, in the inbox transaction; what it cannot process goes to ${dlqTopic(manifest.service, consumer.consumer)}. Other event types on the topic are skipped.`,
    channel: ref(`#/channels/${id}`),
    messages: consumer.handles
      .filter((contract) => contract.service === from)
      .map((contract) => ref(`#/channels/${id}/messages/${messageId(contract)}`)),
    tags: [{ name: manifest.service }],
    bindings: {
      kafka: {
        groupId: { type: 'string', const: group },
        clientId: { type: 'string', const: manifest.service },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function deadLetterOperation(manifest: ServiceManifest, consumer: ConsumerManifest): JsonObject {
  const id = deadLetterChannelId(manifest.service, consumer.consumer);
  return {
    action: 'send',
    title: `${manifest.service} ${consumer.consumer} dead-letters`,
    summary: `What inbox consumer \`${consumer.consumer}\` of ${manifest.service} cannot process, with the reason.`,
    channel: ref(`#/channels/${id}`),
    messages: [ref(`#/channels/${id}/messages/${DEAD_LETTER_MESSAGE}`)],
    tags: [{ name: manifest.service }, { name: 'dead-letters' }],
  };
}

function externalSendOperation(producer: ExternalProducer): Array<[string, JsonObject]> {
  return Services.filter((service) => producer.publishes.some((contract) => contract.service === service)).map(
    (service) => {
      const id = channelId(service);
      return [
        `send${pascalCase(producer.id)}${pascalCase(service)}Events`,
        {
          action: 'send',
          title: `${producer.title} publish onto ${Topics[service]}`,
          summary: producer.summary,
          channel: ref(`#/channels/${id}`),
          messages: producer.publishes
            .filter((contract) => contract.service === service)
            .map((contract) => ref(`#/channels/${id}/messages/${messageId(contract)}`)),
          tags: [{ name: producer.id }],
        },
      ];
    },
  );
}

/**
 * The AsyncAPI 3.0.0 document: one channel per service topic (every message published on it) and per dead-letter topic,
 * the send and receive operations of every service and of the external producers, the local and production servers
 * with their security, and one message per event version with its headers, Kafka key and examples.
 */
export function buildAsyncApiDocument(
  catalogue: readonly AnyEventContract[] = EventCatalogue,
  manifests: readonly ServiceManifest[] = ServiceManifests,
  producers: readonly ExternalProducer[] = ExternalProducers,
): JsonObject {
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
      channelMessages[messageId(contract)] = ref(`#/components/messages/${messageId(contract)}`);
    }
    channels[id] = {
      address: Topics[service],
      title: `${service} events`,
      description: `${SERVICE_DESCRIPTIONS[service]} Key: aggregate id, unless a message's Kafka binding says otherwise.`,
      messages: channelMessages,
      bindings: { kafka: topicBinding(Topics[service], TopicSettingsByKind.events) },
    };
  }

  messages[DEAD_LETTER_MESSAGE] = deadLetterMessage();
  for (const manifest of manifests) {
    for (const consumer of manifest.consumers) {
      const address = dlqTopic(manifest.service, consumer.consumer);
      channels[deadLetterChannelId(manifest.service, consumer.consumer)] = {
        address,
        title: `${manifest.service} ${consumer.consumer} dead letters`,
        description: `Dead letters of inbox consumer \`${consumer.consumer}\` of ${manifest.service}: messages of ${consumer.handles
          .map((contract) => `\`${contract.type}\``)
          .join(', ')} (or unreadable ones) it could not process.`,
        messages: { [DEAD_LETTER_MESSAGE]: ref(`#/components/messages/${DEAD_LETTER_MESSAGE}`) },
        bindings: { kafka: topicBinding(address, TopicSettingsByKind.deadLetters) },
      };
    }
  }

  for (const manifest of manifests) {
    if (manifest.publishes.length > 0)
      operations[`send${pascalCase(manifest.service)}Events`] = sendOperation(manifest);
    for (const consumer of manifest.consumers) {
      for (const from of topicsOf(consumer)) {
        operations[`receive${pascalCase(camel(manifest.service, consumer.consumer))}From${pascalCase(from)}`] =
          receiveOperation(manifest, consumer, from);
      }
      operations[`send${pascalCase(camel(manifest.service, consumer.consumer))}DeadLetters`] = deadLetterOperation(
        manifest,
        consumer,
      );
    }
  }
  for (const producer of producers) {
    for (const [id, operation] of externalSendOperation(producer)) operations[id] = operation;
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'After-sales platform events',
      version: contractsPackageVersion(),
      description: infoDescription(),
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      tags: [
        ...Services.map((service) => ({ name: service, description: SERVICE_DESCRIPTIONS[service] })),
        ...producers.map((producer) => ({ name: producer.id, description: producer.title })),
        { name: 'dead-letters', description: 'Dead-letter topics and their messages.' },
      ],
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'Local development broker (`npm run infra:up`): plaintext, no authentication, one replica.',
      },
      production: {
        host: '{bootstrap}',
        protocol: 'kafka-secure',
        description:
          'A production cluster: TLS to the brokers and SASL authentication (SCRAM-SHA-512 preferred; SCRAM-SHA-256 or PLAIN over TLS where the cluster offers only those). Services read `KAFKA_BROKERS`, `KAFKA_SSL=true`, `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`; topic ACLs grant each principal its operations.',
        variables: {
          bootstrap: {
            description: "Comma-separated bootstrap brokers (host:port) of the operator's cluster.",
            default: 'kafka-bootstrap.example.com:9093',
            examples: ['kafka-0.internal:9093,kafka-1.internal:9093,kafka-2.internal:9093'],
          },
        },
        security: [
          ref('#/components/securitySchemes/scramSha512'),
          ref('#/components/securitySchemes/scramSha256'),
          ref('#/components/securitySchemes/saslPlain'),
        ],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        scramSha512: {
          type: 'scramSha512',
          description: 'SASL/SCRAM-SHA-512 over TLS (`KAFKA_SASL_MECHANISM=scram-sha-512`).',
        },
        scramSha256: {
          type: 'scramSha256',
          description: 'SASL/SCRAM-SHA-256 over TLS (`KAFKA_SASL_MECHANISM=scram-sha-256`).',
        },
        saslPlain: { type: 'plain', description: 'SASL/PLAIN over TLS only (`KAFKA_SASL_MECHANISM=plain`).' },
      },
    },
  };
}
