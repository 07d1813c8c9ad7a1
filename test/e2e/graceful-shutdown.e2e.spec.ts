import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CaseOpenedV1, Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import {
  createTestDatabase,
  kafkaBrokers,
  readTopicWithKcat,
  uniqueName,
  waitForConsumerGroups,
  type TestDatabase,
} from '@aftersales/testing';
import { eventually, freePort, LoadClient, metricValue, ServiceProcess } from '@aftersales/test-kit';
import { OtlpReceiver } from '../support/otlp-receiver';

/** One `POST /cases` of the load: answered with a status, or failed at the connection (refused, reset). */
interface Attempt {
  readonly caseId: string;
  readonly status: number | null;
  readonly error: string | null;
  readonly answeredAt: number;
}

/** Cases opened by `concurrency` loops, each one request after the other, until `stop()`. */
class CaseLoad {
  readonly attempts: Attempt[] = [];
  private running = true;
  private readonly loops: Array<Promise<void>>;
  private readonly client = new LoadClient({ maxSockets: 16, timeoutMs: 60_000 });

  constructor(
    private readonly url: string,
    private readonly token: string,
    concurrency: number,
  ) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  get accepted(): Attempt[] {
    return this.attempts.filter((a) => a.status === 201);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const caseId = randomUUID();
      try {
        const { status } = await this.client.post(`${this.url}/cases`, this.token, {
          caseId,
          channel: 'chat',
          orderId: `ORD-${caseId.slice(0, 8)}`,
          customerId: 'cus-1',
          problemType: 'quality',
          description: 'The battery swells after two days',
        });
        this.attempts.push({ caseId, status, error: null, answeredAt: Date.now() });
      } catch (error) {
        this.attempts.push({ caseId, status: null, error: (error as Error).message, answeredAt: Date.now() });
        // The service is gone: do not spin on refused connections.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.client.close();
  }
}

// CONTEXT: intake and surveys as real processes (their main.ts) on real Kafka and Postgres, SIGTERMed like Kubernetes
// does, under a steady load of POST /cases; traces go to an OTLP receiver of the test, batched for 10 minutes so only
// the shutdown's flush can deliver them.
describe('graceful shutdown: SIGTERM under HTTP and Kafka load', () => {
  const secret = 'shutdown-secret';
  const tenant = uniqueName('shop');
  const groupPrefix = `${uniqueName('shutdown')}.`;
  const registerGroup = `${groupPrefix}surveys.case-register`;
  const otlp = new OtlpReceiver();
  const databases: TestDatabase[] = [];
  let intakeDb: TestDatabase;
  let surveysDb: TestDatabase;
  let intake: ServiceProcess;
  let surveys: ServiceProcess;
  let token: string;
  const loads: CaseLoad[] = [];

  beforeAll(async () => {
    await otlp.start();
    [intakeDb, surveysDb] = await Promise.all([
      createTestDatabase('shutdown_intake'),
      createTestDatabase('shutdown_surveys'),
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
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      LOG_LEVEL: 'info',
      // Within ServiceProcess.stop's SIGKILL (40 s): a shutdown that hangs exits 1 instead of being killed.
      SHUTDOWN_GRACE_MS: '30000',
      // A window in which the service still serves but is not ready (a load balancer's propagation time).
      SHUTDOWN_DRAIN_DELAY_MS: '3000',
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
    await waitForConsumerGroups([registerGroup]);
    token = await signDevToken({ subject: 'agent-7', tenant, roles: ['agent'] }, secret);
  }, 240_000);

  afterAll(async () => {
    for (const load of loads) await load.stop();
    await Promise.all([intake?.stop(), surveys?.stop()]);
    await otlp.stop();
    for (const db of databases) await db.drop();
  }, 120_000);

  const query = async <R extends Record<string, unknown>>(db: TestDatabase, sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  /** Polls readiness until it answers 503 (the process still running); fails if the process exited first. */
  const readinessTurnsFalse = (service: ServiceProcess) =>
    eventually(
      async () => {
        if (!service.running) throw new Error(`${service.service} exited before readiness was seen false`);
        const res = await fetch(`${service.url}/health/ready`);
        return res.status === 503 ? ((await res.json()) as { detail: string }) : undefined;
      },
      `${service.service}'s readiness to turn false`,
      30_000,
      50,
    );

  const acceptedCases = () => new Set(loads.flatMap((l) => l.accepted.map((a) => a.caseId)));

  it('intake: not ready at once, answers the requests in flight, publishes every accepted case, stores the relay position, flushes its spans, exits 0', async () => {
    const load = new CaseLoad(intake.url, token, 6);
    loads.push(load);
    await eventually(() => (load.accepted.length >= 40 ? true : undefined), '40 cases accepted before the SIGTERM');

    const signalledAt = Date.now();
    const stopped = intake.stop(40_000);
    const notReady = await readinessTurnsFalse(intake);
    expect(notReady.detail).toMatch(/shutting down/);
    await stopped;
    await load.stop();

    expect(intake.exitCode).toBe(0);
    // The drain window and the requests in flight: answered, and accepted, after the signal.
    expect(load.accepted.filter((a) => a.answeredAt > signalledAt).length).toBeGreaterThan(0);
    // Never a 5xx: what was not accepted failed at the connection (refused once the server closed), retryable.
    expect(load.attempts.filter((a) => a.status !== null && a.status !== 201)).toEqual([]);

    // Every accepted case is on Kafka already: the relay published all before the process exited.
    const accepted = new Set(load.accepted.map((a) => a.caseId));
    const published = await readTopicWithKcat(Topics.intake, {
      count: accepted.size,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === CaseOpenedV1.type && accepted.has(m.key ?? ''),
    });
    expect([...accepted].filter((id) => !published.some((m) => m.key === id))).toEqual([]);

    // …and stored the position of the last event: a restart publishes nothing again.
    const [stored] = await query<{ transaction_id: string; position: string }>(
      intakeDb,
      `SELECT transaction_id::text, position::text FROM es_checkpoints WHERE name = $1`,
      [`outbox-relay:${Topics.intake}`],
    );
    // The last event in the relay's reading order (transaction, then position).
    const [last] = await query<{ transaction_id: string; position: string }>(
      intakeDb,
      'SELECT transaction_id::text, position::text FROM es_events ORDER BY transaction_id DESC, position DESC LIMIT 1',
    );
    expect(stored).toEqual(last);

    // The spans of every accepted request left with the process (batched for 10 minutes: only the shutdown sent them).
    const serverSpans = otlp.spans.filter((s) => s.service === 'intake' && s.kind === 2 && s.name.startsWith('POST'));
    expect(serverSpans.length).toBeGreaterThanOrEqual(accepted.size);
  }, 240_000);

  it('surveys: stops while consuming, exits 0, and after the restart every accepted case is counted exactly once with nothing redelivered', async () => {
    await intake.start();
    const load = new CaseLoad(intake.url, token, 4);
    loads.push(load);
    const counted = async () => {
      const [row] = await query<{ cases: string }>(
        surveysDb,
        'SELECT cases::text FROM surveys_channel_stats WHERE tenant = $1 AND channel = $2',
        [tenant, 'chat'],
      );
      return Number(row?.cases ?? 0);
    };
    const before = await counted();
    // Surveys is consuming the new load's events when the signal comes.
    await eventually(async () => ((await counted()) >= before + 20 ? true : undefined), 'surveys consuming the load');

    await surveys.stop(40_000);
    expect(surveys.exitCode).toBe(0);
    const atStop = load.accepted.length;
    await eventually(() => (load.accepted.length >= atStop + 20 ? true : undefined), 'cases accepted while it is down');
    await load.stop();

    await surveys.start();
    const accepted = acceptedCases();
    const registered = async () =>
      new Set(
        (
          await query<{ case_id: string }>(
            surveysDb,
            'SELECT case_id::text FROM surveys_case_register WHERE tenant = $1',
            [tenant],
          )
        ).map((r) => r.case_id),
      );
    await eventually(
      async () => {
        const found = await registered();
        return [...accepted].every((id) => found.has(id)) ? true : undefined;
      },
      'every accepted case registered by surveys',
      60_000,
    );
    // The counter is incremented once per applied event, in the transaction that registers the case: one per registered
    // case (read in one snapshot) means each was applied once.
    const [once] = await query<{ registered: string; counted: string }>(
      surveysDb,
      `SELECT (SELECT count(*) FROM surveys_case_register WHERE tenant = $1)::text AS registered,
              (SELECT cases FROM surveys_channel_stats WHERE tenant = $1 AND channel = 'chat')::text AS counted`,
      [tenant],
    );
    expect(once?.counted).toBe(once?.registered);
    // The batch in hand at the SIGTERM was committed: the restarted consumer received nothing it had applied.
    const metrics = await (await fetch(`${surveys.url}/metrics`)).text();
    expect(
      metricValue(metrics, 'aftersales_consumer_messages_total', {
        consumer: registerGroup,
        topic: Topics.intake,
        outcome: 'duplicate',
      }),
    ).toBe(0);
    expect(
      metricValue(metrics, 'aftersales_consumer_messages_total', {
        consumer: registerGroup,
        topic: Topics.intake,
        outcome: 'processed',
      }),
    ).toBeGreaterThan(0);
  }, 400_000);
});
