import {
  HttpStatus,
  ParseBoolPipe,
  ParseFloatPipe,
  ParseIntPipe,
  ParseUUIDPipe,
  RequestMethod,
  type Type as NestType,
} from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PUBLIC_KEY, ROLES_KEY, type Role } from './auth';
import { requestOriginFactory } from './origin';

/**
 * The route table of a service: every HTTP route with what Nest knows about it (method and path from `@Controller`
 * and `@Get`/`@Post`…, roles from `@Roles`, public routes from `@Public`, body and query schemas from the
 * {@link DescribedPipe}s such as `SchemaPipe`, path parameters from `ParseUUIDPipe` and friends, Idempotency-Key and
 * X-Correlation-Id from `@RequestOrigin`) plus what Nest cannot know, declared with {@link Responds}: the response
 * statuses and schemas. The OpenAPI document (`openapi.ts`) and the inherited test suites (`@aftersales/testing`)
 * both read it.
 */

const RESPONSES_KEY = 'aftersales:responses';

/** A response a route declares with {@link Responds}. */
export interface DeclaredResponse {
  readonly status: number;
  /** The body's schema; none for an empty body. */
  readonly schema?: TSchema;
  readonly description?: string;
  /** Response headers: name → description (e.g. `Location`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** `application/json` unless said otherwise (`text/plain` for metrics). */
  readonly contentType?: string;
}

export interface RespondsOptions {
  readonly description?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

/**
 * Declares a response of a route: its status and the TypeBox schema of its body. The method's return type must be
 * the schema's static type (the compiler checks it), so the documented shape and the code cannot drift apart; the
 * inherited tests validate every 2xx body against it. Problem responses (400, 401, 403, 404, 409, 413, 415, 422, 503)
 * are derived from the route; declare others with the {@link ProblemDetails} schema.
 *
 * @example
 * ```ts
 * @Post()
 * @Responds(201, CaseView, { headers: { Location: 'The new case' } })
 * async open(...): Promise<CaseView> { … }
 * ```
 */
export function Responds<N extends number, S extends TSchema>(status: N, schema?: S, options: RespondsOptions = {}) {
  return <F extends (...args: never[]) => Returned<N, S>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    const handler = descriptor.value as object;
    const declared = (Reflect.getMetadata(RESPONSES_KEY, handler) as DeclaredResponse[] | undefined) ?? [];
    const response: DeclaredResponse = { status, ...(schema ? { schema } : {}), ...options };
    Reflect.defineMetadata(RESPONSES_KEY, [...declared, response], handler);
    void target;
    void key;
  };
}

/** What a handler documented with `@Responds(status, schema)` returns: the schema's type for 2xx and 3xx. */
type Returned<N extends number, S extends TSchema> = `${N}` extends `2${string}` | `3${string}`
  ? Static<S> | Promise<Static<S>>
  : unknown;

/**
 * A pipe that says which values it accepts (as a JSON Schema): `SchemaPipe` does. The route table documents a body,
 * query or path parameter with it.
 */
export interface DescribedPipe {
  readonly schema: TSchema;
}

function isDescribedPipe(pipe: unknown): pipe is DescribedPipe {
  return typeof pipe === 'object' && pipe !== null && typeof (pipe as { schema?: unknown }).schema === 'object';
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface RouteParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: TSchema;
  readonly description?: string;
}

export interface RouteDefinition {
  /** `<controller>.<method>`, unique in a service. */
  readonly operationId: string;
  /** The controller's name without `HttpController` (the OpenAPI tag). */
  readonly tag: string;
  readonly method: HttpMethod;
  /** Express-style path, `/incidents/:id/close`. */
  readonly path: string;
  /** Reachable without a token (`@Public`). */
  readonly public: boolean;
  /** Roles admitted by `@Roles` (admin always passes); empty: any authenticated caller. */
  readonly roles: readonly Role[];
  readonly body?: TSchema;
  readonly parameters: readonly RouteParameter[];
  /** Takes `@RequestOrigin`: accepts `Idempotency-Key` and `X-Correlation-Id`. */
  readonly commandOrigin: boolean;
  /** The status Nest answers by default (`@HttpCode`, else 201 for POST and 200 otherwise). */
  readonly defaultStatus: number;
  /** Declared with {@link Responds}. */
  readonly responses: readonly DeclaredResponse[];
  /** Problem statuses this route may answer: derived from the route and declared ones. */
  readonly problems: readonly number[];
}

export interface RouteTable {
  readonly routes: readonly RouteDefinition[];
  /** What keeps a route from being fully documented (no `@Responds` for its status, duplicates…). */
  readonly issues: readonly string[];
}

const METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
  [RequestMethod.HEAD]: 'HEAD',
  [RequestMethod.OPTIONS]: 'OPTIONS',
};

