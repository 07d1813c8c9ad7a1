import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { validate as validateOpenApi } from '@readme/openapi-parser';
import type { AnyEventContract, EventData } from '@aftersales/contracts';
import { openApiPath, Role, type RouteDefinition, type RouteParameter } from '@aftersales/platform-http';
import { serviceOpenApiDocument, type ServiceDefinition } from '@aftersales/service-runtime';
import { uniqueName } from '@aftersales/testing';
import { eventually } from '../wait';
import {
  hostileBody,
  hostileQuery,
  hostileQueryValue,
  hostileSegment,
  originHeaders,
  unexpectedBody,
  type WireBody,
} from './hostile';
import { responseProblem, type KitResponse } from './responses';
import { validValue, type JsonSchema } from './schema-arbitrary';
import { startServiceUnderTest, type ServiceUnderTest } from './service-under-test';

/** What a service's seed gets: tenant A, a marker to write into its resources, and ways to create them. */
export interface SeedContext {
  /** Tenant A, which owns the seeded resources. */
  readonly tenant: string;
  /** A unique text to write into free-text fields of the seeded resources: another tenant must never see it. */
  readonly marker: string;
  /** Calls the service as tenant A with one role (default `admin`). */
  request(
    method: string,
    path: string,
    options?: { readonly role?: string; readonly body?: unknown; readonly headers?: Record<string, string> },
  ): Promise<KitResponse>;
  /** Publishes a contract event for tenant A, as the producing service's relay would. */
  publish<C extends AnyEventContract>(contract: C, data: EventData<C>): Promise<void>;
  /** Polls until `probe` returns a value (for what arrives over Kafka). */
  eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs?: number): Promise<T>;
}

/** Tenant A's resources, by the name of the path or query parameter that addresses them. */
export interface SeedResult {
  /** Tenant-owned resources (`caseId`, `id`…): another tenant gets 404 for each, and never their content. */
  readonly resources: Readonly<Record<string, string>>;
  /**
   * References rather than tenant-owned resources (a customer id is a reference each tenant may hold): another tenant
   * may use them (and get its own view), but tenant A's view must not change.
   */
  readonly references?: Readonly<Record<string, string>>;
}

export interface HttpKitOptions {
  /** Environment the service needs at start (e.g. `PRIVACY_MASTER_KEY`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Creates resources in tenant A through the service's own API (or its input events), so the grid can check that
   * another tenant cannot reach them and the fuzzer reaches the branches behind an existing resource. Optional.
   */
  readonly seed?: (context: SeedContext) => Promise<SeedResult>;
  /** Fuzz runs per route: default 40 for routes with a body, 15 for others. */
  readonly runsPerRoute?: number;
}

const ROLES: readonly string[] = Object.values(Role);
const DEFAULT_SEED = 20_260_131;

/** The fuzzer's base seed: `HTTP_KIT_SEED` to replay a failure, else a fixed one (the runs are deterministic). */
export function kitSeed(): number {
  const fromEnv = Number(process.env.HTTP_KIT_SEED);
  return Number.isInteger(fromEnv) ? fromEnv : DEFAULT_SEED;
}

/** `HTTP_KIT_RUNS` multiplies the runs per route (e.g. 10 for a long local hunt); 1 by default. */
function runsFactor(): number {
  const factor = Number(process.env.HTTP_KIT_RUNS);
  return Number.isFinite(factor) && factor > 0 ? factor : 1;
}

/** A seed per route, so adding a route does not change the others' runs. */
function routeSeed(base: number, route: RouteDefinition): number {
  return base ^ createHash('sha256').update(route.operationId).digest().readInt32BE(0);
}

function sample<T>(arbitrary: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arbitrary, { seed, numRuns: 1 })[0] as T;
}

