import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { dlqTopic, serviceManifest, Topics } from '@aftersales/contracts';
import { createTopicsWithLeaders } from '@aftersales/kafka-topics';
import { KafkaAccessRefused, KafkaJsClient, kafkaSecurityFromEnv } from '@aftersales/messaging';
import { signDevToken } from '@aftersales/platform-http';
import {
  createTestDatabase,
  startSaslSslKafka,
  uniqueName,
  type SaslSslKafka,
  type TestDatabase,
} from '@aftersales/testing';
import { eventually, freePort, ServiceProcess } from '@aftersales/test-kit';

// CONTEXT: Kafka as production runs it, on a broker of this test alone: reached only over SASL_SSL (TLS with a CA made
// by this test, SCRAM-SHA-512 users created with the broker's own tools, deploy/local/kafka.sh in its sasl_ssl mode).
// Intake (its outbox relay publishes) and surveys (its inbox consumers read) run as real processes configured only by
// the environment, as the Helm chart configures them; surveys' topics are managed by the "cluster" (this test), as
// Strimzi KafkaTopics would make them (KAFKA_CREATE_TOPICS=false). Nothing here can reach the broker in plaintext.
describe('Kafka over SASL_SSL with SCRAM-SHA-512, and topics managed by the cluster', () => {
  const secret = 'sasl-ssl-e2e-secret';
  const tenant = uniqueName('shop');
  const passwords = { intake: randomBytes(12).toString('hex'), surveys: randomBytes(12).toString('hex') };
  /**
   * What surveys reads and writes, from its manifest (so a consumer added to surveys is covered): the sources of its
   * consumers, their dead-letter topics, its own events.
   */
  const manifest = serviceManifest('surveys');
  const surveysTopics = [
    ...new Set([
      ...manifest.consumers.flatMap((c) => c.handles.map((contract) => contract.topic as string)),
      ...manifest.consumers.map((c) => dlqTopic('surveys', c.consumer)),
      Topics.surveys,
    ]),
  ];
  const databases: TestDatabase[] = [];
  const processes: ServiceProcess[] = [];
  let kafka: SaslSslKafka;
  let intake: ServiceProcess;
  let surveys: ServiceProcess;
  let token: string;

  const surveysProcess = async (env: Record<string, string>) => {
    const db = await createTestDatabase('sasl_surveys');
    databases.push(db);
    const service = new ServiceProcess('surveys', await freePort(), {
      ...common(),
      ...kafka.clientEnv('surveys', passwords.surveys),
      KAFKA_CREATE_TOPICS: 'false',
      DATABASE_URL: db.url,
      DATABASE_NAME: db.name,
      ...env,
    });
    processes.push(service);
    return service;
  };

  const common = () => ({
    AUTH_JWT_SECRET: secret,
    PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
    KAFKA_PARTITIONS: '3',
    KAFKA_REPLICATION_FACTOR: '1',
    KAFKA_MIN_INSYNC_REPLICAS: '1',
    LOG_LEVEL: 'info',
  });

  /** A kafkajs admin as the surveys user, over SASL_SSL. */
  const asAdmin = async <T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const env = kafka.clientEnv('surveys', passwords.surveys);
    const admin = new Kafka({
      brokers: [...kafka.brokers],
      logLevel: logLevel.NOTHING,
      ...kafkaSecurityFromEnv(env),
    }).admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    kafka = await startSaslSslKafka();
    await kafka.addScramUser('intake', passwords.intake);
    await kafka.addScramUser('surveys', passwords.surveys);
    token = await signDevToken({ subject: 'agent-7', tenant, roles: ['agent'] }, secret);
  }, 240_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    for (const db of databases) await db.drop();
    await kafka?.stop();
  }, 120_000);

  it('with topic creation off, a service whose topics do not exist fails at start, naming them', async () => {
    const early = await surveysProcess({});
    const failure = early.start().then(
      () => '',
      (error: Error) => error.message,
    );
    const message = await failure;
    expect(message).toMatch(/surveys exited \(1\)[\s\S]*Kafka topic\(s\) missing: .*KAFKA_CREATE_TOPICS=false/);
    for (const topic of surveysTopics) expect(message).toContain(topic);
    expect(await asAdmin((admin) => admin.listTopics())).not.toContain(Topics.surveys);
  }, 180_000);

  it('a case opened in intake is published by its relay and projected by surveys, both over SASL_SSL', async () => {
    // The cluster's operator makes surveys' topics; intake creates its own (KAFKA_CREATE_TOPICS defaults to true).
    await asAdmin((admin) =>
      createTopicsWithLeaders(
        admin,
        surveysTopics.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
      ),
    );
    const intakeDb = await createTestDatabase('sasl_intake');
    databases.push(intakeDb);
    intake = new ServiceProcess('intake', await freePort(), {
      ...common(),
      ...kafka.clientEnv('intake', passwords.intake),
      DATABASE_URL: intakeDb.url,
      DATABASE_NAME: intakeDb.name,
    });
    processes.push(intake);
    surveys = await surveysProcess({});
    await Promise.all([intake.start(), surveys.start()]);

    const caseId = randomUUID();
    const res = await fetch(`${intake.url}/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        caseId,
        channel: 'chat',
        orderId: 'ORD-SASL-1',
        customerId: 'cus-1',
        problemType: 'quality',
        description: 'Sent through TLS and SCRAM',
      }),
    });
    expect(res.status).toBe(201);
    const projected = await eventually(
      async () => {
        const r = await fetch(`${surveys.url}/case-register/${caseId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined;
      },
      `case ${caseId} in surveys' projection`,
      60_000,
    );
    expect(projected).toMatchObject({ caseId, orderId: 'ORD-SASL-1', channel: 'chat' });
    const ready = (await (await fetch(`${surveys.url}/health/ready`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ postgres: 'up', kafka: 'up', 'kafka-topics': 'up' });
  }, 240_000);

  it('with topic creation off, readiness fails when a topic of the service disappears, naming it', async () => {
    const gone = dlqTopic('surveys', 'incident-follow-up');
    await asAdmin((admin) => admin.deleteTopics({ topics: [gone] }));
    const detail = await eventually(
      async () => {
        const r = await fetch(`${surveys.url}/health/ready`);
        return r.status === 503 ? ((await r.json()) as { detail?: string }).detail : undefined;
      },
      'surveys not ready',
      30_000,
    );
    expect(detail).toContain(`kafka-topics`);
    expect(detail).toContain(`Kafka topic(s) missing: ${gone}`);
  });

  it('a service with a wrong password fails at start, naming the user and the settings to check', async () => {
    const wrong = await surveysProcess({ KAFKA_SASL_PASSWORD: 'not-the-password' });
    await expect(wrong.start()).rejects.toThrow(
      /surveys exited \(1\)[\s\S]*Kafka at 127\.0\.0\.1:\d+ refused the credentials of KAFKA_SASL_USERNAME=surveys \(KAFKA_SASL_MECHANISM=scram-sha-512\)/,
    );
    expect(wrong.logs()).not.toContain('not-the-password');
  }, 180_000);

  it('a client that does not trust the cluster CA is refused, told what to set', async () => {
    const { KAFKA_SSL_CA_FILE: _ca, ...withoutCa } = kafka.clientEnv('intake', passwords.intake);
    const client = new KafkaJsClient({
      clientId: 'sasl-ssl-untrusted',
      brokers: kafka.brokers,
      security: kafkaSecurityFromEnv(withoutCa),
    });
    try {
      const attempt = client.ensureTopics([{ topic: 'aftersales.untrusted.events', partitions: 1 }]);
      await expect(attempt).rejects.toThrow(KafkaAccessRefused);
      await expect(attempt).rejects.toThrow(/is not trusted .*set KAFKA_SSL_CA_FILE/);
    } finally {
      await client.close();
    }
  });
});
