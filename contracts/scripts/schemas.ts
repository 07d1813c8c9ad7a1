/**
 * The publishable JSON Schema files: one per event version, `contracts/schemas/<topic>/<event-name>.v<N>.json` (the
 * payload schema, `$id` = the `ce_type`), an `index.json` of topics and events, and `released.json`, the SHA-256 of
 * every schema file as each release of the contracts package shipped it. Pure: the scripts and the contract tests share
 * it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EventCatalogue,
  ExternalProducers,
  ServiceManifests,
  Topics,
  dlqTopic,
  toJSONSchema,
  type AnyEventContract,
} from '@aftersales/contracts';

/** `contracts/schemas`. */
export const SCHEMA_DIR = join(__dirname, '..', 'schemas');
/** `contracts/schemas/released.json`. */
export const RELEASES_FILE = join(SCHEMA_DIR, 'released.json');

/** Path of a contract's schema file inside `contracts/schemas`, e.g. `aftersales.intake.events/case-opened.v1.json`. */
export function schemaFile(contract: AnyEventContract): string {
  return `${contract.topic}/${contract.name}.v${contract.version}.json`;
}

/** Release → (schema file → SHA-256 of its content as released, see {@link contentHash}). */
export type Releases = Record<string, Record<string, string>>;

/** SHA-256 of a file's JSON content, whatever its formatting: `JSON.stringify` of the parsed value. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** `released.json`, or no release yet. */
export function readReleases(): Releases {
  return existsSync(RELEASES_FILE) ? (JSON.parse(readFileSync(RELEASES_FILE, 'utf8')) as Releases) : {};
}

/** The release entry of the current files: every schema file (not `index.json`) with its {@link contentHash}. */
export function currentRelease(files: ReadonlyMap<string, unknown> = schemaFiles()): Record<string, string> {
  return Object.fromEntries(
    [...files].filter(([path]) => path !== 'index.json').map(([path, content]) => [path, contentHash(content)]),
  );
}

/** The (unformatted) content of every generated file, by path inside `contracts/schemas`. */
export function schemaFiles(catalogue: readonly AnyEventContract[] = EventCatalogue): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const contract of catalogue) {
    files.set(schemaFile(contract), {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      ...toJSONSchema(contract.schema),
    });
  }
  const producers = new Map<string, string>();
  for (const manifest of ServiceManifests) for (const c of manifest.publishes) producers.set(c.type, manifest.service);
  for (const producer of ExternalProducers) for (const c of producer.publishes) producers.set(c.type, producer.id);
  files.set('index.json', {
    description:
      'The event contracts of the after-sales platform: per topic, every event version with its JSON Schema file (payload), Kafka key and producers and consumers. Headers: CloudEvents 1.0 Kafka binding, binary mode (see asyncapi.yaml).',
    topics: Object.entries(Topics).map(([service, topic]) => ({
      topic,
      service,
      events: catalogue
        .filter((contract) => contract.topic === topic)
        .map((contract) => ({
          type: contract.type,
          version: contract.version,
          summary: contract.summary,
          schema: schemaFile(contract),
          key: contract.partitionKey ? contract.partitionKey.description : `payload field ${contract.subject}`,
          producer: producers.get(contract.type) ?? null,
          consumers: ServiceManifests.flatMap((manifest) =>
            manifest.consumers
              .filter((consumer) => consumer.handles.includes(contract))
              .map((consumer) => `${manifest.service}.${consumer.consumer}`),
          ),
        })),
    })),
    deadLetterTopics: ServiceManifests.flatMap((manifest) =>
      manifest.consumers.map((consumer) => dlqTopic(manifest.service, consumer.consumer)),
    ),
  });
  return files;
}
