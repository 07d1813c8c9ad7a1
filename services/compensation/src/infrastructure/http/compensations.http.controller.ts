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
import { CompensationService, type CompensationStep } from '../../application/compensation.service';
import { Payouts } from '../../application/payouts';
import { causeKey, compensationIdOf } from '../../application/request-keys';
import type { Cause, OpenCompensationState } from '../../domain/compensation-order.decider';
import {
  CompensationListView,
  CompensationView,
  EmptyBody,
  ListCompensationsQuery,
  NoteBody,
  RequestCompensationBody,
  ResolveManualReviewBody,
} from './compensation.schemas';

const STAFF = [Role.Agent, Role.Supervisor, Role.CsManager, Role.CsDirector] as const;
/** The customer's answer is recorded by staff or by the shop's integration (the customer answered there). */
const ANSWERING = [...STAFF, Role.Integrator] as const;

export function compensationView(state: OpenCompensationState): CompensationView {
  const { terms } = state;
  return {
    compensationId: terms.compensationId,
    caseId: terms.caseId,
    orderId: terms.orderId,
    cause: { ...terms.cause },
    instrument: terms.instrument,
    amount: { ...terms.amount },
    warrantyMonths: terms.warrantyMonths,
    status: state.status,
    source: terms.source,
    requestKey: terms.requestKey,
    requestedBy: terms.requestedBy,
    requestedAt: terms.requestedAt,
    requiredRole: state.requiredRole,
    constraints: [...state.constraints],
    approvalExpiresAt: state.approvalExpiresAt,
    approval: state.approval && {
      basis: state.approval.basis,
      approvedBy: state.approval.approvedBy,
      approverRole: state.approval.approverRole,
      reservation: state.approval.reservation && {
        scope: { ...state.approval.reservation.scope },
        amountMinor: state.approval.reservation.amountMinor,
      },
      offerExpiresAt: state.approval.offerExpiresAt,
      approvedAt: state.approval.approvedAt,
    },
    payout: state.payout && { ...state.payout },
    declineReason: state.declineReason,
    updatedAt: state.at,
  };
}

/**
 * Compensation orders (domain.md §4): requested for a cause and an instrument under the tenant's policy, approved by
 * the approval matrix, offered to the customer first, then accepted (paid or issued) or refused. Every step is a
 * command route; another tenant's order is indistinguishable from none.
 */
@Controller('compensations')
export class CompensationsHttpController {
  constructor(
    @Inject(CompensationService) private readonly compensations: CompensationService,
    @Inject(Payouts) private readonly payouts: Payouts,
  ) {}

