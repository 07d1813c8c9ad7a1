import { randomBytes, randomUUID } from 'node:crypto';
import {
  ComplaintAttachedV1,
  IncidentEscalatedV1,
  IncidentOpenedV1,
  IncidentResolvedV1,
  RefundPaidV1,
  ReturnRequestedV1,
  SatisfactionMeasuredV1,
  ShipmentDeliveredV1,
} from '@aftersales/contracts';
import { uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';
import { aroundTheClock } from '../src/testing/around-the-clock';

interface Entry {
  id: string;
  at: string;
  service: string;
  eventType: string;
  actor: { kind: string; id?: string };
  summary: string;
  link: string;
}
interface TimelinePage {
  caseId: string;
  entries: Entry[];
  nextCursor: string | null;
}

// CONTEXT: intake runs in-process on real Postgres and Kafka. Incidents and surveys are played by the test kit's
// ContractPublisher: their contract events, with the CloudEvents headers and Kafka keys their relays use. The case, its
// complaint and everything intake records come through intake's own API.
describe("intake: one timeline per case, with every service's events that name it", () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const agent = { tenant, roles: ['agent'], subject: 'agent-7' };
  const integrator = { tenant, roles: ['integrator'], subject: 'shop-connector' };
  let intake: TestService;
  let upstream: ContractPublisher;

  const caseId = randomUUID();
  const complaintId = randomUUID();
  const incidentId = randomUUID();
  const surveyId = randomUUID();
  const otherCaseId = randomUUID();
  /** Times the incident and survey events happened: a minute apart, after the case was opened. */
  const t = (minutes: number) => new Date(Date.now() + minutes * 60_000);
  const times = { opened: t(1), attached: t(2), escalated: t(3), resolved: t(4), measured: t(5) };
  const ids: Record<string, string> = {};
  /**
   * The entries this test made: intake's own and the events it published as incidents and surveys.
   * CONTEXT: the topics are shared with the other test files running meanwhile, whose real services react to what
   * this test publishes as they would in production — a compensation service offers an apology coupon to the cases of
   * this test's IncidentOpened, which then rightly shows on the timeline (a CI run saw 9 entries where 7 were awaited).
   * What this test asserts is its own entries, in their order, among whatever else the case legitimately collects.
   */
  const ours = (entries: readonly Entry[]) =>
    entries.filter((e) => e.service === 'intake' || Object.values(ids).includes(e.id));

  const timeline = async (caller: { tenant: string; roles: string[] }, query = '') =>
    intake.call<TimelinePage>('GET', `/cases/${caseId}/timeline${query}`, { caller });
  const allPages = async (limit: number) => {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await timeline(agent, query);
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(limit);
      entries.push(...page.body.entries);
      cursor = page.body.nextCursor;
    } while (cursor);
    return entries;
  };

  beforeAll(async () => {
    intake = await startTestService(intakeService, {
      env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    upstream = await ContractPublisher.connect();
    // The tenant runs no SLA targets, around the clock: the timeline holds what this test records, whatever the time
    // of the run (clocks, timers and the off-hours acknowledgement are proven in sla-clocks.int.spec.ts).
    const policy = await intake.call('PUT', '/sla-policies', {
      caller: { tenant, roles: ['cs-manager'] },
      body: {
        ...defaultSlaPolicy,
        calendar: aroundTheClock,
        targets: [],
      },
    });
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    await upstream?.close();
    await intake?.close();
  });

  it('starts with what intake recorded: the case opened and the complaint registered for it', async () => {
    const opened = await intake.call('POST', '/cases', {
      caller: agent,
      body: {
        caseId,
        channel: 'chat',
        orderId: 'ORD-7',
        customerId: 'cus-7',
        problemType: 'quality',
        description: 'The kettle leaks; Zhang Wei, 139 1234 5678',
      },
    });
    expect(opened.status).toBe(201);
    const complaint = await intake.call('POST', '/complaints', {
      caller: integrator,
      body: {
        complaintId,
        caseId,
        customer: { id: 'cus-7', name: 'Zhang Wei', phone: '+86 139 1234 5678' },
        orderId: 'ORD-7',
        productSku: 'KT-900',
        category: 'product-quality',
        description: 'Leaking kettle scalded my hand',
        flags: { personalInjury: true },
      },
    });
    expect(complaint.status).toBe(201);

    // The complaint takes the case up its ladder (intake's complaint process, just after the complaint commits).
    const page = await eventually(async () => {
      const read = await timeline(agent);
      return ours(read.body.entries).length === 3 ? read : undefined;
    }, 'the complaint and the escalation it caused');
    expect(page.status).toBe(200);
    expect({ ...page.body, entries: ours(page.body.entries) }).toEqual({
      caseId,
      nextCursor: null,
      entries: [
        {
          id: expect.any(String),
          at: expect.any(String),
          service: 'intake',
          eventType: 'CaseOpened',
          actor: { kind: 'user', id: 'agent-7' },
          summary: 'Case opened on chat: quality',
          link: `/cases/${caseId}`,
        },
        {
          id: expect.any(String),
          at: expect.any(String),
          service: 'intake',
          eventType: 'ComplaintRegistered',
          actor: { kind: 'integration', id: 'shop-connector' },
          summary: 'Complaint registered: product-quality (personal injury)',
          link: `/complaints/${complaintId}`,
        },
        {
          id: expect.any(String),
          at: expect.any(String),
          service: 'intake',
          eventType: 'CaseEscalated',
          actor: { kind: 'system', id: 'intake.complaint-ladder' },
          summary: 'Case escalated',
          link: `/cases/${caseId}`,
        },
      ],
    });
    // Objective and without personal data: nothing of the descriptions or contact details.
    expect(page.text).not.toMatch(/Zhang|1234 5678|scalded|leaks/);
  });

  it("shows the incident and the survey for the case, in order, with each service's actor and link", async () => {
    const incidentEvent = { incidentId, tenantId: tenant };
    ids.opened = await upstream.publish(
      IncidentOpenedV1,
      {
        ...incidentEvent,
        category: 'product-quality',
        level: 'L1',
        summary: 'Kettles KT-900 leak',
        reason: 'personalInjury reported in complaint',
        openedAt: times.opened.toISOString(),
        caseIds: [caseId, otherCaseId],
      },
      { time: times.opened },
    );
    ids.attached = await upstream.publish(
      ComplaintAttachedV1,
      {
        ...incidentEvent,
        complaintId,
        customerId: 'cus-7',
        attachedAt: times.attached.toISOString(),
        caseId,
      },
      { time: times.attached },
    );
    // Another case's complaint on the same incident: not this case's business.
    await upstream.publish(
      ComplaintAttachedV1,
      {
        ...incidentEvent,
        complaintId: randomUUID(),
        customerId: 'cus-8',
        attachedAt: times.attached.toISOString(),
        caseId: otherCaseId,
      },
      { time: times.attached },
    );
    ids.resolved = await upstream.publish(
      IncidentResolvedV1,
      {
        ...incidentEvent,
        level: 'L1',
        summary: 'Batch recalled',
        satisfactionTarget: 90,
        retrospectiveDueAt: t(60 * 24).toISOString(),
        resolvedAt: times.resolved.toISOString(),
        caseIds: [caseId, otherCaseId],
      },
      { time: times.resolved },
    );
    ids.measured = await upstream.publish(
      SatisfactionMeasuredV1,
      {
        ...incidentEvent,
        satisfactionPercent: 100,
        targetPercent: 90,
        responses: 1,
        surveyed: 2,
        belowTarget: false,
        measuredAt: times.measured.toISOString(),
        surveyId,
        caseIds: [caseId],
      },
      { time: times.measured },
    );

    const entries = await eventually(async () => {
      const page = await timeline(agent);
      return ours(page.body.entries).length === 7 ? ours(page.body.entries) : undefined;
    }, 'the incident and survey events on the case timeline');
    expect(entries.slice(3)).toEqual([
      {
        id: ids.opened,
        at: times.opened.toISOString(),
        service: 'incidents',
        eventType: IncidentOpenedV1.type,
        actor: { kind: 'service', id: 'incidents' },
        summary: 'Incident opened at L1 (product-quality)',
        link: `/incidents/${incidentId}`,
      },
      {
        id: ids.attached,
        at: times.attached.toISOString(),
        service: 'incidents',
        eventType: ComplaintAttachedV1.type,
        actor: { kind: 'service', id: 'incidents' },
        summary: `Complaint ${complaintId} attached to the incident`,
        link: `/incidents/${incidentId}`,
      },
      {
        id: ids.resolved,
        at: times.resolved.toISOString(),
        service: 'incidents',
        eventType: IncidentResolvedV1.type,
        actor: { kind: 'service', id: 'incidents' },
        summary: 'Incident resolved at L1; satisfaction target 90 %',
        link: `/incidents/${incidentId}`,
      },
      {
        id: ids.measured,
        at: times.measured.toISOString(),
        service: 'surveys',
        eventType: SatisfactionMeasuredV1.type,
        actor: { kind: 'service', id: 'surveys' },
        summary: 'Survey answered: satisfaction 100 % of 1 response(s), target 90 %',
        link: `/surveys/${surveyId}`,
      },
    ]);
    // The free text of other services' events (summaries, reasons) stays out of the timeline.
    expect(JSON.stringify(entries)).not.toMatch(/Kettles KT-900 leak|Batch recalled/);
  });

  it('a redelivered event (same ce_source and ce_id) adds no entry', async () => {
    const before = ours((await timeline(agent)).body.entries);
    // The same IncidentOpened again, then a new event on the same key (same partition, behind it): once the new one is
    // on the timeline, the redelivery before it has been consumed too.
    await upstream.publish(
      IncidentOpenedV1,
      {
        incidentId,
        tenantId: tenant,
        category: 'product-quality',
        level: 'L1',
        summary: 'Kettles KT-900 leak',
        reason: 'personalInjury reported in complaint',
        openedAt: times.opened.toISOString(),
        caseIds: [caseId, otherCaseId],
      },
      { time: times.opened, id: ids.opened },
    );
    const escalatedAt = t(6);
    ids.escalated = await upstream.publish(
      IncidentEscalatedV1,
      {
        incidentId,
        tenantId: tenant,
        fromLevel: 'L2',
        toLevel: 'L1',
        reason: 'Media exposure',
        escalatedAt: escalatedAt.toISOString(),
        caseIds: [caseId],
      },
      { time: escalatedAt },
    );
    const after = await eventually(async () => {
      const page = await timeline(agent);
      return page.body.entries.some((e) => e.id === ids.escalated) ? ours(page.body.entries) : undefined;
    }, 'the event behind the redelivery');
    expect(after).toEqual([
      ...before,
      expect.objectContaining({ id: ids.escalated, summary: 'Incident escalated from L2 to L1' }),
    ]);
    expect(after.filter((e) => e.id === ids.opened)).toHaveLength(1);
    const { rows } = await intake.pool.query('SELECT case_id FROM intake_case_timeline WHERE event_id = $1', [
      ids.opened,
    ]);
    expect(rows.map((r: { case_id: string }) => r.case_id).sort()).toEqual([caseId, otherCaseId].sort());
  });

  it('pages through the same entries in the same order, whatever the page size', async () => {
    const all = (await timeline(agent)).body.entries;
    expect(ours(all)).toHaveLength(8);
    // Other services may still be adding their reactions between two reads: the pages are compared on this test's.
    expect(ours(await allPages(2))).toEqual(ours(all));
    expect(ours(await allPages(1))).toEqual(ours(all));
    const first = await timeline(agent, '?limit=3');
    expect(ours(first.body.entries)).toEqual(ours(all.slice(0, 3)));
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it('keeps tenants apart: another tenant gets 404, and its events naming the case never show', async () => {
    // Another tenant's incident that names this case id (a forged or mistaken reference) stays in that tenant.
    const forgedAt = t(7);
    const forged = await upstream.publish(
      IncidentOpenedV1,
      {
        incidentId: randomUUID(),
        tenantId: otherTenant,
        category: 'service-failure',
        level: 'L3',
        summary: 'Another tenant',
        reason: 'Another tenant',
        openedAt: forgedAt.toISOString(),
        caseIds: [caseId],
      },
      { time: forgedAt },
    );
    await eventually(async () => {
      const { rowCount } = await intake.pool.query('SELECT 1 FROM intake_case_timeline WHERE event_id = $1', [forged]);
      return rowCount ? true : undefined;
    }, "the other tenant's event recorded (in its tenant)");

    const foreign = await timeline({ tenant: otherTenant, roles: ['agent'] });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: 'CASE.NOT_FOUND' });
    expect(foreign.text).not.toContain('Kettle');
    expect((await timeline(agent)).body.entries.map((e) => e.id)).not.toContain(forged);

    const unknown = await intake.call('GET', `/cases/${randomUUID()}/timeline`, { caller: agent });
    expect(unknown.status).toBe(404);
  });

  it("shows returns', logistics' and compensation's events naming the case, from their contracts alone", async () => {
    // Those services run no process here (logistics and compensation have none yet): their topics exist because the
    // timeline consumer subscribes to them, and their contract events reach the case like any other service's.
    const returnId = randomUUID();
    const shipmentId = randomUUID();
    const compensationId = randomUUID();
    const at = { requested: t(8), delivered: t(9), paid: t(10) };
    const requested = await upstream.publish(
      ReturnRequestedV1,
      {
        returnId,
        tenantId: tenant,
        caseId,
        orderId: 'ORD-1',
        kind: 'return',
        reason: 'quality',
        severity: 'unusable',
        items: [
          {
            sku: 'KT-900',
            quantity: 1,
            unitPrice: { amountMinor: 19900, currency: 'CNY' },
            specialPrice: false,
            deliveredAt: t(-60 * 24).toISOString(),
          },
        ],
        orderPaid: { amountMinor: 19900, currency: 'CNY' },
        evidenceCount: 1,
        requestedAt: at.requested.toISOString(),
      },
      { time: at.requested },
    );
    const delivered = await upstream.publish(
      ShipmentDeliveredV1,
      {
        shipmentId,
        tenantId: tenant,
        caseId,
        purpose: 'return',
        returnId,
        carrier: 'SF Express',
        trackingNumber: 'SF1',
        deliveredAt: at.delivered.toISOString(),
      },
      { time: at.delivered },
    );
    const paid = await upstream.publish(
      RefundPaidV1,
      {
        compensationId,
        tenantId: tenant,
        caseId,
        returnId,
        idempotencyKey: returnId,
        amount: { amountMinor: 19900, currency: 'CNY' },
        paymentChannel: 'alipay',
        paidAt: at.paid.toISOString(),
      },
      { time: at.paid },
    );
    const entries = await eventually(async () => {
      const page = await timeline(agent, '?limit=500');
      const found = page.body.entries.filter((e) => [requested, delivered, paid].includes(e.id));
      return found.length === 3 ? found : undefined;
    }, "the return's events on the case timeline");
    expect(entries).toEqual([
      expect.objectContaining({
        id: requested,
        service: 'returns',
        summary: 'Return requested: return for quality',
        link: `/returns/${returnId}`,
      }),
      expect.objectContaining({
        id: delivered,
        service: 'logistics',
        summary: 'Shipment (return) delivered',
        link: `/shipments/${shipmentId}`,
      }),
      expect.objectContaining({
        id: paid,
        service: 'compensation',
        summary: 'Refund of 199.00 CNY paid',
        link: `/compensations/${compensationId}`,
      }),
    ]);
  });

  it('answers 400 to a cursor it did not issue and to a page size out of range; 403 to a role without the right', async () => {
    const badCursor = await timeline(agent, '?cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ code: 'REQUEST.INVALID' });
    expect((await timeline(agent, '?limit=0')).status).toBe(400);
    expect((await timeline(agent, '?limit=501')).status).toBe(400);
    expect((await timeline({ tenant, roles: ['logistics'] })).status).toBe(403);
  });
});
