import { Controller, Get, Inject, Module, type DynamicModule, type Type as NestType } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { Type, type TSchema } from '@sinclair/typebox';
import { Public, Role } from './auth';
import { ProblemDetails } from './problem-details';
import {
  controllersOf,
  openApiPath,
  Responds,
  routeTable,
  type DeclaredResponse,
  type RouteDefinition,
  type RouteParameter,
} from './route-table';

/** What a service says about its API in the document's `info`. */
export interface ApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** An OpenAPI 3.1 document (the parts this builder writes). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string; license: { name: string; identifier: string } };
  servers: Array<{ url: string; description: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, JsonObject>>;
  components: {
    schemas: Record<string, JsonObject>;
    securitySchemes: Record<string, JsonObject>;
  };
  security: Array<Record<string, string[]>>;
}

/** The schema of `GET /docs/openapi.json` itself (its shape is OpenAPI's, validated by the tests). */
export const OpenApiDocumentSchema = Type.Object(
  {
    openapi: Type.Literal('3.1.0'),
    info: Type.Object({
      title: Type.String(),
      version: Type.String(),
      description: Type.Optional(Type.String()),
      license: Type.Optional(Type.Object({ name: Type.String(), identifier: Type.String() })),
    }),
    paths: Type.Record(Type.String(), Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()))),
  },
  { title: 'OpenApiDocument', description: 'An OpenAPI 3.1 document', additionalProperties: true },
);

const SECURITY_SCHEME = 'bearerAuth';

const PROBLEMS: Record<number, string> = {
  400: 'The request is invalid: `errors` lists each offending field (a JSON pointer and what is wrong with it)',
  401: 'No bearer token, or one that was rejected (expired, not yet valid, wrong issuer or audience, bad signature)',
  403: 'The caller lacks a role this operation needs (the route guard), or a business rule reserves it to others',
  404: 'No such resource in the caller’s tenant (another tenant’s resources are indistinguishable from none)',
  409: 'The resource is not in a state that allows this (the problem’s `rule` says why), or a concurrent change won: retry',
  413: 'The request body is larger than the service accepts (`HTTP_BODY_LIMIT_BYTES`, default 256 KiB)',
  415: 'The request body is not JSON (`Content-Type: application/json` or `application/*+json`)',
  422: 'The request is well-formed but breaks a business rule (the problem’s `code` and `rule` say which)',
  503: 'A dependency (the database) is briefly unavailable; retry after `Retry-After` seconds',
};

const PROBLEM_HEADERS: Record<number, JsonObject> = {
  401: { 'WWW-Authenticate': { description: 'The authentication scheme: `Bearer`', schema: { type: 'string' } } },
  503: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
};

/** Printable ASCII without spaces, 1–200 characters (`origin.ts`). */
const HEADER_TOKEN: JsonObject = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' };

const COMMAND_HEADERS: JsonObject[] = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retried request safe: the same key (per tenant) answers the first result again and appends nothing new.',
    schema: HEADER_TOKEN,
  },
  {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description:
      'Carried into the events this request causes (`ce_correlationid` header); a new one is made when absent.',
    schema: HEADER_TOKEN,
  },
];

/** A TypeBox schema as plain JSON (TypeBox's symbols dropped). */
function plain(schema: TSchema): JsonObject {
  return JSON.parse(JSON.stringify(schema)) as JsonObject;
}

/**
 * Moves every titled schema (`Type.Object({…}, { title: 'CaseView' })`) into `components.schemas` and refers to it
 * there, so a shape used by several routes is written once.
 */
class SchemaRegistry {
  readonly schemas: Record<string, JsonObject> = {};
  private readonly text = new Map<string, string>();

  ref(schema: TSchema): JsonObject {
    return this.hoist(plain(schema)) as JsonObject;
  }

  private hoist(node: Json): Json {
    if (Array.isArray(node)) return node.map((n) => this.hoist(n));
    if (node === null || typeof node !== 'object') return node;
    const copy: JsonObject = {};
    for (const [key, value] of Object.entries(node)) copy[key] = this.hoist(value);
    const title = copy.title;
    if (typeof title !== 'string' || !isSchemaNode(copy)) return copy;
    const text = JSON.stringify(copy);
    const known = this.text.get(title);
    if (known !== undefined && known !== text) {
      throw new Error(`Two different schemas are titled "${title}": give one another title`);
    }
    this.text.set(title, text);
    this.schemas[title] = copy;
    return { $ref: `#/components/schemas/${encodeURIComponent(title)}` };
  }
}

function isSchemaNode(node: JsonObject): boolean {
  return ['type', 'properties', 'anyOf', 'allOf', 'oneOf', 'items', 'enum', 'const', '$ref'].some((k) => k in node);
}

function rolesText(route: RouteDefinition): string {
  if (route.public) return 'Public: no token needed.';
  if (route.roles.length === 0) return 'Any authenticated caller (bearer JWT).';
  const roles = route.roles.filter((r) => r !== Role.Admin);
  return `Roles: ${roles.map((r) => `\`${r}\``).join(', ')} (and \`admin\`, which passes every role check).`;
}

