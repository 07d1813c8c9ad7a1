import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signDevToken } from '@aftersales/platform-http';
import {
  createTestDatabase,
  kafkaBrokers,
  uniqueName,
  waitForConsumerGroups,
  type TestDatabase,
} from '@aftersales/testing';
import { eventually, freePort, ServiceProcess } from '@aftersales/test-kit';

type Json = Record<string, unknown>;
const ROOT = path.resolve(__dirname, '../..');
const SERVICES = ['intake', 'returns', 'logistics', 'compensation'] as const;
type ServiceName = (typeof SERVICES)[number];

/** The local payment-provider sandbox compensation pays through (`npm start` runs the same file). */
class PaymentSandbox {
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly secret: string,
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const log = openSync(path.join(tmpdir(), `e2e-payment-sandbox-${this.port}.log`), 'a');
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'services/compensation/sandbox/main.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, PORT: String(this.port), COMPENSATION_PROVIDER_WEBHOOK_SECRET: this.secret },
        stdio: ['ignore', log, log],
      },
    );
    await eventually(
      async () =>
        (await fetch(`${this.url}/health`).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined,
      'the payment sandbox to listen',
      60_000,
    );
  }
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}

// CONTEXT: issue 10's journey across real processes on real Kafka and Postgres: a case opened in intake; a return for
// it in returns; logistics makes the return shipment returns asked for, a carrier reports it (signed webhook) picked up
// and delivered; returns records the receipt, the warehouse inspects, compensation pays the refund once through the
// payment sandbox; the return closes and the case's timeline in intake shows every service's part.
describe('a return end to end: intake → returns → logistics (return parcel) → compensation (refund) → case timeline', () => {
  const secret = 'e2e-returns-secret';
  const providerSecret = 'e2e-provider-secret';
  const tenant = uniqueName('shop');
  const groupPrefix = `${uniqueName('e2e-ret')}.`;
  const integrationId = uniqueName('sf-express');
  const carrierSecret = randomBytes(16).toString('hex');
  const dbs: Partial<Record<ServiceName, TestDatabase>> = {};
  const processes: Partial<Record<ServiceName, ServiceProcess>> = {};
  let sandbox: PaymentSandbox;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    sandbox = new PaymentSandbox(await freePort(), providerSecret);
    const common = {
      AUTH_JWT_SECRET: secret,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_PARTITIONS: '3',
      KAFKA_CONSUMER_GROUP_PREFIX: groupPrefix,
      // Fresh groups start at the end of the shared topics: the test does not depend on their history.
      KAFKA_CONSUMER_FROM_BEGINNING: 'false',
      PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'),
      OTEL_SDK_DISABLED: 'true',
      LOG_LEVEL: 'warn',
    };
    for (const name of SERVICES) dbs[name] = await createTestDatabase(`e2e_ret_${name}`);
    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)));
    const extra: Record<ServiceName, Record<string, string>> = {
      intake: {},
      returns: {},
      logistics: {},
      compensation: {
        COMPENSATION_PROVIDER_URL: sandbox.url,
        COMPENSATION_PROVIDER_WEBHOOK_SECRET: providerSecret,
        COMPENSATION_PUBLIC_URL: `http://127.0.0.1:${ports.compensation}`,
      },
    };
    for (const name of SERVICES) {
      const db = dbs[name] as TestDatabase;
      processes[name] = new ServiceProcess(name, ports[name] as number, {
        ...common,
        DATABASE_URL: db.url,
        DATABASE_NAME: db.name,
        ...extra[name],
      });
    }
    await Promise.all([sandbox.start(), ...SERVICES.map((s) => (processes[s] as ServiceProcess).start())]);
    await waitForConsumerGroups(
      [
        'intake.case-timeline',
        'returns.case-register',
        'returns.return-saga',
        'logistics.case-register',
        'logistics.returns-saga',
        'compensation.compensation-requests',
      ].map((g) => groupPrefix + g),
    );
    for (const role of ['agent', 'logistics', 'admin', 'supervisor']) {
      tokens[role] = await signDevToken({ subject: `${role}-1`, tenant, roles: [role] }, secret);
    }
  });

  afterAll(async () => {
    await Promise.all(SERVICES.map((s) => processes[s]?.stop()));
    await sandbox?.stop();
    for (const db of Object.values(dbs)) await db?.drop();
  });

  const call = async (service: ServiceName, method: string, route: string, role: string, body?: unknown) => {
    const res = await fetch(`${(processes[service] as ServiceProcess).url}${route}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const carrierEvents = async (events: Json[]) => {
    const raw = JSON.stringify({ events });
    const res = await fetch(`${(processes.logistics as ServiceProcess).url}/carrier-events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-carrier-integration': integrationId,
        'x-carrier-signature': `sha256=${createHmac('sha256', carrierSecret).update(raw).digest('hex')}`,
      },
      body: raw,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('the return parcel delivered, inspected and refunded once; the case timeline shows returns, logistics and compensation', async () => {
    const caseId = randomUUID();
    const opened = await call('intake', 'POST', '/cases', 'agent', {
      caseId,
      channel: 'chat',
      orderId: 'ORD-E2E-1',
      customerId: 'cus-e2e-1',
      problemType: 'quality',
      description: 'The kettle leaks from the base',
    });
    expect(opened.status).toBe(201);

    // Returns: the case reaches it through intake's case-opened; a quality return, approved.
    const requested = await eventually(async () => {
      const res = await call('returns', 'POST', '/returns', 'agent', {
        caseId,
        orderId: 'ORD-E2E-1',
        kind: 'return',
        reason: 'quality',
        severity: 'unusable',
        items: [
          {
            sku: 'KETTLE-1L',
            quantity: 1,
            unitPrice: { amountMinor: 19_900, currency: 'CNY' },
            specialPrice: false,
            deliveredAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
            condition: { unused: false, tagsAttached: false, packagingIntact: true },
          },
        ],
        orderPaid: { amountMinor: 19_900, currency: 'CNY' },
        evidenceRefs: ['evidence:photo-leak'],
      });
      return res.status === 201 ? res.body : undefined;
    }, 'the case to reach returns');
    const returnId = requested.returnId as string;
    const approved = await call('returns', 'POST', `/returns/${returnId}/decision`, 'agent', {});
    expect(approved.body).toMatchObject({ status: 'awaiting_goods', approval: { resolution: 'return_and_refund' } });

    // Logistics: the return shipment returns asked for; the carrier is booked and reports it by signed webhook.
    const shipment = await eventually(async () => {
      const res = await call('logistics', 'GET', `/shipments?caseId=${caseId}`, 'logistics');
      const list = (res.body.shipments ?? []) as Json[];
      return list.find((s) => s.purpose === 'return');
    }, 'the return shipment in logistics');
    const shipmentId = shipment.shipmentId as string;
    const saved = await call('logistics', 'PUT', `/carrier-integrations/${integrationId}`, 'admin', {
      carrier: 'SF Express',
      secret: carrierSecret,
    });
    expect(saved.status).toBe(200);
    const trackingNumber = `SF${Date.now()}`;
    const booked = await call('logistics', 'POST', `/shipments/${shipmentId}/label`, 'logistics', {
      carrier: 'SF Express',
      trackingNumber,
    });
    expect(booked.status).toBe(200);
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const scans = await carrierEvents([
      { eventId: `${trackingNumber}-1`, trackingNumber, status: 'PickedUp', location: 'Guangzhou', occurredAt: at(30) },
      { eventId: `${trackingNumber}-2`, trackingNumber, status: 'Delivered', location: 'Warehouse', occurredAt: at(1) },
    ]);
    expect(scans.status).toBe(200);

    // Returns: the parcel arrived (logistics' shipment-delivered); the warehouse inspects; compensation pays.
    await eventually(async () => {
      const res = await call('returns', 'GET', `/returns/${returnId}`, 'agent');
      return res.body.status === 'received' ? true : undefined;
    }, 'the receipt in returns');
    const inspected = await call('returns', 'POST', `/returns/${returnId}/inspection`, 'logistics', {
      grade: 'damaged',
      disposition: 'scrap',
    });
    expect(inspected.body).toMatchObject({ status: 'refund_pending', refund: { amount: { amountMinor: 19_900 } } });
    const closed = await eventually(
      async () => {
        const res = await call('returns', 'GET', `/returns/${returnId}`, 'agent');
        return res.body.closure === 'refunded' ? res.body : undefined;
      },
      'the refund paid and the return closed',
      90_000,
    );
    expect(closed).toMatchObject({ status: 'closed', refund: { paidAt: expect.any(String), failureReason: null } });

    // Paid once: one compensation order for the return, one payout at the provider, the ledger balanced.
    const orders = await call('compensation', 'GET', `/compensations?caseId=${caseId}`, 'supervisor');
    const forReturn = ((orders.body.compensations ?? orders.body.orders ?? []) as Json[]).filter((o) =>
      JSON.stringify(o).includes(returnId),
    );
    expect(forReturn).toHaveLength(1);
    const ledger = await call('compensation', 'GET', `/ledger?cause=return:${returnId}`, 'supervisor');
    const movements = (ledger.body.movements ?? []) as Array<{ entries: Array<{ amountMinor: number }> }>;
    expect(movements.length).toBeGreaterThan(0);
    for (const m of movements) expect(m.entries.reduce((sum, e) => sum + e.amountMinor, 0)).toBe(0);

    // The case's timeline in intake: the return, its parcel and its refund, each linked to its own resource.
    interface Entry {
      service: string;
      eventType: string;
      link: string;
    }
    const entries = await eventually(
      async () => {
        const r = await call('intake', 'GET', `/cases/${caseId}/timeline?limit=500`, 'agent');
        const list = (r.body.entries ?? []) as Entry[];
        const has = (type: string) => list.some((e) => e.eventType === type);
        return has('aftersales.returns.return-closed.v1') &&
          has('aftersales.logistics.shipment-delivered.v1') &&
          has('aftersales.compensation.refund-paid.v1')
          ? list
          : undefined;
      },
      "the return, the parcel and the refund on the case's timeline",
      60_000,
    );
    const firstOf = (type: string) => entries.findIndex((e) => e.eventType === type);
    const journey = [
      'aftersales.returns.return-requested.v1',
      'aftersales.returns.return-approved.v1',
      'aftersales.logistics.shipment-delivered.v1',
      'aftersales.returns.return-received.v1',
      'aftersales.returns.refund-requested.v1',
      'aftersales.compensation.refund-paid.v1',
      'aftersales.returns.return-closed.v1',
    ].map(firstOf);
    expect(journey.every((i) => i > 0)).toBe(true);
    expect([...journey].sort((a, b) => a - b)).toEqual(journey);
    expect(entries.find((e) => e.eventType === 'aftersales.returns.return-closed.v1')?.link).toBe(
      `/returns/${returnId}`,
    );
    expect(entries.find((e) => e.eventType === 'aftersales.logistics.shipment-delivered.v1')?.link).toBe(
      `/shipments/${shipmentId}`,
    );
    expect(entries.find((e) => e.eventType === 'aftersales.compensation.refund-paid.v1')?.link).toMatch(
      /^\/compensations\/[0-9a-f-]{36}$/,
    );
    expect(entries.filter((e) => e.eventType === 'aftersales.compensation.refund-paid.v1')).toHaveLength(1);
  });
});
