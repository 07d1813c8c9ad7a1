import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import {
  Commands,
  cancelTimers,
  fold,
  inTransaction,
  scheduleTimers,
  StreamSession,
  traceMetadata,
  TransactionBatcher,
  type CommandOrigin,
  type Timer,
  type CommandRequest,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import {
  budgetScopeOf,
  compensationOrderDecider,
  requestedAmountOf,
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
  type LedgerMovement,
  type MoneyBackRegister,
} from './compensation.ports';
import { CompensationPoliciesService } from './compensation-policies.service';
import { Bookings } from './bookings';
import { budgetKeyOf, HeldBudgets } from './held-budgets';

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

/** Requests decided per transaction at most, when they come together (group commit; see `CompensationService.request`). */
const REQUESTS_PER_TRANSACTION = 50;

interface Requested {
  readonly origin: CommandOrigin;
  readonly input: CompensationRequestInput;
}

/** What the requests of one transaction share: their orders, the tenants' policies, what they lock and what they move. */
interface RequestBatch {
  readonly session: StreamSession;
  readonly bookings: Bookings;
  readonly policies: Map<string, CompensationPolicy>;
  /** The incidents of the batch's causes that have an emergency fund (`tenant \0 incident id`). */
  readonly funds: Set<string>;
  /** Money back committed per order (`tenant \0 order id`), row-locked: as stored plus what the batch committed. */
  readonly moneyBack: Map<string, number>;
  readonly budgets: HeldBudgets;
}

const orderKey = (tenant: string, orderId: string) => `${tenant}\u0000${orderId}`;
const drawsOnFund = (input: Pick<CompensationRequestInput, 'cause'>) =>
  input.cause.kind === 'incident' || input.cause.kind === 'survey_follow_up';
const movesMoneyBack = (input: Pick<CompensationRequestInput, 'instrument' | 'orderId'>) =>
  MoneyBackInstruments.includes(input.instrument) && input.orderId !== null;

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
  /** Requests made at the same time (`POST /compensations`), decided together and written in one transaction. */
  private readonly requests: TransactionBatcher<Requested, OpenCompensationState, RequestBatch>;

  constructor(
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(CompensationPoliciesService) private readonly policies: CompensationPoliciesService,
    @Inject(BUDGET_BOOK) private readonly budgets: BudgetBook,
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(MONEY_BACK_REGISTER) private readonly moneyBack: MoneyBackRegister,
    @Inject(COMPENSATION_INDEX) private readonly index: CompensationIndex,
    @Inject(COMPENSATION_CONFIG) private readonly config: CompensationConfig,
  ) {
    this.requests = new TransactionBatcher<Requested, OpenCompensationState, RequestBatch>({
      pool: database.pool,
      maxItems: REQUESTS_PER_TRANSACTION,
      // Two at a time: one decides while the other commits. Each holds its own budget slices (`SKIP LOCKED`), and
      // locks its orders' streams (new ones) in id order at its append.
      concurrency: 2,
      order: (a, b) =>
        a.input.compensationId < b.input.compensationId ? -1 : a.input.compensationId > b.input.compensationId ? 1 : 0,
      prepare: (items, tx) => this.prepareRequests(items, tx),
      run: (item, tx, batch) => this.decideRequest(item, tx, batch),
      // A request decides and gathers (its only write: a budget rebalance, valid whatever becomes of the request);
      // `finish` writes every request's events and bookings at once.
      itemsOnlyRead: true,
      finish: (tx, batch) => this.writeBatch(tx, batch.session, batch.bookings),
    });
  }

  /**
   * Requests a compensation (once per cause and instrument: the same request again changes nothing). In the caller's
   * transaction when given (an inbox transaction); otherwise requests made at the same time share a transaction (group
   * commit, ADR 25): their orders read in one query, the tenants' policies once, each decided in memory drawing on the
   * budget slices the transaction holds, their events appended in one statement and what they move booked once per
   * kind. Each is answered once its transaction committed; a refused request fails alone.
   */
  async request(
    origin: CommandOrigin,
    input: CompensationRequestInput,
    tx?: PoolClient,
  ): Promise<OpenCompensationState> {
    if (!tx) return this.requests.submit({ origin, input });
    const run = async (client: PoolClient) => {
      const policy = await this.policies.forTenant(origin.tenant, client);
      const moneyBack = MoneyBackInstruments.includes(input.instrument) && input.orderId !== null;
      const committed =
        moneyBack && input.orderId ? await this.moneyBack.lock(client, origin.tenant, input.orderId) : 0;
      const undecided = {
        ...input,
        facts: { ...input.facts, moneyBackCommittedMinor: committed },
        policy,
      };
      const want = requestedAmountOf(undecided).amountMinor;
      const data: RequestCompensation['data'] = {
        ...undecided,
        budget: await this.budgetFor(client, origin.tenant, input, policy, want),
      };
      // Almost every request starts its order: decided on an empty stream without reading it (a stream that exists
      // after all is read and decided again).
      return this.handle(client, origin, input.compensationId, { type: 'RequestCompensation', data }, true);
    };
    return run(tx);
  }

  /**
   * Once per batch of requests: their orders read in one query, each tenant's policy, the incident funds their causes
   * may draw on, and the money back committed on their orders (row-locked, in order).
   */
  private async prepareRequests(items: readonly Requested[], tx: PoolClient): Promise<RequestBatch> {
    const batch: RequestBatch = {
      session: new StreamSession({ deferAppends: true }),
      bookings: new Bookings(),
      policies: new Map(),
      funds: new Set(),
      moneyBack: new Map(),
      budgets: new HeldBudgets(),
    };
    await this.preload(
      items.map((i) => i.input.compensationId),
      tx,
      batch.session,
    );
    for (const tenant of new Set(items.map((i) => i.origin.tenant)))
      batch.policies.set(tenant, await this.policies.forTenant(tenant, tx));
    const incidents = new Map<string, { tenant: string; incidentId: string }>();
    const orders = new Map<string, { tenant: string; orderId: string }>();
    for (const { origin, input } of items) {
      if (drawsOnFund(input))
        incidents.set(orderKey(origin.tenant, input.cause.id), { tenant: origin.tenant, incidentId: input.cause.id });
      if (movesMoneyBack(input) && input.orderId)
        orders.set(orderKey(origin.tenant, input.orderId), { tenant: origin.tenant, orderId: input.orderId });
    }
    for (const [key, { tenant, incidentId }] of incidents)
      if (await this.budgets.hasIncidentFund(tx, tenant, incidentId)) batch.funds.add(key);
    for (const key of [...orders.keys()].sort()) {
      const { tenant, orderId } = orders.get(key)!;
      batch.moneyBack.set(key, await this.moneyBack.lock(tx, tenant, orderId));
    }
    return batch;
  }

  /**
   * One request of a batch: decided on the batch's read of its order, drawing on a budget slice the batch holds (a
   * new one asked for only when none has room); what it decided is kept apart until it succeeded, then added to the
   * batch's. A refusal drops it: nothing of it was written.
   */
  private async decideRequest({ origin, input }: Requested, tx: PoolClient, batch: RequestBatch) {
    const policy = batch.policies.get(origin.tenant) as CompensationPolicy;
    const moneyBackKey = movesMoneyBack(input) && input.orderId ? orderKey(origin.tenant, input.orderId) : null;
    const undecided = {
      ...input,
      facts: { ...input.facts, moneyBackCommittedMinor: moneyBackKey ? (batch.moneyBack.get(moneyBackKey) ?? 0) : 0 },
      policy,
    };
    const want = requestedAmountOf(undecided).amountMinor;
    const before = batch.session.savepoint();
    const mine = new Bookings();
    let state: OpenCompensationState;
    try {
      const known = await this.read(input.compensationId, tx, batch.session);
      // A request repeated for an order that exists decides nothing with a budget: none is held for it.
      const budget =
        known.status === 'none' ? await this.heldBudgetFor(tx, batch, origin.tenant, input, policy, want) : null;
      const data: RequestCompensation['data'] = { ...undecided, budget };
      state = await this.handle(
        tx,
        origin,
        input.compensationId,
        { type: 'RequestCompensation', data },
        false,
        batch.session,
        mine,
      );
    } catch (error) {
      // What it decided is dropped: the events it deferred, and the session's view of the order.
      batch.session.rollbackTo(before);
      batch.session.forget(compensationStream(input.compensationId));
      throw error;
    }
    batch.bookings.add(mine);
    batch.budgets.drawn(mine.budget);
    for (const { tenant, orderId, deltaMinor } of mine.moneyBack) {
      const key = orderKey(tenant, orderId);
      batch.moneyBack.set(key, (batch.moneyBack.get(key) ?? 0) + deltaMinor);
    }
    return state;
  }

  /**
   * {@link budgetFor} in a batch: a slice the batch holds when one has room for the order, else one more from the
   * book (told what the batch reserved on the slices it holds).
   */
  private async heldBudgetFor(
    tx: PoolClient,
    batch: RequestBatch,
    tenant: string,
    order: CompensationRequestInput,
    policy: CompensationPolicy,
    wantMinor: number,
  ): Promise<BudgetFacts | null> {
    const hasFund = drawsOnFund(order) && batch.funds.has(orderKey(tenant, order.cause.id));
    const scope = budgetScopeOf(order, this.commands.now(), hasFund);
    if (!scope) return null;
    if (wantMinor <= 0) return { scope, availableMinor: 0 };
    const key = budgetKeyOf(tenant, scope);
    const fitting = batch.budgets.fitting(key, wantMinor);
    if (fitting) return { scope, ...fitting };
    const monthLimit =
      scope.kind === 'month' ? { limitMinor: policy.monthlyBudgetMinor, currency: policy.currency } : null;
    const held = await this.budgets.hold(tx, tenant, scope, monthLimit, wantMinor, batch.budgets.pending(key));
    batch.budgets.held(key, held.rooms);
    return { scope, availableMinor: held.availableMinor, slice: held.slice };
  }

  /**
   * Runs one step of an order (the caller's transaction when given: an inbox or timer transaction). `session` is the
   * caller's transaction's {@link StreamSession} when it read the order already: the step decides on that read.
   * `bookings`: what the step moves is gathered there for the caller to {@link book} (a batch books once), instead of
   * written now.
   */
  async execute(
    origin: CommandOrigin,
    compensationId: string,
    step: CompensationStep,
    tx?: PoolClient,
    session?: StreamSession,
    bookings?: Bookings,
  ): Promise<OpenCompensationState> {
    const run = async (client: PoolClient) => {
      // The order is read once: for the tenant check here and for the decision.
      const streams = session ?? new StreamSession();
      const state = visible(await this.read(compensationId, client, streams), origin.tenant, compensationId);
      let request = step as CommandRequest<CompensationCommand>;
      if (step.type === 'ApproveCompensation') {
        const policy = await this.policies.forTenant(origin.tenant, client);
        const budget = await this.budgetFor(client, origin.tenant, state.terms, policy, state.terms.amount.amountMinor);
        request = { type: 'ApproveCompensation', data: { budget } };
      }
      return this.handle(client, origin, compensationId, request, false, streams, bookings);
    };
    return tx ? run(tx) : inTransaction(this.database.pool, run);
  }

  /** Runs `fn` in one transaction of the service's database (retried when it loses a race). */
  transaction<T>(fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.database.pool, fn);
  }

  /** Reads the orders of a batch in one query into `session` (their steps then decide on that read). */
  async preload(compensationIds: readonly string[], tx: PoolClient, session: StreamSession): Promise<void> {
    await session.preload(this.commands.store, compensationIds.map(compensationStream), compensationOrderDecider, tx);
  }

  /**
   * Locks the orders' streams to the end of `tx` (one round trip); those another transaction changed since `session`
   * read them (a confirmation recorded meanwhile) are read again when next asked for.
   */
  async lock(compensationIds: readonly string[], tx: PoolClient, session: StreamSession): Promise<void> {
    await session.lock(this.commands.store, compensationIds.map(compensationStream), tx);
  }

  /**
   * Writes what commands gathered ({@link Bookings}): each kind in one statement. The budget slices are written in one
   * statement, so a batch holds their locks only from here to its commit.
   */
  async book(tx: PoolClient, bookings: Bookings): Promise<void> {
    if (bookings.budget.length > 0) await this.budgets.applyAll(tx, bookings.budget);
    for (const { tenant, orderId, deltaMinor } of bookings.moneyBack)
      await this.moneyBack.add(tx, tenant, orderId, deltaMinor);
    const byTenant = new Map<string, LedgerMovement[]>();
    for (const { tenant, movement } of bookings.movements)
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), movement]);
    for (const [tenant, movements] of byTenant) await this.ledger.book(tx, tenant, movements);
    const schedule: Timer[] = [];
    const cancel: string[] = [];
    for (const [timerId, plan] of bookings.timers)
      if (plan === 'cancel') cancel.push(timerId);
      else schedule.push(plan);
    await cancelTimers(tx, cancel);
    await scheduleTimers(tx, schedule);
    if (bookings.orders.size > 0) await this.index.recordAll(tx, [...bookings.orders.values()]);
  }

  /**
   * Writes what a batch of commands left for its end, just before its commit: their events (a session that defers its
   * appends) in one round trip, then what they move ({@link book}).
   */
  async writeBatch(tx: PoolClient, session: StreamSession, bookings: Bookings): Promise<void> {
    await session.flush(this.commands.store, tx);
    await this.book(tx, bookings);
  }

  async get(
    tenant: string,
    compensationId: string,
    tx?: PoolClient,
    session?: StreamSession,
  ): Promise<OpenCompensationState> {
    return visible(await this.read(compensationId, tx, session), tenant, compensationId);
  }

  /** The order whatever its tenant (the provider's webhook and the timers know the id, not always the tenant). */
  async find(compensationId: string, tx?: PoolClient, session?: StreamSession): Promise<OpenCompensationState | null> {
    const state = await this.read(compensationId, tx, session);
    return state.status === 'none' ? null : state;
  }

  async list(
    tenant: string,
    filter: { status?: CompensationStatus; caseId?: string; limit: number },
  ): Promise<CompensationSummary[]> {
    return this.index.list(tenant, filter);
  }

  private async read(compensationId: string, tx?: PoolClient, session?: StreamSession): Promise<CompensationState> {
    const stream = compensationStream(compensationId);
    if (session) return (await session.load(this.commands.store, stream, compensationOrderDecider, tx)).state;
    return fold(compensationOrderDecider, await this.commands.store.readStream(stream, 0, tx));
  }

  /**
   * The budget an order draws on (`null`: it draws on none): a slice of it that covers `wantMinor` whenever the budget
   * can, locked to the end of the transaction (ADR 17). Nothing to reserve, nothing is locked.
   */
  private async budgetFor(
    tx: PoolClient,
    tenant: string,
    order: Pick<CompensationRequestInput, 'cause' | 'instrument' | 'source'>,
    policy: CompensationPolicy,
    wantMinor: number,
  ): Promise<BudgetFacts | null> {
    const incident = order.cause.kind === 'incident' || order.cause.kind === 'survey_follow_up';
    const hasFund = incident && (await this.budgets.hasIncidentFund(tx, tenant, order.cause.id));
    const scope = budgetScopeOf(order, this.commands.now(), hasFund);
    if (!scope) return null;
    if (wantMinor <= 0) return { scope, availableMinor: 0 };
    const monthLimit =
      scope.kind === 'month' ? { limitMinor: policy.monthlyBudgetMinor, currency: policy.currency } : null;
    const held = await this.budgets.hold(tx, tenant, scope, monthLimit, wantMinor);
    return { scope, availableMinor: held.availableMinor, slice: held.slice };
  }

  private async handle(
    tx: PoolClient,
    origin: CommandOrigin,
    compensationId: string,
    request: CommandRequest<CompensationCommand>,
    expectNewStream = false,
    session?: StreamSession,
    bookings?: Bookings,
  ): Promise<OpenCompensationState> {
    const result = await this.commands.handle(
      compensationOrderDecider,
      compensationStream(compensationId),
      origin,
      request,
      { tx, expectNewStream, ...(session ? { session } : {}) },
    );
    const state = visible(result.state, origin.tenant, compensationId);
    // A duplicate append (the same request racing its first attempt, e.g. a confirmation delivered twice at once) was
    // stored, and its effects booked, by the attempt that won: booking them again would spend a budget twice.
    if (result.newEvents.length > 0 && !result.duplicate) {
      const gathered = bookings ?? new Bookings();
      this.effects(gathered, origin.tenant, state, result.newEvents, result.eventIds);
      if (!bookings) await this.book(tx, gathered);
    }
    return state;
  }

  /** What the new events move, gathered in `bookings`. */
  private effects(
    bookings: Bookings,
    tenant: string,
    state: OpenCompensationState,
    events: readonly CompensationEvent[],
    eventIds: readonly string[],
  ): void {
    const { terms } = state;
    const id = terms.compensationId;
    const now = this.commands.now();
    for (const [i, event] of events.entries()) {
      const entries = ledgerEntriesOf(event, state);
      if (entries.length > 0)
        bookings.movements.push({
          tenant,
          movement: {
            movementId: eventIds[i] as string,
            compensationId: id,
            cause: terms.cause,
            orderId: terms.orderId,
            instrument: terms.instrument,
            entries,
            bookedAt: now.toISOString(),
          },
        });
      for (const effect of budgetEffectsOf(event, state)) bookings.budget.push({ tenant, effect });
      const delta = moneyBackCommitmentOf(event, state);
      if (delta !== 0 && terms.orderId) bookings.moneyBack.push({ tenant, orderId: terms.orderId, deltaMinor: delta });
    }
    this.timersOf(bookings, tenant, state, events, now);
    // The list shows the status: events that never change it (an attempt sent or failed, an answer repeated) leave it.
    if (events.every((e) => STATUS_KEEPING.has(e.type))) return;
    const key = `${tenant}\u0000${id}`;
    bookings.orders.delete(key);
    bookings.orders.set(key, {
      tenant,
      summary: {
        compensationId: id,
        caseId: terms.caseId,
        cause: terms.cause,
        instrument: terms.instrument,
        amount: terms.amount,
        status: state.status,
        requestedAt: terms.requestedAt,
      },
    });
  }

  /**
   * The durable timers the events ask for, as one plan: a timer scheduled and cancelled by the same events (an offer
   * accepted as it is made) is never written, and a batch that starts the order cancels nothing (no timer of it
   * exists yet).
   */
  private timersOf(
    bookings: Bookings,
    tenant: string,
    state: OpenCompensationState,
    events: readonly CompensationEvent[],
    now: Date,
  ): void {
    const id = state.terms.compensationId;
    const plan = new Map<string, Timer | 'cancel'>();
    // Written later (with the batch's other timers): each continues the trace of the command that planned it.
    const metadata = traceMetadata();
    const fresh = events[0]?.type === 'CompensationRequested';
    const schedule = (timer: Timer) => plan.set(timer.id, { ...timer, metadata });
    const cancel = (timerId: string) => {
      if (plan.has(timerId) || fresh) plan.delete(timerId);
      else plan.set(timerId, 'cancel');
    };
    const expiry = (which: string, dueAt: string) =>
      schedule({
        id: `${which}:${id}`,
        tenant,
        kind: compensationTimerKinds.expiry,
        dueAt: new Date(dueAt),
        payload: { compensationId: id },
      });
    const payout = (kind: string, attempt: number, dueAt: Date) => {
      const payload: PayoutTimerPayload = { compensationId: id, attempt };
      schedule({ id: `${kind}:${id}:${attempt}`, tenant, kind, dueAt, payload });
    };
    for (const event of events)
      switch (event.type) {
        case 'ApprovalRequested':
          expiry('approval-expiry', event.data.expiresAt);
          break;
        case 'CompensationApproved':
          cancel(`approval-expiry:${id}`);
          expiry('offer-expiry', event.data.offerExpiresAt);
          break;
        case 'CompensationRejected':
          cancel(`approval-expiry:${id}`);
          break;
        case 'CompensationAccepted':
        case 'CompensationRefused':
          cancel(`offer-expiry:${id}`);
          break;
        case 'PayoutRequested':
          payout(compensationTimerKinds.payoutSend, 1, now);
          break;
        case 'PayoutSent':
          payout(
            compensationTimerKinds.payoutCheck,
            event.data.attempt,
            new Date(now.getTime() + this.config.confirmationTimeoutMs),
          );
          break;
        case 'PayoutFailed':
          if (event.data.nextAttemptAt)
            payout(compensationTimerKinds.payoutSend, event.data.attempt + 1, new Date(event.data.nextAttemptAt));
          break;
        case 'PayoutRetried':
          payout(compensationTimerKinds.payoutSend, event.data.attempt, now);
          break;
        case 'PayoutConfirmed':
          // Settled: the reconciliation waiting for the last attempt's confirmation has nothing left to ask.
          if (state.payout && state.payout.attempts > 0)
            cancel(`${compensationTimerKinds.payoutCheck}:${id}:${state.payout.attempts}`);
          break;
        default:
          break;
      }
    for (const [timerId, op] of plan) {
      bookings.timers.delete(timerId);
      bookings.timers.set(timerId, op);
    }
  }
}

const STATUS_KEEPING: ReadonlySet<CompensationEvent['type']> = new Set([
  'PayoutSent',
  'PayoutFailed',
  'CompensationAnswerRepeated',
]);

function visible(state: CompensationState, tenant: string, compensationId: string): OpenCompensationState {
  if (state.status === 'none' || state.terms.tenant !== tenant) throw new CompensationNotFound(compensationId);
  return state;
}
