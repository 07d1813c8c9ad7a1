import { randomUUID } from 'node:crypto';
import { Topics } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import type { Caller, TestService } from '@aftersales/test-kit';
import type { RunningSandbox } from '../sandbox/payment-sandbox';
import { startCompensationWithSandbox } from '../src/testing/compensation.harness';

// CONTEXT: seed 003 §11 — invoices issued in the order they were requested; an urgent one goes to finance to be
// expedited (an event on Kafka and finance's queue). Compensation in-process on real Postgres and Kafka.
describe('compensation: invoices in request order, urgent ones expedited by finance', () => {
  const tenant = uniqueName('invoices');
  const agent = { tenant, roles: ['agent'], subject: 'agent-1' };
  const finance = { tenant, roles: ['finance'], subject: 'fin-1' };
  let service: TestService;
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    ({ service, sandbox } = await startCompensationWithSandbox());
  });

  afterAll(async () => {
    await service?.close();
    await sandbox?.close();
  });

  type Invoice = { invoiceRequestId: string; orderId: string; queuePosition: number; status: string; urgent: boolean };
  const requestInvoice = (orderId: string, extra: object = {}) =>
    service.call<Invoice>('POST', '/invoice-requests', {
      caller: agent,
      body: { orderId, customerId: `cus-${orderId}`, amount: { amountMinor: 19_900, currency: 'CNY' }, ...extra },
    });
  const issue = (id: string, invoiceNumber: string, caller: Caller = finance) =>
    service.call<Invoice & { code?: string }>('POST', `/invoice-requests/${id}/issuance`, {
      caller,
      body: { invoiceNumber },
    });

  it('queues in request order, sends the urgent one to finance, refuses to issue out of order', async () => {
    const caseId = randomUUID();
    const a = await requestInvoice('ORD-A');
    const b = await requestInvoice('ORD-B', { caseId, urgent: true, urgencyReason: 'Expense claim due Friday' });
    const c = await requestInvoice('ORD-C');
    for (const r of [a, b, c]) expect(r.status).toBe(201);
    expect([a, b, c].map((r) => r.body.queuePosition)).toEqual([1, 2, 3]);
    // The same order again: the same request, its place kept.
    expect((await requestInvoice('ORD-A')).body).toMatchObject({
      invoiceRequestId: a.body.invoiceRequestId,
      queuePosition: 1,
    });

    const queue = await service.call<{ invoices: Invoice[] }>('GET', '/invoice-requests?status=queued', {
      caller: finance,
    });
    expect(queue.body.invoices.map((i) => i.orderId)).toEqual(['ORD-A', 'ORD-B', 'ORD-C']);
    const expedite = await service.call<{ invoices: Invoice[] }>('GET', '/invoice-requests/expedite-queue', {
      caller: finance,
    });
    expect(expedite.body.invoices.map((i) => i.orderId)).toEqual(['ORD-B']);

    // Finance is told on Kafka, with the customer's id and the case (its timeline).
    const [told] = await readTopicWithKcat(Topics.compensation, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_subject === b.body.invoiceRequestId,
    });
    expect(told!.headers.ce_type).toBe('aftersales.compensation.invoice-expedite-requested.v1');
    expect(JSON.parse(told!.payload ?? '{}')).toMatchObject({
      customerId: 'cus-ORD-B',
      orderId: 'ORD-B',
      caseId,
      queuePosition: 2,
      reason: 'Expense claim due Friday',
    });

    // Out of order: C waits for A (and B); an agent does not issue invoices.
    expect(await issue(c.body.invoiceRequestId, 'INV-C')).toMatchObject({
      status: 409,
      body: { code: 'COMPENSATION.INVOICE_OUT_OF_ORDER' },
    });
    expect(await issue(a.body.invoiceRequestId, 'INV-A', agent)).toMatchObject({ status: 403 });
    // The urgent one goes ahead of A; then A, then C.
    expect(await issue(b.body.invoiceRequestId, 'INV-B')).toMatchObject({ status: 200, body: { status: 'issued' } });
    expect(await issue(a.body.invoiceRequestId, 'INV-A')).toMatchObject({ status: 200, body: { status: 'issued' } });
    expect(await issue(c.body.invoiceRequestId, 'INV-C')).toMatchObject({ status: 200, body: { status: 'issued' } });

    const issued = await readTopicWithKcat(Topics.compensation, {
      count: 2,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_subject === b.body.invoiceRequestId,
    });
    expect(issued.map((m) => m.headers.ce_type)).toEqual([
      'aftersales.compensation.invoice-expedite-requested.v1',
      'aftersales.compensation.invoice-issued.v1',
    ]);
    expect(JSON.parse(issued[1]!.payload ?? '{}')).toMatchObject({ invoiceNumber: 'INV-B', expedited: true, caseId });
    expect(
      (await service.call<{ invoices: Invoice[] }>('GET', '/invoice-requests?status=queued', { caller: finance })).body
        .invoices,
    ).toEqual([]);
  });
});
