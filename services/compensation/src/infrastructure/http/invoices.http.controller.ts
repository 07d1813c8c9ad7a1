import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { InvoicesService, summaryOf } from '../../application/invoices.service';
import type { InvoiceSummary } from '../../application/compensation.ports';
import type { OpenInvoiceState } from '../../domain/invoice-request.decider';
import {
  ExpediteInvoiceBody,
  InvoiceListView,
  InvoiceView,
  IssueInvoiceBody,
  ListInvoicesQuery,
  RequestInvoiceBody,
} from './compensation.schemas';

const STAFF = [Role.Agent, Role.Supervisor, Role.CsManager, Role.CsDirector] as const;

const viewOf = (s: InvoiceSummary): InvoiceView => {
  const { sequence, amount, ...rest } = s;
  return { ...rest, queuePosition: sequence, amount: { ...amount } };
};
const stateView = (state: OpenInvoiceState): InvoiceView => viewOf(summaryOf(state));

/**
 * Invoices (seed 003 §11): the customer applies on the order (through the shop's integration or an agent); invoices are
 * issued by finance in the order they were requested; an urgent one is sent to finance (an event and finance's queue)
 * and may be issued ahead of the others.
 */
@Controller('invoice-requests')
export class InvoicesHttpController {
  constructor(@Inject(InvoicesService) private readonly invoices: InvoicesService) {}

  /** Queues an invoice for the order (one per order: the same order again answers the same request). */
  @Post()
  @HttpCode(201)
  @Roles(...STAFF, Role.Integrator)
  @Responds(201, InvoiceView, { headers: { Location: '/invoice-requests/{invoiceRequestId}' } })
  async request(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(RequestInvoiceBody)) body: RequestInvoiceBody,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<InvoiceView> {
    const state = await this.invoices.request(origin, {
      orderId: body.orderId,
      customerId: body.customerId,
      caseId: body.caseId ?? null,
      amount: body.amount,
      urgent: body.urgent ?? false,
      urgencyReason: body.urgencyReason ?? null,
    });
    res.setHeader('Location', `/invoice-requests/${state.terms.invoiceRequestId}`);
    return stateView(state);
  }

  /** The tenant's invoice requests in request order (the order they are issued in). */
  @Get()
  @Roles(...STAFF, Role.Finance)
  @Responds(200, InvoiceListView)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListInvoicesQuery)) query: ListInvoicesQuery,
  ): Promise<InvoiceListView> {
    const invoices = await this.invoices.list(principal.tenant, {
      ...(query.status ? { status: query.status } : {}),
      limit: query.limit ? Number(query.limit) : 100,
    });
    return { invoices: invoices.map(viewOf) };
  }

  /** Finance's queue: urgent requests not issued yet, in the order they were flagged. */
  @Get('expedite-queue')
  @Roles(Role.Finance, Role.Supervisor, Role.CsManager, Role.CsDirector)
  @Responds(200, InvoiceListView)
  async expediteQueue(@CurrentPrincipal() principal: Principal): Promise<InvoiceListView> {
    return { invoices: (await this.invoices.expediteQueue(principal.tenant, 500)).map(viewOf) };
  }

  @Get(':invoiceRequestId')
  @Roles(...STAFF, Role.Finance)
  @Responds(200, InvoiceView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('invoiceRequestId', new ParseUUIDPipe()) id: string,
  ): Promise<InvoiceView> {
    return stateView(await this.invoices.get(principal.tenant, id));
  }

  /** The customer needs it urgently: finance is asked to expedite it. */
  @Post(':invoiceRequestId/expedite')
  @HttpCode(200)
  @Roles(...STAFF)
  @Responds(200, InvoiceView)
  async expedite(
    @RequestOrigin() origin: CommandOrigin,
    @Param('invoiceRequestId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ExpediteInvoiceBody)) body: ExpediteInvoiceBody,
  ): Promise<InvoiceView> {
    return stateView(await this.invoices.expedite(origin, id, body.reason));
  }

  /** Finance issues it: in request order (409 `INVOICE_OUT_OF_ORDER` while earlier ones wait), unless expedited. */
  @Post(':invoiceRequestId/issuance')
  @HttpCode(200)
  @Roles(Role.Finance)
  @Responds(200, InvoiceView)
  async issue(
    @RequestOrigin() origin: CommandOrigin,
    @Param('invoiceRequestId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(IssueInvoiceBody)) body: IssueInvoiceBody,
  ): Promise<InvoiceView> {
    return stateView(await this.invoices.issue(origin, id, body.invoiceNumber));
  }
}
