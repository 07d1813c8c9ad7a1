import type { Static, TObject } from '@sinclair/typebox';
import { isService, type Service } from './services';
import { Topics, type EventTopic } from './topics';

/** Versioned CloudEvents type of an event: `aftersales.<service>.<event-name>.v<N>`. */
export type EventType<
  S extends Service = Service,
  N extends string = string,
  V extends number = number,
> = `aftersales.${S}.${N}.v${V}`;

/** Keys of `T` whose value is a required string: the candidates for an event's subject. */
export type RequiredStringKeys<T> = {
  [K in keyof T]-?: undefined extends T[K] ? never : T[K] extends string ? K : never;
}[keyof T] &
  string;

/**
 * A Kafka key other than the subject, for events that consumers must see in order across aggregates: complaints
 * about one product land on one partition, so a consumer correlating them needs no cross-partition coordination.
 * Every event of one aggregate must map to the same key, so the aggregate's own order is kept too.
 */
export interface PartitionKey<Data> {
  /** What the key is and why, for the catalogue and AsyncAPI. */
  readonly description: string;
  /** The key of one event. */
  of(data: Data): string;
}

/** What a contract author declares; see {@link defineEvent}. */
export interface EventDefinition<
  S extends Service,
  N extends string,
  V extends number,
  P extends TObject,
  K extends RequiredStringKeys<Static<P>>,
> {
  /** Producing service; decides topic and `ce_source`. */
  readonly service: S;
  /** Event name in kebab-case and past tense, e.g. `case-opened`. */
  readonly name: N;
  /** Contract version (positive integer). Breaking changes need a new version. */
  readonly version: V;
  /** One sentence saying what happened, for the catalogue and AsyncAPI. */
  readonly summary: string;
  /** Payload field holding the aggregate id: used as `ce_subject` and, unless `partitionKey` says otherwise, as the Kafka key. */
  readonly subject: K;
  /** Payload schema; its `$id` must equal the event type. */
  readonly schema: P;
  /** Kafka key when it is not the subject (see {@link PartitionKey}). */
  readonly partitionKey?: PartitionKey<Static<P>>;
}

/**
 * An event contract: the single declaration from which the JSON Schema, the TypeScript type,
 * the topic and the CloudEvents type of one event version derive.
 */
export interface EventContract<
  S extends Service = Service,
  N extends string = string,
  V extends number = number,
  P extends TObject = TObject,
  K extends string = string,
> {
  /** CloudEvents type (`ce_type`), e.g. `aftersales.intake.case-opened.v1`. */
  readonly type: EventType<S, N, V>;
  readonly service: S;
  readonly name: N;
  readonly version: V;
  readonly summary: string;
  /** Payload field used as `ce_subject` and (without `partitionKey`) as the Kafka key. */
  readonly subject: K;
  /** Payload JSON Schema (TypeBox). */
  readonly schema: P;
  /** Kafka key when it is not the subject. */
  readonly partitionKey?: PartitionKey<Static<P>>;
  /** Topic the event is published on. */
  readonly topic: EventTopic<S>;
}

/** Any event contract, whatever its service, name, version and payload. */
export type AnyEventContract = EventContract<Service, string, number, TObject, string>;

/**
 * Payload type of an event contract.
 *
 * @example
 * ```ts
 * export type CaseOpenedV1 = EventData<typeof CaseOpenedV1>;
 * ```
 */
export type EventData<C extends AnyEventContract> = Static<C['schema']>;

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * The CloudEvents type of an event version.
 *
 * @example
 * ```ts
 * eventType('intake', 'case-opened', 1); // 'aftersales.intake.case-opened.v1'
 * ```
 */
export function eventType<S extends Service, N extends string, V extends number>(
  service: S,
  name: N,
  version: V,
): EventType<S, N, V> {
  return `aftersales.${service}.${name}.v${version}`;
}

/** The parts of a CloudEvents type, see {@link parseCeType}. */
export interface ParsedCeType {
  readonly service: Service;
  readonly name: string;
  readonly version: number;
}

