import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka as CloudEventsKafka, type CloudEvent, type KafkaMessage } from 'cloudevents';
import { Kafka, logLevel } from 'kafkajs';
import { CaseOpenedV1, Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import { freePort, ServiceProcess } from '@aftersales/test-kit';
import {
  REPO_ROOT,
  createTestDatabase,
  kafkaBrokers,
  readTopicWithKcat,
  uniqueName,
  type KcatMessage,
  type TestDatabase,
} from '@aftersales/testing';
import { OtlpReceiver } from '../support/otlp-receiver';

// CONTEXT: what an integrator gets, read from the real broker. Intake runs as a real process (its main.ts, with
// OpenTelemetry), cases are opened through its API with a trace context and a correlation id, and then:
// - the `cloudevents` npm SDK's Kafka binding finds every CloudEvents attribute of the messages, extensions included;
// - the two consumers of docs/integrators.md, extracted from the document as written, print those cases.

/** The code block that follows `<!-- snippet: <name> -->` in docs/integrators.md. */
function snippet(name: string): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'integrators.md'), 'utf8');
  const match = new RegExp(`<!-- snippet: ${name.replace('.', '\\.')} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(
    doc,
  );
  if (!match?.[1]) throw new Error(`docs/integrators.md has no snippet ${name}`);
  return match[1];
}

/** Runs a command to its end; its stdout, or a rejection with its stderr. */
function run(command: string, args: string[], env: Record<string, string>, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err}`))));
  });
}

const lines = (output: string): unknown[] =>
  output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);