/** Path parameter schemas of Nest's own parsing pipes. */
const NEST_PIPE_SCHEMAS: ReadonlyArray<readonly [NestType<unknown>, () => TSchema]> = [
  [ParseUUIDPipe, () => Type.String({ format: 'uuid' })],
  [ParseIntPipe, () => Type.String({ pattern: '^-?[0-9]+$' })],
  [ParseFloatPipe, () => Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$' })],
  [ParseBoolPipe, () => Type.String({ enum: ['true', 'false'] })],
];

interface ArgMetadata {
  readonly index: number;
  readonly data?: unknown;
  readonly pipes?: readonly unknown[];
  readonly factory?: unknown;
}

function joinPath(...parts: Array<string | undefined>): string {
  const joined = parts
    .filter((p): p is string => typeof p === 'string')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
  return `/${joined}`;
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

function pipeSchema(pipes: readonly unknown[] | undefined): TSchema | undefined {
  for (const pipe of pipes ?? []) {
    if (isDescribedPipe(pipe)) return pipe.schema;
    for (const [type, schema] of NEST_PIPE_SCHEMAS) {
      if (pipe === type || pipe instanceof type) return schema();
    }
  }
  return undefined;
}

/** The properties of an object schema (a query object validated whole). */
function propertiesOf(schema: TSchema): Array<{ name: string; schema: TSchema; required: boolean }> {
  const properties = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(properties).map(([name, s]) => ({ name, schema: s, required: required.has(name) }));
}

function controllerTag(controller: NestType<unknown>): string {
  return controller.name.replace(/(Http)?Controller$/, '') || controller.name;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function metadata<T>(key: string, ...targets: object[]): T | undefined {
  for (const target of targets) {
    const value = Reflect.getMetadata(key, target) as T | undefined;
    if (value !== undefined) return value;
  }
  return undefined;
}

interface RouteInputs {
  body?: TSchema;
  parameters: RouteParameter[];
  commandOrigin: boolean;
  validated: boolean;
}

/** Adds one `@Body`, `@Query` or `@Param` argument to the route's inputs. */
function addArgument(inputs: RouteInputs, pathSchemas: Map<string, TSchema>, type: RouteParamtypes, arg: ArgMetadata) {
  const schema = pipeSchema(arg.pipes);
  if (arg.pipes?.length) inputs.validated = true;
  const name = typeof arg.data === 'string' ? arg.data : undefined;
  if (type === RouteParamtypes.BODY) {
    inputs.body = schema ?? Type.Unknown();
  } else if (type === RouteParamtypes.PARAM && name) {
    pathSchemas.set(name, schema ?? Type.String());
  } else if (type === RouteParamtypes.QUERY && name) {
    inputs.parameters.push({ name, in: 'query', required: false, schema: schema ?? Type.String() });
  } else if (type === RouteParamtypes.QUERY && schema) {
    for (const p of propertiesOf(schema)) inputs.parameters.push({ ...p, in: 'query' });
  }
}

function inputsOf(controller: NestType<unknown>, method: string, path: string): RouteInputs {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, ArgMetadata>;
  const inputs: RouteInputs = { parameters: [], commandOrigin: false, validated: false };
  const pathSchemas = new Map<string, TSchema>();
  for (const [key, arg] of Object.entries(args)) {
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
      if (arg.factory === requestOriginFactory) inputs.commandOrigin = true;
    } else {
      addArgument(inputs, pathSchemas, Number(key.split(':')[0]) as RouteParamtypes, arg);
    }
  }
  const pathParameters = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name = '']): RouteParameter => ({
    name,
    in: 'path',
    required: true,
    schema: pathSchemas.get(name) ?? Type.String(),
  }));
  inputs.parameters = [...pathParameters, ...inputs.parameters];
  return inputs;
}

