/**
 * Breaking changes between a published OpenAPI document (`services/<name>/openapi.baseline.json`) and the current one,
 * judged from a client's side:
 * - an operation (path + method) removed;
 * - a request that was valid no longer is: a new required parameter or body, a parameter removed, a parameter or body
 *   schema that accepts less (type or format changed, enum value removed, constraint tightened, property removed or
 *   newly required, additional properties refused); a schema that became a union (`anyOf`/`oneOf`) accepts what it
 *   accepted when one of its alternatives does;
 * - a success response removed, or one that promises less (property removed or no longer required, type changed, format
 *   changed or removed); a response that sends less variety (an enum value fewer, tighter bounds) breaks no client;
 * - an operation that needs a role it did not need (`x-roles` lost one), or became authenticated.
 * Descriptions, examples, new operations, new optional inputs and new response properties are additive.
 */
import { findBreakingChanges, type JSONSchema } from '@aftersales/contracts';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The schema with every local `$ref` (`#/components/schemas/X`) replaced by its target (cycles stop at the ref). */
function resolve(document: Json, schema: unknown, seen: ReadonlySet<string> = new Set()): unknown {
  if (Array.isArray(schema)) return schema.map((item) => resolve(document, item, seen));
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as Json)['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    if (seen.has(ref)) return {};
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => obj(node)[part.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    return resolve(document, target, new Set([...seen, ref]));
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolve(document, value, seen)]));
}

/** Request side: what the server accepts may only grow. A property that became optional accepts more. */
const REQUEST_ADDITIVE = /: property no longer required$/;
/**
 * Response side: the client must still get every property it relied on, of the same type. A property that became
 * required, fewer enum values, tighter bounds or an added format narrow what is sent: no client breaks.
 */
const RESPONSE_ADDITIVE =
  /: (new required property|optional property became required|enum value .* removed|enum constraint added .*|\w+ tightened from .*|\w+ added \(.*\)|format ".*" added)$/;

function operations(document: Json): Map<string, Json> {
  const result = new Map<string, Json>();
  for (const [path, item] of Object.entries(obj(document['paths']))) {
    for (const method of METHODS) {
      const operation = obj(item)[method];
      if (operation) result.set(`${method.toUpperCase()} ${path}`, obj(operation));
    }
  }
  return result;
}

const parameterKey = (parameter: Json) => `${String(parameter['in'])}:${String(parameter['name'])}`;

function parametersOf(document: Json, operation: Json): Map<string, Json> {
  const list = Array.isArray(operation['parameters']) ? operation['parameters'] : [];
  return new Map(list.map((p) => obj(resolve(document, p))).map((p) => [parameterKey(p), p]));
}

const bodySchema = (document: Json, operation: Json): unknown =>
  resolve(document, obj(obj(obj(operation['requestBody'])['content'])['application/json'])['schema']);

const responseSchema = (document: Json, response: unknown): unknown =>
  resolve(document, obj(obj(obj(response)['content'])['application/json'])['schema']);

/**
 * What an input schema no longer accepts. A schema that became a union (`anyOf`/`oneOf`, say one report or a list of
 * them) is judged by its alternative closest to the old schema: one that accepts all it accepted breaks nothing.
 */
function inputChanges(was: unknown, now: unknown): string[] {
  const changesAgainst = (schema: unknown) =>
    findBreakingChanges(was as JSONSchema, schema as JSONSchema).filter((c) => !REQUEST_ADDITIVE.test(c));
  const alternatives = obj(now)['anyOf'] ?? obj(now)['oneOf'];
  const wasUnion = obj(was)['anyOf'] !== undefined || obj(was)['oneOf'] !== undefined;
  if (wasUnion || !Array.isArray(alternatives) || alternatives.length === 0) return changesAgainst(now);
  return alternatives.map(changesAgainst).reduce((best, changes) => (changes.length < best.length ? changes : best));
}

/** Inputs: parameters and body must accept at least what they accepted. */
function requestProblems(id: string, published: Json, old: Json, current: Json, now: Json): string[] {
  const problems: string[] = [];
  const oldParameters = parametersOf(published, old);
  const newParameters = parametersOf(current, now);
  for (const [key, parameter] of newParameters) {
    const was = oldParameters.get(key);
    if (parameter['required'] === true && was?.['required'] !== true)
      problems.push(`${id}: parameter ${key} now required`);
    if (!was) continue;
    const changes = inputChanges(obj(was['schema']), obj(parameter['schema']));
    problems.push(...changes.map((c) => `${id}: parameter ${key} ${c}`));
  }
  for (const key of oldParameters.keys()) if (!newParameters.has(key)) problems.push(`${id}: parameter ${key} removed`);
  const oldBody = bodySchema(published, old);
  const newBody = bodySchema(current, now);
  if (newBody !== undefined && oldBody === undefined && obj(now['requestBody'])['required'] === true) {
    problems.push(`${id}: request body now required`);
  }
  if (oldBody !== undefined && newBody !== undefined) {
    problems.push(...inputChanges(oldBody, newBody).map((c) => `${id}: request body ${c}`));
  }
  return problems;
}

/** Success responses: still there, and still promising every property they promised, of the same type. */
function responseProblems(id: string, published: Json, old: Json, current: Json, now: Json): string[] {
  const newResponses = obj(now['responses']);
  return Object.entries(obj(old['responses']))
    .filter(([status]) => status.startsWith('2'))
    .flatMap(([status, response]) => {
      if (!(status in newResponses)) return [`${id}: response ${status} removed`];
      const oldSchema = responseSchema(published, response);
      const newSchema = responseSchema(current, newResponses[status]);
      if (oldSchema === undefined || newSchema === undefined) return [];
      return findBreakingChanges(oldSchema as JSONSchema, newSchema as JSONSchema)
        .filter((c) => !RESPONSE_ADDITIVE.test(c))
        .map((c) => `${id}: response ${status} ${c}`);
    });
}

/** Access: no role taken away, no public operation made authenticated, no open one restricted to roles. */
function accessProblems(id: string, old: Json, now: Json): string[] {
  const rolesBefore = Array.isArray(old['x-roles']) ? (old['x-roles'] as string[]) : [];
  const rolesAfter = Array.isArray(now['x-roles']) ? (now['x-roles'] as string[]) : [];
  const isPublic = (operation: Json) =>
    Array.isArray(operation['security']) && (operation['security'] as unknown[]).length === 0;
  if (isPublic(old)) return isPublic(now) ? [] : [`${id}: now needs authentication`];
  if (rolesBefore.length === 0)
    return rolesAfter.length > 0 ? [`${id}: now restricted to role(s) ${rolesAfter.join(', ')}`] : [];
  const lost = rolesBefore.filter((role) => !rolesAfter.includes(role));
  return rolesAfter.length > 0 && lost.length > 0 ? [`${id}: role(s) ${lost.join(', ')} no longer allowed`] : [];
}

/** Breaking changes from `published` to `current`, one readable line each. */
export function findOpenApiBreakingChanges(published: Json, current: Json): string[] {
  const after = operations(current);
  return [...operations(published)].flatMap(([id, old]) => {
    const now = after.get(id);
    if (!now) return [`${id}: operation removed`];
    return [
      ...requestProblems(id, published, old, current, now),
      ...responseProblems(id, published, old, current, now),
      ...accessProblems(id, old, now),
    ];
  });
}
