import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  Commands,
  deterministicUuid,
  fold,
  inTransaction,
  type CommandOrigin,
  type CommandRequest,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { Money } from '../domain/compensation-order.decider';
import {
  invoiceRequestDecider,
  type InvoiceCommand,
  type InvoiceState,
  type OpenInvoiceState,
} from '../domain/invoice-request.decider';
import { InvoiceRequestNotFound } from '../domain/compensation-order.errors';
import { INVOICE_BOOK, type InvoiceBook, type InvoiceSummary } from './compensation.ports';

export const invoiceStream = (invoiceRequestId: string) => `invoice-${invoiceRequestId}`;
/** One invoice request per tenant and order: the same order finds the same request. */
export const invoiceRequestIdOf = (tenant: string, orderId: string) =>
  deterministicUuid(`invoice|${tenant}|${orderId}`);

export interface InvoiceRequestInput {
  readonly orderId: string;
  readonly customerId: string;
  readonly caseId: string | null;
  readonly amount: Money;
  readonly urgent: boolean;
  readonly urgencyReason: string | null;
}

/**
 * Invoice requests (seed 003 §11): queued in request order (a sequence per tenant taken in the request's transaction),
 * issued in that order, urgent ones sent to finance (an event and finance's queue) to be issued ahead of it.
 */
@Injectable()
export class InvoicesService {
  constructor(
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(INVOICE_BOOK) private readonly book: InvoiceBook,
  ) {}

  async request(origin: CommandOrigin, input: InvoiceRequestInput): Promise<OpenInvoiceState> {
    const id = invoiceRequestIdOf(origin.tenant, input.orderId);
    return inTransaction(this.database.pool, async (tx) => {
      const existing = await this.read(id, tx);
      // A place in the queue only for a new request (the same order again keeps its place).
      const sequence = existing.status === 'none' ? await this.book.nextSequence(tx, origin.tenant) : 0;
      const data = { invoiceRequestId: id, ...input, sequence };
      return this.handle(tx, origin, id, { type: 'RequestInvoice', data });
    });
  }

  async expedite(origin: CommandOrigin, id: string, reason: string): Promise<OpenInvoiceState> {
    return inTransaction(this.database.pool, async (tx) => {
      visible(await this.read(id, tx), origin.tenant, id);
      return this.handle(tx, origin, id, { type: 'ExpediteInvoice', data: { reason } });
    });
  }

  async issue(origin: CommandOrigin, id: string, invoiceNumber: string): Promise<OpenInvoiceState> {
    return inTransaction(this.database.pool, async (tx) => {
      const state = visible(await this.read(id, tx), origin.tenant, id);
      const queuedBefore = await this.book.queuedBefore(tx, origin.tenant, state.terms.sequence);
      return this.handle(tx, origin, id, { type: 'IssueInvoice', data: { invoiceNumber, queuedBefore } });
    });
  }

  async get(tenant: string, id: string): Promise<OpenInvoiceState> {
    return visible(await this.read(id), tenant, id);
  }

  list(tenant: string, filter: { status?: 'queued' | 'issued'; limit: number }): Promise<InvoiceSummary[]> {
    return this.book.list(tenant, filter);
  }

  expediteQueue(tenant: string, limit: number): Promise<InvoiceSummary[]> {
    return this.book.expediteQueue(tenant, limit);
  }

  private async read(id: string, tx?: PoolClient): Promise<InvoiceState> {
    return fold(invoiceRequestDecider, await this.commands.store.readStream(invoiceStream(id), 0, tx));
  }

  private async handle(
    tx: PoolClient,
    origin: CommandOrigin,
    id: string,
    request: CommandRequest<InvoiceCommand>,
  ): Promise<OpenInvoiceState> {
    const result = await this.commands.handle(invoiceRequestDecider, invoiceStream(id), origin, request, { tx });
    const state = visible(result.state, origin.tenant, id);
    if (result.newEvents.length > 0 && !result.duplicate) await this.book.record(tx, origin.tenant, summaryOf(state));
    return state;
  }
}

export function summaryOf(state: OpenInvoiceState): InvoiceSummary {
  const { terms } = state;
  return {
    invoiceRequestId: terms.invoiceRequestId,
    sequence: terms.sequence,
    orderId: terms.orderId,
    customerId: terms.customerId,
    caseId: terms.caseId,
    amount: terms.amount,
    status: state.status,
    urgent: state.expedite !== null,
    expediteReason: state.expedite?.reason ?? null,
    expediteRequestedAt: state.expedite?.at ?? null,
    invoiceNumber: state.issued?.invoiceNumber ?? null,
    requestedAt: terms.requestedAt,
    issuedAt: state.issued?.issuedAt ?? null,
  };
}

function visible(state: InvoiceState, tenant: string, id: string): OpenInvoiceState {
  if (state.status === 'none' || state.terms.tenant !== tenant) throw new InvoiceRequestNotFound(id);
  return state;
}
