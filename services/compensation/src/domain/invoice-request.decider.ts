import { assertNever, type Command, type Decider, type DomainEvent } from '@aftersales/domain';
import type { Money } from './compensation-order.decider';
import { CompensationRuleBroken } from './compensation-order.errors';

/**
 * Invoices (seed 003 §11, domain.md §4): the customer applies for an invoice on the order; invoices are issued in the
 * order they were requested; a customer who needs one urgently is sent to finance to be expedited. Aggregate
 * `InvoiceRequest`, stream `invoice-<invoiceRequestId>`, one per tenant and order.
 */
export type InvoiceStatus = 'queued' | 'issued';

export interface InvoiceTerms {
  readonly invoiceRequestId: string;
  readonly tenant: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly caseId: string | null;
  /** What the invoice is for (the order's amount); who it is made out to stays with the shop's order. */
  readonly amount: Money;
  /** Its place in the tenant's queue: invoices are issued in this order. */
  readonly sequence: number;
  readonly requestedBy: string;
  readonly requestedAt: string;
}

export type RequestInvoice = Command<
  'RequestInvoice',
  Omit<InvoiceTerms, 'tenant' | 'requestedBy' | 'requestedAt'> & {
    /** The customer needs it urgently: finance is asked to expedite it. */
    readonly urgent: boolean;
    readonly urgencyReason: string | null;
  }
>;
export type ExpediteInvoice = Command<'ExpediteInvoice', { readonly reason: string }>;
export type IssueInvoice = Command<
  'IssueInvoice',
  {
    readonly invoiceNumber: string;
    /** Requests of the tenant still queued with an earlier sequence (read by the application, committed ones). */
    readonly queuedBefore: number;
  }
>;
export type InvoiceCommand = RequestInvoice | ExpediteInvoice | IssueInvoice;

type Id = { readonly invoiceRequestId: string };
export type InvoiceRequested = DomainEvent<'InvoiceRequested', InvoiceTerms>;
/** Finance is asked to expedite it (the customer's id and the order travel with it, as the seed says). */
export type InvoiceExpediteRequested = DomainEvent<
  'InvoiceExpediteRequested',
  Id & {
    readonly orderId: string;
    readonly customerId: string;
    readonly caseId: string | null;
    readonly sequence: number;
    readonly reason: string;
    readonly requestedBy: string;
    readonly at: string;
  }
>;
export type InvoiceIssued = DomainEvent<
  'InvoiceIssued',
  Id & {
    readonly orderId: string;
    readonly customerId: string;
    readonly caseId: string | null;
    readonly amount: Money;
    readonly invoiceNumber: string;
    readonly expedited: boolean;
    readonly issuedBy: string;
    readonly issuedAt: string;
  }
>;
export type InvoiceEvent = InvoiceRequested | InvoiceExpediteRequested | InvoiceIssued;

export type InvoiceState =
  | { readonly status: 'none' }
  | {
      readonly status: InvoiceStatus;
      readonly terms: InvoiceTerms;
      readonly expedite: { readonly reason: string; readonly requestedBy: string; readonly at: string } | null;
      readonly issued: { readonly invoiceNumber: string; readonly issuedBy: string; readonly issuedAt: string } | null;
    };
export type OpenInvoiceState = Exclude<InvoiceState, { status: 'none' }>;

const initialState = (): InvoiceState => ({ status: 'none' });

function open(state: InvoiceState): OpenInvoiceState {
  if (state.status === 'none')
    throw new CompensationRuleBroken(
      'INVOICE_NOT_REQUESTED',
      'No such invoice request',
      'Invoices are requested first',
      'invalid',
    );
  return state;
}

