/** JSON Schema primitive type names. */
export type JSONSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * The JSON Schema (draft-07 subset) that event contracts use; annotation keywords and anything
 * else are allowed but ignored by {@link findBreakingChanges}.
 */
export interface JSONSchema {
  $id?: string;
  title?: string;
  description?: string;
  type?: JSONSchemaTypeName | JSONSchemaTypeName[];
  properties?: Record<string, JSONSchema>;
  required?: string[];
  additionalProperties?: boolean | JSONSchema;
  items?: JSONSchema | JSONSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  anyOf?: JSONSchema[];
  oneOf?: JSONSchema[];
  allOf?: JSONSchema[];
  default?: unknown;
  examples?: unknown;
  [keyword: string]: unknown;
}

/** Keywords whose value is a lower bound: raising or adding one rejects data that was valid. */
const LOWER_BOUNDS = ['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum'] as const;
/** Keywords whose value is an upper bound: lowering or adding one rejects data that was valid. */
const UPPER_BOUNDS = ['maxLength', 'maxItems', 'maxProperties', 'maximum', 'exclusiveMaximum'] as const;

/**
 * Lists the changes from a published schema to the current schema of the SAME event version that
 * break producers, consumers or stored events. An empty list means the change is additive.
 *
 * Breaking (each reported with a JSONPath-like location, e.g. `$.evidence[].uri`):
 * - a property removed, or no longer required;
 * - a new required property, or an optional property becoming required;
 * - a type changed (narrowed, widened or replaced);
 * - an enum (or `const`) value removed, or an enum/const constraint added;
 * - a `format` added, changed or removed; a `pattern` added or changed;
 * - bounds tightened or added: `minLength`/`minItems`/`minimum`/… raised, `maxLength`/`maxItems`/`maximum`/… lowered;
 * - `additionalProperties: false` added;
 * - a union (`anyOf`/`oneOf`/`allOf`) whose branches changed;
 * - the same, recursively, in nested objects, array items and unions.
 *
 * Additive (accepted): a new optional property, an enum value added, bounds relaxed, a pattern
 * removed, annotations (`description`, `title`, `examples`, `default`) changed.
 *
 * @example
 * ```ts
 * findBreakingChanges(
 *   { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
 *   { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] },
 * ); // ['$.a: property removed', '$.b: new required property']
 * ```
 */
export function findBreakingChanges(published: JSONSchema, current: JSONSchema): string[] {
  const problems: string[] = [];
  compareSchemas('$', published, current, problems);
  return problems;
}

function compareSchemas(path: string, published: JSONSchema, current: JSONSchema, problems: string[]): void {
  const publishedTypes = typesOf(published);
  const currentTypes = typesOf(current);
  if (!sameMembers(publishedTypes, currentTypes)) {
    problems.push(`${path}: type changed from ${describeTypes(publishedTypes)} to ${describeTypes(currentTypes)}`);
    return;
  }
  compareAllowedValues(path, published, current, problems);
  compareFormat(path, published, current, problems);
  compareBounds(path, published, current, problems);
  compareObjects(path, published, current, problems);
  compareArrays(path, published, current, problems);
  for (const keyword of ['anyOf', 'oneOf', 'allOf'] as const) {
    compareUnions(path, keyword, published, current, problems);
  }
}

/** Declared types; for an untyped enum / union of constants (TypeBox `Union` of `Literal`s), the types of its values. */
function typesOf(schema: JSONSchema): JSONSchemaTypeName[] {
  if (schema.type !== undefined) return Array.isArray(schema.type) ? schema.type : [schema.type];
  const values = allowedValues(schema);
  return values === undefined ? [] : [...new Set(values.map(jsonTypeOf))];
}

function jsonTypeOf(value: unknown): JSONSchemaTypeName {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    default:
      return 'object';
  }
}

function describeTypes(types: readonly string[]): string {
  return types.length === 0 ? '(any)' : [...types].sort().join('|');
}

function sameMembers(left: readonly unknown[], right: readonly unknown[]): boolean {
  const rightKeys = new Set(right.map(valueKey));
  return left.length === right.length && left.every((value) => rightKeys.has(valueKey(value)));
}

function valueKey(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** Allowed values of `enum`, `const`, or a union made only of `const` branches; `undefined` = unconstrained. */
function allowedValues(schema: JSONSchema): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if ('const' in schema) return [schema.const];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches && branches.length > 0 && branches.every((branch) => 'const' in branch)) {
    return branches.map((branch) => branch.const);
  }
  return undefined;
}

function isLiteralUnion(schema: JSONSchema, keyword: 'anyOf' | 'oneOf' | 'allOf'): boolean {
  const branches = schema[keyword];
  return keyword !== 'allOf' && Array.isArray(branches) && branches.every((branch) => 'const' in branch);
}

function compareAllowedValues(path: string, published: JSONSchema, current: JSONSchema, problems: string[]): void {
  const before = allowedValues(published);
  const after = allowedValues(current);
  if (after === undefined) return;
  if (before === undefined) {
    problems.push(`${path}: enum constraint added (${after.map(valueKey).join(', ')})`);
    return;
  }
  const remaining = new Set(after.map(valueKey));
  for (const value of before) {
    if (!remaining.has(valueKey(value))) problems.push(`${path}: enum value ${valueKey(value)} removed`);
  }
}

