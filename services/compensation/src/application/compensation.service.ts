import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  Commands,
  cancelTimer,
  fold,
  inTransaction,
  scheduleTimer,
  type CommandOrigin,
  type CommandRequest,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import {
  budgetScopeOf,
  compensationOrderDecider,
  type BudgetFacts,
  type CompensationCommand,
  type CompensationEvent,
  type CompensationState,
  type CompensationStatus,
  type OpenCompensationState,
  type OrderFacts,
  type RequestCompensation,
} from '../domain/compensation-order.decider';
import { CompensationNotFound } from '../domain/compensation-order.errors';
import { MoneyBackInstruments, type CompensationPolicy } from '../domain/compensation-policy';
import { budgetEffectsOf, ledgerEntriesOf, moneyBackCommitmentOf } from '../domain/ledger';
import { COMPENSATION_CONFIG, type CompensationConfig } from './compensation.config';
import {
  BUDGET_BOOK,
  COMPENSATION_INDEX,
  LEDGER,
  MONEY_BACK_REGISTER,
  type BudgetBook,
  type CompensationIndex,
  type CompensationSummary,
  type Ledger,
  type MoneyBackRegister,
} from './compensation.ports';
import { CompensationPoliciesService } from './compensation-policies.service';

export const compensationStream = (compensationId: string) => `compensation-${compensationId}`;

/** The kinds of the service's durable timers. */
export const compensationTimerKinds = {
  /** A pending approval or an unanswered offer reaches its expiry: `ExpireCompensation`. */
  expiry: 'compensation-expiry',
  /** One attempt of a payout: send it to the provider (idempotent by the payout key). */
  payoutSend: 'payout-send',
  /** No confirmation yet after a send: ask the provider by the payout key (reconciliation). */
  payoutCheck: 'payout-check',
} as const;

export interface PayoutTimerPayload {
  readonly compensationId: string;
  readonly attempt: number;
}

/** A request as the API or a consumer makes it: the order's committed money back, the budget and policy are the service's. */
export type CompensationRequestInput = Omit<RequestCompensation['data'], 'facts' | 'budget' | 'policy'> & {
  readonly facts: Omit<OrderFacts, 'moneyBackCommittedMinor'>;
};

/** A step of an order (everything but the request), without the budget, which the service reads. */
export type CompensationStep =
  | CommandRequest<Exclude<CompensationCommand, RequestCompensation | { type: 'ApproveCompensation' }>>
  | { readonly type: 'ApproveCompensation'; readonly data: Record<string, never> };

/**
 * Application service of the CompensationOrder aggregate: every command in one transaction with what it moves — the
 * budget it reserves, releases or spends (row-locked, never exceeded), the order's committed money back, the ledger's
 * balanced entries, the orders list and the durable timers (expiries, payout attempts and reconciliation).
 */
@Injectable()
export class CompensationService {
  constructor(
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(CompensationPoliciesService) private readonly policies: CompensationPoliciesService,
    @Inject(BUDGET_BOOK) private readonly budgets: BudgetBook,
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(MONEY_BACK_REGISTER) private readonly moneyBack: MoneyBackRegister,
    @Inject(COMPENSATION_INDEX) private readonly index: CompensationIndex,
    @Inject(COMPENSATION_CONFIG) private readonly config: CompensationConfig,
  ) {}

  /** Requests a compensation (once per cause and instrument: the same request again changes nothing). */
  async request(
    origin: CommandOrigin,
    input: CompensationRequestInput,
    tx?: PoolClient,
  ): Promise<OpenCompensationState> {
    const run = async (client: PoolClient) => {
      const policy = await this.policies.forTenant(origin.tenant, client);
      const moneyBack = MoneyBackInstruments.includes(input.instrument) && input.orderId !== null;
      const committed =
        moneyBack && input.orderId ? await this.moneyBack.lock(client, origin.tenant, input.orderId) : 0;
      const budget = await this.budgetFor(client, origin.tenant, input, policy);
      const data: RequestCompensation['data'] = {
        ...input,
        facts: { ...input.facts, moneyBackCommittedMinor: committed },
        budget,
        policy,
      };
      return this.handle(client, origin, input.compensationId, { type: 'RequestCompensation', data });
    };
    return tx ? run(tx) : inTransaction(this.database.pool, run);
  }

  /** Runs one step of an order (the caller's transaction when given: an inbox or timer transaction). */
  async execute(
    origin: CommandOrigin,
    compensationId: string,
    step: CompensationStep,
    tx?: PoolClient,
  ): Promise<OpenCompensationState> {
    const run = async (client: PoolClient) => {
      const state = visible(await this.read(compensationId, client), origin.tenant, compensationId);
      let request = step as CommandRequest<CompensationCommand>;
      if (step.type === 'ApproveCompensation') {
        const policy = await this.policies.forTenant(origin.tenant, client);
        const budget = await this.budgetFor(client, origin.tenant, state.terms, policy);
        request = { type: 'ApproveCompensation', data: { budget } };
      }
      return this.handle(client, origin, compensationId, request);
    };
    return tx ? run(tx) : inTransaction(this.database.pool, run);
  }

  async get(tenant: string, compensationId: string, tx?: PoolClient): Promise<OpenCompensationState> {
    return visible(await this.read(compensationId, tx), tenant, compensationId);
  }

  /** The order whatever its tenant (the provider's webhook and the timers know the id, not always the tenant). */
  async find(compensationId: string, tx?: PoolClient): Promise<OpenCompensationState | null> {
    const state = await this.read(compensationId, tx);
    return state.status === 'none' ? null : state;
  }

