/**
 * The static HTML catalogue of topics and events (`contracts/catalogue/index.html`): every topic with its Kafka
 * settings, producers and consumers, every event version with its summary, key, headers, payload properties, example
 * and JSON Schema file, and every dead-letter topic. Pure: built from the catalogue, the manifests and the schema file
 * names, so the contract test can compare the committed file with it.
 */
import {
  CLOUDEVENTS_SPEC_VERSION,
  CloudEventHeaders,
  DeadLetterHeader,
  EventCatalogue,
  ExternalProducers,
  LegacyCloudEventHeaders,
  ServiceManifests,
  Services,
  TopicSettingsByKind,
  Topics,
  dlqTopic,
  toJSONSchema,
  type AnyEventContract,
  type JSONSchema,
  type TopicSettings,
} from '@aftersales/contracts';
import { schemaFile } from './schemas';

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline `code` spans of the contracts' descriptions, as HTML. */
const prose = (text: string): string => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const anchor = (type: string): string => type.replace(/[^a-z0-9]+/gi, '-');

function typeOf(schema: JSONSchema): string {
  if (schema.enum) return `enum: ${schema.enum.map((value) => JSON.stringify(value)).join(' | ')}`;
  if ('const' in schema) return `const ${JSON.stringify(schema.const)}`;
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.map(typeOf).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  if (types === 'array' && schema.items && !Array.isArray(schema.items)) return `array of ${typeOf(schema.items)}`;
  return schema.format ? `${types} (${schema.format})` : types;
}

/** One row per property, nested objects and array items flattened with dotted paths. */
function propertyRows(schema: JSONSchema, prefix = ''): string[] {
  const rows: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push(
      `<tr><td><code>${escape(path)}</code></td><td>${escape(typeOf(property))}</td><td>${required.has(name) ? 'yes' : ''}</td><td>${prose(property.description ?? '')}</td></tr>`,
    );
    if (property.properties) rows.push(...propertyRows(property, `${path}.`));
    const items = property.items;
    if (items && !Array.isArray(items) && items.properties) rows.push(...propertyRows(items, `${path}[].`));
  }
  return rows;
}

function settings(topic: TopicSettings): string {
  return `${topic.partitions} partitions, ${topic.replicas} replicas (min.insync.replicas ${topic.minInsyncReplicas}), retention ${topic.retentionMs / 86_400_000} days, cleanup.policy ${topic.cleanupPolicy}`;
}

function producerOf(contract: AnyEventContract): string {
  const service = ServiceManifests.find((manifest) => manifest.publishes.includes(contract));
  if (service) return service.service;
  return ExternalProducers.find((producer) => producer.publishes.includes(contract))?.title ?? '—';
}

function consumersOf(contract: AnyEventContract): string[] {
  return ServiceManifests.flatMap((manifest) =>
    manifest.consumers
      .filter((consumer) => consumer.handles.includes(contract))
      .map((consumer) => `${manifest.service}.${consumer.consumer}`),
  );
}