const CE_TYPE = /^aftersales\.([a-z]+)\.([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)$/;

/**
 * Splits a `ce_type` into service, event name and version; `null` when it is not a well-formed
 * platform event type (wrong prefix, unknown service, name not kebab-case, version not `v<N>`).
 *
 * @example
 * ```ts
 * parseCeType('aftersales.intake.case-opened.v1'); // { service: 'intake', name: 'case-opened', version: 1 }
 * parseCeType('com.example.thing'); // null
 * ```
 */
export function parseCeType(ceType: string): ParsedCeType | null {
  const match = CE_TYPE.exec(ceType);
  if (!match) return null;
  const [, service = '', name = '', version = ''] = match;
  if (!isService(service)) return null;
  const parsedVersion = Number(version);
  if (!Number.isSafeInteger(parsedVersion)) return null;
  return { service, name, version: parsedVersion };
}

/**
 * Declares one version of an event. Declare each version once, in its own file
 * (`contracts/src/events/<service>/<name>.v<N>.ts`), and add it to the `EventCatalogue`.
 *
 * Checks the declaration at load time: kebab-case name, positive integer version, schema `$id`
 * equal to the event type, and `subject` naming a required string property of the payload.
 *
 * @throws Error when the declaration is inconsistent.
 *
 * @example
 * ```ts
 * export const CaseOpenedV1 = defineEvent({
 *   service: 'intake',
 *   name: 'case-opened',
 *   version: 1,
 *   summary: 'An after-sales case (ticket) was opened on a customer channel.',
 *   subject: 'caseId',
 *   schema: Type.Object({ caseId: Type.String({ format: 'uuid' }) }, { $id: 'aftersales.intake.case-opened.v1' }),
 * });
 * export type CaseOpenedV1 = EventData<typeof CaseOpenedV1>;
 * CaseOpenedV1.type; // 'aftersales.intake.case-opened.v1'
 * CaseOpenedV1.topic; // 'aftersales.intake.events'
 * ```
 */
export function defineEvent<
  const S extends Service,
  const N extends string,
  const V extends number,
  P extends TObject,
  const K extends RequiredStringKeys<Static<P>>,
>(definition: EventDefinition<S, N, V, P, K>): EventContract<S, N, V, P, K> {
  const { service, name, version, summary, subject, schema, partitionKey } = definition;
  const type = eventType(service, name, version);
  const fail = (problem: string): never => {
    throw new Error(`Invalid event contract ${type}: ${problem}`);
  };
  if (!isService(service)) fail(`unknown service "${service}"`);
  if (!KEBAB_CASE.test(name)) fail(`name "${name}" is not kebab-case`);
  if (!Number.isSafeInteger(version) || version < 1) fail(`version ${version} is not a positive integer`);
  if (summary.trim() === '') fail('summary is empty');
  if (schema.$id !== type) fail(`schema $id must be "${type}", got "${String(schema.$id)}"`);
  const subjectSchema: unknown = schema.properties[subject];
  if (!(schema.required ?? []).includes(subject) || !isStringSchema(subjectSchema)) {
    fail(`subject "${subject}" must be a required string property of the payload`);
  }
  if (partitionKey && partitionKey.description.trim() === '') fail('partitionKey needs a description');
  return Object.freeze({
    type,
    service,
    name,
    version,
    summary,
    subject,
    schema,
    topic: Topics[service],
    ...(partitionKey ? { partitionKey } : {}),
  });
}

function isStringSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'string';
}

/**
 * The Kafka key of an event: its contract's `partitionKey` when it declares one, else its subject.
 *
 * @example
 * ```ts
 * eventKey(CaseOpenedV1, caseOpened); // caseOpened.caseId
 * eventKey(ComplaintRegisteredV1, complaint); // 'acme|sku:PB-20000'
 * ```
 */
export function eventKey<C extends AnyEventContract>(contract: C, data: EventData<C>): string {
  return contract.partitionKey ? contract.partitionKey.of(data) : eventSubject(contract, data);
}

/**
 * The subject (aggregate id) of an event: the value to use as `ce_subject` (and the Kafka key unless the contract
 * declares a `partitionKey`, see {@link eventKey}).
 *
 * @example
 * ```ts
 * eventSubject(CaseOpenedV1, caseOpened); // caseOpened.caseId
 * ```
 */
export function eventSubject<C extends AnyEventContract>(contract: C, data: EventData<C>): string {
  const value: unknown = (data as Record<string, unknown>)[contract.subject];
  if (typeof value !== 'string') {
    throw new TypeError(`${contract.type}: subject field "${contract.subject}" is not a string`);
  }
  return value;
}
