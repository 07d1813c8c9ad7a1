import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CaseOpenedV1, Topics } from '@aftersales/contracts';
import { databaseUrl, readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { intakeService } from '../src/intake.module';

// CONTEXT: intake runs in-process on real Postgres and Kafka. Its database "goes down" without restarting the shared
// server: every backend of the test database is terminated (what a restart does to each connection) and the database
// refuses new connections until it "comes back".
describe('intake while its database is down', () => {
  const tenant = uniqueName('shop');
  let intake: TestService;
  let admin: Client;
  let token: string;

  const goDown = async () => {
    await admin.query(`ALTER DATABASE ${intake.testDatabase.name} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      intake.testDatabase.name,
    ]);
  };
  const comeBack = () => admin.query(`ALTER DATABASE ${intake.testDatabase.name} ALLOW_CONNECTIONS true`);
  const ready = async () => (await fetch(`${intake.url}/health/ready`)).status;
  const openCase = (caseId: string) =>
    fetch(`${intake.url}/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        caseId,
        channel: 'chat',
        orderId: `ORD-${caseId.slice(0, 8)}`,
        customerId: 'cus-1',
        problemType: 'quality',
        description: 'Battery swells',
      }),
    });

  beforeAll(async () => {
    admin = new Client({ connectionString: databaseUrl() });
    await admin.connect();
    intake = await startTestService(intakeService, {
      env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
      config: { databasePoolSize: 4 },
    });
    token = await intake.token({ subject: 'agent-7', tenant, roles: ['agent'] });
  });
  afterAll(async () => {
    await comeBack().catch(() => undefined);
    await intake?.close();
    await admin.end();
  });

  it('answers 503 problem details (not 500, not a hang) and is not ready; after, it is ready and publishes what it accepted', async () => {
    const before = randomUUID();
    expect((await openCase(before)).status).toBe(201);
    expect(await ready()).toBe(200);

    await goDown();
    try {
      const during = randomUUID();
      const started = Date.now();
      const refused = await openCase(during);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(await refused.json()).toMatchObject({ status: 503, code: 'DEPENDENCY.UNAVAILABLE' });
      // Not a hang: refused once a connection cannot be had (5 s connect timeout), far from any client's timeout.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(await ready()).toBe(503);
      expect((await fetch(`${intake.url}/health/live`)).status).toBe(200);
      // The relay lost its leader connection with the database; it must neither crash nor think it still leads.
      await eventually(async () => (intake.running.relay?.isLeader ? undefined : true), 'the relay to step down');
    } finally {
      await comeBack();
    }

    await eventually(async () => ((await ready()) === 200 ? true : undefined), 'readiness after the outage');
    const after = randomUUID();
    expect((await openCase(after)).status).toBe(201);
    // Delivery is at-least-once (ADR 1): the relay stores its position every second and could not while the database
    // was away, so a new leader may publish `before` again — with the same ce_id, which consumers' inboxes absorb.
    const published = async (caseId: string) =>
      readTopicWithKcat(Topics.intake, {
        count: 1,
        until: (m) =>
          m.headers.ce_tenantid === tenant &&
          m.headers.ce_type === CaseOpenedV1.type &&
          (JSON.parse(m.payload) as CaseOpenedV1).caseId === caseId,
        timeoutMs: 30_000,
      });
    const [first] = await published(before);
    const [second] = await published(after);
    expect((JSON.parse(first!.payload) as CaseOpenedV1).caseId).toBe(before);
    expect((JSON.parse(second!.payload) as CaseOpenedV1).caseId).toBe(after);
    expect(first!.headers.ce_id).not.toBe(second!.headers.ce_id);
  });
});