interface KitRequest {
  readonly method: string;
  /** Path and query, already encoded. */
  readonly target: string;
  readonly token?: string;
  readonly authorization?: string;
  readonly body?: WireBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Sends a request as written: node:http, not fetch, so a GET may carry a body, the path goes out exactly as encoded
 * (no `..` folding) and a body the server refuses early (413) still gets its answer read.
 */
function send(url: string, request: KitRequest): Promise<KitResponse> {
  const headers: Record<string, string> = { ...request.headers, ...request.body?.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  if (request.body?.contentType !== undefined) headers['content-type'] = request.body.contentType;
  if (request.body?.bytes) headers['content-length'] = String(request.body.bytes.length);
  const { hostname, port } = new URL(url);
  return new Promise<KitResponse>((resolve, reject) => {
    let answered = false;
    const options = {
      hostname,
      port,
      method: request.method,
      path: request.target,
      headers,
      timeout: 30_000,
      agent: false,
    };
    const req = httpRequest(options, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    // A server may answer (413) and close before the whole body is written: the answer counts, the broken pipe not.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    req.end(request.body?.bytes);
  });
}

/**
 * A value as a URL carries it. A lone surrogate cannot be percent-encoded (URLs are UTF-8): it travels as U+FFFD, and
 * the invalid bytes themselves are among the hostile segments.
 */
function urlEncode(value: unknown): string {
  return encodeURIComponent(
    String(value).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}

const pathParameters = (route: RouteDefinition) => route.parameters.filter((p) => p.in === 'path');
const queryParameters = (route: RouteDefinition) => route.parameters.filter((p) => p.in === 'query');

function fill(path: string, segments: Readonly<Record<string, string>>): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => segments[name] ?? 'missing');
}

function queryString(parts: ReadonlyArray<string>): string {
  const kept = parts.filter((p) => p.length > 0);
  return kept.length ? `?${kept.join('&')}` : '';
}

/** A valid value for a parameter: the seeded one when there is one, else one drawn from its schema. */
function parameterValue(parameter: RouteParameter, seeded: Readonly<Record<string, string>>, seed: number): string {
  return seeded[parameter.name] ?? String(sample(validValue(parameter.schema as JsonSchema), seed));
}

/** Roles that pass the route's guard (admin always does). */
function admittedRoles(route: RouteDefinition): string[] {
  return route.roles.length === 0 ? [...ROLES] : [...new Set<string>([...route.roles, Role.Admin])];
}

function describeRequest(route: RouteDefinition, request: KitRequest, tenant: string, role: string): string {
  return `${request.method} ${request.target} as ${role} of ${tenant}${request.body ? ` with ${request.body.kind}` : ''} (${route.operationId})`;
}

/**
 * The inherited HTTP suites of a service, in one `describe`: its OpenAPI document, bearer-token negatives, the
 * authorization grid (every route × role × tenant) and the hostile-input fuzzer. A service gets them with one file.
 *
 * @example
 * ```ts
 * // services/<name>/test/http-kit.int.spec.ts
 * import { describeHttpKit } from '@aftersales/testing';
 * import { fooService } from '../src/foo.module';
 *
 * describeHttpKit(fooService);
 * ```
 */
export function describeHttpKit(definition: ServiceDefinition, options: HttpKitOptions = {}): void {
  describe(`${definition.service}: inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input)`, () => {
    const tenantA = uniqueName('kit-a');
    const tenantB = uniqueName('kit-b');
    const marker = `kit-marker-${uniqueName('m')}`;
    let sut: ServiceUnderTest;
    let seeded: SeedResult = { resources: {} };
    const base = kitSeed();

    const call = async (request: KitRequest) => send(sut.service.url, request);
    const routes = () => sut.table.routes;
    const allSeeded = () => ({ ...seeded.references, ...seeded.resources });

    beforeAll(async () => {
      sut = await startServiceUnderTest(definition, options.env);
      if (options.seed) {
        seeded = await options.seed({
          tenant: tenantA,
          marker,
          request: async (method, path, { role = Role.Admin, body, headers } = {}) =>
            call({
              method,
              target: path,
              token: await sut.idp.token(tenantA, [role]),
              headers,
              ...(body === undefined
                ? {}
                : {
                    body: { kind: 'seed', bytes: Buffer.from(JSON.stringify(body)), contentType: 'application/json' },
                  }),
            }),
          publish: async (contract, data) => {
            await (await sut.publisher()).publish(contract, data, { tenant: tenantA });
          },
          eventually: (probe, what, timeoutMs) =>
            eventually(probe, `seed of ${definition.service}: ${what}`, timeoutMs),
        });
      }
    });

    afterAll(async () => {
      await sut?.close();
    });

    it('serves a valid OpenAPI 3.1 document of every route, each with its responses, roles and problems', async () => {
      expect(sut.table.issues).toEqual([]);
      const res = await call({ method: 'GET', target: '/docs/openapi.json' });
      expect(res.status).toBe(200);
      const document = res.json as { paths: Record<string, Record<string, Record<string, unknown>>> };
      const result = await validateOpenApi(structuredClone(document) as never);
      expect(result.valid ? [] : result.errors).toEqual([]);
      // What is committed as services/<name>/openapi.json (linted and compared with its published baseline by
      // test/contract/openapi.spec.ts) is built from the same route table without starting the service.
      expect(document).toEqual(JSON.parse(JSON.stringify(serviceOpenApiDocument(definition))));
      for (const route of routes()) {
        const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
        expect({ route: route.operationId, documented: operation !== undefined }).toEqual({
          route: route.operationId,
          documented: true,
        });
        const responses = Object.keys((operation?.responses ?? {}) as object).map(Number);
        expect(responses).toEqual(expect.arrayContaining([...route.responses.map((r) => r.status), ...route.problems]));
        expect(operation?.['x-roles']).toEqual(route.public ? [] : route.roles);
      }
    });

    it('answers 401 problem details with WWW-Authenticate to every token it must not accept', async () => {
      const route =
        routes().find((r) => !r.public && r.method === 'GET' && pathParameters(r).length === 0) ??
        routes().find((r) => !r.public);
      if (!route) return;
      const target =
        fill(route.path, allSeeded()) +
        queryString(
          queryParameters(route)
            .filter((p) => p.required)
            .map((p) => `${encodeURIComponent(p.name)}=${urlEncode(parameterValue(p, allSeeded(), base))}`),
        );
      const now = Math.floor(Date.now() / 1000);
      const claims = { tenant: tenantA, roles: [Role.Admin] };
      const valid = await sut.idp.sign(claims);
      const [header, payload, signature] = valid.split('.') as [string, string, string];
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
      const cases: Record<string, string | undefined> = {
        'no Authorization header': undefined,
        'an empty bearer': 'Bearer ',
        'another scheme': `Basic ${Buffer.from('admin:admin').toString('base64')}`,
        'not a JWT': 'Bearer not-a-jwt',
        expired: `Bearer ${await sut.idp.sign({ ...claims, expiresAt: now - 120 })}`,
        'no expiry (exp)': `Bearer ${await sut.idp.sign({ ...claims, expiresAt: null })}`,
        'not yet valid (nbf)': `Bearer ${await sut.idp.sign({ ...claims, notBefore: now + 3600 })}`,
        'alg none': `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
        'wrong issuer': `Bearer ${await sut.idp.sign({ ...claims, issuer: 'https://evil.example/' })}`,
        'wrong audience': `Bearer ${await sut.idp.sign({ ...claims, audience: 'another-api' })}`,
        'tampered signature': `Bearer ${header}.${payload}.${flipped}`,
        'tampered claims': `Bearer ${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), tenant: tenantB })}.${signature}`,
        'unknown kid': `Bearer ${await sut.idp.sign({ ...claims, kid: 'unknown-kid', stranger: true })}`,
        'known kid, foreign key': `Bearer ${await sut.idp.sign({ ...claims, stranger: true })}`,
        'HS256 with a guessable secret': `Bearer ${await new SignJWT({ ...claims })
          .setProtectedHeader({ alg: 'HS256', kid: sut.idp.kid })
          .setSubject('forger')
          .setIssuer(sut.idp.issuer)
          .setAudience(sut.idp.audience)
          .setExpirationTime(now + 600)
          .sign(new TextEncoder().encode('secret'))}`,
        'no tenant claim': `Bearer ${await sut.idp.sign({ ...claims, tenant: '' })}`,
      };
      const failures: string[] = [];
      for (const [name, authorization] of Object.entries(cases)) {
        const res = await call({
          method: route.method,
          target,
          authorization,
          ...(route.body
            ? { body: { kind: 'empty object', bytes: Buffer.from('{}'), contentType: 'application/json' } }
            : {}),
        });
        const problem = res.status === 401 ? responseProblem(route, res) : `answered ${res.status}`;
        if (problem) failures.push(`${name}: ${problem}`);
        else expect(res.json).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED' });
      }
      expect(failures).toEqual([]);
      const accepted = await call({ method: route.method, target, token: valid });
      expect(accepted.status).not.toBe(401);
    });

    it("grid: every route × role × tenant — 403 without the role, another tenant's resources answer 404 and never leak", async () => {
      const failures: string[] = [];
      const resourceNames = new Set(Object.keys(seeded.resources));
      const snapshotTargets = routes().filter(
        (r) =>
          !r.public &&
          r.method === 'GET' &&
          pathParameters(r).length > 0 &&
          r.parameters.every((p) => !p.required || p.name in allSeeded()),
      );
      const snapshot = async () =>
        Promise.all(
          snapshotTargets.map(async (r) => {
            const res = await call({
              method: 'GET',
              target: fill(r.path, allSeeded()),
              token: await sut.idp.token(tenantA, [Role.Admin]),
            });
            return { route: r.operationId, status: res.status, body: res.json };
          }),
        );
      const before = await snapshot();
      for (const entry of before) {
        const usesResource = snapshotTargets
          .find((r) => r.operationId === entry.route)
          ?.parameters.some((p) => resourceNames.has(p.name));
        if (usesResource && (entry.status < 200 || entry.status >= 300)) {
          failures.push(`${entry.route}: the seeded resource is not readable by its own tenant (${entry.status})`);
        }
      }

      const checks: Array<() => Promise<void>> = [];
      for (const route of routes().filter((r) => !r.public)) {
        const seed = routeSeed(base, route);
        const segments = Object.fromEntries(
          pathParameters(route).map((p) => [p.name, urlEncode(parameterValue(p, allSeeded(), seed))]),
        );
        const query = queryParameters(route)
          .filter((p) => p.required || p.name in allSeeded())
          .map((p) => `${encodeURIComponent(p.name)}=${urlEncode(parameterValue(p, allSeeded(), seed))}`);
        const target = fill(route.path, segments) + queryString(query);
        const body: WireBody | undefined = route.body
          ? {
              kind: 'a valid body',
              bytes: Buffer.from(JSON.stringify(sample(validValue(route.body as JsonSchema), seed))),
              contentType: 'application/json',
            }
          : undefined;
        const foreign = route.parameters.some((p) => resourceNames.has(p.name));
        for (const role of ROLES) {
          checks.push(async () => {
            const request: KitRequest = {
              method: route.method,
              target,
              token: await sut.idp.token(tenantB, [role]),
              body,
            };
            const res = await call(request);
            const what = describeRequest(route, request, 'tenant B', role);
            const admitted = admittedRoles(route).includes(role);
            const code = (res.json as { code?: string } | undefined)?.code;
            if (!admitted) {
              if (res.status !== 403 || code !== 'AUTH.FORBIDDEN')
                failures.push(`${what}: expected 403 AUTH.FORBIDDEN, got ${res.status} ${code ?? ''}`);
              return;
            }
            const problem = responseProblem(route, res);
            if (problem) failures.push(`${what}: ${problem}`);
            if (res.status === 401 || code === 'AUTH.FORBIDDEN')
              failures.push(`${what}: the guard refused an admitted role (${res.status})`);
            if (foreign && res.status !== 404)
              failures.push(`${what}: tenant A's resource answered ${res.status}, not 404`);
            if (res.text.includes(marker)) failures.push(`${what}: the answer shows tenant A's data`);
          });
        }
      }
      for (let i = 0; i < checks.length; i += 8) await Promise.all(checks.slice(i, i + 8).map((check) => check()));

