import { randomUUID } from 'node:crypto';
import {
  CaseOpenedV1,
  RefundFailedV1,
  RefundPaidV1,
  ReplacementShippedV1,
  ShipmentDeliveredV1,
  Topics,
  validateEvent,
} from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { defaultReturnsPolicy } from '../src/domain/returns-policy';
import { returnsService } from '../src/returns.module';

interface ReturnBody {
  returnId: string;
  caseId: string | null;
  status: string;
  eligibility: { eligible: boolean; rule: string; shippingPaidBy?: string };
  approval: { resolution: string; shippingPaidBy: string } | null;
  refusal: { rule: string; explanation: string; objectionRoute: string } | null;
  received: Array<{ sku: string; quantity: number }>;
  refund: { amount: { amountMinor: number }; paidAt: string | null; failureReason: string | null } | null;
  replacement: { trackingNumber: string | null } | null;
  closure: string | null;
}

const DAY = 24 * 3600 * 1000;

// CONTEXT: returns in-process on real Postgres and Kafka. Intake, logistics and compensation are played by the test
// kit's ContractPublisher with their contract events (ADR 14): the case opened, the return parcel delivered, the
// refund paid or refused, the replacement shipped; what returns publishes is read back from its topic with kcat.
describe('returns: a return from request to refund, with its saga over logistics and compensation', () => {
  const tenant = uniqueName('shop');
  const agent = { tenant, roles: ['agent'], subject: 'agent-7' };
  const warehouse = { tenant, roles: ['logistics'], subject: 'wh-1' };
  let service: TestService;
  let others: ContractPublisher;

  beforeAll(async () => {
    service = await startTestService(returnsService);
    others = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await others?.close();
    await service?.close();
  });

  const item = (changes: Record<string, unknown> = {}) => ({
    sku: 'KETTLE-1L',
    quantity: 2,
    unitPrice: { amountMinor: 10_000, currency: 'CNY' },
    specialPrice: false,
    deliveredAt: new Date(Date.now() - 2 * DAY).toISOString(),
    condition: { unused: true, tagsAttached: true, packagingIntact: true },
    ...changes,
  });
  const requestBody = (changes: Record<string, unknown> = {}) => ({
    orderId: 'ORD-7',
    kind: 'return',
    reason: 'quality',
    severity: 'unusable',
    items: [item()],
    orderPaid: { amountMinor: 25_000, currency: 'CNY' },
    evidenceRefs: ['evidence:photo-1'],
    ...changes,
  });
  const requestReturn = (body: Record<string, unknown>, caller: typeof agent = agent) =>
    service.call<ReturnBody>('POST', '/returns', { caller, body });
  const step = (returnId: string, path: string, body: object = {}, caller: typeof agent = agent) =>
    service.call<ReturnBody>('POST', `/returns/${returnId}/${path}`, { caller, body });
  const read = (returnId: string) => service.call<ReturnBody>('GET', `/returns/${returnId}`, { caller: agent });
  const publishedFor = (returnId: string, count: number) =>
    readTopicWithKcat(Topics.returns, { count, timeoutMs: 30_000, until: (m) => m.headers.ce_subject === returnId });

  it('a quality return for a case: approved, parcel delivered, inspected, refunded once, closed; all on Kafka', async () => {
    const caseId = randomUUID();
    await others.publish(CaseOpenedV1, {
      caseId,
      tenantId: tenant,
      channel: 'chat',
      orderId: 'ORD-7',
      customerId: 'cus-7',
      problemType: 'quality',
      description: 'Kettle leaks',
      evidence: [],
      openedAt: new Date().toISOString(),
    });
    const requested = await eventually(async () => {
      const res = await requestReturn(requestBody({ caseId }));
      return res.status === 201 ? res : undefined;
    }, 'the case to reach returns');
    expect(requested.body).toMatchObject({
      caseId,
      status: 'requested',
      eligibility: { eligible: true, rule: 'quality_always_eligible', shippingPaidBy: 'merchant' },
    });
    const { returnId } = requested.body;

    const approved = await step(returnId, 'decision');
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'awaiting_goods', approval: { resolution: 'return_and_refund', shippingPaidBy: 'merchant' } },
    });

    // Logistics: the return parcel arrived with both kettles (delivered twice: a redelivery with a new event id).
    const shipmentId = randomUUID();
    const delivered = {
      shipmentId,
      tenantId: tenant,
      caseId,
      purpose: 'return' as const,
      returnId,
      items: [{ sku: 'KETTLE-1L', quantity: 2 }],
      carrier: 'SF Express',
      trackingNumber: 'SF1',
      deliveredAt: new Date().toISOString(),
    };
    await others.publish(ShipmentDeliveredV1, delivered);
    await others.publish(ShipmentDeliveredV1, delivered);
    await eventually(async () => ((await read(returnId)).body.status === 'received' ? true : undefined), 'the receipt');

    const inspected = await step(returnId, 'inspection', { grade: 'damaged', disposition: 'scrap' }, warehouse);
    expect(inspected.body).toMatchObject({ status: 'refund_pending', refund: { amount: { amountMinor: 20_000 } } });

    // Compensation: the refund paid, reported twice, and a late failure for the same key (reordered) changes nothing.
    const compensationId = randomUUID();
    const paid = {
      compensationId,
      tenantId: tenant,
      caseId,
      returnId,
      idempotencyKey: returnId,
      amount: { amountMinor: 20_000, currency: 'CNY' },
      paymentChannel: 'alipay',
      paidAt: new Date().toISOString(),
    };
    await others.publish(RefundPaidV1, paid);
    await others.publish(RefundPaidV1, paid);
    await others.publish(RefundFailedV1, {
      compensationId,
      tenantId: tenant,
      caseId,
      returnId,
      idempotencyKey: returnId,
      amount: paid.amount,
      failureReason: 'payment_declined',
      failedAt: new Date().toISOString(),
    });
    const closed = await eventually(async () => {
      const res = await read(returnId);
      return res.body.closure === 'refunded' ? res.body : undefined;
    }, 'the refund paid');
    expect(closed).toMatchObject({ status: 'closed', refund: { failureReason: null, paidAt: paid.paidAt } });

    const published = await publishedFor(returnId, 7);
    expect(published.map((m) => m.headers.ce_type)).toEqual([
      'aftersales.returns.return-requested.v1',
      'aftersales.returns.return-approved.v1',
      'aftersales.returns.return-shipment-requested.v1',
      'aftersales.returns.return-received.v1',
      'aftersales.returns.return-inspected.v1',
      'aftersales.returns.refund-requested.v1',
      'aftersales.returns.return-closed.v1',
    ]);
    for (const message of published) {
      const payload = JSON.parse(message.payload ?? '{}') as Record<string, unknown>;
      expect(validateEvent(message.headers.ce_type ?? '', payload)).toMatchObject({ ok: true });
      expect(payload).toMatchObject({ returnId, tenantId: tenant, caseId });
      expect(message.key).toBe(returnId);
    }
    const refund = JSON.parse(published[5]!.payload ?? '{}') as Record<string, unknown>;
    expect(refund).toMatchObject({
      amount: { amountMinor: 20_000 },
      paidAmount: { amountMinor: 20_000 },
      idempotencyKey: returnId,
    });
    const { rows } = await service.pool.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM es_events WHERE stream_id = $1 AND type IN ('RefundRequested', 'RefundPaid', 'ReturnReceived') GROUP BY type ORDER BY type`,
      [`return-${returnId}`],
    );
    expect(rows).toEqual([
      { type: 'RefundPaid', n: 1 },
      { type: 'RefundRequested', n: 1 },
      { type: 'ReturnReceived', n: 1 },
    ]);

    const listed = await service.call<{ returns: Array<{ returnId: string; status: string }> }>(
      'GET',
      `/returns?status=closed&caseId=${caseId}`,
      { caller: agent },
    );
    expect(listed.body.returns).toEqual([expect.objectContaining({ returnId, status: 'closed' })]);
  });

  it('refuses a late personal-reason return naming the rule and the way to object; the policy moves the window', async () => {
    const late = requestBody({
      reason: 'non_quality',
      severity: undefined,
      items: [item({ deliveredAt: new Date(Date.now() - 9 * DAY).toISOString() })],
    });
    const refused = await step((await requestReturn(late)).body.returnId, 'decision');
    expect(refused.body).toMatchObject({
      status: 'refused',
      refusal: {
        rule: 'no_reason_window',
        explanation: expect.stringContaining('within 7 days'),
        objectionRoute: defaultReturnsPolicy.objectionRoute,
      },
    });

    const manager = { tenant, roles: ['cs-manager'], subject: 'mgr-1' };
    const put = await service.call('PUT', '/returns-policies', {
      caller: manager,
      body: { ...defaultReturnsPolicy, noReasonWindowDays: 15 },
    });
    expect(put).toMatchObject({ status: 200, body: { policy: { noReasonWindowDays: 15 }, updatedBy: 'mgr-1' } });
    const approved = await step((await requestReturn(late)).body.returnId, 'decision');
    expect(approved.body).toMatchObject({ status: 'awaiting_goods', approval: { shippingPaidBy: 'customer' } });
    await service.call('PUT', '/returns-policies', { caller: manager, body: defaultReturnsPolicy });
  });

  it('cancels before receipt; after a partial receipt cancellation is refused (409 naming the rule)', async () => {
    const first = (await requestReturn(requestBody())).body.returnId;
    await step(first, 'decision');
    expect((await step(first, 'cancellation', { reason: 'customer_withdrew' })).body).toMatchObject({
      status: 'cancelled',
    });

    const second = (await requestReturn(requestBody())).body.returnId;
    await step(second, 'decision');
    const partly = await step(second, 'receipts', { items: [{ sku: 'KETTLE-1L', quantity: 1 }] }, warehouse);
    expect(partly.body).toMatchObject({ status: 'partially_received', received: [{ sku: 'KETTLE-1L', quantity: 1 }] });
    const refused = await step(second, 'cancellation', { reason: 'too late' });
    expect(refused).toMatchObject({
      status: 409,
      body: { code: 'RETURN.CANCEL_AFTER_RECEIPT', rule: expect.any(String) },
    });
  });

  it('a refused refund routes the return back to its case; a missing item is reshipped and closes when shipped', async () => {
    const refundOnly = await requestReturn(
      requestBody({ kind: 'claim_missing_item', reason: 'missing_item', severity: undefined }),
    );
    const returnId = refundOnly.body.returnId;
    expect((await step(returnId, 'decision', { resolution: 'refund_only' })).body).toMatchObject({
      status: 'refund_pending',
    });
    await others.publish(RefundFailedV1, {
      compensationId: randomUUID(),
      tenantId: tenant,
      returnId,
      idempotencyKey: returnId,
      amount: { amountMinor: 20_000, currency: 'CNY' },
      failureReason: 'payment_not_refundable',
      failedAt: new Date().toISOString(),
    });
    const failed = await eventually(async () => {
      const res = await read(returnId);
      return res.body.status === 'refund_failed' ? res.body : undefined;
    }, 'the refund failure');
    expect(failed.refund).toMatchObject({ failureReason: 'payment_not_refundable', paidAt: null });

    const reship = (
      await requestReturn(requestBody({ kind: 'claim_missing_item', reason: 'missing_item', severity: undefined }))
    ).body.returnId;
    expect((await step(reship, 'decision')).body).toMatchObject({
      status: 'replacement_pending',
      approval: { shippingPaidBy: 'platform' },
    });
    await others.publish(ReplacementShippedV1, {
      shipmentId: randomUUID(),
      tenantId: tenant,
      returnId: reship,
      items: [{ sku: 'KETTLE-1L', quantity: 2 }],
      carrier: 'SF Express',
      trackingNumber: 'SF2',
      shippedAt: new Date().toISOString(),
    });
    const shipped = await eventually(async () => {
      const res = await read(reship);
      return res.body.closure === 'reshipped' ? res.body : undefined;
    }, 'the replacement shipped');
    expect(shipped.replacement).toMatchObject({ trackingNumber: 'SF2' });
  });

  it('an exchange for dearer goods: the difference is due on Kafka, paid through the API, then the replacement ships', async () => {
    const exchange = await requestReturn(requestBody({ kind: 'exchange' }));
    const returnId = exchange.body.returnId;
    const instead = [{ sku: 'KETTLE-1.5L', quantity: 2, unitPrice: { amountMinor: 12_500, currency: 'CNY' } }];
    const decided = await step(returnId, 'decision', { resolution: 'exchange', exchangeFor: instead });
    expect(decided.body).toMatchObject({
      status: 'awaiting_goods',
      approval: { exchange: { settlement: 'customer_pays', difference: { amountMinor: 5_000 } } },
    });
    await step(returnId, 'receipts', { items: [{ sku: 'KETTLE-1L', quantity: 2 }] }, warehouse);
    const inspected = await step(returnId, 'inspection', { grade: 'as_new', disposition: 'restock' }, warehouse);
    expect(inspected.body).toMatchObject({
      status: 'awaiting_difference_payment',
      exchangeDifference: { terms: { difference: { amountMinor: 5_000, currency: 'CNY' } }, paidAt: null },
    });
    const wrong = await step(returnId, 'exchange-difference-answer', {
      paid: true,
      paymentRef: 'PAY-1',
      amount: { amountMinor: 4_000, currency: 'CNY' },
    });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'RETURN.DIFFERENCE_AMOUNT' } });
    const integrator = { tenant, roles: ['integrator'], subject: 'shop-backend' };
    const paid = await step(
      returnId,
      'exchange-difference-answer',
      { paid: true, paymentRef: 'PAY-1', amount: { amountMinor: 5_000, currency: 'CNY' } },
      integrator,
    );
    expect(paid.body).toMatchObject({
      status: 'replacement_pending',
      exchangeDifference: { paymentRef: 'PAY-1', paidAt: expect.any(String) },
    });

    const published = await publishedFor(returnId, 7);
    const types = published.map((m) => m.headers.ce_type);
    expect(types.slice(-2)).toEqual([
      'aftersales.returns.exchange-difference-due.v1',
      'aftersales.returns.replacement-shipment-requested.v1',
    ]);
    const due = JSON.parse(published.at(-2)!.payload ?? '{}') as Record<string, unknown>;
    expect(validateEvent('aftersales.returns.exchange-difference-due.v1', due)).toMatchObject({ ok: true });
    expect(due).toMatchObject({ returnId, amount: { amountMinor: 5_000 }, terms: { settlement: 'customer_pays' } });
    const replacement = JSON.parse(published.at(-1)!.payload ?? '{}') as Record<string, unknown>;
    expect(replacement).toMatchObject({ items: [{ sku: 'KETTLE-1.5L', quantity: 2 }] });
  });

  it('a repair out of warranty: fee quoted, consent recorded before work, progress visible, repaired goods shipped back', async () => {
    const repair = await requestReturn(
      requestBody({ kind: 'repair', items: [item({ warrantyUntil: new Date(Date.now() - DAY).toISOString() })] }),
    );
    const returnId = repair.body.returnId;
    await step(returnId, 'decision');
    await step(returnId, 'receipts', { items: [{ sku: 'KETTLE-1L', quantity: 2 }] }, warehouse);
    const inspected = await step(returnId, 'inspection', { grade: 'damaged', disposition: 'refurbish' }, warehouse);
    expect(inspected.body).toMatchObject({ status: 'repair_quote_pending', repair: { inWarranty: false, fee: null } });
    const early = await step(returnId, 'repair-progress', { stage: 'repairing' }, warehouse);
    expect(early).toMatchObject({ status: 409, body: { code: 'RETURN.WRONG_STATUS' } });
    await step(returnId, 'repair-quote', { fee: { amountMinor: 3_000, currency: 'CNY' } }, warehouse);
    const consented = await step(returnId, 'repair-quote-answer', { accepted: true });
    expect(consented.body).toMatchObject({
      status: 'in_repair',
      repair: { consented: true, fee: { amountMinor: 3_000 } },
    });
    const progress = await step(returnId, 'repair-progress', { stage: 'diagnosed' }, warehouse);
    expect(progress.body).toMatchObject({ repair: { progress: [{ stage: 'diagnosed', by: 'wh-1' }] } });
    const done = await step(returnId, 'repair-completion', {}, warehouse);
    expect(done.body).toMatchObject({ status: 'replacement_pending', deadlines: { repair: { status: 'met' } } });
    await others.publish(ReplacementShippedV1, {
      shipmentId: randomUUID(),
      tenantId: tenant,
      returnId,
      items: [{ sku: 'KETTLE-1L', quantity: 2 }],
      carrier: 'SF Express',
      trackingNumber: 'SF4',
      shippedAt: new Date().toISOString(),
    });
    const closed = await eventually(async () => {
      const res = await read(returnId);
      return res.body.closure === 'repaired' ? res.body : undefined;
    }, 'the repaired goods shipped');
    expect(closed.replacement).toMatchObject({ trackingNumber: 'SF4' });
  });

  it('answers 404 for another tenant and unknown returns, 400 with field errors for a bad body', async () => {
    const { returnId } = (await requestReturn(requestBody())).body;
    const foreign = await service.call('GET', `/returns/${returnId}`, {
      caller: { tenant: `${tenant}-other`, roles: ['agent'] },
    });
    expect(foreign).toMatchObject({ status: 404, body: { code: 'RETURN.NOT_FOUND' } });
    expect((await step(randomUUID(), 'decision')).status).toBe(404);
    const bad = await requestReturn({ ...requestBody(), items: [] });
    expect(bad.status).toBe(400);
  });
});