function compareFormat(path: string, published: JSONSchema, current: JSONSchema, problems: string[]): void {
  const before = published.format;
  const after = current.format;
  if (before !== after) {
    if (before === undefined) problems.push(`${path}: format "${String(after)}" added`);
    else if (after === undefined) problems.push(`${path}: format "${before}" removed`);
    else problems.push(`${path}: format changed from "${before}" to "${after}"`);
  }
  if (current.pattern !== undefined && current.pattern !== published.pattern) {
    problems.push(
      published.pattern === undefined
        ? `${path}: pattern added (${current.pattern})`
        : `${path}: pattern changed from ${published.pattern} to ${current.pattern}`,
    );
  }
}

function compareBounds(path: string, published: JSONSchema, current: JSONSchema, problems: string[]): void {
  const check = (keyword: string, tightened: (before: number, after: number) => boolean): void => {
    const before = published[keyword];
    const after = current[keyword];
    if (typeof after !== 'number') return;
    if (typeof before !== 'number') problems.push(`${path}: ${keyword} added (${after})`);
    else if (tightened(before, after)) problems.push(`${path}: ${keyword} tightened from ${before} to ${after}`);
  };
  for (const keyword of LOWER_BOUNDS) check(keyword, (before, after) => after > before);
  for (const keyword of UPPER_BOUNDS) check(keyword, (before, after) => after < before);
}

function propertyPath(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function compareObjects(path: string, published: JSONSchema, current: JSONSchema, problems: string[]): void {
  const before = published.properties ?? {};
  const after = current.properties ?? {};
  const requiredBefore = new Set(published.required ?? []);
  const requiredAfter = new Set(current.required ?? []);

  for (const [name, schema] of Object.entries(before)) {
    const at = propertyPath(path, name);
    const successor = after[name];
    if (successor === undefined) {
      problems.push(`${at}: property removed`);
      continue;
    }
    if (requiredBefore.has(name) && !requiredAfter.has(name)) problems.push(`${at}: property no longer required`);
    if (!requiredBefore.has(name) && requiredAfter.has(name)) problems.push(`${at}: optional property became required`);
    compareSchemas(at, schema, successor, problems);
  }
  for (const name of requiredAfter) {
    if (!(name in before) && !requiredBefore.has(name))
      problems.push(`${propertyPath(path, name)}: new required property`);
  }
  if (current.additionalProperties === false && published.additionalProperties !== false) {
    problems.push(`${path}: additional properties no longer allowed`);
  }
  const extraBefore = published.additionalProperties;
  const extraAfter = current.additionalProperties;
  if (typeof extraBefore === 'object' && typeof extraAfter === 'object') {
    compareSchemas(`${path}.*`, extraBefore, extraAfter, problems);
  }
}

function compareArrays(path: string, published: JSONSchema, current: JSONSchema, problems: string[]): void {
  const before = published.items;
  const after = current.items;
  if (after === undefined) return;
  if (before === undefined) {
    problems.push(`${path}[]: item schema added`);
    return;
  }
  if (!Array.isArray(before) && !Array.isArray(after)) {
    compareSchemas(`${path}[]`, before, after, problems);
    return;
  }
  const tupleBefore = Array.isArray(before) ? before : [before];
  const tupleAfter = Array.isArray(after) ? after : [after];
  if (tupleBefore.length !== tupleAfter.length) {
    problems.push(`${path}: tuple length changed from ${tupleBefore.length} to ${tupleAfter.length}`);
    return;
  }
  tupleBefore.forEach((item, index) => {
    const successor = tupleAfter[index];
    if (successor !== undefined) compareSchemas(`${path}[${index}]`, item, successor, problems);
  });
}

/** Non-literal unions are compared branch by branch (by position): reordering or adding branches is breaking. */
function compareUnions(
  path: string,
  keyword: 'anyOf' | 'oneOf' | 'allOf',
  published: JSONSchema,
  current: JSONSchema,
  problems: string[],
): void {
  const literalOrAbsent = (schema: JSONSchema): boolean =>
    schema[keyword] === undefined || isLiteralUnion(schema, keyword);
  if (literalOrAbsent(published) && literalOrAbsent(current)) return; // unions of constants are compared as enums
  const before = published[keyword] ?? [];
  const after = current[keyword] ?? [];
  if (before.length === 0 && after.length === 0) return;
  if (before.length !== after.length) {
    problems.push(`${path}: ${keyword} branches changed from ${before.length} to ${after.length}`);
    return;
  }
  before.forEach((branch, index) => {
    const successor = after[index];
    if (successor !== undefined) compareSchemas(`${path}<${keyword}[${index}]>`, branch, successor, problems);
  });
}

/**
 * A schema as plain JSON: drops TypeBox's symbol-keyed metadata and `undefined`s, as stored in
 * the published baselines and the AsyncAPI document.
 *
 * @example
 * ```ts
 * findBreakingChanges(baseline, toJSONSchema(CaseOpenedV1.schema));
 * ```
 */
export function toJSONSchema(schema: object): JSONSchema {
  return JSON.parse(JSON.stringify(schema)) as JSONSchema;
}