describe('integrators: our messages on the real broker, read as docs/integrators.md says', () => {
  const secret = 'integrators-secret';
  const tenant = uniqueName('shop');
  const otlp = new OtlpReceiver();
  const workDir = join(REPO_ROOT, '.local', `integrators-${process.pid}`);
  const traceId = randomBytes(16).toString('hex');
  const tracestate = 'acme=integrators';
  const cases = [
    { caseId: randomUUID(), correlationId: `corr-${randomUUID()}`, channel: 'chat' },
    { caseId: randomUUID(), correlationId: `corr-${randomUUID()}`, channel: 'email' },
  ];
  let database: TestDatabase;
  let intake: ServiceProcess;
  let messages: KcatMessage[];

  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    await otlp.start();
    database = await createTestDatabase('integrators_intake');
    intake = new ServiceProcess('intake', await freePort(), {
      AUTH_JWT_SECRET: secret,
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_PARTITIONS: '3',
      KAFKA_CONSUMER_GROUP_PREFIX: `${uniqueName('integrators')}.`,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      DATABASE_NAME: database.name,
    });
    await intake.start();
    const token = await signDevToken({ subject: 'agent-1', tenant, roles: ['agent'] }, secret);
    for (const [n, opened] of cases.entries()) {
      const response = await fetch(`${intake.url}/cases`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-correlation-id': opened.correlationId,
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
          tracestate,
        },
        body: JSON.stringify({
          caseId: opened.caseId,
          channel: opened.channel,
          orderId: `ORD-${n}`,
          customerId: 'cus-1',
          problemType: 'quality',
          description: 'The battery swells after two days',
        }),
      });
      expect(response.status).toBe(201);
    }
    const ours = (m: KcatMessage) => m.headers.ce_type === CaseOpenedV1.type && m.headers.ce_tenantid === tenant;
    messages = (await readTopicWithKcat(Topics.intake, { count: cases.length, until: ours, timeoutMs: 60_000 })).filter(
      ours,
    );
  });

  afterAll(async () => {
    await intake?.stop();
    await otlp.stop();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('the cloudevents SDK (Kafka binding) reads every attribute of the messages, extensions included', async () => {
    // Read with kafkajs, as a Node integrator would, and hand the message to the SDK as it came.
    const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: uniqueName('integrators-sdk') });
    const read = new Map<string, CloudEvent<unknown>>();
    const traceHeaders = new Map<string, { traceparent?: string; tracestate?: string }>();
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: Topics.intake, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              const headers = Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
              );
              if (headers.ce_tenantid !== tenant) return;
              const received: KafkaMessage = {
                key: message.key?.toString() ?? '',
                value: message.value,
                body: message.value,
                headers,
                timestamp: message.timestamp,
              };
              const event = CloudEventsKafka.toEvent(received) as CloudEvent<unknown>;
              read.set(event.id, event);
              traceHeaders.set(event.id, { traceparent: headers.traceparent, tracestate: headers.tracestate });
              const opened = [...read.values()].filter((e) => e.type === CaseOpenedV1.type);
              if (opened.length === cases.length) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }

    // Every message of the tenant (the cases opened and what followed them, e.g. their SLA clocks) is a valid CloudEvent
    // with the platform's extensions.
    for (const event of read.values()) {
      // Strict: a CloudEvent whose attribute names or values break the spec throws here (names must be [a-z0-9]+).
      expect(() => event.cloneWith({}, true)).not.toThrow();
      expect(event.validate()).toBe(true);
      const flow = cases.find((c) => c.caseId === event.subject);
      expect(event).toMatchObject({
        specversion: '1.0',
        source: '/aftersales/intake',
        datacontenttype: 'application/json',
        tenantid: tenant,
        correlationid: flow?.correlationId,
        causationid: expect.stringMatching(/\S/),
      });
    }
    const opened = [...read.values()].filter((event) => event.type === CaseOpenedV1.type);
    expect(opened.length).toBe(cases.length);
    for (const event of opened) {
      const flow = cases.find((c) => c.caseId === event.subject);
      expect(flow).toBeDefined();
      expect(event).toMatchObject({
        specversion: '1.0',
        type: CaseOpenedV1.type,
        source: '/aftersales/intake',
        subject: flow?.caseId,
        datacontenttype: 'application/json',
        tenantid: tenant,
        correlationid: flow?.correlationId,
        causationid: expect.stringMatching(/\S/),
        partitionkey: flow?.caseId,
        data: expect.objectContaining({ caseId: flow?.caseId, tenantId: tenant, channel: flow?.channel }),
      });
      expect(Number.isNaN(Date.parse(event.time ?? ''))).toBe(false);
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      // W3C Trace Context: the trace the HTTP request started, and its vendor state.
      expect(traceHeaders.get(event.id)?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
      expect(traceHeaders.get(event.id)?.tracestate).toBe(tracestate);
    }
  });

  it('still carries the deprecated header names with the same values, for one version', () => {
    for (const message of messages) {
      expect(message.headers.tenant).toBe(message.headers.ce_tenantid);
      expect(message.headers.correlation_id).toBe(message.headers.ce_correlationid);
      expect(message.headers.causation_id).toBe(message.headers.ce_causationid);
    }
  });

  const expected = () =>
    cases
      .map((opened) => ({
        id: messages.find((m) => m.key === opened.caseId)?.headers.ce_id,
        tenant,
        correlationId: opened.correlationId,
        caseId: opened.caseId,
        channel: opened.channel,
        problemType: 'quality',
      }))
      .sort((a, b) => a.caseId.localeCompare(b.caseId));
  const sorted = (printed: unknown[]) =>
    (printed as Array<{ caseId: string }>).sort((a, b) => a.caseId.localeCompare(b.caseId));

  it("the kafkajs consumer of docs/integrators.md prints the tenant's cases", async () => {
    const file = join(workDir, 'consumer.mjs');
    writeFileSync(file, snippet('consumer.mjs'));
    const output = await run(
      process.execPath,
      [file],
      {
        KAFKA_BROKERS: kafkaBrokers().join(','),
        GROUP_ID: uniqueName('integrators-doc'),
        TENANT: tenant,
        MAX_EVENTS: String(cases.length),
      },
      workDir,
    );
    expect(sorted(lines(output))).toEqual(expected());
  });

  it('the kcat + jq consumer of docs/integrators.md prints the same lines', async () => {
    const file = join(workDir, 'consumer.sh');
    writeFileSync(file, snippet('consumer.sh'));
    const output = await run('bash', [file], { KAFKA_BROKERS: kafkaBrokers().join(','), TENANT: tenant }, workDir);
    expect(sorted(lines(output))).toEqual(expected());
  });
});