  /**
   * Requests a compensation; within the requester's own limit it is approved (budget reserved) and offered at once,
   * above it it waits for the next role. One order per cause and instrument: the same request answers the same order.
   */
  @Post()
  @HttpCode(201)
  @Roles(...STAFF)
  @Responds(201, CompensationView, { headers: { Location: '/compensations/{compensationId}' } })
  async request(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(RequestCompensationBody)) body: RequestCompensationBody,
    @Res({ passthrough: true }) res: { setHeader(k: string, v: string): void },
  ): Promise<CompensationView> {
    const cause: Cause = {
      kind: body.cause.kind,
      id: body.cause.id,
      ...(body.cause.reason ? { reason: body.cause.reason } : {}),
    };
    const requestKey = causeKey(cause, body.instrument);
    const compensationId = compensationIdOf(origin.tenant, requestKey);
    const state = await this.compensations.request(origin, {
      compensationId,
      cause,
      caseId: body.caseId ?? null,
      orderId: body.orderId ?? null,
      instrument: body.instrument,
      amount: body.amount ?? null,
      facts: {
        orderValue: body.orderValue ?? null,
        paidAmount: body.paidAmount ?? null,
        itemCount: body.itemCount ?? null,
        specialPrice: body.specialPrice ?? false,
        productAllowsGift: body.productAllowsGift ?? false,
        productAllowsFreeShipping: body.productAllowsFreeShipping ?? false,
      },
      source: 'staff',
      requestKey,
      preApproved: false,
      customerConsented: body.customerConsented ?? false,
    });
    res.setHeader('Location', `/compensations/${compensationId}`);
    return compensationView(state);
  }

  @Get()
  @Roles(...STAFF)
  @Responds(200, CompensationListView)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(ListCompensationsQuery)) query: ListCompensationsQuery,
  ): Promise<CompensationListView> {
    const compensations = await this.compensations.list(principal.tenant, {
      ...(query.status ? { status: query.status } : {}),
      ...(query.caseId ? { caseId: query.caseId } : {}),
      limit: query.limit ? Number(query.limit) : 100,
    });
    return { compensations: compensations.map((c) => ({ ...c, cause: { ...c.cause }, amount: { ...c.amount } })) };
  }

  @Get(':compensationId')
  @Roles(...STAFF)
  @Responds(200, CompensationView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('compensationId', new ParseUUIDPipe()) id: string,
  ): Promise<CompensationView> {
    return compensationView(await this.compensations.get(principal.tenant, id));
  }

  /** Approves a pending request: a role whose limit covers it, never the requester; the budget is reserved. */
  @Post(':compensationId/approval')
  @HttpCode(200)
  @Roles(...STAFF)
  @Responds(200, CompensationView)
  async approve(
    @RequestOrigin() origin: CommandOrigin,
    @Param('compensationId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(EmptyBody)) _body: EmptyBody,
  ): Promise<CompensationView> {
    return this.step(origin, id, { type: 'ApproveCompensation', data: {} });
  }

  /** Rejects a pending request (same approvers as the approval). */
  @Post(':compensationId/rejection')
  @HttpCode(200)
  @Roles(...STAFF)
  @Responds(200, CompensationView)
  async reject(
    @RequestOrigin() origin: CommandOrigin,
    @Param('compensationId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(NoteBody)) body: NoteBody,
  ): Promise<CompensationView> {
    return this.step(origin, id, { type: 'RejectCompensation', data: { note: body.note } });
  }

  /** The customer accepts the offer: paid through the provider, or issued. */
  @Post(':compensationId/acceptance')
  @HttpCode(200)
  @Roles(...ANSWERING)
  @Responds(200, CompensationView)
  async accept(
    @RequestOrigin() origin: CommandOrigin,
    @Param('compensationId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(EmptyBody)) _body: EmptyBody,
  ): Promise<CompensationView> {
    return this.step(origin, id, { type: 'AcceptCompensation', data: {} });
  }

  /** The customer refuses the offer: the budget is released and the case goes on to return, exchange or indemnity. */
  @Post(':compensationId/refusal')
  @HttpCode(200)
  @Roles(...ANSWERING)
  @Responds(200, CompensationView)
  async refuse(
    @RequestOrigin() origin: CommandOrigin,
    @Param('compensationId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(NoteBody)) body: NoteBody,
  ): Promise<CompensationView> {
    return this.step(origin, id, { type: 'RefuseCompensation', data: { note: body.note } });
  }

  /**
   * Resolves a payout in manual review: `retry` (sent again under a new payout key), `paid_outside` (paid by other
   * means, with its reference: booked against `paid_outside`) or `abandoned` (the budget and money back released). A
   * supervisor or above whose limit covers the order; the provider is asked first, so a payout it confirmed meanwhile is
   * recorded paid instead (409 `PAID_BY_PROVIDER`) and one it still processes waits (409 `PROVIDER_PENDING`).
   */
  @Post(':compensationId/manual-review-resolution')
  @HttpCode(200)
  @Roles(Role.Supervisor, Role.CsManager, Role.CsDirector)
  @Responds(200, CompensationView)
  async resolveManualReview(
    @RequestOrigin() origin: CommandOrigin,
    @Param('compensationId', new ParseUUIDPipe()) id: string,
    @Body(new SchemaPipe(ResolveManualReviewBody)) body: ResolveManualReviewBody,
  ): Promise<CompensationView> {
    return compensationView(
      await this.payouts.resolveManualReview(origin, id, {
        resolution: body.resolution,
        note: body.note,
        externalReference: body.externalReference ?? null,
      }),
    );
  }

  private async step(origin: CommandOrigin, id: string, step: CompensationStep): Promise<CompensationView> {
    return compensationView(await this.compensations.execute(origin, id, step));
  }
}
