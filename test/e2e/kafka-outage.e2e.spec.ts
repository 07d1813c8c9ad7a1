import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseOpenedV1, Topics } from '@aftersales/contracts';
import { signDevToken } from '@aftersales/platform-http';
import { createTestDatabase, readTopicWithKcat, uniqueName, type TestDatabase } from '@aftersales/testing';
import { eventually, freePort, metricValue, ServiceProcess } from '@aftersales/test-kit';
import { OwnKafka } from '../chaos/infrastructure';

interface Readiness {
  readonly status: string;
  readonly checks: Record<string, string>;
}

// CONTEXT: intake as a real process on a Kafka broker of this test's own (deploy/local/kafka.sh on free ports and a
// temporary data dir), which the test stops and starts again; real Postgres throughout.
describe('a Kafka outage', () => {
  const secret = 'outage-secret';
  const tenant = uniqueName('shop');
  const dataDir = mkdtempSync(join(tmpdir(), 'aftersales-outage-kafka-'));
  let kafka: OwnKafka;
  let db: TestDatabase;
  let intake: ServiceProcess;
  let token: string;

  beforeAll(async () => {
    kafka = new OwnKafka(dataDir, await freePort(), await freePort());
    const [, database] = await Promise.all([kafka.start(), createTestDatabase('outage_intake')]);
    db = database;
    intake = new ServiceProcess('intake', await freePort(), {
      AUTH_JWT_SECRET: secret,
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_PARTITIONS: '1',
      DATABASE_URL: db.url,
      DATABASE_NAME: db.name,
      OTEL_SDK_DISABLED: 'true',
    });
    await intake.start();
    token = await signDevToken({ subject: 'agent-7', tenant, roles: ['agent'] }, secret);
  }, 300_000);

  afterAll(async () => {
    await intake?.stop();
    await kafka?.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000);

  const readiness = async (): Promise<{ code: number; body: Readiness }> => {
    const res = await fetch(`${intake.url}/health/ready`);
    return { code: res.status, body: (await res.json()) as Readiness };
  };
  const dependencyUp = async (dependency: string) =>
    metricValue(await (await fetch(`${intake.url}/metrics`)).text(), 'aftersales_dependency_up', { dependency });
  const openCase = async (caseId: string) =>
    (
      await fetch(`${intake.url}/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          caseId,
          channel: 'chat',
          orderId: `ORD-${caseId.slice(0, 8)}`,
          customerId: 'cus-1',
          problemType: 'quality',
          description: 'The battery swells after two days',
        }),
      })
    ).status;

  it('keeps the HTTP API ready and taking commands, reports Kafka down in health and metrics, and publishes once it is back', async () => {
    expect(await readiness()).toEqual({ code: 200, body: { status: 'up', checks: { postgres: 'up', kafka: 'up' } } });
    expect(await dependencyUp('kafka')).toBe(1);

    await kafka.stop();

    // Every answer on the way is 200: the outage degrades readiness, it never takes the service out.
    const seen: number[] = [];
    const degraded = await eventually(
      async () => {
        const { code, body } = await readiness();
        seen.push(code);
        return body.checks.kafka?.startsWith('down') ? { code, body } : undefined;
      },
      'readiness to report Kafka down',
      60_000,
    );
    expect(degraded.code).toBe(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', checks: { postgres: 'up' } });
    expect(seen.filter((code) => code !== 200)).toEqual([]);
    expect(await dependencyUp('kafka')).toBe(0);
    expect(await dependencyUp('postgres')).toBe(1);

    // Commands go on: stored in the outbox.
    const during: string[] = Array.from({ length: 5 }, () => randomUUID());
    for (const caseId of during) expect(await openCase(caseId)).toBe(201);
    expect((await readiness()).code).toBe(200);

    await kafka.start();

    await eventually(
      async () => ((await readiness()).body.status === 'up' ? true : undefined),
      'readiness to report Kafka up again',
      120_000,
    );
    expect(await dependencyUp('kafka')).toBe(1);
    const published = await readTopicWithKcat(Topics.intake, {
      brokers: [kafka.brokers],
      count: during.length,
      timeoutMs: 120_000,
      until: (m) => m.headers.ce_type === CaseOpenedV1.type && during.includes(m.key ?? ''),
    });
    expect(new Set(published.map((m) => m.key))).toEqual(new Set(during));
  }, 400_000);
});
