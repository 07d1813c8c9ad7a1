import { Controller, Inject } from '@nestjs/common';
import {
  AllowanceAcceptedV1,
  CompensationRequestedV1,
  IncidentEscalatedV1,
  IncidentOpenedV1,
  IncidentResolvedV1,
  RefundRequestedV1,
  SatisfactionBelowTargetV1,
} from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { BUDGET_BOOK, type BudgetBook } from '../../application/compensation.ports';
import { CompensationPoliciesService } from '../../application/compensation-policies.service';
import { CompensationService, type CompensationRequestInput } from '../../application/compensation.service';
import { planLogisticsRequest } from '../../domain/service-requests';
import { causeKey, compensationIdOf } from '../../application/request-keys';

const noProductFacts = {
  orderValue: null,
  itemCount: null,
  specialPrice: false,
  productAllowsGift: false,
  productAllowsFreeShipping: false,
};

/**
 * Consumer `compensation-requests`: what other services ask compensation to pay or offer, each in the inbox
 * transaction (exactly once per event; the same request key finds the same order, so a request sent again changes
 * nothing, and a settled refund or allowance is answered again). Returns' refunds and allowances (ADR 14) are decided
 * already: approved and paid at once, refused with `refund-failed` when over what was paid; logistics' requests are
 * planned by the tenant's policy; a satisfaction below target offers each surveyed case an apology coupon.
 */
@Controller()
export class CompensationRequestsConsumer {
  constructor(
    @Inject(CompensationService) private readonly compensations: CompensationService,
    @Inject(CompensationPoliciesService) private readonly policies: CompensationPoliciesService,
  ) {}

  @Handles(RefundRequestedV1)
  async onRefundRequested({ tx, data, origin }: InboxEvent<RefundRequestedV1>): Promise<void> {
    const instrument = data.amount.amountMinor >= data.paidAmount.amountMinor ? 'full_refund' : 'partial_refund';
    const cause = { kind: 'return' as const, id: data.returnId };
    await this.compensations.request(
      origin,
      {
        compensationId: compensationIdOf(origin.tenant, causeKey(cause, instrument)),
        cause,
        caseId: data.caseId ?? null,
        orderId: data.orderId,
        instrument,
        amount: data.amount,
        facts: { ...noProductFacts, paidAmount: data.paidAmount },
        source: 'returns',
        requestKey: data.idempotencyKey,
        preApproved: true,
        customerConsented: true,
      },
      tx,
    );
  }

  @Handles(AllowanceAcceptedV1)
  async onAllowanceAccepted({ tx, data, origin }: InboxEvent<AllowanceAcceptedV1>): Promise<void> {
    const cause = { kind: 'return' as const, id: data.returnId };
    await this.compensations.request(
      origin,
      {
        compensationId: compensationIdOf(origin.tenant, causeKey(cause, 'allowance')),
        cause,
        caseId: data.caseId ?? null,
        orderId: data.orderId,
        instrument: 'allowance',
        amount: data.amount,
        // Returns checked the 30 % share against what was paid; the allowance is money back on that payment.
        facts: { ...noProductFacts, paidAmount: null },
        source: 'returns',
        requestKey: data.idempotencyKey,
        preApproved: true,
        customerConsented: true,
      },
      tx,
    );
  }

  @Handles(CompensationRequestedV1)
  async onLogisticsRequest({ tx, data, origin }: InboxEvent<CompensationRequestedV1>): Promise<void> {
    const policy = await this.policies.forTenant(origin.tenant, tx);
    const plan = planLogisticsRequest(data, policy);
    const input: CompensationRequestInput = {
      compensationId: compensationIdOf(origin.tenant, `logistics:${data.idempotencyKey}`),
      cause: plan.cause,
      caseId: data.caseId ?? null,
      orderId: data.orderId,
      instrument: plan.instrument,
      amount: plan.amount,
      facts: {
        ...noProductFacts,
        orderValue: data.goodsValue ?? null,
        paidAmount: plan.paidAmount,
        productAllowsGift: plan.productAllowsGift,
        productAllowsFreeShipping: plan.productAllowsFreeShipping,
      },
      source: 'logistics',
      requestKey: data.idempotencyKey,
      preApproved: false,
      customerConsented: plan.customerConsented,
    };
    await this.compensations.request(origin, input, tx);
  }