      const after = await snapshot();
      for (const [i, entry] of after.entries()) {
        const earlier = before[i];
        if (JSON.stringify(entry) !== JSON.stringify(earlier)) {
          failures.push(
            `${entry.route}: tenant A's view changed while tenant B worked (${JSON.stringify(earlier).slice(0, 200)} → ${JSON.stringify(entry).slice(0, 200)})`,
          );
        }
      }
      expect(failures).toEqual([]);
    });

    it('hostile input: every answer is 2xx or a documented 4xx problem, never 5xx, and the service stays ready', async () => {
      for (const route of routes()) {
        const seed = routeSeed(base, route);
        const runs = Math.round((options.runsPerRoute ?? (route.body ? 40 : 15)) * runsFactor());
        const statuses = new Map<number, number>();
        const arbitrary = requestArbitrary(route, allSeeded(), sut.bodyLimit);
        try {
          await fc.assert(
            fc.asyncProperty(arbitrary, async ({ role, target, body, headers }) => {
              const token = route.public ? undefined : await sut.idp.token(tenantA, [role]);
              const request: KitRequest = { method: route.method, target, token, body, headers };
              let res: KitResponse;
              try {
                res = await call(request);
              } catch (error) {
                throw new Error(
                  `${describeRequest(route, request, 'tenant A', role)}: no answer (${(error as Error).message})`,
                );
              }
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
              const extra = route.body ? [] : [400, 413, 415];
              const problem = responseProblem(route, res, extra);
              if (problem) throw new Error(`${describeRequest(route, request, 'tenant A', role)}: ${problem}`);
            }),
            { seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
          );
        } catch (error) {
          throw new Error(
            `${route.method} ${route.path}: ${(error as Error).message}\nReplay with HTTP_KIT_SEED=${base} (route seed ${seed}).`,
          );
        }
        if (process.env.HTTP_KIT_VERBOSE) {
          const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
          process.stdout.write(`[http-kit] ${definition.service} ${route.method} ${route.path}: ${counts.join(' ')}\n`);
        }
        const ready = await call({ method: 'GET', target: '/health/ready' });
        expect({ after: route.operationId, status: ready.status }).toEqual({ after: route.operationId, status: 200 });
      }
    });
  });
}

