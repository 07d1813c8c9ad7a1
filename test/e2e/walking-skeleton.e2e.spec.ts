import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { CaseOpenedV1, Topics, dlqTopic } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import {
  createTestDatabase,
  exactlyOnceProducer,
  kafkaBrokers,
  readTopicWithKcat,
  uniqueName,
  type TestDatabase,
  waitForConsumerGroups,
} from '@aftersales/testing';
import { eventually, freePort, ServiceProcess } from '@aftersales/test-kit';
import { OtlpReceiver } from '../support/otlp-receiver';

// CONTEXT: the walking skeleton through real infrastructure: intake and surveys run as real processes
// (their main.ts), on real Kafka and Postgres, exporting traces over OTLP to a receiver in this test.
describe('walking skeleton: POST /cases → event store → relay → Kafka → surveys inbox → projection', () => {
  const secret = 'e2e-secret';
  const tenant = uniqueName('shop');
  const groupPrefix = `${uniqueName('e2e')}.`;
  const otlp = new OtlpReceiver();
  const databases: TestDatabase[] = [];
  let intake: ServiceProcess;
  let surveys: ServiceProcess;
  let producer: Producer;
  let agentToken: string;

  beforeAll(async () => {
    await otlp.start();
    const [intakeDb, surveysDb] = await Promise.all([
      createTestDatabase('e2e_intake'),
      createTestDatabase('e2e_surveys'),
    ]);
    databases.push(intakeDb, surveysDb);
    const common = {
      AUTH_JWT_SECRET: secret,
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_PARTITIONS: '3',
      KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'warn',
    };
    intake = new ServiceProcess('intake', await freePort(), {
      ...common,
      DATABASE_URL: intakeDb.url,
      DATABASE_NAME: intakeDb.name,
    });
    surveys = new ServiceProcess('surveys', await freePort(), {
      ...common,
      DATABASE_URL: surveysDb.url,
      DATABASE_NAME: surveysDb.name,
    });
    await Promise.all([intake.start(), surveys.start()]);
    await waitForConsumerGroups([`${groupPrefix}surveys.case-register`]);
    agentToken = await signDevToken({ subject: 'agent-7', tenant, roles: ['agent'] }, secret);
    producer = exactlyOnceProducer(new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }));
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.all([intake?.stop(), surveys?.stop()]);
    await otlp.stop();
    for (const db of databases) await db.drop();
  });

  const get = (base: string, path: string, token = agentToken) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  const openCase = (body: Record<string, unknown>, token = agentToken) =>
    fetch(`${intake.url}/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const aCase = (overrides: Record<string, unknown> = {}) => ({
    caseId: randomUUID(),
    channel: 'chat',
    orderId: 'ORD-1',
    customerId: 'cus-1',
    problemType: 'quality',
    description: 'The battery swells after two days',
    ...overrides,
  });

  const registered = (caseId: string) =>
    eventually(
      async () => {
        const res = await get(surveys.url, `/case-register/${caseId}`);
        return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
      },
      `case ${caseId} in the surveys projection`,
      30_000,
    );

  const channelCount = async (channel: string) => {
    const res = await get(surveys.url, '/channel-stats');
    const body = (await res.json()) as { channels: Array<{ channel: string; cases: number }> };
    return body.channels.find((c) => c.channel === channel)?.cases ?? 0;
  };

  let firstCaseId: string;

  it('an HTTP call yields the projection in the other service', async () => {
    const request = aCase();
    const res = await openCase(request);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/cases/${request.caseId}`);
    firstCaseId = request.caseId;

    const projected = await registered(firstCaseId);
    expect(projected).toMatchObject({ caseId: firstCaseId, channel: 'chat', orderId: 'ORD-1' });
    expect(await channelCount('chat')).toBe(1);
  });

  it('integrators read the event with kcat, with every CloudEvents header', async () => {
    const messages = await readTopicWithKcat(Topics.intake, {
      count: 1,
      timeoutMs: 20_000,
      until: (m) => m.key === firstCaseId,
    });
    const message = messages.find((m) => m.key === firstCaseId);
    expect(message).toBeDefined();
    expect(message?.headers).toMatchObject({
      ce_specversion: '1.0',
      ce_type: CaseOpenedV1.type,
      ce_source: '/aftersales/intake',
      ce_subject: firstCaseId,
      'content-type': 'application/json',
      ce_tenantid: tenant,
      tenant, // deprecated duplicate for one version (ADR 16)
    });
    for (const header of ['ce_id', 'ce_time', 'traceparent', 'ce_correlationid', 'ce_causationid']) {
      expect(message?.headers[header]).toBeTruthy();
    }
    expect(JSON.parse(message?.payload ?? '{}')).toMatchObject({
      caseId: firstCaseId,
      tenantId: tenant,
      channel: 'chat',
    });
  });

  it('the same event delivered twice has one effect', async () => {
    const [original] = (
      await readTopicWithKcat(Topics.intake, { count: 1, until: (m) => m.key === firstCaseId })
    ).filter((m) => m.key === firstCaseId);
    // Redeliver the very same message (same ce_id), then a new case on the same partition key as a marker.
    await producer.send({
      topic: Topics.intake,
      messages: [{ key: firstCaseId, value: original?.payload ?? '', headers: original?.headers }],
    });
    const marker = aCase({ channel: 'email' });
    expect((await openCase(marker)).status).toBe(201);
    await registered(marker.caseId);
    await eventually(
      async () => ((await surveysMetric('outcome="duplicate"')) >= 1 ? true : undefined),
      'duplicate seen',
      20_000,
    );

    expect(await channelCount('chat')).toBe(1);
    expect(await channelCount('email')).toBe(1);
  });

  it('a malformed message goes to the DLQ with the reason, and the next good message is processed', async () => {
    const key = randomUUID();
    const good = aCase({ caseId: key, channel: 'phone' });
    const cloudEvent = (id: string) => ({
      ce_specversion: '1.0',
      ce_id: id,
      ce_type: CaseOpenedV1.type,
      ce_source: '/aftersales/intake',
      'content-type': 'application/json',
      ce_tenantid: tenant,
    });
    await producer.send({
      topic: Topics.intake,
      messages: [
        { key, value: '{"caseId": not json', headers: cloudEvent(randomUUID()) },
        { key, value: JSON.stringify({ caseId: key, channel: 'pigeon' }), headers: cloudEvent(randomUUID()) },
        {
          key,
          value: JSON.stringify({ ...good, tenantId: tenant, evidence: [], openedAt: new Date().toISOString() }),
          headers: cloudEvent(randomUUID()),
        },
      ],
    });
    await registered(key);

    const dead = (
      await readTopicWithKcat(dlqTopic('surveys', 'case-register'), {
        count: 2,
        timeoutMs: 20_000,
        until: (m) => m.key === key && m.headers.dlq_consumer === `${groupPrefix}surveys.case-register`,
      })
    ).filter((m) => m.key === key && m.headers.dlq_consumer === `${groupPrefix}surveys.case-register`);
    expect(dead.map((m) => m.headers.dlq_error_code).sort()).toEqual(['SCHEMA_VIOLATION', 'UNPARSEABLE']);
    for (const m of dead) {
      expect(m.headers).toMatchObject({ dlq_source_topic: Topics.intake, ce_tenantid: tenant });
      expect(m.headers.dlq_reason).toBeTruthy();
      expect(m.headers.dlq_source_offset).toMatch(/^\d+$/);
    }
    expect(dead.find((m) => m.headers.dlq_error_code === 'UNPARSEABLE')?.payload).toBe('{"caseId": not json');

    const surveysMetrics = await (await fetch(`${surveys.url}/metrics`)).text();
    expect(surveysMetrics).toMatch(/aftersales_dlq_messages_total\{[^}]*code="UNPARSEABLE"[^}]*\} [1-9]/);
    expect(surveysMetrics).toContain('aftersales_consumer_lag_messages');
    const intakeMetrics = await (await fetch(`${intake.url}/metrics`)).text();
    expect(intakeMetrics).toMatch(/aftersales_outbox_relay_lag_events\{service="intake"\} \d+/);
    expect(intakeMetrics).toMatch(
      /aftersales_http_request_duration_seconds_count\{[^}]*route="\/cases"[^}]*status="201"/,
    );
  });

  it('one trace links the HTTP span, the append, the publish and the consumer', async () => {
    const [message] = (
      await readTopicWithKcat(Topics.intake, { count: 1, until: (m) => m.key === firstCaseId })
    ).filter((m) => m.key === firstCaseId && m.headers.ce_source === '/aftersales/intake' && m.offset >= 0);
    const traceId = message?.headers.traceparent?.split('-')[1] ?? '';
    // Spans arrive from two processes in batches: wait until the consumer's ancestry reaches intake's HTTP span.
    const rootOf = (trace: ReturnType<typeof otlp.trace>) => {
      const ids = new Map(trace.map((s) => [s.spanId, s]));
      let s = trace.find((x) => x.kind === 5 && x.service === 'surveys');
      while (s?.parentSpanId && ids.has(s.parentSpanId)) s = ids.get(s.parentSpanId);
      return s;
    };
    const spans = await eventually(
      async () => {
        const trace = otlp.trace(traceId);
        const root = rootOf(trace);
        return root?.kind === 2 && root.service === 'intake' ? trace : undefined;
      },
      'the whole span chain of the trace',
      20_000,
    );

    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const consumer = spans.find((s) => s.kind === 5 && s.service === 'surveys');
    const chain: string[] = [];
    for (let s = consumer; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined)
      chain.push(`${s.service}:${s.name}`);
    // consumer → publish → command.handle → … → HTTP server span, all one trace across two processes. A case is
    // opened by a group commit (ADR 22): its decision runs in the request's trace and its event carries that trace;
    // the append, shared by the openings of one transaction, is the batch's own work.
    expect(chain[0]).toBe(`surveys:${Topics.intake} process`);
    expect(chain[1]).toBe(`intake:${Topics.intake} publish`);
    expect(chain[2]).toBe('intake:command.handle');
    const root = spans.find(
      (s) => s.spanId === [...byId.values()].find((x) => `${x.service}:${x.name}` === chain.at(-1))?.spanId,
    );
    expect(root?.kind).toBe(2);
    expect(root?.service).toBe('intake');
  });

  it('answers bad input with problem details: 400 fields, 401, 403, 404 across tenants', async () => {
    const invalid = await openCase({ channel: 'fax', description: '' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await invalid.json()) as { errors: Array<{ pointer: string }> };
    expect(problem.errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(['/channel', '/description', '/orderId']),
    );

    expect((await fetch(`${intake.url}/cases`, { method: 'POST' })).status).toBe(401);
    const pr = await signDevToken({ subject: 'pr-1', tenant, roles: ['pr'] }, secret);
    expect((await openCase(aCase(), pr)).status).toBe(403);
    const otherTenant = await signDevToken({ subject: 'agent-9', tenant: 'another-shop', roles: ['agent'] }, secret);
    expect((await get(intake.url, `/cases/${firstCaseId}`, otherTenant)).status).toBe(404);
    expect((await get(surveys.url, `/case-register/${firstCaseId}`, otherTenant)).status).toBe(404);
    expect((await get(intake.url, `/cases/${firstCaseId}`)).status).toBe(200);
    expect((await get(intake.url, '/no-such-route')).status).toBe(404);
  });

  it("links the latency histograms to the request's trace: exemplars in OpenMetrics, through the relay and Kafka", async () => {
    // A caller's sampled trace: the HTTP instrumentation continues it, the event stores it, Kafka carries it.
    const traceId = randomBytes(16).toString('hex');
    const request = aCase();
    const res = await fetch(`${intake.url}/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${agentToken}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(201);
    await registered(request.caseId);

    const openMetrics = async (base: string) => {
      const scraped = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
      expect(scraped.headers.get('content-type')).toMatch(/^application\/openmetrics-text;.*\bversion=1\.0\.0\b/);
      return scraped.text();
    };
    /** The histograms of `text` showing `traceId` as the exemplar of a bucket of a series matching `selector`. */
    const tracedIn = (text: string, selector: string) =>
      new Set(
        text
          .split('\n')
          .filter((l) => l.includes('_bucket{') && l.includes(selector) && l.includes(` # {trace_id="${traceId}",`))
          .map((l) => l.slice(0, l.indexOf('_bucket{'))),
      );
    const traced = (base: string, selector: string, histograms: string[]) =>
      eventually(
        async () => {
          const found = tracedIn(await openMetrics(base), selector);
          return histograms.every((h) => found.has(h)) ? found : undefined;
        },
        `the request's trace on ${histograms.join(', ')} of ${base}`,
        20_000,
      );

    await traced(intake.url, 'route="/cases"', ['aftersales_http_request_duration_seconds']);
    await traced(intake.url, 'service="intake"', ['aftersales_outbox_relay_ack_latency_seconds']);
    await traced(surveys.url, `consumer="${groupPrefix}surveys.case-register"`, [
      'aftersales_consumer_handler_duration_seconds',
      'aftersales_consumer_event_age_seconds',
    ]);

    // The Prometheus text format, for scrapers that do not ask for OpenMetrics: no exemplars.
    const plain = await fetch(`${intake.url}/metrics`);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain;.*\bversion=0\.0\.4\b/);
    expect(await plain.text()).not.toContain(traceId);
  });

  async function surveysMetric(selector: string): Promise<number> {
    const text = await (await fetch(`${surveys.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('aftersales_consumer_messages_total') && l.includes(selector))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  }
});
