import fc from 'fast-check';

/**
 * Values that satisfy a JSON Schema, as fast-check arbitraries: the subset TypeBox writes for request bodies, queries
 * and parameters (objects, arrays, strings with length, pattern and formats, numbers with bounds, enums, constants,
 * unions, nulls). Strings draw on awkward but valid characters too (right-to-left override, emoji, quotes,
 * backslashes, control characters), because a schema that admits them admits them all the way to the database.
 */

export type JsonSchema = {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly patternProperties?: Readonly<Record<string, JsonSchema>>;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
};

/**
 * Characters a valid string may hold that code tends to forget. (NUL and lone surrogates are not valid on this
 * platform: `SchemaPipe` refuses them, and the fuzzer sends them as hostile input.)
 */
const AWKWARD = ['\u202e', '\u00e9', '\u{1f600}', '"', "'", '\\', '%', '\n', '\t', ' ', '<', '/'];

/** Mostly readable text, sometimes awkward characters. */
function text(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const unit = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 -ABC'.split('')) },
    { weight: 1, arbitrary: fc.constantFrom(...AWKWARD) },
  );
  return fc.array(unit, { minLength, maxLength }).map((chars) => chars.join(''));
}

/** String length as JSON Schema counts it: code points. */
export function codePoints(value: string): number {
  return [...value].length;
}

const FORMATS: Record<string, () => fc.Arbitrary<string>> = {
  uuid: () => fc.uuid({ version: 4 }),
  'date-time': () =>
    fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  date: () =>
    fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  uri: () => fc.webUrl({ withQueryParameters: true }),
  email: () => fc.constantFrom('li.wei@example.com', 'a@b.co', 'first.last+tag@shop.example.org'),
};

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, Math.max(minLength, 40));
  const fits = (s: string) =>
    codePoints(s) >= minLength &&
    codePoints(s) <= (schema.maxLength ?? Infinity) &&
    (!schema.pattern || new RegExp(schema.pattern, 'u').test(s));
  const format = schema.format ? FORMATS[schema.format] : undefined;
  if (format) {
    const arbitrary = format();
    return schema.pattern || schema.maxLength !== undefined ? arbitrary.filter(fits) : arbitrary;
  }
  if (schema.pattern) {
    // One filter over both sources: random text alone may (almost) never match a selective pattern (a list of
    // names, `^P…` durations), and a filter over it alone would draw forever.
    const candidates = fc.stringMatching(new RegExp(schema.pattern));
    return fc.oneof(candidates, text(Math.max(minLength, 1), maxLength)).filter(fits);
  }
  return text(minLength, maxLength);
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum : -1_000_000);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum : 1_000_000);
  const inRange = (n: number) =>
    (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum) &&
    (schema.exclusiveMaximum === undefined || n < schema.exclusiveMaximum);
  if (integer) {
    return fc.integer({ min: Math.ceil(low), max: Math.floor(high) }).filter(inRange);
  }
  return fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true }).filter(inRange);
}

function objectArbitrary(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) record[name] = validValue(property, depth + 1);
  const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
  const fixed = fc.record(record, { requiredKeys });
  const open =
    schema.patternProperties ??
    (typeof schema.additionalProperties === 'object' ? { '.*': schema.additionalProperties } : undefined);
  if (!open || Object.keys(properties).length > 0) return fixed;
  const [pattern = '.*', values = {}] = Object.entries(open)[0] ?? [];
  const keys = pattern === '.*' || pattern === '^(.*)$' ? text(1, 12) : fc.stringMatching(new RegExp(pattern));
  return fc.dictionary(keys, validValue(values, depth + 1), { maxKeys: 3 });
}

/**
 * An arbitrary of values valid under `schema`. Optional properties are present or not; arrays stay short (up to three
 * items beyond their minimum) so a run is quick.
 *
 * @example
 * ```ts
 * fc.sample(validValue(OpenCaseRequest), 1)[0]; // { channel: 'chat', orderId: 'x', … }
 * ```
 */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map((s) => validValue(s, depth + 1)));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + 3, minLength + 3);
      return fc.array(validValue(schema.items ?? {}, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(schema, depth);
    default:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  }
}