function eventSection(contract: AnyEventContract): string {
  const schema = toJSONSchema(contract.schema);
  const [example] = Array.isArray(schema.examples) ? schema.examples : [];
  const consumers = consumersOf(contract);
  return [
    `<section class="event" id="${anchor(contract.type)}">`,
    `<h3><code>${escape(contract.type)}</code></h3>`,
    `<p>${prose(contract.summary)}</p>`,
    '<dl>',
    `<dt>Topic</dt><dd><a href="#${anchor(contract.topic)}"><code>${escape(contract.topic)}</code></a></dd>`,
    `<dt>Kafka key</dt><dd>${contract.partitionKey ? prose(contract.partitionKey.description) : `payload field <code>${escape(contract.subject)}</code> (the aggregate id, also <code>ce_subject</code>)`}</dd>`,
    `<dt>Produced by</dt><dd>${escape(producerOf(contract))}</dd>`,
    `<dt>Consumed by</dt><dd>${consumers.length > 0 ? consumers.map((c) => `<code>${escape(c)}</code>`).join(', ') : '(integrators)'}</dd>`,
    `<dt>JSON Schema</dt><dd><a href="../schemas/${escape(schemaFile(contract))}"><code>schemas/${escape(schemaFile(contract))}</code></a></dd>`,
    '</dl>',
    '<table><thead><tr><th>Property</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>',
    ...propertyRows(schema),
    '</tbody></table>',
    example === undefined
      ? ''
      : `<details><summary>Example payload</summary><pre>${escape(JSON.stringify(example, null, 2))}</pre></details>`,
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function headerTable(): string {
  const h = CloudEventHeaders;
  const rows: Array<[string, string]> = [
    [h.specVersion, `CloudEvents spec version, <code>${CLOUDEVENTS_SPEC_VERSION}</code>`],
    [h.id, 'Unique event id: de-duplicate on (<code>ce_source</code>, <code>ce_id</code>)'],
    [h.type, '<code>aftersales.&lt;service&gt;.&lt;event-name&gt;.v&lt;N&gt;</code>: selects the payload schema'],
    [h.source, '<code>/aftersales/&lt;service&gt;</code>'],
    [h.time, 'When it happened (RFC 3339)'],
    [h.subject, 'The aggregate id'],
    [h.contentType, '<code>application/json</code> (CloudEvents <code>datacontenttype</code>)'],
    [h.tenant, 'Extension <code>tenantid</code>: the tenant (= payload <code>tenantId</code>)'],
    [h.correlationId, 'Extension <code>correlationid</code>: the business flow'],
    [h.causationId, 'Extension <code>causationid</code>: the message that caused it'],
    [h.traceparent, 'W3C Trace Context'],
    [h.tracestate, 'W3C Trace Context vendor state, when there is one'],
    [
      Object.values(LegacyCloudEventHeaders).join(', '),
      'Deprecated duplicates of the three extensions (contracts 0.1), sent up to the next version',
    ],
  ];
  return [
    '<table><thead><tr><th>Header</th><th>Meaning</th></tr></thead><tbody>',
    ...rows.map(([name, meaning]) => `<tr><td><code>${escape(name)}</code></td><td>${meaning}</td></tr>`),
    '</tbody></table>',
  ].join('\n');
}

/** The whole page. */
export function renderCatalogueHtml(version: string): string {
  const topics = Services.filter((service) => EventCatalogue.some((contract) => contract.service === service));
  const deadLetters = ServiceManifests.flatMap((manifest) =>
    manifest.consumers.map((consumer) => ({
      manifest,
      consumer,
      topic: dlqTopic(manifest.service, consumer.consumer),
    })),
  );
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>After-sales platform events — contracts ${escape(version)}</title>`,
    '<meta name="generator" content="contracts/scripts/generate-catalogue.ts">',
    '<style>',
    'body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1d1d1f}',
    'code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{background:#f5f5f7;padding:.75rem;overflow:auto}',
    'table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d2d2d7;padding:.3rem .5rem;text-align:left;vertical-align:top}',
    'th{background:#f5f5f7}section.event{border-top:2px solid #d2d2d7;margin-top:1.5rem}dl{display:grid;grid-template-columns:10rem 1fr;gap:.2rem 1rem}dt{font-weight:600}',
    '</style>',
    '</head>',
    '<body>',
    `<h1>After-sales platform events <small>contracts ${escape(version)}</small></h1>`,
    '<p>Generated from the event catalogue by <code>contracts/scripts/generate-catalogue.ts</code>; the machine-readable description is <a href="../asyncapi.yaml"><code>asyncapi.yaml</code></a> (AsyncAPI 3), the payload schemas are in <a href="../schemas/index.json"><code>schemas/</code></a>. How to consume: <code>docs/integrators.md</code>.</p>',
    '<h2 id="envelope">Envelope</h2>',
    '<p>CloudEvents 1.0, Kafka protocol binding, binary content mode: the attributes are headers, the value is the JSON payload, the key is the aggregate id unless an event says otherwise. Delivery is at-least-once: de-duplicate on <code>ce_id</code>; ignore types, properties and enum values you do not know.</p>',
    headerTable(),
    '<h2 id="topics">Topics</h2>',
    '<table><thead><tr><th>Topic</th><th>Producer</th><th>Events</th><th>Settings (production)</th></tr></thead><tbody>',
    ...topics.map((service) => {
      const events = EventCatalogue.filter((contract) => contract.service === service);
      return `<tr id="${anchor(Topics[service])}"><td><code>${escape(Topics[service])}</code></td><td>${escape(service)}${service === 'logistics' ? ' (and carrier integrations: ingress)' : ''}</td><td>${events.map((c) => `<a href="#${anchor(c.type)}"><code>${escape(c.type.replace(/^aftersales\.[a-z]+\./, ''))}</code></a>`).join(', ')}</td><td>${escape(settings(TopicSettingsByKind.events))}</td></tr>`;
    }),
    '</tbody></table>',
    '<h2 id="dead-letters">Dead-letter topics</h2>',
    `<p>A consumer that cannot process a message copies it unchanged with the headers ${Object.values(DeadLetterHeader)
      .map((name) => `<code>${escape(name)}</code>`)
      .join(', ')}. Settings: ${escape(settings(TopicSettingsByKind.deadLetters))}.</p>`,
    '<table><thead><tr><th>Topic</th><th>Consumer (Kafka group)</th><th>What it handles</th></tr></thead><tbody>',
    ...deadLetters.map(
      ({ manifest, consumer, topic }) =>
        `<tr><td><code>${escape(topic)}</code></td><td><code>${escape(`${manifest.service}.${consumer.consumer}`)}</code>: ${prose(consumer.summary)}</td><td>${consumer.handles.map((c) => `<a href="#${anchor(c.type)}"><code>${escape(c.type)}</code></a>`).join(', ')}</td></tr>`,
    ),
    '</tbody></table>',
    '<h2 id="events">Events</h2>',
    ...topics.flatMap((service) => [
      `<h2 id="events-${escape(service)}">${escape(Topics[service])}</h2>`,
      ...EventCatalogue.filter((contract) => contract.service === service).map(eventSection),
    ]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
