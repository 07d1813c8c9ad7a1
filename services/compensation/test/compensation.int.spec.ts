import { randomUUID } from 'node:crypto';
import {
  AllowanceAcceptedV1,
  CompensationRequestedV1,
  IncidentOpenedV1,
  IncidentResolvedV1,
  RefundRequestedV1,
  Topics,
} from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, type TestService } from '@aftersales/test-kit';
import type { RunningSandbox } from '../sandbox/payment-sandbox';
import { signPayload, SIGNATURE_HEADER } from '../src/infrastructure/payment/payment-signature';
import { consentedCashPayout, startCompensationWithSandbox, WEBHOOK_SECRET } from '../src/testing/compensation.harness';

// CONTEXT: compensation in-process on real Postgres and Kafka with the real payment sandbox; returns, logistics and
// incidents are played by publishing their contracts. Every payout goes through the HTTP adapter, the sandbox's
// Idempotency-Key and its signed confirmation webhook.
describe('compensation: orders, approvals, budgets, ledger and payouts', () => {
  const tenant = uniqueName('shop');
  const agent = { tenant, roles: ['agent'], subject: 'agent-1' };
  const supervisor = { tenant, roles: ['supervisor'], subject: 'sup-1' };
  const manager = { tenant, roles: ['cs-manager'], subject: 'mgr-1' };
  let service: TestService;
  let sandbox: RunningSandbox;
  let peers: ContractPublisher;
  const startedAt = Date.now();

  beforeAll(async () => {
    // Reconciliation after 3 s without a confirmation: after the webhooks of several reports (500 ms window) below.
    ({ service, sandbox } = await startCompensationWithSandbox({ COMPENSATION_CONFIRMATION_TIMEOUT_MS: '3000' }));
    peers = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await peers?.close();
    await service?.close();
    await sandbox?.close();
  });

  /**
   * This service's messages about `subject`, each once, in the order kcat read them. Other suites' compensation
   * services consume the same contracts on the same topics and answer them from their own databases (the same
   * deterministic ids, perhaps another outcome: their tenants' policies are not this suite's), so a message is this
   * service's when its id and time (`ce_time`, the event's recorded instant) are those of an event in its own store.
   */
  const published = (subject: string, count: number) =>
    eventually(async () => {
      const { rows } = await service.pool.query<{ id: string; at: Date }>(
        'SELECT event_id::text AS id, recorded_at AS at FROM es_events',
      );
      const own = new Set(rows.map((r) => `${r.id}@${r.at.toISOString()}`));
      const about = await readTopicWithKcat(Topics.compensation, {
        count: 1,
        timeoutMs: 2_000,
        // This suite's messages only: a long-lived broker holds benchmarks' hundreds of thousands before them.
        since: startedAt - 60_000,
        until: (m) => m.headers.ce_subject === subject,
      }).catch(() => []);
      const seen = new Set<string>();
      const mine = about.filter((m) => {
        const id = m.headers.ce_id ?? '';
        if (seen.has(id) || !own.has(`${id}@${m.headers.ce_time}`)) return false;
        seen.add(id);
        return true;
      });
      return mine.length >= count ? mine : undefined;
    }, `${count} of this service's messages about ${subject}`);
  const statusOf = async (id: string) =>
    (await service.call<{ status: string }>('GET', `/compensations/${id}`, { caller: supervisor })).body.status;
  const orderFor = async (filter: string) =>
    eventually(async () => {
      const res = await service.call<{ compensations: Array<{ compensationId: string; status: string }> }>(
        'GET',
        `/compensations?${filter}`,
        { caller: supervisor },
      );
      return res.body.compensations[0];
    }, `an order for ${filter}`);
  const sandboxSummary = async () =>
    (await (await fetch(`${sandbox.url}/payouts`)).json()) as { duplicates: number; count: number };

  const aRefund = (returnId: string, amountMinor: number, paidMinor = 19_900) => ({
    returnId,
    tenantId: tenant,
    caseId: randomUUID(),
    orderId: `ORD-${returnId.slice(0, 8)}`,
    amount: { amountMinor, currency: 'CNY' },
    paidAmount: { amountMinor: paidMinor, currency: 'CNY' },
    resolution: 'return_and_refund' as const,
    idempotencyKey: returnId,
    requestedAt: new Date().toISOString(),
  });

  it("pays a return's refund once through the provider (refund-paid), answers a repeated request the same, books it balanced", async () => {
    const refund = aRefund(randomUUID(), 19_900);
    await peers.publish(RefundRequestedV1, refund);
    const { compensationId } = await orderFor(`caseId=${refund.caseId}`);
    await eventually(async () => ((await statusOf(compensationId)) === 'paid' ? true : undefined), 'refund paid');
    const paid = (await published(compensationId, 4)).find(
      (m) => m.headers.ce_type === 'aftersales.compensation.refund-paid.v1',
    );
    const payload = JSON.parse(paid!.payload ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({
      tenantId: tenant,
      caseId: refund.caseId,
      returnId: refund.returnId,
      idempotencyKey: refund.returnId,
      amount: { amountMinor: 19_900, currency: 'CNY' },
      paymentChannel: 'alipay',
    });

    // Returns asks again (a new event, the same key): the same answer again, no second payout.
    await peers.publish(RefundRequestedV1, { ...refund, requestedAt: new Date().toISOString() });
    const subject = String(payload.compensationId);
    const again = await published(subject, 5);
    expect(again.filter((m) => m.headers.ce_type === 'aftersales.compensation.refund-paid.v1')).toHaveLength(2);
    const payouts = await (await fetch(`${sandbox.url}/payouts/${encodeURIComponent(`payout:${subject}`)}`)).json();
    expect(payouts).toMatchObject({ status: 'confirmed', amount: { amountMinor: 19_900 } });

    const ledger = await service.call<{
      movements: Array<{ entries: Array<{ account: string; amountMinor: number }> }>;
      balances: unknown[];
    }>('GET', `/ledger?cause=return:${refund.returnId}`, { caller: supervisor });
    expect(ledger.body.movements).toHaveLength(1);
    expect(ledger.body.movements[0]!.entries).toEqual([
      { account: 'customer_refunds', amountMinor: 19_900, currency: 'CNY' },
      { account: 'payment_provider', amountMinor: -19_900, currency: 'CNY' },
    ]);
    expect(ledger.body.balances).toEqual([
      { account: 'customer_refunds', currency: 'CNY', balanceMinor: 19_900 },
      { account: 'payment_provider', currency: 'CNY', balanceMinor: -19_900 },
    ]);
  });

  it('refuses a refund over what was paid (refund-failed exceeds_amount_paid), paying nothing', async () => {
    const refund = aRefund(randomUUID(), 20_000);
    await peers.publish(RefundRequestedV1, refund);
    const order = await orderFor(`caseId=${refund.caseId}`);
    expect(order.status).toBe('declined');
    const [failed] = await published(order.compensationId, 1);
    expect(failed!.headers.ce_type).toBe('aftersales.compensation.refund-failed.v1');
    expect(JSON.parse(failed!.payload ?? '{}')).toMatchObject({
      returnId: refund.returnId,
      failureReason: 'exceeds_amount_paid',
    });
    expect((await fetch(`${sandbox.url}/payouts/${encodeURIComponent(`payout:${order.compensationId}`)}`)).status).toBe(
      404,
    );
  });

  it('pays an accepted allowance (allowance-paid, key allowance:<returnId>)', async () => {
    const returnId = randomUUID();
    const caseId = randomUUID();
    await peers.publish(AllowanceAcceptedV1, {
      returnId,
      tenantId: tenant,
      caseId,
      orderId: 'ORD-A1',
      amount: { amountMinor: 3_000, currency: 'CNY' },
      idempotencyKey: `allowance:${returnId}`,
      acceptedAt: new Date().toISOString(),
    });
    const order = await orderFor(`caseId=${caseId}`);
    await eventually(
      async () => ((await statusOf(order.compensationId)) === 'paid' ? true : undefined),
      'allowance paid',
    );
    const messages = await published(order.compensationId, 4);
    const paid = messages.find((m) => m.headers.ce_type === 'aftersales.compensation.allowance-paid.v1');
    expect(JSON.parse(paid!.payload ?? '{}')).toMatchObject({
      returnId,
      idempotencyKey: `allowance:${returnId}`,
      amount: { amountMinor: 3_000 },
    });
  });

  it('routes a request above the agent limit to a supervisor (never the requester), reserves, pays and spends the budget', async () => {
    const caseId = randomUUID();
    const body = {
      cause: { kind: 'case', id: caseId },
      caseId,
      instrument: 'cash',
      amount: { amountMinor: 15_000, currency: 'CNY' },
    };
    const requested = await service.call<{ compensationId: string; status: string; requiredRole: string }>(
      'POST',
      '/compensations',
      { caller: agent, body },
    );
    expect(requested).toMatchObject({ status: 201, body: { status: 'pending_approval', requiredRole: 'supervisor' } });
    const id = requested.body.compensationId;
    // The same cause and instrument again: the same order.
    expect((await service.call('POST', '/compensations', { caller: agent, body })).body).toMatchObject({
      compensationId: id,
    });

    const self = await service.call('POST', `/compensations/${id}/approval`, {
      caller: { ...supervisor, subject: 'agent-1' },
      body: {},
    });
    expect(self).toMatchObject({ status: 403, body: { code: 'COMPENSATION.APPROVER_IS_REQUESTER' } });
    const lower = await service.call('POST', `/compensations/${id}/approval`, {
      caller: { ...agent, subject: 'agent-2' },
      body: {},
    });
    expect(lower).toMatchObject({ status: 403, body: { code: 'COMPENSATION.APPROVER_LIMIT_TOO_LOW' } });

    const month = new Date().toISOString().slice(0, 7);
    const budget = async () =>
      (
        await service.call<{ budgets: Array<{ reservedMinor: number; spentMinor: number }> }>(
          'GET',
          `/budgets?month=${month}`,
          { caller: manager },
        )
      ).body.budgets[0];
    const before = (await budget()) ?? { reservedMinor: 0, spentMinor: 0 };
    const approved = await service.call('POST', `/compensations/${id}/approval`, { caller: supervisor, body: {} });
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'offered', approval: { approvedBy: 'sup-1', approverRole: 'supervisor' } },
    });
    expect(await budget()).toMatchObject({
      reservedMinor: before.reservedMinor + 15_000,
      spentMinor: before.spentMinor,
    });

    expect(await service.call('POST', `/compensations/${id}/acceptance`, { caller: agent, body: {} })).toMatchObject({
      status: 200,
    });
    await eventually(async () => ((await statusOf(id)) === 'paid' ? true : undefined), 'cash paid');
    expect(await budget()).toMatchObject({
      reservedMinor: before.reservedMinor,
      spentMinor: before.spentMinor + 15_000,
    });
    const types = (await published(id, 4)).map((m) => m.headers.ce_type);
    expect(types).toEqual([
      'aftersales.compensation.compensation-order-requested.v1',
      'aftersales.compensation.compensation-offered.v1',
      'aftersales.compensation.compensation-accepted.v1',
      'aftersales.compensation.compensation-paid.v1',
    ]);
  });

  it('releases the reservation when the customer refuses (the case goes on to the three guarantees)', async () => {
    const caseId = randomUUID();
    const res = await service.call<{ compensationId: string }>('POST', '/compensations', {
      caller: agent,
      body: { cause: { kind: 'case', id: caseId }, caseId, instrument: 'coupon' },
    });
    expect(res).toMatchObject({ status: 201, body: { status: 'offered', amount: { amountMinor: 5_000 } } });
    const refused = await service.call('POST', `/compensations/${res.body.compensationId}/refusal`, {
      caller: agent,
      body: { note: 'Wants a return' },
    });
    expect(refused).toMatchObject({ status: 200, body: { status: 'refused' } });
    const types = (await published(res.body.compensationId, 3)).map((m) => m.headers.ce_type);
    expect(types.at(-1)).toBe('aftersales.compensation.compensation-refused.v1');
  });

  it('retries a failing provider with backoff and sends it to manual review after N failures; recovers a payout whose send failed once', async () => {
    await fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify({ failNext: 3, tenant }) });
    const stuck = await service.call<{ compensationId: string }>('POST', '/compensations', {
      caller: supervisor,
      body: consentedCashPayout(1_000),
    });
    await eventually(
      async () => ((await statusOf(stuck.body.compensationId)) === 'manual_review' ? true : undefined),
      'manual review',
    );
    const view = await service.call<{ payout: { attempts: number; lastError: string } }>(
      'GET',
      `/compensations/${stuck.body.compensationId}`,
      { caller: supervisor },
    );
    expect(view.body.payout).toMatchObject({ attempts: 3, lastError: expect.stringContaining('503') });

    await fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify({ failNext: 1, tenant }) });
    const retried = await service.call<{ compensationId: string }>('POST', '/compensations', {
      caller: supervisor,
      body: consentedCashPayout(1_100),
    });
    await eventually(
      async () => ((await statusOf(retried.body.compensationId)) === 'paid' ? true : undefined),
      'paid on the second attempt',
    );
  });

  it('reconciles by the idempotency key when the confirmation never comes (the webhook lost)', async () => {
    await fetch(`${sandbox.url}/behaviour`, {
      method: 'PUT',
      body: JSON.stringify({ dropConfirmations: true, tenant }),
    });
    try {
      const res = await service.call<{ compensationId: string }>('POST', '/compensations', {
        caller: supervisor,
        body: consentedCashPayout(1_200),
      });
      await eventually(
        async () => ((await statusOf(res.body.compensationId)) === 'paid' ? true : undefined),
        'paid by reconciliation',
      );
    } finally {
      await fetch(`${sandbox.url}/behaviour`, {
        method: 'PUT',
        body: JSON.stringify({ dropConfirmations: false, tenant }),
      });
    }
    expect((await sandboxSummary()).duplicates).toBe(0);
  });

  const aReport = (compensationId = randomUUID()) => ({
    payoutKey: 'payout:x',
    reference: 'r',
    status: 'confirmed',
    amount: { amountMinor: 1, currency: 'CNY' },
    paymentChannel: 'alipay',
    confirmedAt: new Date().toISOString(),
    error: null,
    metadata: { tenant, compensationId },
  });
  const signed = (body: object) => ({
    body,
    headers: { [SIGNATURE_HEADER]: signPayload(WEBHOOK_SECRET, JSON.stringify(body), Date.now()) },
  });

  it('refuses an unsigned or forged confirmation (401), one report or several', async () => {
    for (const body of [aReport(), { reports: [aReport(), aReport()] }]) {
      const unsigned = await service.call('POST', '/payment-provider/confirmations', { body });
      expect(unsigned.status).toBe(401);
      const forged = await service.call('POST', '/payment-provider/confirmations', {
        body,
        headers: { 'x-payment-signature': `t=${Date.now()},v1=${'0'.repeat(64)}` },
      });
      expect(forged.status).toBe(401);
    }
  });

  it('records every report of a webhook that carries several (ADR 40), and refuses a malformed one whole (400)', async () => {
    const sent = async () => {
      const { notifications } = (await (await fetch(`${sandbox.url}/payouts`)).json()) as {
        notifications: { webhooks: number; reports: number };
      };
      return notifications;
    };
    const before = await sent();
    // Settled reports wait half a second for others: the four payouts' confirmations go out together, well before
    // reconciliation would ask the provider for them (COMPENSATION_CONFIRMATION_TIMEOUT_MS).
    await fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify({ webhookWindowMs: 500 }) });
    const paid: string[] = [];
    try {
      const orders = await Promise.all(
        [1_301, 1_302, 1_303, 1_304].map((amountMinor) =>
          service.call<{ compensationId: string }>('POST', '/compensations', {
            caller: supervisor,
            body: consentedCashPayout(amountMinor),
          }),
        ),
      );
      for (const order of orders)
        paid.push(
          await eventually(async () => {
            const view = await service.call<{ status: string; payout: { payoutKey: string } }>(
              'GET',
              `/compensations/${order.body.compensationId}`,
              { caller: supervisor },
            );
            return view.body.status === 'paid' ? view.body.payout.payoutKey : undefined;
          }, 'paid'),
        );
    } finally {
      await fetch(`${sandbox.url}/behaviour`, { method: 'PUT', body: JSON.stringify({ webhookWindowMs: 5 }) });
    }
    const after = await sent();
    // Other suites' traffic in this sandbox can only add reports to webhooks, never a webhook without one.
    expect(after.reports - before.reports).toBeGreaterThanOrEqual(4);
    expect(after.webhooks - before.webhooks).toBeLessThan(after.reports - before.reports);
    // Each recorded from the webhook, none by reconciliation (which would have asked the provider for it).
    for (const key of paid) {
      const atProvider = (await (await fetch(`${sandbox.url}/payouts/${encodeURIComponent(key)}`)).json()) as {
        lookups?: number;
      };
      expect(atProvider.lookups).toBe(1); // this test's own question, just now
    }

    const malformed = await service.call<{ errors: Array<{ pointer: string }> }>(
      'POST',
      '/payment-provider/confirmations',
      signed({ reports: [aReport(), { ...aReport(), status: 'lost' }] }),
    );
    expect(malformed.status).toBe(400);
    // A batch of reports about payouts this service does not know: acknowledged, so the provider stops sending it.
    const unknown = await service.call(
      'POST',
      '/payment-provider/confirmations',
      signed({ reports: [aReport(), aReport()] }),
    );
    expect(unknown).toMatchObject({ status: 200, body: { received: true } });
  });

  it("plans logistics' request by the policy, and opens an L1 incident's emergency fund with apology coupons drawn on it", async () => {
    const shipmentId = randomUUID();
    const caseId = randomUUID();
    await peers.publish(CompensationRequestedV1, {
      shipmentId,
      tenantId: tenant,
      caseId,
      orderId: 'ORD-L1',
      reason: 'shipping_deadline_missed',
      proposedInstrument: 'coupon',
      idempotencyKey: `shipping_deadline_missed:${shipmentId}`,
      requestedAt: new Date().toISOString(),
    });
    expect(await orderFor(`caseId=${caseId}`)).toMatchObject({ status: 'offered' });

    const incidentId = randomUUID();
    const incidentCase = randomUUID();
    await peers.publish(IncidentOpenedV1, {
      incidentId,
      tenantId: tenant,
      category: 'product-quality',
      level: 'L1',
      summary: 'Batteries swell',
      reason: '100 complaints',
      openedAt: new Date().toISOString(),
      caseIds: [incidentCase],
    });
    expect(await orderFor(`caseId=${incidentCase}`)).toMatchObject({ status: 'offered' });
    const funds = await service.call<{ budgets: unknown[] }>('GET', `/budgets?incidentId=${incidentId}`, {
      caller: manager,
    });
    expect(funds.body.budgets).toEqual([
      {
        scope: { kind: 'incident', incidentId },
        currency: 'CNY',
        limitMinor: 50_000_000,
        reservedMinor: 5_000,
        spentMinor: 0,
        availableMinor: 50_000_000 - 5_000,
      },
    ]);
  });

  it("compensates an incident's affected customers once each when its solution is compensation", async () => {
    const incidentId = randomUUID();
    const cases = [randomUUID(), randomUUID()];
    const resolved = {
      incidentId,
      tenantId: tenant,
      level: 'L2' as const,
      summary: 'Delivery delays: customers compensated',
      satisfactionTarget: 85,
      retrospectiveDueAt: new Date(Date.now() + 86_400_000).toISOString(),
      resolvedAt: new Date().toISOString(),
      caseIds: cases,
      solution: { kind: 'compensation' as const, description: 'Extend the warranty of every affected customer' },
    };
    // Published twice (incidents' relay may deliver again under a new event id), then a marker on the same key (the
    // same partition, so processed after both): an incident opened naming another case gets its apology coupon.
    const marker = async (id: string) => {
      const markerCase = randomUUID();
      await peers.publish(IncidentOpenedV1, {
        incidentId: id,
        tenantId: tenant,
        category: 'service-failure',
        level: 'L3',
        summary: 'marker',
        reason: 'marker',
        openedAt: new Date().toISOString(),
        caseIds: [markerCase],
      });
      await orderFor(`caseId=${markerCase}`);
    };
    await peers.publish(IncidentResolvedV1, resolved);
    await peers.publish(IncidentResolvedV1, resolved);
    await marker(incidentId);
    // Another incident resolved by a repair compensates nobody.
    const repaired = randomUUID();
    const repairedCase = randomUUID();
    await peers.publish(IncidentResolvedV1, {
      ...resolved,
      incidentId: repaired,
      caseIds: [repairedCase],
      solution: { kind: 'repair', description: 'Repaired on site' },
    });
    await marker(repaired);

    const ordersOf = async (caseId: string) =>
      (
        await service.call<{ compensations: Array<{ compensationId: string; status: string }> }>(
          'GET',
          `/compensations?caseId=${caseId}`,
          { caller: supervisor },
        )
      ).body.compensations;
    for (const caseId of cases) {
      const orders = await ordersOf(caseId);
      expect(orders).toEqual([expect.objectContaining({ status: 'offered' })]);
      const view = await service.call('GET', `/compensations/${orders[0]!.compensationId}`, { caller: supervisor });
      expect(view.body).toMatchObject({
        cause: { kind: 'incident', id: incidentId, reason: 'solution' },
        instrument: 'extended_warranty',
        warrantyMonths: 6,
        source: 'incidents',
      });
    }
    expect(await ordersOf(repairedCase)).toEqual([]);
  });
});
