import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ProblemDetails, type RouteDefinition } from '@aftersales/platform-http';

/** One HTTP exchange as the suites see it. */
export interface KitResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validators = new WeakMap<object, ValidateFunction>();

/**
 * The schema as the tests hold responses to it: objects without an `additionalProperties` rule are closed, so a view
 * that returns a field its schema does not document fails (the published document stays open for additive changes).
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = closed(value);
  if ('properties' in copy && !('additionalProperties' in copy) && !('patternProperties' in copy)) {
    copy.additionalProperties = false;
  }
  return copy;
}

function validatorOf(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(closed(JSON.parse(JSON.stringify(schema))) as object);
    validators.set(schema, validate);
  }
  return validate;
}

function errorsOf(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('; ');
}

/**
 * What is wrong with a route's answer, or `undefined` when it is fine: a 5xx; a 4xx that is not problem details or is
 * not documented for the route; a 2xx with a status or a body its `@Responds` does not document.
 */
export function responseProblem(
  route: RouteDefinition,
  response: KitResponse,
  extraProblems: readonly number[] = [],
): string | undefined {
  const { status } = response;
  if (status >= 500) return `answered ${status}: ${response.text.slice(0, 500)}`;
  if (status >= 400) {
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json'))
      return `answered ${status} as ${type}, not application/problem+json`;
    const validate = validatorOf(ProblemDetails);
    if (!validate(response.json))
      return `answered ${status} with a body that is not ProblemDetails: ${errorsOf(validate)}`;
    if ((response.json as { status?: unknown }).status !== status)
      return `answered ${status} with a problem of another status`;
    if (!route.problems.includes(status) && !extraProblems.includes(status)) {
      return `answered ${status}, which its documentation does not list (${route.problems.join(', ')})`;
    }
    if (status === 401 && !response.headers.get('www-authenticate')?.startsWith('Bearer')) {
      return 'answered 401 without WWW-Authenticate: Bearer';
    }
    return undefined;
  }
  const declared = route.responses.find((r) => r.status === status);
  if (!declared) return `answered ${status}, which no @Responds documents`;
  if (!declared.schema) return undefined;
  const contentType = declared.contentType ?? 'application/json';
  if (contentType !== 'application/json') {
    return response.headers.get('content-type')?.startsWith(contentType)
      ? undefined
      : `answered ${status} without ${contentType}`;
  }
  const validate = validatorOf(declared.schema);
  if (!validate(response.json)) {
    return `answered ${status} with a body its schema rejects: ${errorsOf(validate)} — ${response.text.slice(0, 300)}`;
  }
  return undefined;
}
