import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { Type, type Static } from '@sinclair/typebox';
import { CaseOpenedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { Role, Roles, SchemaPipe } from '@aftersales/platform-http';
import { kafkaBrokers, uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from './index';
import { defineService, type ServiceDefinition } from '@aftersales/service-runtime';

const Note = Type.Object({ text: Type.String({ maxLength: 100_000 }) }, { additionalProperties: false });
type Note = Static<typeof Note>;

@Controller('notes')
class NotesController {
  @Post()
  @HttpCode(201)
  @Roles(Role.Agent)
  take(@Body(new SchemaPipe(Note)) note: Note) {
    return { length: note.text.length };
  }
}

/** Who handled which event, as each handler saw it. */
const handled: Array<{ readonly handler: string; readonly actor: string; readonly caseId: string }> = [];

@Controller()
class CaseRegisterA {
  @Handles(CaseOpenedV1)
  async onCaseOpened({ data, origin, tx }: InboxEvent<CaseOpenedV1>): Promise<void> {
    await tx.query('SELECT 1'); // inside the inbox transaction
    handled.push({ handler: 'A', actor: origin.actor.id, caseId: data.caseId });
  }
}

@Controller()
class CaseRegisterB {
  @Handles(CaseOpenedV1)
  async onCaseOpened({ data, origin }: InboxEvent<CaseOpenedV1>): Promise<void> {
    handled.push({ handler: 'B', actor: origin.actor.id, caseId: data.caseId });
  }
}

@Module({ controllers: [NotesController, CaseRegisterA, CaseRegisterB] })
class RuntimeProbeModule {}

/** A service of two consumers on the same topic (intake's), each with its own handler class, and one HTTP route. */
const probeService: ServiceDefinition = defineService({
  service: 'surveys',
  module: RuntimeProbeModule,
  consumers: [
    { consumer: 'register-a', handlers: [CaseRegisterA] },
    { consumer: 'register-b', handlers: [CaseRegisterB] },
  ],
});

const aCaseOpened = (tenantId: string): CaseOpenedV1 => ({
  caseId: randomUUID(),
  tenantId,
  channel: 'chat',
  orderId: 'ORD-1',
  customerId: 'cus-1',
  problemType: 'quality',
  description: 'Battery swells',
  evidence: [],
  openedAt: new Date().toISOString(),
});

// CONTEXT: the runtime's own guarantees, on real Kafka and Postgres: one consumer runs only its own handlers (before,
// every consumer of a service ran every @EventPattern handler of the service), and HTTP bodies are JSON of bounded
// size, refused with problem details otherwise (a 3 MB body used to answer 500).
describe('service runtime (real Postgres + Kafka)', () => {
  const tenant = uniqueName('shop');
  let service: TestService;
  let upstream: ContractPublisher;

  beforeAll(async () => {
    service = await startTestService(probeService, { config: { httpBodyLimitBytes: 4096 } });
    upstream = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await upstream?.close();
    await service?.close();
  });

  it('runs each consumer with its own handler set: one event, one run per consumer, each as its consumer', async () => {
    const first = aCaseOpened(tenant);
    const second = aCaseOpened(tenant);
    await upstream.publish(CaseOpenedV1, first);
    await upstream.publish(CaseOpenedV1, second);
    const ofCase = (caseId: string) => handled.filter((h) => h.caseId === caseId);
    await eventually(
      () => (ofCase(second.caseId).length >= 2 ? true : undefined),
      'both consumers to handle the event',
    );
    for (const { caseId } of [first, second]) {
      expect(ofCase(caseId).sort((a, b) => a.handler.localeCompare(b.handler))).toEqual([
        { handler: 'A', actor: 'system:surveys.register-a', caseId },
        { handler: 'B', actor: 'system:surveys.register-b', caseId },
      ]);
    }
  });

  describe('HTTP bodies', () => {
    const agent = { tenant, roles: [Role.Agent] };

    it('accepts JSON within the limit', async () => {
      const res = await service.call('POST', '/notes', { caller: agent, body: { text: 'hello' } });
      expect(res).toMatchObject({ status: 201, body: { length: 5 } });
    });

    it('answers 413 problem details to a body over the limit', async () => {
      const res = await service.call('POST', '/notes', { caller: agent, body: { text: 'x'.repeat(8_000) } });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE' });
    });

    it.each([
      ['text/plain', 'text=hello'],
      ['application/x-www-form-urlencoded', 'text=hello'],
      ['application/xml', '<text>hello</text>'],
    ])('answers 415 problem details to a %s body', async (contentType, body) => {
      const res = await service.call('POST', '/notes', {
        caller: agent,
        body,
        headers: { 'content-type': contentType },
      });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ status: 415, code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' });
    });

    it('answers 400 problem details to malformed JSON', async () => {
      const res = await service.call('POST', '/notes', {
        caller: agent,
        body: '{"text": "unterminated',
        headers: { 'content-type': 'application/json' },
      });
      expect(res).toMatchObject({
        status: 400,
        body: { code: 'REQUEST.INVALID', detail: expect.stringMatching(/JSON/) },
      });
    });

    it('stays ready after all of it', async () => {
      expect((await service.call('GET', '/health/ready')).status).toBe(200);
    });
  });
});

describe('service definitions', () => {
  @Controller()
  class Stray {
    @Handles(CaseOpenedV1)
    async onCaseOpened(): Promise<void> {}
  }
  class NoHandlers {}

  it('refuses a handler class listed by two consumers, a class without handlers, and a name that is not kebab-case', () => {
    @Controller()
    class Shared {
      @Handles(CaseOpenedV1)
      async onCaseOpened(): Promise<void> {}
    }
    const base = { service: 'surveys' as const, module: RuntimeProbeModule };
    expect(() =>
      defineService({
        ...base,
        consumers: [
          { consumer: 'one', handlers: [Shared] },
          { consumer: 'two', handlers: [Shared] },
        ],
      }),
    ).toThrow(/belongs to one consumer/);
    expect(() => defineService({ ...base, consumers: [{ consumer: 'none', handlers: [NoHandlers] }] })).toThrow(
      /no @Handles method/,
    );
    expect(() => defineService({ ...base, consumers: [{ consumer: 'Bad_Name', handlers: [Stray] }] })).toThrow(
      /kebab-case/,
    );
  });

  it("installs no signal handler of its own: SIGTERM has one shutdown path, main()'s, not also Nest's hooks", async () => {
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR2'] as const;
    const before = signals.map((s) => process.listenerCount(s));
    const service = await startTestService(probeService);
    try {
      expect(signals.map((s) => process.listenerCount(s))).toEqual(before);
    } finally {
      await service.close();
    }
  });

  it('refuses to start a service whose module has an event handler no consumer lists', async () => {
    @Module({ controllers: [CaseRegisterA, Stray] })
    class StrayModule {}
    const definition = defineService({
      service: 'surveys',
      module: StrayModule,
      consumers: [{ consumer: 'register-a', handlers: [CaseRegisterA] }],
    });
    await expect(startTestService(definition)).rejects.toThrow(
      /Stray\.onCaseOpened handles events but no consumer lists/,
    );
  });
});

// CONTEXT: ADR 24. Under load, timers fired on the HTTP process's event loop waited behind request batches (logistics'
// stalled-shipment timers 24 s late at 2,000 scans/s); SERVICE_ROLES lets a deployment run them in processes of their own.
describe('SERVICE_ROLES: what one process of a service runs', () => {
  /** Background workers started in this process, by the process that started them. */
  const workersStarted: string[] = [];
  const rolesService = (label: string): ServiceDefinition =>
    defineService({
      ...probeService,
      integrationEvents: () => null,
      workers: () => [{ start: () => void workersStarted.push(label), stop: async () => undefined }],
    });
  const agent = (tenant: string) => ({ tenant, roles: [Role.Agent] });
  let full: TestService;
  let api: TestService;
  let background: TestService;
  /** Every role, finished timers kept forever (`TIMER_RETENTION_DAYS=0`). */
  let kept: TestService;
  let upstream: ContractPublisher;
  // The retention sweep (ADR 28) every 50 ms instead of every 5 minutes.
  const sweepMs = 50;

  beforeAll(async () => {
    full = await startTestService(rolesService('full'), { config: { timerRetentionSweepMs: sweepMs } });
    api = await startTestService(rolesService('api'), {
      config: { roles: new Set(['api', 'consumers']), timerRetentionSweepMs: sweepMs },
    });
    background = await startTestService(rolesService('background'), {
      config: { roles: new Set(['workers', 'relay']), timerRetentionSweepMs: sweepMs },
    });
    kept = await startTestService(rolesService('kept'), {
      config: { timerRetentionDays: 0, timerRetentionSweepMs: sweepMs },
    });
    upstream = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await upstream?.close();
    await Promise.all([full?.close(), api?.close(), background?.close(), kept?.close()]);
  });

  it('runs the workers and the relay only where their roles are', () => {
    expect(workersStarted.sort()).toEqual(['background', 'full', 'kept']);
    expect(full.running.relay).not.toBeNull();
    expect(api.running.relay).toBeNull();
    expect(background.running.relay).not.toBeNull();
  });

  it('a process without `api` answers its routes with 404 problem details saying where the API is; probes and docs answer', async () => {
    const tenant = uniqueName('shop');
    const res = await background.call('POST', '/notes', { caller: agent(tenant), body: { text: 'hello' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, detail: expect.stringMatching(/runs workers,relay .*not the API/) });
    expect((await background.call('GET', '/health/ready')).status).toBe(200);
    expect((await background.call('GET', '/health/live')).status).toBe(200);
    expect((await background.call('GET', '/metrics')).status).toBe(200);
    expect((await background.call('GET', '/docs/openapi.json')).status).toBe(200);
    expect((await api.call('POST', '/notes', { caller: agent(tenant), body: { text: 'hello' } })).status).toBe(201);
  });

  it('a process without `consumers` joins no consumer group', async () => {
    // An event every consumer that runs handles: once the full process handled it, the api process's groups joined
    // long since, had it started them; the background process's groups neither.
    const event = aCaseOpened(uniqueName('shop'));
    await upstream.publish(CaseOpenedV1, event);
    await eventually(
      () => (handled.filter((h) => h.caseId === event.caseId).length >= 2 ? true : undefined),
      'the full process handled the event',
    );
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const described = await admin.describeGroups([
        full.groupOf('register-a'),
        api.groupOf('register-a'),
        api.groupOf('register-b'),
        background.groupOf('register-a'),
      ]);
      const members = Object.fromEntries(described.groups.map((g) => [g.groupId, g.members.length]));
      expect(members[full.groupOf('register-a')]).toBeGreaterThan(0);
      expect(members[api.groupOf('register-a')]).toBeGreaterThan(0);
      expect(members[api.groupOf('register-b')]).toBeGreaterThan(0);
      expect(members[background.groupOf('register-a')]).toBe(0);
      expect(handled.filter((h) => h.caseId === event.caseId).length).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.disconnect();
    }
  });

  // CONTEXT: ADR 28. The retention sweep of finished durable timers runs beside the timer workers — in the processes
  // with the `workers` role — and not at all with TIMER_RETENTION_DAYS=0.
  it('deletes finished timers past the horizon only in the processes with the workers role, and not when retention is off', async () => {
    const fortyDaysAgo = new Date(Date.now() - 40 * 86_400_000);
    const services = { full, api, background, kept };
    for (const service of Object.values(services)) {
      await service.pool.query(
        `INSERT INTO es_timers (timer_id, tenant, kind, due_at, fired_at, cancelled_at) VALUES
           ('fired-40d', 't1', 'test', $1, $1, NULL),
           ('cancelled-40d', 't1', 'test', $1, NULL, $1),
           ('pending-40d', 't1', 'test', now() + interval '1 day', NULL, NULL)`,
        [fortyDaysAgo],
      );
    }
    const timersOf = async (service: TestService) =>
      (await service.pool.query<{ timer_id: string }>('SELECT timer_id FROM es_timers ORDER BY timer_id')).rows.map(
        (r) => r.timer_id,
      );
    await eventually(async () => {
      const [f, b] = [await timersOf(full), await timersOf(background)];
      return f.length === 1 && b.length === 1 ? true : undefined;
    }, 'the workers processes swept their finished timers');
    // Ten sweeps' time more: a process that swept would have by now.
    await new Promise((resolve) => setTimeout(resolve, 10 * sweepMs));
    const left = Object.fromEntries(
      await Promise.all(Object.entries(services).map(async ([name, s]) => [name, await timersOf(s)] as const)),
    );
    expect(left).toEqual({
      full: ['pending-40d'],
      background: ['pending-40d'],
      api: ['cancelled-40d', 'fired-40d', 'pending-40d'],
      kept: ['cancelled-40d', 'fired-40d', 'pending-40d'],
    });
  });
});