function descriptionOf(route: RouteDefinition): string {
  const lines = [rolesText(route)];
  if (!route.public) {
    lines.push(
      'Tenant: acts within the caller’s tenant (the token’s `tenant` claim) only; another tenant’s resources answer 404 as if they did not exist.',
    );
  }
  if (route.commandOrigin) {
    lines.push(
      'Idempotent with `Idempotency-Key`: a retry with the same key answers the first result and appends nothing new.',
    );
  }
  return lines.join('\n\n');
}

function parameterOf(parameter: RouteParameter, schemas: SchemaRegistry): JsonObject {
  const { description, ...schema } = plain(parameter.schema);
  const text = typeof description === 'string' ? description : parameter.description;
  return {
    name: parameter.name,
    in: parameter.in,
    required: parameter.required,
    ...(text ? { description: text } : {}),
    schema: schemas.ref(schema as TSchema),
  };
}

function successOf(response: DeclaredResponse, schemas: SchemaRegistry): JsonObject {
  const headers: JsonObject = {};
  for (const [name, description] of Object.entries(response.headers ?? {})) {
    headers[name] = { description, schema: { type: 'string' } };
  }
  return {
    description: response.description ?? (response.status === 201 ? 'Created' : 'OK'),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(response.schema
      ? { content: { [response.contentType ?? 'application/json']: { schema: schemas.ref(response.schema) } } }
      : {}),
  };
}

function operationOf(route: RouteDefinition, schemas: SchemaRegistry): JsonObject {
  const responses: JsonObject = {};
  for (const response of route.responses) {
    if (response.status < 400) responses[String(response.status)] = successOf(response, schemas);
  }
  const problem = schemas.ref(ProblemDetails);
  for (const status of route.problems) {
    const declared = route.responses.find((r) => r.status === status);
    responses[String(status)] = {
      description: declared?.description ?? PROBLEMS[status] ?? 'Problem',
      ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
      content: { 'application/problem+json': { schema: problem } },
    };
  }
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: `${route.method} ${route.path}`,
    description: descriptionOf(route),
    ...(route.public ? { security: [] } : {}),
    'x-roles': route.public ? [] : [...route.roles],
    parameters: [
      ...route.parameters.map((p) => parameterOf(p, schemas)),
      ...(route.commandOrigin ? COMMAND_HEADERS : []),
    ],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemas.ref(route.body) } } } }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of a route table: one operation per route with its parameters, body and response schemas
 * (the very TypeBox schemas the pipes validate with and the controllers return), roles (`x-roles` and the
 * description), bearer JWT security and every problem response with the one {@link ProblemDetails} schema.
 */
export function openApiDocument(routes: readonly RouteDefinition[], info: ApiInfo): OpenApiDocument {
  const schemas = new SchemaRegistry();
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationOf(route, schemas) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: [
        info.description,
        'Every operation but the public ones needs a bearer JWT (`Authorization: Bearer <jwt>`) with `sub`, `tenant` and `roles` claims; each acts within the token’s tenant only.',
        'Errors are RFC 9457 problem details (`application/problem+json`, schema `ProblemDetails`) with a stable `code`.',
      ]
        .filter(Boolean)
        .join('\n\n'),
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative to where the document is served (`GET /docs/openapi.json` of the service itself).
    servers: [{ url: '/', description: 'The service that serves this document' }],
    tags: [...new Set(routes.map((r) => r.tag))].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: schemas.schemas,
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A JWT from the identity provider (JWKS) or, locally, an HS256 token (`npm run token`).',
        },
      },
    },
    security: [{ [SECURITY_SCHEME]: [] }],
  };
}

export const API_INFO = Symbol('API_INFO');

@Controller('docs')
class ApiDocsController {
  private document: OpenApiDocument | undefined;

  constructor(
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(API_INFO) private readonly info: ApiInfo,
  ) {}

  /** The service's OpenAPI 3.1 document, built once from the routes of the running application. */
  @Public()
  @Get('openapi.json')
  @Responds(200, OpenApiDocumentSchema, { description: 'The OpenAPI 3.1 document of this service' })
  openapi(): OpenApiDocument {
    this.document ??= openApiDocument(routeTable(controllersOf(this.modules.values())).routes, this.info);
    return this.document;
  }
}

/** The controller {@link ApiDocsModule} adds to every service: `GET /docs/openapi.json`. */
export const API_DOCS_CONTROLLERS: readonly NestType<unknown>[] = [ApiDocsController];

/** `GET /docs/openapi.json` for a service (the service runtime imports it for every service). */
@Module({})
export class ApiDocsModule {
  static forRoot(info: ApiInfo): DynamicModule {
    return {
      module: ApiDocsModule,
      controllers: [...API_DOCS_CONTROLLERS],
      providers: [{ provide: API_INFO, useValue: info }],
    };
  }
}
