import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { StreamSession, systemOrigin, type CommandOrigin } from '@aftersales/eventstore';
import type { Bookings } from './bookings';
import {
  isPayoutAtRest,
  type ManualReviewResolution,
  type OpenCompensationState,
} from '../domain/compensation-order.decider';
import { CompensationRuleBroken } from '../domain/compensation-order.errors';
import { COMPENSATION_CONFIG, type CompensationConfig } from './compensation.config';
import {
  PAYMENT_PROVIDER,
  type PaymentProvider,
  type PayoutInstruction,
  type ProviderPayoutStatus,
  type ProviderSendResult,
} from './compensation.ports';
import { CompensationService, type PayoutTimerPayload } from './compensation.service';

/** A payout the provider has not settled yet: the check is tried again later (the timer's backoff). */
export class PayoutNotSettled extends Error {
  constructor(compensationId: string, status: ProviderPayoutStatus['status']) {
    super(`Payout of ${compensationId} is still ${status} at the provider`);
  }
}

/** What one send to the provider came to: the provider's reference for the payout, or why the attempt failed. */
export type SendOutcome = ProviderSendResult;

/** A payout attempt that fell due (a `payout-send` timer) and the origin of what it records. */
export interface DueSend {
  readonly origin: CommandOrigin;
  readonly payload: PayoutTimerPayload;
}

/**
 * The one order in which transactions that lock several orders' streams take them (timer batches, report batches):
 * taken in one order, their locks can never form a cycle (a deadlock).
 */
export const compareCompensationIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The key of an attempt's outcome in {@link Payouts.sendAll}'s answer. */
export const attemptKey = ({ compensationId, attempt }: PayoutTimerPayload) => `${compensationId}#${attempt}`;

/** A confirmation or failure the provider reported (its webhook, or its answer to a reconciliation). */
export type ProviderReport =
  | {
      readonly status: 'confirmed';
      readonly providerReference: string;
      readonly paymentChannel: string;
      readonly confirmedAt: string;
    }
  | { readonly status: 'failed'; readonly providerReference: string; readonly error: string };

/**
 * Payouts through the payment-provider port: requested → sent → confirmed, or failed → retried with backoff → manual
 * review after `payoutMaxAttempts`. Every send of an order uses the same Idempotency-Key (its payout key), so a crash
 * between sending and recording, a timeout, or a retry never pays twice: the provider answers the payout it has.
 */
@Injectable()
export class Payouts {
  constructor(
    @Inject(CompensationService) private readonly compensations: CompensationService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(COMPENSATION_CONFIG) private readonly config: CompensationConfig,
  ) {}

  /**
   * The attempts due in one timer transaction, sent together: their orders read in one query (into `session`), every
   * attempt still due sent to the provider at once — in batches of payouts (ADR 42), each under its own payout key —
   * and waited for together.
   * Nothing is recorded here: each attempt's timer records its outcome ({@link send}) in its own savepoint. Answers
   * the outcomes by {@link attemptKey}; an attempt no longer due (paid, or another attempt now) has none.
   */
  async sendAll(due: readonly DueSend[], tx: PoolClient, session: StreamSession): Promise<Map<string, SendOutcome>> {
    await this.compensations.preload(
      due.map((d) => d.payload.compensationId),
      tx,
      session,
    );
    const keys: string[] = [];
    const instructions: PayoutInstruction[] = [];
    for (const { origin, payload } of due) {
      const state = await this.compensations.get(origin.tenant, payload.compensationId, tx, session).catch(() => null);
      if (!state || !attemptDue(state, payload.attempt)) continue;
      keys.push(attemptKey(payload));
      instructions.push(instructionOf(origin.tenant, state));
    }
    const outcomes = new Map<string, SendOutcome>();
    if (instructions.length === 0) return outcomes;
    const results = await this.provider.sendMany(instructions);
    keys.forEach((key, i) => outcomes.set(key, results[i] ?? { error: 'the provider answered no result' }));
    return outcomes;
  }

  /**
   * One attempt (timer `payout-send`): send, then record it sent, or failed. `sent`: its outcome when
   * {@link sendAll} sent it already (with the transaction's `session`, which read the order); `bookings`: where the
   * timer's transaction gathers what it moves (see {@link CompensationService.execute}).
   */
  async send(
    origin: CommandOrigin,
    { compensationId, attempt }: PayoutTimerPayload,
    tx: PoolClient,
    session = new StreamSession(),
    sent?: SendOutcome,
    bookings?: Bookings,
  ): Promise<void> {
    const state = await this.compensations.get(origin.tenant, compensationId, tx, session);
    if (!attemptDue(state, attempt)) return;
    const outcome = sent ?? (await this.call(origin.tenant, state));
    if ('error' in outcome) {
      await this.failed(origin, state, attempt, outcome.error, tx, session, bookings);
      return;
    }
    await this.compensations.execute(
      origin,
      compensationId,
      { type: 'RecordPayoutSent', data: { attempt, providerReference: outcome.providerReference } },
      tx,
      session,
      bookings,
    );
  }