  /** Below target: a follow-up offer (the apology coupon of the policy) to each surveyed case of the incident. */
  @Handles(SatisfactionBelowTargetV1)
  async onSatisfactionBelowTarget({ tx, data, origin }: InboxEvent<SatisfactionBelowTargetV1>): Promise<void> {
    for (const caseId of data.caseIds ?? []) {
      const requestKey = `satisfaction-follow-up:${data.incidentId}:${caseId}`;
      await this.compensations.request(
        origin,
        {
          compensationId: compensationIdOf(origin.tenant, `surveys:${requestKey}`),
          cause: { kind: 'survey_follow_up', id: data.incidentId },
          caseId,
          orderId: null,
          instrument: 'coupon',
          amount: null,
          facts: { ...noProductFacts, paidAmount: null },
          source: 'surveys',
          requestKey,
          preApproved: false,
          customerConsented: false,
        },
        tx,
      );
    }
  }
}

/**
 * Consumer `emergency-funds`: incidents of level 1 and 2 get the tenant's emergency fund (seed 004 §6.3), opened when
 * the incident opens at that level or is raised to it (never lowered); each case an incident names when it opens is
 * offered the apology coupon (seed 004 §4.2.3), once per incident and case, drawn on the fund when there is one; an
 * incident resolved by compensating its customers offers each of its cases the extended warranty, once.
 */
@Controller()
export class EmergencyFundsConsumer {
  constructor(
    @Inject(CompensationService) private readonly compensations: CompensationService,
    @Inject(CompensationPoliciesService) private readonly policies: CompensationPoliciesService,
    @Inject(BUDGET_BOOK) private readonly budgets: BudgetBook,
  ) {}

  @Handles(IncidentOpenedV1)
  async onIncidentOpened({ tx, data, origin }: InboxEvent<IncidentOpenedV1>): Promise<void> {
    await this.openFund(tx, origin.tenant, data.incidentId, data.level);
    for (const caseId of data.caseIds ?? []) {
      const requestKey = `apology:${data.incidentId}:${caseId}`;
      await this.compensations.request(
        origin,
        {
          compensationId: compensationIdOf(origin.tenant, `incidents:${requestKey}`),
          cause: { kind: 'incident', id: data.incidentId, reason: 'apology' },
          caseId,
          orderId: null,
          instrument: 'coupon',
          amount: null,
          facts: { ...noProductFacts, paidAmount: null },
          source: 'incidents',
          requestKey,
          preApproved: false,
          customerConsented: false,
        },
        tx,
      );
    }
  }

  /**
   * An incident resolved by a solution of kind `compensation` (seed 004 §4(三)2: "compensate the customers, e.g. extend
   * the warranty 6 months"): each affected customer's case is offered the extended warranty of the tenant's policy,
   * once per incident and case (approved by the incident's solution approvers; the customer accepts it).
   */
  @Handles(IncidentResolvedV1)
  async onIncidentResolved({ tx, data, origin }: InboxEvent<IncidentResolvedV1>): Promise<void> {
    if (data.solution?.kind !== 'compensation') return;
    for (const caseId of data.caseIds ?? []) {
      const requestKey = `solution:${data.incidentId}:${caseId}`;
      await this.compensations.request(
        origin,
        {
          compensationId: compensationIdOf(origin.tenant, `incidents:${requestKey}`),
          cause: { kind: 'incident', id: data.incidentId, reason: 'solution' },
          caseId,
          orderId: null,
          instrument: 'extended_warranty',
          amount: null,
          facts: { ...noProductFacts, paidAmount: null },
          source: 'incidents',
          requestKey,
          preApproved: true,
          customerConsented: false,
        },
        tx,
      );
    }
  }

  @Handles(IncidentEscalatedV1)
  async onIncidentEscalated({ tx, data, origin }: InboxEvent<IncidentEscalatedV1>): Promise<void> {
    await this.openFund(tx, origin.tenant, data.incidentId, data.toLevel);
  }

  private async openFund(tx: InboxEvent<unknown>['tx'], tenant: string, incidentId: string, level: string) {
    if (level !== 'L1' && level !== 'L2') return;
    const policy = await this.policies.forTenant(tenant, tx);
    await this.budgets.openIncidentFund(tx, tenant, incidentId, policy.emergencyFundMinor[level], policy.currency);
  }
}
