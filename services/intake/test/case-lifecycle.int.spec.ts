import { randomBytes, randomUUID } from 'node:crypto';
import { CloudEventHeaders, EventCatalogue, Topics, validateEvent } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName, type KcatMessage } from '@aftersales/testing';
import { startTestService, type TestService } from '@aftersales/test-kit';
import { caseStream } from '../src/application/cases.service';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';
import { aroundTheClock } from '../src/testing/around-the-clock';

interface Problem {
  status: number;
  code: string;
  rule?: string;
  errors?: Array<{ pointer: string; detail: string }>;
}
type CaseBody = Record<string, unknown> & { caseId: string; status: string };

const DAY_MS = 86_400_000;

// CONTEXT: intake runs in-process on real Postgres and Kafka; a case is driven through its whole life over HTTP, the
// published events are read back with kcat (an independent client). The service's clock is the test's: it moves four
// days ahead at the end, past the tenant's 3-day reopen window and every identity verification.
describe('a case from opening to closure and reopening, over HTTP', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const customerId = `cus-${randomUUID().slice(0, 8)}`;
  const contact = { phone: '+86 139 1234 5678', email: 'zhang.xiaoming@example.com' };
  const newAddress = '88 Century Avenue, Pudong, Shanghai';
  let shiftMs = 0;

  let intake: TestService;
  const tokens: Record<string, string> = {};
  let caseId: string;

  beforeAll(async () => {
    intake = await startTestService(
      { ...intakeService, clock: () => new Date(Date.now() + shiftMs) },
      { env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') } },
    );
    const sign = (subject: string, roles: string[], t = tenant) => intake.token({ subject, tenant: t, roles });
    tokens.agent = await sign('agent-7', ['agent']);
    tokens.supervisor = await sign('supervisor-2', ['supervisor']);
    tokens.manager = await sign('manager-1', ['cs-manager']);
    tokens.chat = await sign('chat-connector', ['integrator']);
    tokens.otherAgent = await sign('agent-9', ['agent'], otherTenant);
    // The tenant's desk is staffed around the clock: whenever the test runs, intake does not acknowledge the case off
    // hours on its own (sla-clocks.int.spec.ts proves that), and the chat integration's acknowledgement is the first.
    const staffed = await call('PUT', '/sla-policies', tokens.manager, {
      ...defaultSlaPolicy,
      calendar: aroundTheClock,
    });
    expect(staffed.status).toBe(200);
  });

  afterAll(async () => {
    await intake?.close();
  });

  const call = async <T = CaseBody>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => intake.call<T>(method, path, { caller: { token }, body, headers });
  const step = async (path: string, token: string, body?: unknown) => {
    const res = await call('POST', `/cases/${caseId}/${path}`, token, body);
    expect({ path, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({
      path,
      status: 200,
      body: undefined,
    });
    return res.body;
  };
  const refused = async (path: string, token: string, body: unknown, status: number, code: string) => {
    const res = await call<Problem>('POST', `/cases/${caseId}/${path}`, token, body);
    expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status, code });
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.rule).toEqual(expect.any(String));
    return res.body;
  };
  const containsContact = (text: string) =>
    [contact.phone, contact.email, newAddress, '1234 5678'].filter((v) => text.includes(v));

  const aSolution = (kind: string, description: string) => ({
    kind,
    description,
    basis: 'Transit damage confirmed by the carrier scan',
    expectedTime: '2 days',
    customerActions: 'Keep the damaged kettle for the carrier to collect',
  });

  it("a customer-service manager sets the tenant's case policy; agents read it and cannot change it", async () => {
    const before = await call('GET', '/case-policies', tokens.agent!);
    expect(before.body).toEqual({
      policy: { reopenWindowDays: 7, identityVerificationMinutes: 30 },
      defaults: { reopenWindowDays: 7, identityVerificationMinutes: 30 },
      updatedAt: null,
      updatedBy: null,
    });
    const put = await call('PUT', '/case-policies', tokens.manager!, {
      reopenWindowDays: 3,
      identityVerificationMinutes: 30,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ policy: { reopenWindowDays: 3 }, updatedBy: 'manager-1' });
    expect(
      (await call('PUT', '/case-policies', tokens.agent!, { reopenWindowDays: 1, identityVerificationMinutes: 5 }))
        .status,
    ).toBe(403);
    const invalid = await call<Problem>('PUT', '/case-policies', tokens.manager!, { reopenWindowDays: 0 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.map((e) => e.pointer).sort()).toEqual([
      '/identityVerificationMinutes',
      '/reopenWindowDays',
    ]);
    // Another tenant still runs on the defaults.
    expect((await call('GET', '/case-policies', tokens.otherAgent!)).body).toMatchObject({ updatedAt: null });
  });

  it('opens a case and refuses to work it before the customer is told it is accepted (409 naming the rule)', async () => {
    const opened = await call('POST', '/cases', tokens.chat!, {
      channel: 'chat',
      orderId: 'ORD-2026-0042',
      customerId,
      problemType: 'quality',
      description: 'The kettle arrived with a cracked base',
    });
    expect(opened.status).toBe(201);
    caseId = opened.body.caseId;
    expect(opened.body).toMatchObject({ status: 'opened', category: null, firstResponse: null, escalation: null });
    const problem = await refused(
      'classification',
      tokens.agent!,
      { category: 'logistics' },
      409,
      'CASE.NOT_ACKNOWLEDGED',
    );
    expect(problem.rule).toMatch(/told it is accepted/);
  });

  it('the chat integration acknowledges off hours automatically (no first response) and records the customer', async () => {
    const handledFrom = new Date(Date.now() + 12 * 3_600_000).toISOString();
    const acknowledged = await step('acknowledgement', tokens.chat!, {
      message: 'We received your request; an agent takes over when we open',
      nextStep: 'An agent checks the photos',
      automatic: true,
      handledFrom,
    });
    expect(acknowledged).toMatchObject({
      status: 'acknowledged',
      acknowledgement: { automatic: true, handledFrom, by: 'chat-connector' },
      firstResponse: null,
    });
    const recorded = await step('communications', tokens.chat!, {
      channel: 'chat',
      direction: 'inbound',
      author: { kind: 'customer' },
      summary: 'Customer sent a photo of the cracked base',
      attachmentRefs: ['https://media.example.com/c/1.jpg'],
      contact,
    });
    expect(recorded).toMatchObject({
      conversation: { inbound: 1, outbound: 0, sealedContacts: 1 },
      firstResponse: null,
    });
    expect(containsContact(JSON.stringify(recorded))).toEqual([]);
  });

  it("the agent's first outbound message is the first response, once", async () => {
    const replied = await step('communications', tokens.agent!, {
      channel: 'chat',
      direction: 'outbound',
      author: { kind: 'agent', ref: 'agent-7' },
      summary: 'Apologised, asked for the order number on the parcel label',
    });
    expect(replied).toMatchObject({
      firstResponse: { via: 'communication', by: 'agent-7' },
      conversation: { inbound: 1, outbound: 1 },
    });
    const again = await step('communications', tokens.agent!, {
      channel: 'chat',
      direction: 'outbound',
      author: { kind: 'agent', ref: 'agent-7' },
      summary: 'Thanked the customer',
    });
    expect(again.firstResponse).toEqual(replied.firstResponse);
  });

  it('classifies, reclassifies with the previous category, assigns and reassigns', async () => {
    await step('classification', tokens.agent!, { category: 'quality' });
    await refused(
      'classification',
      tokens.agent!,
      { category: 'logistics' },
      422,
      'CASE.RECLASSIFICATION_REASON_REQUIRED',
    );
    const reclassified = await step('classification', tokens.agent!, {
      category: 'logistics',
      reason: 'The box is crushed too: transit damage',
    });
    expect(reclassified).toMatchObject({
      status: 'classified',
      category: 'logistics',
      classification: { category: 'logistics', previous: ['quality'] },
    });
    await refused('investigation', tokens.agent!, undefined, 409, 'CASE.NOT_ASSIGNED');
    await step('assignment', tokens.supervisor!, {
      queue: 'logistics-claims',
      team: 'after-sales-east',
      agentId: 'agent-7',
    });
    const reassigned = await step('assignment', tokens.supervisor!, {
      queue: 'logistics-claims',
      team: 'after-sales-east',
      agentId: 'agent-12',
      reason: 'agent-7 went off shift',
    });
    expect(reassigned).toMatchObject({ status: 'assigned', assignment: { agentId: 'agent-12', reassignments: 1 } });
  });

  it("investigates; waiting on the customer keeps the stage and the customer's message ends it", async () => {
    await step('investigation', tokens.agent!);
    const waiting = await step('waiting', tokens.agent!, { on: 'customer', reason: 'Asked for a photo of the label' });
    expect(waiting).toMatchObject({ status: 'investigating', waiting: { on: 'customer' } });
    await refused('waiting', tokens.agent!, { on: 'third_party', reason: 'Carrier' }, 409, 'CASE.ALREADY_WAITING');
    const replied = await step('communications', tokens.chat!, {
      channel: 'chat',
      direction: 'inbound',
      author: { kind: 'customer' },
      summary: 'Customer sent the label photo',
    });
    expect(replied).toMatchObject({ status: 'investigating', waiting: null });
    await refused('waiting/end', tokens.agent!, {}, 409, 'CASE.NOT_WAITING');
  });

  it('records facts and responsibility, proposes solutions; the customer rejects, then accepts', async () => {
    await refused('responsibility', tokens.agent!, { party: 'carrier', basis: 'x' }, 409, 'CASE.FACTS_REQUIRED');
    await step('facts', tokens.agent!, {
      kind: 'logistics',
      summary: 'Carrier scan: parcel damaged at the Hangzhou hub',
      source: 'carrier tracking',
      sourceRef: 'SF1234567890',
    });
    await step('responsibility', tokens.agent!, { party: 'carrier', basis: 'Damage scanned in transit' });
    const tooMany = await call<Problem>('POST', `/cases/${caseId}/solutions`, tokens.agent!, {
      solutions: [1, 2, 3, 4].map(() => aSolution('reship', 'Reship')),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ pointer: '/solutions' })]);
    await step('solutions', tokens.agent!, {
      solutions: [aSolution('reship', 'Reship with another carrier'), aSolution('refund_only', 'Refund the kettle')],
    });
    const rejected = await step('solutions/rejection', tokens.agent!, {
      reason: 'Wants a partial refund and to keep it',
    });
    expect(rejected).toMatchObject({ status: 'investigating', proposal: null, rejections: [{ proposal: 1 }] });
    await refused('solutions/acceptance', tokens.agent!, { option: 1 }, 409, 'CASE.NO_SOLUTION_PROPOSED');
    await step('solutions', tokens.agent!, {
      solutions: [
        aSolution('reship', 'Reship with another carrier'),
        {
          ...aSolution('partial_refund', 'Keep the kettle, 30 % back'),
          amount: { amountMinor: 5970, currency: 'CNY' },
        },
      ],
    });
    await refused('solutions/acceptance', tokens.agent!, { option: 3 }, 422, 'CASE.UNKNOWN_OPTION');
    const accepted = await step('solutions/acceptance', tokens.agent!, { option: 2 });
    expect(accepted).toMatchObject({
      status: 'in_execution',
      acceptedSolution: { proposal: 2, option: 2, solution: { kind: 'partial_refund', amount: { amountMinor: 5970 } } },
    });
  });

  it('identity: the contact data and an address change are refused until the customer is verified', async () => {
    const unverified = await call<Problem>(
      'GET',
      `/cases/${caseId}/contact-details?purpose=${encodeURIComponent('confirm the refund account holder')}`,
      tokens.agent!,
    );
    expect(unverified.status).toBe(409);
    expect(unverified.body.code).toBe('CASE.IDENTITY_NOT_VERIFIED');
    const change = { kind: 'shipping_address', address: newAddress, note: 'Deliver the coupon letter here' };
    await refused('order-changes', tokens.agent!, change, 409, 'CASE.IDENTITY_NOT_VERIFIED');

    const verified = await step('identity-verification', tokens.chat!, { method: 'sms_code', reference: 'sms-7781' });
    expect(verified).toMatchObject({
      verification: { method: 'sms_code', reference: 'sms-7781', by: 'chat-connector' },
    });
    const changed = await step('order-changes', tokens.agent!, change);
    expect(changed.orderChanges).toEqual([expect.objectContaining({ kind: 'shipping_address' })]);
    expect(containsContact(JSON.stringify(changed))).toEqual([]);

    const integratorRead = await call<Problem>('GET', `/cases/${caseId}/contact-details?purpose=curious`, tokens.chat!);
    expect(integratorRead.status).toBe(403);
    const read = await call<{ contacts: Array<Record<string, unknown>>; erased: boolean }>(
      'GET',
      `/cases/${caseId}/contact-details?purpose=${encodeURIComponent('confirm the refund account holder')}`,
      tokens.agent!,
    );
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      erased: false,
      contacts: [
        { source: 'communication', channel: 'chat', direction: 'inbound', ...contact },
        { source: 'order_change', orderChange: 'shipping_address', address: newAddress },
      ],
    });
    const log = await call<{ entries: Array<Record<string, unknown>> }>(
      'GET',
      `/customers/${customerId}/access-log`,
      tokens.supervisor!,
    );
    expect(log.body.entries).toHaveLength(2);
    expect(log.body.entries[0]).toMatchObject({ actor: 'agent-7', purpose: 'confirm the refund account holder' });
  });

  it('the escalation ladder: an agent reaches the supervisor, a supervisor the complaint team', async () => {
    await refused('escalation', tokens.agent!, { rung: 'complaint_team' }, 403, 'CASE.ESCALATION_FORBIDDEN');
    await step('escalation', tokens.agent!, { rung: 'supervisor', note: 'Customer asks for a manager' });
    await refused('escalation', tokens.agent!, { rung: 'supervisor' }, 409, 'CASE.ALREADY_ESCALATED');
    const escalated = await step('escalation', tokens.supervisor!, { rung: 'complaint_team' });
    expect(escalated).toMatchObject({ escalation: { rung: 'complaint_team', reason: 'manual', by: 'supervisor-2' } });
  });

  it('collaborations, resolution with the route to object and the window, closure, reopening', async () => {
    const collaborationId = randomUUID();
    await step('collaborations', tokens.agent!, {
      collaborationId,
      party: 'merchant',
      requirement: 'Refund 59.70 CNY to the original payment',
      deadline: new Date(Date.now() + DAY_MS).toISOString(),
      owner: 'finance-desk',
    });
    await refused('resolution', tokens.agent!, resolution(), 409, 'CASE.COLLABORATIONS_OPEN');
    await step(`collaborations/${collaborationId}/completion`, tokens.agent!, { result: 'Refund issued, ref RF-881' });
    const resolved = await step('resolution', tokens.agent!, resolution());
    const r = resolved.resolution as { at: string; reopenableUntil: string };
    // The tenant's 3-day window from the resolution.
    expect(Date.parse(r.reopenableUntil) - Date.parse(r.at)).toBe(3 * DAY_MS);
    await refused('facts', tokens.agent!, { kind: 'order', summary: 'x', source: 'y' }, 409, 'CASE.RESOLVED');
    expect(await step('closure', tokens.agent!, { note: 'Customer confirmed the refund' })).toMatchObject({
      status: 'closed',
    });
    await refused('closure', tokens.agent!, {}, 409, 'CASE.CLOSED');
    const reopened = await step('reopening', tokens.agent!, { objection: 'The refund was 10 CNY short' });
    expect(reopened).toMatchObject({ status: 'reopened', resolution: null, reopenings: [{ from: 'closed' }] });
  });

  it('answers 400 with field pointers, 404 for an unknown case and for another tenant’s case', async () => {
    const invalid = await call<Problem>('POST', `/cases/${caseId}/collaborations`, tokens.agent!, {
      party: 'bank',
      deadline: 'tomorrow',
      owner: ' ',
      extra: true,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors?.map((e) => e.pointer).sort()).toEqual(
      ['/deadline', '/extra', '/owner', '/party', '/requirement'].sort(),
    );
    const unknown = await call<Problem>('POST', `/cases/${randomUUID()}/investigation`, tokens.agent!);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CASE.NOT_FOUND']);
    for (const [method, path, body] of [
      ['GET', `/cases/${caseId}`, undefined],
      ['POST', `/cases/${caseId}/investigation`, undefined],
      [
        'POST',
        `/cases/${caseId}/communications`,
        { channel: 'chat', direction: 'inbound', author: { kind: 'customer' }, summary: 'hi', contact },
      ],
      ['GET', `/cases/${caseId}/contact-details?purpose=look`, undefined],
    ] as const) {
      const res = await call<Problem>(method, path, tokens.otherAgent!, body);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 404, code: 'CASE.NOT_FOUND' });
    }
  });

  it('a retried command (same Idempotency-Key) answers the same and appends nothing', async () => {
    const headers = { 'idempotency-key': randomUUID() };
    const body = { kind: 'order', summary: 'Order paid 199.00 CNY on 20 Nov', source: 'order system' };
    const count = async () =>
      (await intake.pool.query('SELECT 1 FROM es_events WHERE stream_id = $1', [caseStream(caseId)])).rowCount;
    await step('investigation', tokens.agent!);
    const before = await count();
    const first = await call('POST', `/cases/${caseId}/facts`, tokens.agent!, body, headers);
    const second = await call('POST', `/cases/${caseId}/facts`, tokens.agent!, body, headers);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual(first.body);
    expect(await count()).toBe((before ?? 0) + 1);
  });

  it("once the window has passed the customer's objection no longer reopens; an expired verification opens nothing", async () => {
    await step('solutions', tokens.agent!, { solutions: [aSolution('partial_refund', 'Refund the missing 10 CNY')] });
    await step('solutions/acceptance', tokens.agent!, { option: 1 });
    await step('resolution', tokens.agent!, resolution());
    await step('closure', tokens.agent!, {});
    shiftMs = 4 * DAY_MS;
    const late = await refused(
      'reopening',
      tokens.agent!,
      { objection: 'Still unhappy' },
      409,
      'CASE.REOPEN_WINDOW_PASSED',
    );
    expect(late.rule).toMatch(/reopen window/);
    const expired = await call<Problem>('GET', `/cases/${caseId}/contact-details?purpose=check`, tokens.agent!);
    expect([expired.status, expired.body.code]).toEqual([409, 'CASE.IDENTITY_NOT_VERIFIED']);
  });

  it('keeps contact data out of the event store: only ciphertext', async () => {
    const { rows } = await intake.pool.query<{ text: string }>(
      'SELECT data::text || metadata::text AS text FROM es_events WHERE stream_id = $1',
      [caseStream(caseId)],
    );
    expect(rows.length).toBeGreaterThan(30);
    expect(containsContact(rows.map((r) => r.text).join('\n'))).toEqual([]);
  });

  it('publishes the lifecycle on Kafka with CloudEvents headers, keyed by the case, valid and without contact data', async () => {
    const published: KcatMessage[] = await readTopicWithKcat(Topics.intake, {
      count: 16,
      timeoutMs: 30_000,
      // The lifecycle steps; the case's SLA clock events (sla-clock-*) are proven in sla-clocks.int.spec.ts.
      until: (m) => m.headers.ce_subject === caseId && !(m.headers.ce_type ?? '').includes('.sla-clock-'),
    });
    const types = published.map((m) => m.headers.ce_type);
    expect(types).toEqual([
      'aftersales.intake.case-opened.v1',
      'aftersales.intake.case-acknowledged.v1',
      'aftersales.intake.case-classified.v1',
      'aftersales.intake.case-classified.v1',
      'aftersales.intake.case-assigned.v1',
      'aftersales.intake.case-assigned.v1',
      'aftersales.intake.case-solution-accepted.v1',
      'aftersales.intake.case-escalated.v1',
      'aftersales.intake.case-escalated.v1',
      'aftersales.intake.case-collaboration-requested.v1',
      'aftersales.intake.case-resolved.v1',
      'aftersales.intake.case-closed.v1',
      'aftersales.intake.case-reopened.v1',
      'aftersales.intake.case-solution-accepted.v1',
      'aftersales.intake.case-resolved.v1',
      'aftersales.intake.case-closed.v1',
    ]);
    const known = new Set(EventCatalogue.map((c) => c.type));
    for (const message of published) {
      const type = message.headers.ce_type ?? '';
      expect(known.has(type as never)).toBe(true);
      expect(message.key).toBe(caseId);
      expect(message.headers).toMatchObject({
        [CloudEventHeaders.specVersion]: '1.0',
        [CloudEventHeaders.source]: '/aftersales/intake',
        [CloudEventHeaders.subject]: caseId,
        'content-type': 'application/json',
        tenant,
      });
      expect(message.headers[CloudEventHeaders.id]).toEqual(expect.any(String));
      expect(Date.parse(message.headers[CloudEventHeaders.time] ?? '')).not.toBeNaN();
      const payload = JSON.parse(message.payload) as Record<string, unknown>;
      expect({ type, result: validateEvent(type, payload) }).toMatchObject({ result: { ok: true } });
      expect(payload).toMatchObject({ caseId, tenantId: tenant });
      expect(containsContact(message.payload)).toEqual([]);
    }
    const escalated = published.filter((m) => m.headers.ce_type === 'aftersales.intake.case-escalated.v1');
    expect(escalated.map((m) => JSON.parse(m.payload) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ rung: 'supervisor', reason: 'manual' }),
      expect.objectContaining({ rung: 'complaint_team', previousRung: 'supervisor' }),
    ]);
  });
});

function resolution() {
  return {
    outcome: 'Partial refund of 59.70 CNY paid; you keep the kettle',
    basis: 'Transit damage confirmed by the carrier; the carrier pays under the shipping contract',
    objectionRoute: 'Reply in this chat within 3 days',
  };
}
