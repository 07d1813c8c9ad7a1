import { randomBytes, randomUUID } from 'node:crypto';
import { signDevToken } from '@aftersales/platform-http';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueName,
  waitForConsumerGroups,
  type TestDatabase,
} from '@aftersales/testing';
import { eventually, freePort, ServiceProcess, startTestService, type TestService } from '@aftersales/test-kit';
import { carrierSignature } from '../src/infrastructure/http/carrier-events.http.controller';
import { logisticsService } from '../src/logistics.module';

const HOUR = 3_600_000;

// CONTEXT: intake runs as a real process (its main.ts); logistics in this process with the test's clock, moved by hand
// (never slept on) so its timers reach 48 h and 72 h of silence. A case opened in intake reaches logistics; its parcel
// is scanned through the signed webhook, then goes silent; what logistics decides shows on the case's timeline.
describe('a lost parcel, end to end: stalled at 48 h, lost at 72 h, reshipped and compensation requested, on the case timeline', () => {
  const secret = 'e2e-logistics-secret';
  const tenant = uniqueName('shop');
  const groupPrefix = `${uniqueName('e2e')}.`;
  const carrierSecret = 'c'.repeat(40);
  const integrationId = `sf-${randomUUID().slice(0, 8)}`;
  let now = new Date();
  let intakeDb: TestDatabase;
  let intake: ServiceProcess;
  let logistics: TestService;
  let agentToken: string;

  beforeAll(async () => {
    intakeDb = await createTestDatabase('e2e_logistics_intake');
    intake = new ServiceProcess('intake', await freePort(), {
      AUTH_JWT_SECRET: secret,
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_PARTITIONS: '3',
      KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      DATABASE_URL: intakeDb.url,
      DATABASE_NAME: intakeDb.name,
      LOG_LEVEL: 'warn',
    });
    [logistics] = await Promise.all([
      startTestService({ ...logisticsService, clock: () => new Date(now) }, { env: { LOGISTICS_TIMER_POLL_MS: '50' } }),
      intake.start(),
    ]);
    await waitForConsumerGroups([`${groupPrefix}intake.case-timeline`]);
    agentToken = await signDevToken({ subject: 'agent-7', tenant, roles: ['agent'] }, secret);
    await logistics.call('PUT', `/carrier-integrations/${integrationId}`, {
      caller: { tenant, roles: ['admin'] },
      body: { carrier: 'SF Express', secret: carrierSecret },
    });
  });

  afterAll(async () => {
    await logistics?.close();
    await intake?.stop();
    await intakeDb?.drop();
  });

  const intakeCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${intake.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const ops = { tenant, roles: ['logistics'] };

  it('shows the stall, the loss, the reshipment and the compensation request on the case', async () => {
    const caseId = randomUUID();
    const opened = await intakeCall('POST', '/cases', {
      caseId,
      channel: 'chat',
      orderId: 'ORD-77',
      customerId: 'cus-77',
      problemType: 'logistics',
      description: 'My parcel has not moved',
    });
    expect(opened.status).toBe(201);

    const trackingNumber = `SF${Date.now()}`;
    const shipment = await eventually(
      async () => {
        const res = await logistics.call<{ shipmentId: string }>('POST', '/shipments', {
          caller: ops,
          body: {
            orderId: 'ORD-77',
            caseId,
            carrier: 'SF Express',
            trackingNumber,
            originRegion: 'CN-ZJ',
            destinationRegion: 'CN-SC',
            items: [{ sku: 'LAMP-1', quantity: 1 }],
          },
        });
        return res.status === 201 ? res.body.shipmentId : undefined;
      },
      'the case to reach logistics',
      60_000,
    );

    const t0 = now;
    const raw = JSON.stringify({
      events: [
        {
          eventId: `${trackingNumber}-1`,
          trackingNumber,
          status: 'picked_up',
          location: 'Hangzhou',
          occurredAt: t0.toISOString(),
        },
      ],
    });
    const scanned = await logistics.call('POST', '/carrier-events', {
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-carrier-integration': integrationId,
        'x-carrier-signature': carrierSignature(carrierSecret, raw),
      },
    });
    expect(scanned.status).toBe(200);

    const stateIs = (state: string) =>
      eventually(async () => {
        const res = await logistics.call<{ state: string; reshipmentId: string | null }>(
          'GET',
          `/shipments/${shipment}`,
          { caller: ops },
        );
        return res.body.state === state ? res.body : undefined;
      }, `the shipment ${state}`);
    now = new Date(t0.getTime() + 48 * HOUR);
    await stateIs('stalled');
    now = new Date(t0.getTime() + 72 * HOUR);
    const lost = await stateIs('lost');
    expect(lost.reshipmentId).toEqual(expect.any(String));

    interface Entry {
      service: string;
      eventType: string;
      link: string;
    }
    const wanted = [
      'aftersales.logistics.shipment-stalled.v1',
      'aftersales.logistics.shipment-lost.v1',
      'aftersales.logistics.shipment-reshipped.v1',
      'aftersales.logistics.compensation-requested.v1',
    ];
    const entries = await eventually(
      async () => {
        const res = await intakeCall('GET', `/cases/${caseId}/timeline?limit=500`);
        const list = (res.body.entries ?? []) as Entry[];
        return wanted.every((type) => list.some((e) => e.eventType === type)) ? list : undefined;
      },
      "logistics' events on the case timeline",
      60_000,
    );
    const logisticsEntries = entries.filter((e) => e.service === 'logistics');
    expect(logisticsEntries.map((e) => e.eventType)).toEqual(wanted);
    for (const entry of logisticsEntries) expect(entry.link).toBe(`/shipments/${shipment}`);
  });
});