function problemsOf(
  route: Omit<RouteDefinition, 'problems'>,
  validated: boolean,
  declared: readonly DeclaredResponse[],
): number[] {
  const problems = new Set<number>(declared.filter((r) => r.status >= 400).map((r) => r.status));
  const command = route.method !== 'GET' && route.method !== 'HEAD';
  if (route.body || validated || route.commandOrigin || route.parameters.length > 0)
    problems.add(HttpStatus.BAD_REQUEST);
  if (!route.public) {
    problems.add(HttpStatus.UNAUTHORIZED);
    problems.add(HttpStatus.SERVICE_UNAVAILABLE);
  }
  if (!route.public && route.roles.length > 0) problems.add(HttpStatus.FORBIDDEN);
  if (route.parameters.some((p) => p.in === 'path')) problems.add(HttpStatus.NOT_FOUND);
  if (command && !route.public) {
    problems.add(HttpStatus.CONFLICT);
    problems.add(HttpStatus.UNPROCESSABLE_ENTITY);
  }
  if (route.body) {
    problems.add(HttpStatus.PAYLOAD_TOO_LARGE);
    problems.add(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
  }
  return [...problems].sort((a, b) => a - b);
}

/**
 * Reads the routes of these controllers from Nest's metadata. Classes without routes (Kafka consumers) add nothing.
 *
 * @example
 * ```ts
 * const { routes, issues } = routeTable(controllersOf(app.get(ModulesContainer)));
 * ```
 */
export function routeTable(controllers: Iterable<NestType<unknown>>): RouteTable {
  const routes: RouteDefinition[] = [];
  const issues: string[] = [];
  for (const controller of new Set(controllers)) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(prototype)) {
      if (method !== 'constructor') routes.push(...routesOf(controller, method, issues));
    }
  }
  const seen = new Map<string, string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path.replace(/:[^/]+/g, ':')}`;
    const other = seen.get(key);
    if (other) issues.push(`${route.method} ${route.path}: both ${other} and ${route.operationId} answer it`);
    seen.set(key, route.operationId);
  }
  routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  return { routes, issues };
}

/** The routes of one handler method: one per path (a controller or handler may list several); none for non-routes. */
function routesOf(controller: NestType<unknown>, method: string, issues: string[]): RouteDefinition[] {
  const handler = Object.getOwnPropertyDescriptor(controller.prototype, method)?.value as object | undefined;
  if (typeof handler !== 'function') return [];
  const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  const httpMethod = requestMethod === undefined ? undefined : METHODS[requestMethod];
  if (!httpMethod) return [];
  const tag = controllerTag(controller);
  const responses = (Reflect.getMetadata(RESPONSES_KEY, handler) as DeclaredResponse[] | undefined) ?? [];
  const defaultStatus =
    (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
    (httpMethod === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
  const common = {
    tag,
    method: httpMethod,
    public: metadata<boolean>(PUBLIC_KEY, handler, controller) === true,
    roles: metadata<Role[]>(ROLES_KEY, handler, controller) ?? [],
    defaultStatus,
    responses,
  };
  const paths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((base) =>
    pathsOf(Reflect.getMetadata(PATH_METADATA, handler)).map((own) => joinPath(base, own)),
  );
  return paths.map((path, variant) => {
    const { validated, ...inputs } = inputsOf(controller, method, path);
    const operationId = `${lowerFirst(tag)}.${method}${variant === 0 ? '' : variant}`;
    const route = { ...common, operationId, path, ...inputs };
    if (!responses.some((r) => r.status === defaultStatus)) {
      issues.push(`${httpMethod} ${path} (${controller.name}.${method}): no @Responds(${defaultStatus}, …)`);
    }
    return { ...route, problems: problemsOf(route, validated, responses) };
  });
}

/** The controllers of a running Nest application (every module, the platform's own included). */
export function controllersOf(
  modules: Iterable<{ controllers: Map<unknown, { metatype: unknown }> }>,
): NestType<unknown>[] {
  const controllers: NestType<unknown>[] = [];
  for (const module of modules) {
    for (const wrapper of module.controllers.values()) {
      if (typeof wrapper.metatype === 'function') controllers.push(wrapper.metatype as NestType<unknown>);
    }
  }
  return controllers;
}

/**
 * The controllers of a Nest module and everything it imports, read from the module metadata without creating the
 * application (static modules and dynamic ones alike), in import order, each once. What `controllersOf` finds in a
 * running application, less the platform's own controllers, which the service runtime adds.
 *
 * @example
 * ```ts
 * routeTable([...PLATFORM_CONTROLLERS, ...API_DOCS_CONTROLLERS, ...moduleControllers(SurveysModule)]);
 * ```
 */
export function moduleControllers(root: unknown): NestType<unknown>[] {
  const controllers: NestType<unknown>[] = [];
  const visited = new Set<unknown>();
  const visit = (entry: unknown): void => {
    const resolved = (entry as { forwardRef?: () => unknown } | null)?.forwardRef?.() ?? entry;
    if (!resolved || visited.has(resolved)) return;
    visited.add(resolved);
    const dynamic =
      typeof resolved === 'object'
        ? (resolved as { module?: unknown; controllers?: unknown[]; imports?: unknown[] })
        : null;
    const type = (dynamic ? dynamic.module : resolved) as object | undefined;
    if (!type) return;
    const metadata = (key: string): unknown[] => (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
    for (const imported of [...metadata('imports'), ...(dynamic?.imports ?? [])]) visit(imported);
    for (const controller of [...metadata('controllers'), ...(dynamic?.controllers ?? [])]) {
      if (typeof controller === 'function' && !controllers.includes(controller as NestType<unknown>)) {
        controllers.push(controller as NestType<unknown>);
      }
    }
  };
  visit(root);
  return controllers;
}

/** `/incidents/:id/close` → `/incidents/{id}/close`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
