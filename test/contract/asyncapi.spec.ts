import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import {
  CloudEventHeaders,
  EventCatalogue,
  ExternalProducers,
  LegacyCloudEventHeaders,
  ServiceManifests,
  TopicSettingsByKind,
  dlqTopic,
  toJSONSchema,
} from '@aftersales/contracts';
import { buildAsyncApiDocument } from '../../contracts/scripts/asyncapi-document';

const ASYNCAPI_FILE = join(__dirname, '..', '..', 'contracts', 'asyncapi.yaml');
const REGENERATE = 'npx tsx contracts/scripts/generate-asyncapi.ts';

/** Drops the `x-parser-*` bookkeeping keys the AsyncAPI parser adds to the schemas it reads. */
function withoutParserExtensions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutParserExtensions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-parser-'))
      .map(([key, entry]) => [key, withoutParserExtensions(entry)]),
  );
}

describe('contracts/asyncapi.yaml', () => {
  const text = readFileSync(ASYNCAPI_FILE, 'utf8');
  let document: AsyncAPIDocumentInterface;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(text);
    const errors = diagnostics
      .filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error)
      .map((diagnostic) => `${diagnostic.path.join('.')}: ${diagnostic.message}`);
    expect(errors).toEqual([]);
    if (!parsed) throw new Error('AsyncAPI document could not be parsed');
    document = parsed;
  });

  it('is an AsyncAPI 3.0.0 document', () => {
    expect(document.version()).toBe('3.0.0');
  });

  it.each(EventCatalogue.map((contract) => [contract.type, contract] as const))(
    'publishes %s on its topic with the contract schema as payload',
    (_type, contract) => {
      const channel = document
        .channels()
        .all()
        .find((candidate) => candidate.address() === contract.topic);
      expect(channel).toBeDefined();
      const message = channel
        ?.messages()
        .all()
        .find((candidate) => candidate.name() === contract.type);
      expect(message).toBeDefined();
      expect(withoutParserExtensions(message?.payload()?.json())).toEqual(toJSONSchema(contract.schema));

      const headers = withoutParserExtensions(message?.headers()?.json());
      expect(headers).toMatchObject({ properties: { ce_type: { const: contract.type } } });

      const sends = document
        .operations()
        .all()
        .filter(
          (operation) =>
            operation.action() === 'send' &&
            operation
              .channels()
              .all()
              .some((c) => c.address() === contract.topic),
        );
      expect(
        sends.some((operation) =>
          operation
            .messages()
            .all()
            .some((m) => m.name() === contract.type),
        ),
      ).toBe(true);
    },
  );

  it('describes no message the catalogue lacks (but the dead letter)', () => {
    const known = new Map<string, string>(EventCatalogue.map((contract) => [contract.type, contract.topic]));
    const unknown = document
      .messages()
      .all()
      .map((message) => message.name() ?? message.id())
      .filter((name) => !known.has(name) && name !== 'dead-letter');
    expect(unknown).toEqual([]);

    for (const channel of document.channels().all()) {
      if (channel.address()?.endsWith('.dlq')) continue;
      for (const message of channel.messages().all()) {
        expect({ message: message.name(), topic: channel.address() }).toEqual({
          message: message.name(),
          topic: known.get(message.name() ?? ''),
        });
      }
    }
  });

  it('has an example for every message, and every example is valid against its payload and headers', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const messages = document.messages().all();
    expect(messages.length).toBe(EventCatalogue.length + 1);
    for (const message of messages) {
      const examples = message.examples().all();
      expect({ message: message.name(), examples: examples.length > 0 }).toEqual({
        message: message.name(),
        examples: true,
      });
      const payload = withoutParserExtensions(message.payload()?.json()) as object;
      const headers = withoutParserExtensions(message.headers()?.json()) as object;
      for (const example of examples) {
        expect({
          message: message.name(),
          payload: ajv.validate(payload, example.payload()),
          errors: ajv.errors,
        }).toEqual({
          message: message.name(),
          payload: true,
          errors: null,
        });
        expect({
          message: message.name(),
          headers: ajv.validate(headers, example.headers()),
          errors: ajv.errors,
        }).toEqual({
          message: message.name(),
          headers: true,
          errors: null,
        });
      }
    }
  });

  it('documents the headers as the relay sends them: CloudEvents extensions, W3C trace context, deprecated names', () => {
    for (const contract of EventCatalogue) {
      const headers = withoutParserExtensions(document.messages().get(contract.type)?.headers()?.json()) as {
        required: string[];
        properties: Record<string, { deprecated?: boolean }>;
      };
      expect(Object.keys(headers.properties).sort()).toEqual(
        [...Object.values(CloudEventHeaders), ...Object.values(LegacyCloudEventHeaders)].sort(),
      );
      for (const legacy of Object.values(LegacyCloudEventHeaders)) {
        expect(headers.properties[legacy]?.deprecated).toBe(true);
      }
      expect(headers.required).not.toContain(CloudEventHeaders.tracestate);
    }
  });

  it('has a channel for every dead-letter topic, sent to by its consumer', () => {
    for (const manifest of ServiceManifests) {
      for (const consumer of manifest.consumers) {
        const address = dlqTopic(manifest.service, consumer.consumer);
        const channel = document
          .channels()
          .all()
          .find((candidate) => candidate.address() === address);
        expect({ address, found: channel !== undefined }).toEqual({ address, found: true });
        expect(
          channel
            ?.messages()
            .all()
            .map((m) => m.name()),
        ).toEqual(['dead-letter']);
        expect(channel?.bindings().get('kafka')?.value()).toMatchObject({
          partitions: TopicSettingsByKind.deadLetters.partitions,
          replicas: TopicSettingsByKind.deadLetters.replicas,
          topicConfiguration: { 'retention.ms': TopicSettingsByKind.deadLetters.retentionMs },
        });
        const sends = channel?.operations().filterBySend() ?? [];
        expect(sends.length).toBe(1);
      }
    }
  });

  it('has, for every consumer, a receive operation per topic it reads with its group and the contracts it handles', () => {
    for (const manifest of ServiceManifests) {
      for (const consumer of manifest.consumers) {
        const group = `${manifest.service}.${consumer.consumer}`;
        const receives = document
          .operations()
          .filterByReceive()
          .filter((operation) => {
            const binding = operation.bindings().get('kafka')?.value() as { groupId?: { const?: string } } | undefined;
            return binding?.groupId?.const === group;
          });
        const received = receives
          .flatMap((operation) =>
            operation
              .messages()
              .all()
              .map((message) => `${operation.channels().all()[0]?.address()} ${message.name()}`),
          )
          .sort();
        expect({ group, received }).toEqual({
          group,
          received: consumer.handles.map((contract) => `${contract.topic} ${contract.type}`).sort(),
        });
      }
    }
  });

  it('has send operations for every service and external producer, together covering every contract', () => {
    const sent = document
      .operations()
      .filterBySend()
      .flatMap((operation) =>
        operation
          .messages()
          .all()
          .map((message) => message.name()),
      );
    expect([...new Set(sent.filter((name) => name !== 'dead-letter'))].sort()).toEqual(
      EventCatalogue.map((contract) => contract.type).sort(),
    );
    for (const producer of ExternalProducers) {
      expect(
        document
          .operations()
          .all()
          .some((operation) =>
            operation
              .tags()
              .all()
              .some((t) => t.name() === producer.id),
          ),
      ).toBe(true);
    }
  });

  it('has event topics with their production Kafka settings', () => {
    for (const channel of document.channels().all()) {
      if (channel.address()?.endsWith('.dlq')) continue;
      expect(channel.bindings().get('kafka')?.value()).toMatchObject({
        topic: channel.address(),
        partitions: TopicSettingsByKind.events.partitions,
        replicas: TopicSettingsByKind.events.replicas,
        topicConfiguration: {
          'cleanup.policy': [TopicSettingsByKind.events.cleanupPolicy],
          'retention.ms': TopicSettingsByKind.events.retentionMs,
          'min.insync.replicas': TopicSettingsByKind.events.minInsyncReplicas,
        },
      });
    }
  });

  it('has a local server and a production server with TLS and SASL security schemes', () => {
    const local = document.servers().get('local');
    expect(local?.protocol()).toBe('kafka');
    const production = document.servers().get('production');
    expect(production?.protocol()).toBe('kafka-secure');
    const schemes = production
      ?.security()
      .flatMap((requirement) => requirement.all().map((r) => r.scheme().type()))
      .sort();
    expect(schemes).toEqual(['plain', 'scramSha256', 'scramSha512']);
  });

  it('publishes the same topic settings as the Helm chart creates (Strimzi KafkaTopics)', () => {
    const values = parse(
      readFileSync(join(__dirname, '..', '..', 'deploy', 'helm', 'aftersales', 'values.yaml'), 'utf8'),
    ) as {
      kafkaTopics: {
        partitions: number;
        replicas: number;
        retentionMs: number;
        minInsyncReplicas: number;
        deadLetters: { partitions: number; retentionMs: number };
      };
    };
    const topics = values.kafkaTopics;
    expect({
      partitions: topics.partitions,
      replicas: topics.replicas,
      retentionMs: topics.retentionMs,
      minInsyncReplicas: topics.minInsyncReplicas,
    }).toEqual({
      partitions: TopicSettingsByKind.events.partitions,
      replicas: TopicSettingsByKind.events.replicas,
      retentionMs: TopicSettingsByKind.events.retentionMs,
      minInsyncReplicas: TopicSettingsByKind.events.minInsyncReplicas,
    });
    expect(topics.deadLetters).toMatchObject({
      partitions: TopicSettingsByKind.deadLetters.partitions,
      retentionMs: TopicSettingsByKind.deadLetters.retentionMs,
    });
  });

  it(`matches the generator output (if not: ${REGENERATE})`, () => {
    expect(parse(text)).toEqual(buildAsyncApiDocument());
  });
});