  /** The provider asked to pay the order's payout (idempotent by its key); a failure is the attempt's outcome. */
  private async call(tenant: string, state: OpenCompensationState): Promise<SendOutcome> {
    try {
      const { providerReference } = await this.provider.send(instructionOf(tenant, state));
      return { providerReference };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /**
   * No confirmation since the send (timer `payout-check`): reconcile by the payout key. Confirmed or failed at the
   * provider → recorded; unknown there (the send never arrived) → sent again under the same key; pending → later.
   */
  async check(
    origin: CommandOrigin,
    { compensationId, attempt }: PayoutTimerPayload,
    tx: PoolClient,
    session = new StreamSession(),
    bookings?: Bookings,
  ): Promise<void> {
    const state = await this.compensations.get(origin.tenant, compensationId, tx, session);
    const payout = state.payout;
    if (!payout || payout.status !== 'sent' || payout.attempts !== attempt) return;
    const found = await this.provider.status(payout.payoutKey);
    if (found.status === 'confirmed' || found.status === 'failed') {
      await this.report(origin, state, found, tx, session, bookings);
      return;
    }
    if (found.status === 'unknown')
      await this.provider.send({
        payoutKey: payout.payoutKey,
        tenant: origin.tenant,
        compensationId,
        amount: state.terms.amount,
      });
    throw new PayoutNotSettled(compensationId, found.status);
  }

  /**
   * A person resolves a payout in manual review (retry under a new key, paid by other means, abandoned). The provider is
   * asked first by the current key: only a payout it reports failed, or never received, is resolved by hand; one it
   * confirmed is recorded as paid (409 `PAID_BY_PROVIDER`), one it still processes must be waited for (409).
   */
  async resolveManualReview(
    origin: CommandOrigin,
    compensationId: string,
    input: { resolution: ManualReviewResolution; note: string; externalReference: string | null },
  ): Promise<OpenCompensationState> {
    const state = await this.compensations.get(origin.tenant, compensationId);
    if (state.status === 'manual_review' && state.payout) {
      const found = await this.provider.status(state.payout.payoutKey).catch(() => {
        throw new CompensationRuleBroken(
          'PROVIDER_UNREACHABLE',
          'The payment provider could not be asked about this payout: try again',
          'A manual review is resolved only once the provider says the payout failed or never arrived',
        );
      });
      if (found.status === 'confirmed') {
        await this.compensations.transaction((tx) => this.report(origin, state, found, tx));
        throw new CompensationRuleBroken(
          'PAID_BY_PROVIDER',
          'The provider confirmed this payout meanwhile: it is recorded as paid',
          'One cause and instrument is never paid twice',
        );
      }
      if (found.status === 'pending')
        throw new CompensationRuleBroken(
          'PROVIDER_PENDING',
          'The provider is still processing this payout: wait for its answer',
          'One cause and instrument is never paid twice',
        );
    }
    return this.compensations.execute(origin, compensationId, { type: 'ResolveManualReview', data: input });
  }

  /**
   * What the provider reported about an order's payout (`session`: the transaction's, when it read the order;
   * `bookings`: where a batch gathers what it moves, see {@link CompensationService.execute}).
   */
  async report(
    origin: CommandOrigin,
    state: OpenCompensationState,
    report: ProviderReport,
    tx: PoolClient,
    session?: StreamSession,
    bookings?: Bookings,
  ): Promise<void> {
    const id = state.terms.compensationId;
    if (report.status === 'confirmed') {
      const { providerReference, paymentChannel, confirmedAt } = report;
      await this.compensations.execute(
        origin,
        id,
        { type: 'RecordPayoutConfirmed', data: { providerReference, paymentChannel, confirmedAt } },
        tx,
        session,
        bookings,
      );
      return;
    }
    await this.failed(origin, state, Math.max(1, state.payout?.attempts ?? 1), report.error, tx, session, bookings);
  }

  private async failed(
    origin: CommandOrigin,
    state: OpenCompensationState,
    attempt: number,
    error: string,
    tx: PoolClient,
    session?: StreamSession,
    bookings?: Bookings,
  ) {
    const data = {
      attempt,
      error: error.slice(0, 500),
      maxAttempts: this.config.payoutMaxAttempts,
      retryBaseMs: this.config.payoutRetryBaseMs,
    };
    await this.compensations.execute(
      origin,
      state.terms.compensationId,
      { type: 'RecordPayoutFailed', data },
      tx,
      session,
      bookings,
    );
  }
}

/** What the provider is asked to pay for an order whose payout is due. */
const instructionOf = (tenant: string, state: OpenCompensationState): PayoutInstruction => ({
  payoutKey: state.payout!.payoutKey,
  tenant,
  compensationId: state.terms.compensationId,
  amount: state.terms.amount,
});

/** The order's payout waits for this attempt to be sent (not settled, not another attempt). */
const attemptDue = (state: OpenCompensationState, attempt: number): boolean =>
  !!state.payout && !isPayoutAtRest(state.payout) && state.payout.attempts + 1 === attempt;

/** The actor of what payouts record: the payment provider's reports and the service's own attempts. */
export const PAYOUTS_ACTOR = 'compensation.payouts';

export const payoutOrigin = (tenant: string, correlationId: string, idempotencyKey?: string) =>
  systemOrigin(PAYOUTS_ACTOR, { tenant, correlationId }, idempotencyKey);
