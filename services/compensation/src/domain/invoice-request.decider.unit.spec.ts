import { specOf } from '@aftersales/testing/decider';
import { CompensationRuleBroken } from './compensation-order.errors';
import {
  invoiceRequestDecider,
  type InvoiceCommand,
  type InvoiceEvent,
  type RequestInvoice,
} from './invoice-request.decider';

const given = specOf(invoiceRequestDecider);
const T0 = new Date('2026-12-01T10:00:00.000Z');
const ID = '5b2f6a1e-2222-4c3d-8e4f-5a6b7c8d9e0f';
const ctx = (roles: string[] = ['agent'], id = 'agent-1') => ({ tenant: 'shop-1', actor: { id, roles }, now: T0 });
const aRequest = (over: Partial<RequestInvoice['data']> = {}): RequestInvoice => ({
  type: 'RequestInvoice',
  context: ctx(),
  data: {
    invoiceRequestId: ID,
    orderId: 'ORD-1',
    customerId: 'cus-1',
    caseId: null,
    amount: { amountMinor: 19_900, currency: 'CNY' },
    sequence: 7,
    urgent: false,
    urgencyReason: null,
    ...over,
  },
});
const queued = (over: Partial<RequestInvoice['data']> = {}): InvoiceEvent[] =>
  invoiceRequestDecider.decide(aRequest(over), { status: 'none' });
const issue = (queuedBefore: number, invoiceNumber = 'INV-1'): InvoiceCommand => ({
  type: 'IssueInvoice',
  context: ctx(['finance'], 'fin-1'),
  data: { invoiceNumber, queuedBefore },
});

describe('InvoiceRequest decider (seed 003 §11)', () => {
  it('queues the request at its place in the tenant queue', () => {
    given([])
      .when(aRequest())
      .thenMatches([{ type: 'InvoiceRequested', data: { sequence: 7, orderId: 'ORD-1', requestedBy: 'agent-1' } }]);
  });

  it('an urgent request goes to finance to be expedited, with the customer id', () => {
    given([])
      .when(aRequest({ urgent: true, urgencyReason: 'Expense claim due Friday' }))
      .thenMatches([
        { type: 'InvoiceRequested' },
        {
          type: 'InvoiceExpediteRequested',
          data: { customerId: 'cus-1', orderId: 'ORD-1', sequence: 7, reason: 'Expense claim due Friday' },
        },
      ]);
  });

  it('is issued in request order: not while earlier requests wait', () => {
    given(queued())
      .when(issue(2))
      .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.INVOICE_OUT_OF_ORDER' });
    given(queued())
      .when(issue(0))
      .thenMatches([{ type: 'InvoiceIssued', data: { invoiceNumber: 'INV-1', expedited: false, issuedBy: 'fin-1' } }]);
  });

  it('an expedited request is issued ahead of the queue', () => {
    given(queued({ urgent: true, urgencyReason: 'urgent' }))
      .when(issue(5))
      .thenMatches([{ type: 'InvoiceIssued', data: { expedited: true } }]);
  });

  it('expedited later, once; not after it was issued', () => {
    const expedite: InvoiceCommand = { type: 'ExpediteInvoice', context: ctx(), data: { reason: 'Customer called' } };
    given(queued())
      .when(expedite)
      .thenMatches([{ type: 'InvoiceExpediteRequested', data: { reason: 'Customer called', requestedBy: 'agent-1' } }]);
    given(queued({ urgent: true, urgencyReason: 'x' }))
      .when(expedite)
      .thenNothing();
    const issued = [...queued(), ...invoiceRequestDecider.decide(issue(0), fold(queued()))];
    given(issued)
      .when(expedite)
      .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.INVOICE_ALREADY_ISSUED' });
  });

  it('one invoice per order: asked again it keeps its place; asked again urgently it is expedited', () => {
    given(queued())
      .when(aRequest({ sequence: 0 }))
      .thenNothing();
    given(queued())
      .when(aRequest({ sequence: 0, urgent: true, urgencyReason: 'now urgent' }))
      .thenMatches([{ type: 'InvoiceExpediteRequested', data: { sequence: 7, reason: 'now urgent' } }]);
  });

  it('issued once: the same number again changes nothing, another number is refused', () => {
    const issued = [...queued(), ...invoiceRequestDecider.decide(issue(0), fold(queued()))];
    given(issued).when(issue(0)).thenNothing();
    given(issued)
      .when(issue(0, 'INV-2'))
      .thenThrows(CompensationRuleBroken, { kind: 'conflict', code: 'COMPENSATION.INVOICE_ALREADY_ISSUED' });
  });

  it('an invoice is for a positive amount in minor units', () => {
    given([])
      .when(aRequest({ amount: { amountMinor: 0, currency: 'CNY' } }))
      .thenThrows(CompensationRuleBroken, { kind: 'invalid', code: 'COMPENSATION.AMOUNT_INVALID' });
  });
});

function fold(events: readonly InvoiceEvent[]) {
  return events.reduce(invoiceRequestDecider.evolve, invoiceRequestDecider.initialState());
}
