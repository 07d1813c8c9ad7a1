import { randomBytes, randomUUID } from 'node:crypto';
import { ComplaintRegisteredV1, CustomerDataErasedV1, Topics, validateEvent } from '@aftersales/contracts';
import { PostgresEventStore } from '@aftersales/eventstore';
import { PersonalDataVault, parseMasterKey } from '@aftersales/privacy';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { startTestService, type TestService } from '@aftersales/test-kit';
import { customerDataStream } from '../src/application/erase-customer-data.handler';
import { complaintStream } from '../src/application/register-complaint.handler';
import { intakeService } from '../src/intake.module';

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ pointer: string; detail: string }>;
}

// CONTEXT: intake runs in-process on real Postgres and Kafka; the published message is read back with kcat, an
// independent client. The customer's contact details must exist in plaintext only in the HTTP request and in the
// response to an audited read — never in the event store, on Kafka, or anywhere after erasure.
describe('intake complaints: personal data sealed, audited, erasable', () => {
  const masterKey = randomBytes(32).toString('base64');
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const customerId = `cus-${randomUUID().slice(0, 8)}`;
  const pii = {
    name: 'Zhang Xiaoming',
    phone: '+86 139 1234 5678',
    email: 'zhang.xiaoming@example.com',
    address: '88 Century Avenue, Pudong, Shanghai',
  };

  let intake: TestService;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    intake = await startTestService(intakeService, { env: { PRIVACY_MASTER_KEY: masterKey } });
    const sign = (subject: string, roles: string[], t = tenant) => intake.token({ subject, tenant: t, roles });
    tokens.agent = await sign('agent-7', ['agent']);
    tokens.integrator = await sign('shop-connector', ['integrator']);
    tokens.supervisor = await sign('supervisor-2', ['supervisor']);
    tokens.logistics = await sign('logistics-1', ['logistics']);
    tokens.otherAgent = await sign('agent-9', ['agent'], otherTenant);
    tokens.otherSupervisor = await sign('supervisor-9', ['supervisor'], otherTenant);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${intake.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;

  const aComplaint = (overrides: Record<string, unknown> = {}) => ({
    complaintId: randomUUID(),
    customer: { id: customerId, ...pii },
    orderId: 'ORD-2026-0042',
    productSku: 'PB-20000',
    batch: 'B-7',
    category: 'product-quality',
    description: 'The power bank swelled and scorched the desk while charging',
    evidenceRefs: ['https://media.example.com/evidence/pb-1.jpg'],
    flags: { propertyLoss: true },
    ...overrides,
  });

  const containsPii = (text: string) => Object.values(pii).filter((value) => text.includes(value));
  const purpose = (text: string) => `?purpose=${encodeURIComponent(text)}`;

  let complaintId: string;
  let published: ComplaintRegisteredV1;

  it('POST /complaints registers the complaint (201) and answers without the contact details', async () => {
    const request = aComplaint();
    const res = await call('POST', '/complaints', tokens.integrator!, request);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/complaints/${request.complaintId}`);
    const body = await res.text();
    expect(containsPii(body)).toEqual([]);
    expect(JSON.parse(body)).toMatchObject({
      complaintId: request.complaintId,
      category: 'product-quality',
      productSku: 'PB-20000',
      flags: { personalInjury: false, propertyLoss: true, mediaExposure: false, legalThreat: false },
      registeredBy: 'shop-connector',
      status: 'registered',
      customer: { id: customerId, erased: false, redacted: true },
    });
    complaintId = request.complaintId;
  });

  it('publishes ComplaintRegistered v1 on Kafka with the ciphertext only, keyed by its product', async () => {
    const [message] = await readTopicWithKcat(Topics.intake, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_subject === complaintId,
    });
    expect(message?.headers).toMatchObject({
      ce_type: ComplaintRegisteredV1.type,
      ce_subject: complaintId,
      ce_tenantid: tenant,
    });
    // Complaints about one product batch share a partition (ordered for the incident detection), whatever their id.
    expect(message?.key).toBe(`${tenant}|sku:PB-20000|batch:B-7`);
    const payload = message?.payload ?? '';
    expect(containsPii(payload)).toEqual([]);
    expect(payload.toLowerCase()).not.toContain('zhang');
    expect(payload).not.toContain('1234 5678');
    published = JSON.parse(payload) as ComplaintRegisteredV1;
    expect(validateEvent(ComplaintRegisteredV1.type, published)).toMatchObject({ ok: true });
    expect(published).toMatchObject({
      complaintId,
      tenantId: tenant,
      customerId,
      customerData: { ciphertext: expect.any(String), keyVersion: 1 },
      category: 'product-quality',
    });
  });

  it('stores no plaintext contact details in the event store either', async () => {
    const { rows } = await intake.pool.query<{ text: string }>(
      `SELECT data::text || metadata::text AS text FROM es_events WHERE stream_id = $1`,
      [complaintStream(complaintId)],
    );
    expect(rows).toHaveLength(1);
    expect(containsPii(rows[0]?.text ?? '')).toEqual([]);
  });

  it('GET without a purpose keeps the contact details redacted and logs nothing', async () => {
    const res = await call('GET', `/complaints/${complaintId}`, tokens.agent!);
    expect(res.status).toBe(200);
    expect((await json(res)).customer).toEqual({ id: customerId, erased: false, redacted: true });
    const log = await json<{ entries: unknown[] }>(
      await call('GET', `/customers/${customerId}/access-log`, tokens.supervisor!),
    );
    expect(log.entries).toEqual([]);
  });

  it('GET with a purpose discloses them to an agent, and the access log says who, when and why', async () => {
    const before = Date.now();
    const res = await call(
      'GET',
      `/complaints/${complaintId}${purpose('call back about the scorched desk')}`,
      tokens.agent!,
    );
    expect(res.status).toBe(200);
    expect((await json(res)).customer).toEqual({ id: customerId, erased: false, ...pii });

    const logRes = await call('GET', `/customers/${customerId}/access-log`, tokens.supervisor!);
    expect(logRes.status).toBe(200);
    const log = await json<{ customerId: string; erasure: unknown; entries: Array<Record<string, unknown>> }>(logRes);
    expect(log).toEqual({
      customerId,
      erasure: null,
      entries: [
        {
          actor: 'agent-7',
          roles: ['agent'],
          purpose: 'call back about the scorched desk',
          resource: `complaint/${complaintId}`,
          outcome: 'opened',
          accessedAt: expect.any(String),
        },
      ],
    });
    expect(Date.parse(log.entries[0]?.accessedAt as string)).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('refuses the contact details to a role that does not talk to customers (403), logging nothing', async () => {
    const res = await call('GET', `/complaints/${complaintId}${purpose('curious')}`, tokens.integrator!);
    expect(res.status).toBe(403);
    expect(await json<Problem>(res)).toMatchObject({ code: 'PRIVACY.ACCESS_DENIED' });
    const log = await json<{ entries: unknown[] }>(
      await call('GET', `/customers/${customerId}/access-log`, tokens.supervisor!),
    );
    expect(log.entries).toHaveLength(1);
  });

  it('answers 400 with a field pointer for every invalid field', async () => {
    const { orderId: _orderId, ...withoutOrder } = aComplaint();
    const res = await call('POST', '/complaints', tokens.agent!, {
      ...withoutOrder,
      category: 'broken',
      customer: { id: customerId, email: 'not-an-email', ssn: '123' },
      evidenceRefs: ['not a uri'],
      flags: { personalInjury: 'yes' },
    });
    expect(res.status).toBe(400);
    const problem = await json<Problem>(res);
    expect(problem.code).toBe('REQUEST.INVALID');
    expect(problem.errors?.map((e) => e.pointer).sort()).toEqual(
      ['/category', '/customer/email', '/customer/ssn', '/evidenceRefs/0', '/flags/personalInjury', '/orderId'].sort(),
    );
    // Validation errors never echo the values (they may be personal data).
    expect(JSON.stringify(problem)).not.toContain('not-an-email');
  });

  // Seed 000 §3.5.1: every complaint is taken on. Incidents keeps what it cannot cluster as single complaints.
  it('takes on a complaint without region or SKU (201, published without them), and refuses a second registration (409)', async () => {
    const noRegion = aComplaint({ category: 'special-scenario', productSku: undefined, batch: undefined });
    const noSku = aComplaint({ productSku: undefined, batch: undefined });
    for (const request of [noRegion, noSku]) {
      const res = await call('POST', '/complaints', tokens.agent!, request);
      expect(res.status).toBe(201);
      const body = await json(res);
      expect(body).toMatchObject({ complaintId: request.complaintId, category: request.category });
      expect(body).not.toHaveProperty('productSku');
      expect(body).not.toHaveProperty('region');
    }
    const ids = new Set<string>([noRegion.complaintId, noSku.complaintId]);
    const published = await readTopicWithKcat(Topics.intake, {
      count: 2,
      timeoutMs: 30_000,
      until: (m) => ids.has(m.headers.ce_subject ?? ''),
    });
    for (const message of published) {
      const payload = JSON.parse(message.payload) as ComplaintRegisteredV1;
      expect(validateEvent(ComplaintRegisteredV1.type, payload)).toMatchObject({ ok: true });
      expect(payload).not.toHaveProperty('productSku');
      expect(payload).not.toHaveProperty('region');
      // Nothing to cluster on: keyed by the complaint itself (complaintPartitionKey).
      expect(message.key).toBe(`${tenant}|complaint:${payload.complaintId}`);
    }

    const again = await call('POST', '/complaints', tokens.agent!, aComplaint({ complaintId }));
    expect(again.status).toBe(409);
    expect(await json<Problem>(again)).toMatchObject({ code: 'COMPLAINT.ALREADY_REGISTERED' });
  });

  it('returns the same complaint for a retried request with the same Idempotency-Key, with one event', async () => {
    const request = aComplaint({ customer: { id: `${customerId}-b`, name: 'Wang Fang' } });
    const headers = { 'idempotency-key': randomUUID() };
    const first = await call('POST', '/complaints', tokens.agent!, request, headers);
    const second = await call('POST', '/complaints', tokens.agent!, request, headers);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await json(second)).toEqual(await json(first));
    expect(
      await intake.pool.query('SELECT 1 FROM es_events WHERE stream_id = $1', [complaintStream(request.complaintId)]),
    ).toMatchObject({
      rowCount: 1,
    });
  });

  it("hides another tenant's complaint (404) and customer access log", async () => {
    const res = await call('GET', `/complaints/${complaintId}${purpose('looking around')}`, tokens.otherAgent!);
    expect(res.status).toBe(404);
    expect(await json<Problem>(res)).toMatchObject({ code: 'COMPLAINT.NOT_FOUND' });
    const log = await json<{ entries: unknown[] }>(
      await call('GET', `/customers/${customerId}/access-log`, tokens.otherSupervisor!),
    );
    expect(log.entries).toEqual([]);
  });

  it('answers 403 to a role the route does not admit', async () => {
    expect((await call('POST', '/complaints', tokens.logistics!, aComplaint())).status).toBe(403);
    expect((await call('GET', `/complaints/${complaintId}`, tokens.logistics!)).status).toBe(403);
    expect((await call('GET', `/customers/${customerId}/access-log`, tokens.agent!)).status).toBe(403);
    expect((await call('POST', `/customers/${customerId}/erasure`, tokens.agent!, { reason: 'ER-1' })).status).toBe(
      403,
    );
  });

  describe('erasure', () => {
    it('needs a reason (400)', async () => {
      const res = await call('POST', `/customers/${customerId}/erasure`, tokens.supervisor!, {});
      expect(res.status).toBe(400);
      expect((await json<Problem>(res)).errors).toEqual([{ pointer: '/reason', detail: 'is required' }]);
    });

    it('destroys the key and records who did it (201), once (200 on a repeat)', async () => {
      const res = await call('POST', `/customers/${customerId}/erasure`, tokens.supervisor!, {
        reason: 'Erasure request ER-2026-17',
      });
      expect(res.status).toBe(201);
      const erasure = await json(res);
      expect(erasure).toEqual({
        customerId,
        reason: 'Erasure request ER-2026-17',
        erasedAt: expect.any(String),
        erasedBy: 'supervisor-2',
        alreadyErased: false,
      });

      const again = await call('POST', `/customers/${customerId}/erasure`, tokens.supervisor!, {
        reason: 'duplicate request',
      });
      expect(again.status).toBe(200);
      expect(await json(again)).toEqual({ ...erasure, alreadyErased: true });

      // Published once, with the customer and the time only: services keeping personal data of their own erase it too.
      const [published] = await readTopicWithKcat(Topics.intake, {
        count: 1,
        timeoutMs: 30_000,
        until: (m) =>
          m.headers.ce_type === CustomerDataErasedV1.type && m.key === customerId && m.headers.tenant === tenant,
      });
      expect(JSON.parse(published?.payload ?? '{}')).toEqual({
        customerId,
        tenantId: tenant,
        erasedAt: (erasure as { erasedAt: string }).erasedAt,
      });
    });

    it('GET shows the customer as erased, with or without a purpose, and no contact details anywhere', async () => {
      for (const query of ['', purpose('call back after erasure')]) {
        const res = await call('GET', `/complaints/${complaintId}${query}`, tokens.agent!);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(JSON.parse(body).customer).toEqual({ id: customerId, erased: true });
        expect(containsPii(body)).toEqual([]);
      }
      const log = await json<{ erasure: unknown; entries: Array<Record<string, unknown>> }>(
        await call('GET', `/customers/${customerId}/access-log`, tokens.supervisor!),
      );
      expect(log.erasure).toEqual({ erasedAt: expect.any(String), erasedBy: 'supervisor-2' });
      expect(log.entries[0]).toMatchObject({ actor: 'agent-7', purpose: 'call back after erasure', outcome: 'erased' });
    });

    it('leaves the ciphertext on Kafka unreadable, even with the master key', async () => {
      const vault = new PersonalDataVault({ db: intake.pool, masterKey: parseMasterKey(masterKey) });
      const customerData = published.customerData;
      expect(customerData).toBeDefined();
      const opened = await vault.open(tenant, customerId, customerData!, {
        actor: 'complaints-int-spec',
        roles: ['supervisor'],
        purpose: 'prove the erasure',
      });
      expect(opened).toBeNull();
    });

    it('keeps history intact: the hash chains still verify, the erasure is an attributable event', async () => {
      const store = new PostgresEventStore(intake.pool);
      expect(await store.verifyStream(complaintStream(complaintId))).toEqual({
        ok: true,
        streamId: complaintStream(complaintId),
        events: 1,
      });
      const customerStream = customerDataStream(tenant, customerId);
      expect(await store.verifyStream(customerStream)).toMatchObject({ ok: true, events: 1 });
      const [erased] = await store.readStream(customerStream);
      expect(erased).toMatchObject({
        type: 'CustomerDataErased',
        data: { tenant, customerId, reason: 'Erasure request ER-2026-17', erasedBy: 'supervisor-2' },
        metadata: {
          tenant,
          actor: { id: 'supervisor-2', roles: ['supervisor'] },
          reason: 'Erasure request ER-2026-17',
        },
      });
      // The complaint event still holds the very ciphertext that was published: nothing was rewritten.
      const [registered] = await store.readStream(complaintStream(complaintId));
      expect((registered?.data as { customerData?: unknown }).customerData).toEqual(published.customerData);
    });

    it('refuses new contact details for the erased customer (409), but still registers their complaint without them', async () => {
      const withPii = await call('POST', '/complaints', tokens.agent!, aComplaint());
      expect(withPii.status).toBe(409);
      expect(await json<Problem>(withPii)).toMatchObject({ code: 'PRIVACY.CUSTOMER_ERASED' });

      const withoutPii = await call('POST', '/complaints', tokens.agent!, aComplaint({ customer: { id: customerId } }));
      expect(withoutPii.status).toBe(201);
      expect((await json(withoutPii)).customer).toEqual({ id: customerId, erased: true });
    });
  });
});