  async list(
    tenant: string,
    filter: { status?: CompensationStatus; caseId?: string; limit: number },
  ): Promise<CompensationSummary[]> {
    return this.index.list(tenant, filter);
  }

  private async read(compensationId: string, tx?: PoolClient): Promise<CompensationState> {
    return fold(
      compensationOrderDecider,
      await this.commands.store.readStream(compensationStream(compensationId), 0, tx),
    );
  }

  /** The budget an order draws on, locked to the end of the transaction (`null`: it draws on none). */
  private async budgetFor(
    tx: PoolClient,
    tenant: string,
    order: Pick<CompensationRequestInput, 'cause' | 'instrument' | 'source'>,
    policy: CompensationPolicy,
  ): Promise<BudgetFacts | null> {
    const incident = order.cause.kind === 'incident' || order.cause.kind === 'survey_follow_up';
    const hasFund = incident && (await this.budgets.hasIncidentFund(tx, tenant, order.cause.id));
    const scope = budgetScopeOf(order, this.commands.now(), hasFund);
    if (!scope) return null;
    const view = await this.budgets.lock(tx, tenant, scope, {
      limitMinor: policy.monthlyBudgetMinor,
      currency: policy.currency,
    });
    return { scope, availableMinor: view.availableMinor };
  }

  private async handle(
    tx: PoolClient,
    origin: CommandOrigin,
    compensationId: string,
    request: CommandRequest<CompensationCommand>,
  ): Promise<OpenCompensationState> {
    const result = await this.commands.handle(
      compensationOrderDecider,
      compensationStream(compensationId),
      origin,
      request,
      { tx },
    );
    const state = visible(result.state, origin.tenant, compensationId);
    // A duplicate append (the same request racing its first attempt, e.g. a confirmation delivered twice at once) was
    // stored, and its effects booked, by the attempt that won: booking them again would spend a budget twice.
    if (result.newEvents.length > 0 && !result.duplicate)
      await this.effects(tx, origin.tenant, state, result.newEvents, result.eventIds);
    return state;
  }

  /** What the new events move, in their transaction. */
  private async effects(
    tx: PoolClient,
    tenant: string,
    state: OpenCompensationState,
    events: readonly CompensationEvent[],
    eventIds: readonly string[],
  ): Promise<void> {
    const { terms } = state;
    const id = terms.compensationId;
    const now = this.commands.now();
    for (const [i, event] of events.entries()) {
      const entries = ledgerEntriesOf(event, state);
      if (entries.length > 0)
        await this.ledger.book(tx, tenant, {
          movementId: eventIds[i] as string,
          compensationId: id,
          cause: terms.cause,
          orderId: terms.orderId,
          instrument: terms.instrument,
          entries,
          bookedAt: now.toISOString(),
        });
      for (const effect of budgetEffectsOf(event, state)) await this.budgets.apply(tx, tenant, effect);
      const delta = moneyBackCommitmentOf(event, state);
      if (delta !== 0 && terms.orderId) await this.moneyBack.add(tx, tenant, terms.orderId, delta);
      await this.timersOf(tx, tenant, state, event, now);
    }
    await this.index.record(tx, tenant, {
      compensationId: id,
      caseId: terms.caseId,
      cause: terms.cause,
      instrument: terms.instrument,
      amount: terms.amount,
      status: state.status,
      requestedAt: terms.requestedAt,
    });
  }

  private async timersOf(
    tx: PoolClient,
    tenant: string,
    state: OpenCompensationState,
    event: CompensationEvent,
    now: Date,
  ): Promise<void> {
    const id = state.terms.compensationId;
    const expiry = (which: string, dueAt: string) =>
      scheduleTimer(tx, {
        id: `${which}:${id}`,
        tenant,
        kind: compensationTimerKinds.expiry,
        dueAt: new Date(dueAt),
        payload: { compensationId: id },
      });
    const payout = (kind: string, attempt: number, dueAt: Date) => {
      const payload: PayoutTimerPayload = { compensationId: id, attempt };
      return scheduleTimer(tx, { id: `${kind}:${id}:${attempt}`, tenant, kind, dueAt, payload });
    };
    switch (event.type) {
      case 'ApprovalRequested':
        return expiry('approval-expiry', event.data.expiresAt);
      case 'CompensationApproved':
        await cancelTimer(tx, `approval-expiry:${id}`);
        return expiry('offer-expiry', event.data.offerExpiresAt);
      case 'CompensationRejected':
        return cancelTimer(tx, `approval-expiry:${id}`);
      case 'CompensationAccepted':
      case 'CompensationRefused':
        return cancelTimer(tx, `offer-expiry:${id}`);
      case 'PayoutRequested':
        return payout(compensationTimerKinds.payoutSend, 1, now);
      case 'PayoutSent':
        return payout(
          compensationTimerKinds.payoutCheck,
          event.data.attempt,
          new Date(now.getTime() + this.config.confirmationTimeoutMs),
        );
      case 'PayoutFailed':
        if (event.data.nextAttemptAt)
          return payout(compensationTimerKinds.payoutSend, event.data.attempt + 1, new Date(event.data.nextAttemptAt));
        return;
      default:
        return;
    }
  }
}

function visible(state: CompensationState, tenant: string, compensationId: string): OpenCompensationState {
  if (state.status === 'none' || state.terms.tenant !== tenant) throw new CompensationNotFound(compensationId);
  return state;
}