interface FuzzRequest {
  readonly role: string;
  readonly target: string;
  readonly body?: WireBody;
  readonly headers: Readonly<Record<string, string>>;
}

/** The requests the fuzzer sends to a route: seeded, valid or hostile path, query, body and headers. */
function requestArbitrary(
  route: RouteDefinition,
  seeded: Readonly<Record<string, string>>,
  bodyLimit: number,
): fc.Arbitrary<FuzzRequest> {
  const segment = (p: RouteParameter): fc.Arbitrary<string> => {
    const valid = validValue(p.schema as JsonSchema).map(urlEncode);
    const hostile = hostileSegment().map((h) => h.raw);
    const known = seeded[p.name];
    return known === undefined
      ? fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: hostile })
      : fc.oneof(
          { weight: 6, arbitrary: fc.constant(urlEncode(known)) },
          { weight: 2, arbitrary: valid },
          { weight: 2, arbitrary: hostile },
        );
  };
  const queryPart = (p: RouteParameter): fc.Arbitrary<string> => {
    const key = encodeURIComponent(p.name);
    const known = seeded[p.name];
    const valid = validValue(p.schema as JsonSchema).map((v) => `${key}=${urlEncode(v)}`);
    return fc.oneof(
      { weight: 3, arbitrary: known === undefined ? valid : fc.constant(`${key}=${urlEncode(known)}`) },
      { weight: 2, arbitrary: valid },
      { weight: p.required ? 0 : 4, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: hostileQueryValue(p.name).map((h) => h.raw) },
    );
  };
  const paths = pathParameters(route);
  const queries = queryParameters(route);
  return fc
    .record({
      role: fc.constantFrom(...admittedRoles(route)),
      segments: fc.tuple(...paths.map(segment)),
      query: fc.tuple(...queries.map(queryPart)),
      extraQuery: fc.oneof(
        { weight: 4, arbitrary: fc.constant('') },
        { weight: 1, arbitrary: hostileQuery().map((h) => h.raw) },
      ),
      body: route.body ? hostileBody(route.body as JsonSchema, bodyLimit) : unexpectedBody(bodyLimit),
      headers: route.commandOrigin ? originHeaders() : fc.constant({}),
    })
    .map(({ role, segments, query, extraQuery, body, headers }) => {
      const request: FuzzRequest = {
        role,
        target:
          fill(route.path, Object.fromEntries(paths.map((p, i) => [p.name, segments[i] ?? '']))) +
          queryString([...query, extraQuery]),
        body: body.bytes === undefined && body.contentType === undefined && !body.headers ? undefined : body,
        headers,
      };
      // Failure reports show the request as a reader wants it: the body as text (cut), not as bytes.
      const text = body.bytes ? body.bytes.toString('utf8') : '';
      const preview = text.length > 600 ? `${text.slice(0, 600)}… (${body.bytes?.length} bytes)` : text;
      return Object.assign(request, {
        [fc.toStringMethod]: () =>
          `${route.method} ${request.target} as ${role}, ${body.kind}${body.contentType !== undefined ? `, Content-Type ${JSON.stringify(body.contentType)}` : ''}, headers ${JSON.stringify({ ...headers, ...body.headers })}: ${JSON.stringify(preview)}`,
      });
    });
}
