import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { validate } from '@readme/openapi-parser';
import { Type, type Static } from '@sinclair/typebox';
import type { CommandOrigin } from '@aftersales/eventstore';
import { Public, Role, Roles } from './auth';
import { openApiDocument } from './openapi';
import { RequestOrigin } from './origin';
import { ProblemDetails } from './problem-details';
import { Responds, routeTable } from './route-table';
import { SchemaPipe } from './validation';

const OpenThing = Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false });
const ThingView = Type.Object(
  { thingId: Type.String({ format: 'uuid' }), name: Type.String() },
  { title: 'ThingView' },
);
type ThingView = Static<typeof ThingView>;
const ListQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) });

@Controller('things')
class ThingsHttpController {
  @Post()
  @Roles(Role.Agent, Role.Supervisor)
  @Responds(201, ThingView, { headers: { Location: '/things/{thingId}' } })
  open(@RequestOrigin() _origin: CommandOrigin, @Body(new SchemaPipe(OpenThing)) body: { name: string }): ThingView {
    return { thingId: '00000000-0000-4000-8000-000000000000', name: body.name };
  }

  @Get(':thingId')
  @Roles(Role.Agent)
  @Responds(200, ThingView)
  get(
    @Param('thingId', new ParseUUIDPipe()) thingId: string,
    @Query(new SchemaPipe(ListQuery)) _q: unknown,
  ): ThingView {
    return { thingId, name: 'x' };
  }

  @Post(':thingId/archive')
  @HttpCode(200)
  archive(@Param('thingId') _thingId: string): void {}

  /** Not a route: no method metadata. */
  helper(): number {
    return 1;
  }
}

@Controller('status')
class StatusController {
  @Public()
  @Get()
  @Responds(200, Type.Object({ up: Type.Boolean() }))
  @Responds(503, ProblemDetails, { description: 'Down' })
  status(): { up: boolean } {
    return { up: true };
  }
}

describe('route table and OpenAPI document', () => {
  const table = routeTable([ThingsHttpController, StatusController]);
  const byId = (id: string) => table.routes.find((r) => r.operationId === id);

  it('reads methods, paths, roles, schemas and the command origin from Nest metadata', () => {
    expect(table.routes.map((r) => `${r.method} ${r.path} ${r.operationId}`)).toEqual([
      'GET /status status.status',
      'POST /things things.open',
      'GET /things/:thingId things.get',
      'POST /things/:thingId/archive things.archive',
    ]);
    const open = byId('things.open');
    expect(open).toMatchObject({
      roles: ['agent', 'supervisor'],
      commandOrigin: true,
      defaultStatus: 201,
      public: false,
    });
    expect(open?.body).toBe(OpenThing);
    expect(open?.problems).toEqual([400, 401, 403, 409, 413, 415, 422, 503]);
    const get = byId('things.get');
    expect(get?.parameters.map((p) => [p.name, p.in, p.required, p.schema])).toEqual([
      ['thingId', 'path', true, expect.objectContaining({ format: 'uuid' })],
      ['limit', 'query', false, expect.objectContaining({ pattern: '^[0-9]+$' })],
    ]);
    expect(get?.problems).toEqual([400, 401, 403, 404, 503]);
    expect(byId('status.status')).toMatchObject({ public: true, problems: [503] });
  });

  it('names each route that documents no response for its status', () => {
    expect(table.issues).toEqual([
      'POST /things/:thingId/archive (ThingsHttpController.archive): no @Responds(200, …)',
    ]);
  });

  it('builds an OpenAPI 3.1 document that the official schema accepts', async () => {
    const document = openApiDocument(table.routes, { title: 'things', version: '1.0.0' });
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true });
    const open = document.paths['/things']?.post as Record<string, unknown>;
    expect(open['x-roles']).toEqual(['agent', 'supervisor']);
    expect(JSON.stringify(open.parameters)).toContain('Idempotency-Key');
    expect(open.responses).toMatchObject({
      201: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingView' } } } },
      401: { headers: { 'WWW-Authenticate': {} } },
      415: { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } },
    });
    expect(document.paths['/status']?.get).toMatchObject({ security: [] });
    expect(document.paths['/things/{thingId}']?.get).toBeDefined();
    expect(Object.keys(document.components.schemas).sort()).toEqual(['FieldError', 'ProblemDetails', 'ThingView']);
  });
});