function request({ context, data }: RequestInvoice, state: InvoiceState): InvoiceEvent[] {
  // The same order again: the request it has (one invoice per order); asking urgently again expedites it.
  if (state.status !== 'none') {
    if (state.terms.orderId !== data.orderId || state.terms.tenant !== context.tenant)
      throw new CompensationRuleBroken(
        'INVOICE_ALREADY_REQUESTED',
        'This invoice request belongs to another order',
        'One invoice per order',
      );
    return data.urgent && state.status === 'queued' && !state.expedite
      ? expedite({ type: 'ExpediteInvoice', context, data: { reason: data.urgencyReason ?? 'urgent' } }, state)
      : [];
  }
  if (!Number.isInteger(data.amount.amountMinor) || data.amount.amountMinor <= 0)
    throw new CompensationRuleBroken(
      'AMOUNT_INVALID',
      'An invoice is for a positive whole number of minor units',
      'Money is integer minor units',
      'invalid',
    );
  const at = context.now.toISOString();
  const { urgent, urgencyReason, ...terms } = data;
  const requested: InvoiceRequested = {
    type: 'InvoiceRequested',
    data: { ...terms, tenant: context.tenant, requestedBy: context.actor.id, requestedAt: at },
  };
  if (!urgent) return [requested];
  return [requested, expediteEvent(requested.data, urgencyReason ?? 'urgent', context.actor.id, at)];
}

const expediteEvent = (terms: InvoiceTerms, reason: string, by: string, at: string): InvoiceExpediteRequested => ({
  type: 'InvoiceExpediteRequested',
  data: {
    invoiceRequestId: terms.invoiceRequestId,
    orderId: terms.orderId,
    customerId: terms.customerId,
    caseId: terms.caseId,
    sequence: terms.sequence,
    reason,
    requestedBy: by,
    at,
  },
});

function expedite({ context, data }: ExpediteInvoice, state: OpenInvoiceState): InvoiceEvent[] {
  if (state.status === 'issued')
    throw new CompensationRuleBroken(
      'INVOICE_ALREADY_ISSUED',
      'The invoice is issued already',
      'Only a queued invoice is expedited',
    );
  if (state.expedite) return [];
  return [expediteEvent(state.terms, data.reason, context.actor.id, context.now.toISOString())];
}

function issue({ context, data }: IssueInvoice, state: OpenInvoiceState): InvoiceEvent[] {
  if (state.status === 'issued') {
    if (state.issued?.invoiceNumber === data.invoiceNumber) return [];
    throw new CompensationRuleBroken(
      'INVOICE_ALREADY_ISSUED',
      `The invoice is issued already (${state.issued?.invoiceNumber})`,
      'One invoice per order',
    );
  }
  // In request order; an expedited one goes ahead of the queue.
  if (!state.expedite && data.queuedBefore > 0)
    throw new CompensationRuleBroken(
      'INVOICE_OUT_OF_ORDER',
      `${data.queuedBefore} invoice request(s) made before this one are not issued yet`,
      'Invoices are issued in the order they were requested; urgent ones are expedited by finance',
    );
  const { terms } = state;
  return [
    {
      type: 'InvoiceIssued',
      data: {
        invoiceRequestId: terms.invoiceRequestId,
        orderId: terms.orderId,
        customerId: terms.customerId,
        caseId: terms.caseId,
        amount: terms.amount,
        invoiceNumber: data.invoiceNumber,
        expedited: state.expedite !== null,
        issuedBy: context.actor.id,
        issuedAt: context.now.toISOString(),
      },
    },
  ];
}

function decide(command: InvoiceCommand, state: InvoiceState): InvoiceEvent[] {
  switch (command.type) {
    case 'RequestInvoice':
      return request(command, state);
    case 'ExpediteInvoice':
      return expedite(command, open(state));
    case 'IssueInvoice':
      return issue(command, open(state));
    default:
      return assertNever(command);
  }
}

function evolve(state: InvoiceState, event: InvoiceEvent): InvoiceState {
  if (event.type === 'InvoiceRequested') return { status: 'queued', terms: event.data, expedite: null, issued: null };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'InvoiceExpediteRequested':
      return {
        ...state,
        expedite: { reason: event.data.reason, requestedBy: event.data.requestedBy, at: event.data.at },
      };
    case 'InvoiceIssued':
      return {
        ...state,
        status: 'issued',
        issued: {
          invoiceNumber: event.data.invoiceNumber,
          issuedBy: event.data.issuedBy,
          issuedAt: event.data.issuedAt,
        },
      };
    default:
      return assertNever(event);
  }
}

export const invoiceRequestDecider = { decide, evolve, initialState } satisfies Decider<
  InvoiceState,
  InvoiceCommand,
  InvoiceEvent
>;
