import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { newAggregateId, type CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { ReturnsService, type ReturnStepRequest } from '../../application/returns.service';
import type { ExchangeTerms, OpenReturnState } from '../../domain/return-request.decider';
import {
  AnswerAllowanceBody,
  AnswerExchangeDifferenceBody,
  AnswerRepairQuoteBody,
  CancelReturnBody,
  DecideReturnBody,
  InspectReturnBody,
  ListReturnsQuery,
  OfferAllowanceBody,
  QuoteRepairFeeBody,
  RecordReceiptBody,
  RecordRepairProgressBody,
  RequestReturnBody,
  ReturnListView,
  ReturnView,
} from './returns.schemas';

const AGENTS = [Role.Agent, Role.Supervisor, Role.CsManager] as const;
/** Who records what arrived and what it is worth: the warehouse works under the logistics role. */
const WAREHOUSE = [Role.Logistics, Role.Agent, Role.Supervisor] as const;

const termsView = (terms: ExchangeTerms) => ({ ...terms, items: terms.items.map((i) => ({ ...i })) });

function view(state: OpenReturnState): ReturnView {
  const { request, offer, approval, refusal, inspection, refund, replacement, closure } = state;
  return {
    returnId: request.returnId,
    caseId: request.caseId,
    orderId: request.orderId,
    kind: request.kind,
    reason: request.reason,
    status: state.status,
    items: request.items.map((i) => ({ ...i })),
    repair: state.repair && {
      ...state.repair,
      progress: state.repair.progress.map(({ stage, at, by }) => ({ stage, at, by })),
    },
    orderPaid: request.orderPaid,
    eligibility: {
      ...request.eligibility,
      resolutions: request.eligibility.eligible ? [...request.eligibility.resolutions] : undefined,
    },
    allowance: offer && { amount: offer.amount, approvedBy: offer.approvedBy, offeredAt: offer.offeredAt },
    approval: approval && {
      rule: approval.rule,
      resolution: approval.resolution,
      goodsReturn: approval.goodsReturn,
      shippingPaidBy: approval.shippingPaidBy,
      exchange: approval.exchange && termsView(approval.exchange),
      approvedAt: approval.approvedAt,
      approvedBy: approval.approvedBy,
    },
    refusal: refusal && {
      rule: refusal.rule,
      explanation: refusal.explanation,
      objectionRoute: refusal.objectionRoute,
      refusedAt: refusal.refusedAt,
    },
    exchangeDifference: state.exchange?.due
      ? {
          terms: termsView(state.exchange.due.terms),
          paidAt: state.exchange.paid?.paidAt ?? null,
          paymentRef: state.exchange.paid?.paymentRef ?? null,
          declinedAt: state.exchange.declined?.declinedAt ?? null,
        }
      : null,
    received: [...state.received],
    inspection: inspection && {
      grade: inspection.grade,
      disposition: inspection.disposition,
      accepted: inspection.accepted,
      inspectedAt: inspection.inspectedAt,
    },
    refund: refund && {
      amount: refund.requested.amount,
      requestedAt: refund.requested.requestedAt,
      paidAt: refund.paid?.paidAt ?? null,
      paymentChannel: refund.paid?.paymentChannel ?? null,
      failureReason: refund.paid ? null : (refund.failed?.reason ?? null),
    },
    replacement: replacement && {
      shipBy: replacement.requested.shipBy,
      trackingNumber: replacement.shipped?.trackingNumber ?? null,
      carrier: replacement.shipped?.carrier ?? null,
    },
    closure: closure?.closure ?? null,
    deadlines: { ...state.deadlines },
    requestedAt: request.requestedAt,
    requestedBy: request.requestedBy,
  };
}

/**
 * Returns, exchanges, refund-only requests, repairs and claims (domain.md §2): requested for a case or straight from a
 * shop integration, then one route per step. Rule violations answer 409 naming the rule; another tenant's return 404.
 */
@Controller('returns')
export class ReturnsHttpController {
  constructor(@Inject(ReturnsService) private readonly returns: ReturnsService) {}

  /** Requests a return; eligibility is assessed at once. `Idempotency-Key` makes a retry answer the same return. */
  @Post()
  @HttpCode(201)
  @Roles(...AGENTS, Role.Integrator)
  @Responds(201, ReturnView, { headers: { Location: '/returns/{returnId}' } })
  async request(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(RequestReturnBody)) body: RequestReturnBody,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<ReturnView> {
    const returnId = body.returnId ?? newAggregateId(origin, 'return');
    const state = await this.returns.request(origin, {
      returnId,
      caseId: body.caseId ?? null,
      orderId: body.orderId,
      kind: body.kind,
      reason: body.reason,
      severity: body.severity ?? null,
      mismatch: body.mismatch ?? null,
      items: body.items.map((item) => ({ ...item, warrantyUntil: item.warrantyUntil ?? null })),
      orderPaid: body.orderPaid,
      evidenceRefs: body.evidenceRefs,
    });
    res.setHeader('Location', `/returns/${returnId}`);
    return view(state);
  }

  @Get()
  @Roles(...AGENTS, Role.Logistics)
  @Responds(200, ReturnListView)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListReturnsQuery)) query: ListReturnsQuery,
  ): Promise<ReturnListView> {
    const returns = await this.returns.list(principal.tenant, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.caseId ? { caseId: query.caseId } : {}),
      limit: query.limit ? Number(query.limit) : 100,
    });
    return { returns };
  }

  @Get(':returnId')
  @Roles(...AGENTS, Role.Logistics)
  @Responds(200, ReturnView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
  ): Promise<ReturnView> {
    return view(await this.returns.get(principal.tenant, returnId));
  }

  /** Retention: offers to let the customer keep the goods with an allowance (above the agent's limit: a supervisor). */
  @Post(':returnId/allowance-offer')
  @HttpCode(200)
  @Roles(...AGENTS)
  @Responds(200, ReturnView)
  async offerAllowance(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(OfferAllowanceBody)) body: OfferAllowanceBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'OfferAllowance', data: body });
  }

  /** The customer's answer to the allowance: accepted, compensation pays it and the return ends when paid. */
  @Post(':returnId/allowance-answer')
  @HttpCode(200)
  @Roles(...AGENTS, Role.Integrator)
  @Responds(200, ReturnView)
  async answerAllowance(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(AnswerAllowanceBody)) body: AnswerAllowanceBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'AnswerAllowance', data: body });
  }

  /** Decides the request: eligible → approved with an outcome its problem allows; ineligible → refused, rule named. */
  @Post(':returnId/decision')
  @HttpCode(200)
  @Roles(...AGENTS)
  @Responds(200, ReturnView)
  async decide(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(DecideReturnBody)) body: DecideReturnBody,
  ): Promise<ReturnView> {
    const data = {
      resolution: body.resolution ?? null,
      partialRefund: body.partialRefund ?? null,
      exchangeFor: body.exchangeFor ?? null,
    };
    return this.step(origin, returnId, { type: 'DecideReturn', data });
  }

  /** Records goods that arrived, in full or in part. */
  @Post(':returnId/receipts')
  @HttpCode(200)
  @Roles(...WAREHOUSE)
  @Responds(200, ReturnView)
  async receive(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(RecordReceiptBody)) body: RecordReceiptBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, {
      type: 'RecordReceipt',
      data: { items: body.items, shipmentId: body.shipmentId ?? null },
    });
  }

  /** Records the inspection: grade and disposition; an accepted return goes on to its refund or replacement. */
  @Post(':returnId/inspection')
  @HttpCode(200)
  @Roles(...WAREHOUSE)
  @Responds(200, ReturnView)
  async inspect(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(InspectReturnBody)) body: InspectReturnBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'InspectReturn', data: body });
  }

  /** Quotes the fee of an out-of-warranty repair; no work before the customer consents. */
  @Post(':returnId/repair-quote')
  @HttpCode(200)
  @Roles(...WAREHOUSE)
  @Responds(200, ReturnView)
  async quoteRepair(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(QuoteRepairFeeBody)) body: QuoteRepairFeeBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'QuoteRepairFee', data: body });
  }

  /** Records the customer's consent to the repair fee (work starts) or refusal (the goods go back unrepaired). */
  @Post(':returnId/repair-quote-answer')
  @HttpCode(200)
  @Roles(...AGENTS, Role.Integrator)
  @Responds(200, ReturnView)
  async answerRepairQuote(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(AnswerRepairQuoteBody)) body: AnswerRepairQuoteBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'AnswerRepairQuote', data: body });
  }

  /** The customer paid the price difference of an exchange to dearer goods (the replacement ships) or declined it. */
  @Post(':returnId/exchange-difference-answer')
  @HttpCode(200)
  @Roles(...AGENTS, Role.Integrator)
  @Responds(200, ReturnView)
  async answerExchangeDifference(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(AnswerExchangeDifferenceBody)) body: AnswerExchangeDifferenceBody,
  ): Promise<ReturnView> {
    const data = body.paid
      ? { paid: true, paymentRef: body.paymentRef, amount: body.amount }
      : { paid: false, paymentRef: null, amount: null };
    return this.step(origin, returnId, { type: 'AnswerExchangeDifference', data });
  }

  /** Records where the repair stands, for agents to tell the customer. */
  @Post(':returnId/repair-progress')
  @HttpCode(200)
  @Roles(...WAREHOUSE)
  @Responds(200, ReturnView)
  async recordRepairProgress(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(RecordRepairProgressBody)) body: RecordRepairProgressBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'RecordRepairProgress', data: body });
  }

  /** The repair is done: the repaired goods are shipped back to the customer. */
  @Post(':returnId/repair-completion')
  @HttpCode(200)
  @Roles(...WAREHOUSE)
  @Responds(200, ReturnView)
  async completeRepair(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'CompleteRepair', data: {} });
  }

  /** Cancels a return before its goods arrive. */
  @Post(':returnId/cancellation')
  @HttpCode(200)
  @Roles(...AGENTS, Role.Integrator)
  @Responds(200, ReturnView)
  async cancel(
    @RequestOrigin() origin: CommandOrigin,
    @Param('returnId', new ParseUUIDPipe()) returnId: string,
    @Body(new SchemaPipe(CancelReturnBody)) body: CancelReturnBody,
  ): Promise<ReturnView> {
    return this.step(origin, returnId, { type: 'CancelReturn', data: body });
  }

  private async step(origin: CommandOrigin, returnId: string, step: ReturnStepRequest): Promise<ReturnView> {
    return view((await this.returns.execute(origin, returnId, step)).state);
  }
}
