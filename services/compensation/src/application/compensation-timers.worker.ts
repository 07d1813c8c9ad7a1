import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import {
  StreamSession,
  timerOrigin,
  type PreparedTimers,
  type ServiceDatabase,
  type Timer,
  type TimerBatch,
} from '@aftersales/eventstore';
import type { Logger } from '@aftersales/observability';
import { DurableTimerWorker, type Clock } from '@aftersales/service-runtime';
import { Bookings } from './bookings';
import type { CompensationConfig } from './compensation.config';
import {
  compensationStream,
  compensationTimerKinds,
  type CompensationService,
  type PayoutTimerPayload,
} from './compensation.service';
import { attemptKey, compareCompensationIds, type Payouts, type SendOutcome } from './payouts';

/** The actor of what the timers decide: the platform's rules. */
export const COMPENSATION_TIMER = { id: 'system:compensation.timers', roles: ['system'] } as const;

/** The payload of the service's timers (each names its order; a send or a check also its attempt). */
const payloadOf = (timer: Timer) => timer.payload as PayoutTimerPayload;
const orderOf = (timer: Timer) => (timer.payload as Partial<PayoutTimerPayload>).compensationId ?? '';
/** By order, as the provider's reports are recorded ({@link compareCompensationIds}), then by timer. */
const byOrder = (a: Timer, b: Timer) =>
  compareCompensationIds(orderOf(a), orderOf(b)) || compareCompensationIds(a.id, b.id);

/**
 * What the timers of one transaction share: the orders they read, what they move (booked together by
 * {@link CompensationTimers.finish}), and the outcomes of the attempts sent together.
 */
const SESSION = 'compensation-orders';
const SENT = 'payout-attempts-sent';

interface TimersWrites {
  readonly session: StreamSession;
  readonly bookings: Bookings;
}

/**
 * Fires the service's durable timers, once across replicas and restarts: expiries of pending approvals and unanswered
 * offers (the budget reserved is released), payout attempts and reconciliations. A transaction claims up to
 * `timersPerTransaction` due timers and reads their orders in one query. The payout attempts among them are sent to
 * the provider side by side ({@link Payouts.sendAll}) and recorded set-based ({@link prepare}): their orders are
 * locked once the provider answered (a confirmation recorded meanwhile is read again, and one arriving now waits for
 * this commit and is decided again), each outcome is decided in memory, and a decision that fails drops only its
 * own share and is retried with exponential backoff. The other timers fire one by one, each in its savepoint. What
 * they all decided is written once just before the commit ({@link finish}): their events in one append, then what
 * they move (the reconciliation timers, ledger, budgets, orders list), one statement per kind.
 */
export class CompensationTimers extends DurableTimerWorker {
  constructor(
    database: ServiceDatabase,
    private readonly compensations: CompensationService,
    private readonly payouts: Payouts,
    clock: Clock,
    config: CompensationConfig,
    logger: Logger,
  ) {
    super({
      name: 'compensation timers',
      database,
      connections: 'own',
      loops: config.timerLoops,
      perTransaction: config.timersPerTransaction,
      // A timer transaction and a reports transaction lock the streams they share in one order: never a deadlock.
      order: byOrder,
      pollMs: config.timerPollMs,
      retry: { baseMs: config.timerRetryBaseMs, maxMs: config.timerRetryMaxMs },
      clock,
      logger,
    });
  }

  /**
   * The payout attempts among the claimed timers, sent side by side and recorded set-based: the orders of all the
   * timers read in one query, the attempts sent to the provider at once, then the orders locked (after the provider
   * answered, so no lock waits on it; an order a confirmation changed meanwhile is read again) and each attempt's
   * outcome decided in memory. Their events are appended together by {@link finish}; an attempt whose decision
   * fails drops what it decided and is retried with backoff. The other timers fire one by one ({@link fire}).
   */
  protected override async prepare(
    timers: readonly Timer[],
    tx: PoolClient,
    batch: TimerBatch,
  ): Promise<PreparedTimers | void> {
    const writes = await this.writesOf(batch);
    const { session } = writes;
    const orders = timers.flatMap((t) => (t.payload as Partial<PayoutTimerPayload>).compensationId ?? []);
    const sends = timers.filter((t) => t.kind === compensationTimerKinds.payoutSend);
    await this.compensations.preload(orders, tx, session);
    if (sends.length === 0) return;
    const due = sends.map((t) => ({ timer: t, origin: timerOrigin(t, COMPENSATION_TIMER), payload: payloadOf(t) }));
    const sent = await this.payouts.sendAll(due, tx, session);
    await batch.once(SENT, () => Promise.resolve(sent));
    // Locking adds nothing to decide: when it fails, the scheduler rolls back to its savepoint and fires them one by one.
    await this.compensations.lock(orders, tx, session);
    const fired = new Set<string>();
    const failed = new Map<string, unknown>();
    for (const { timer, origin, payload } of due) {
      try {
        await this.decided(writes, payload.compensationId, (mine) =>
          this.payouts.send(origin, payload, tx, session, sent.get(attemptKey(payload)), mine),
        );
        fired.add(timer.id);
      } catch (error) {
        failed.set(timer.id, error);
      }
    }
    return { fired, failed };
  }

  protected async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
    const writes = await this.writesOf(batch);
    const payload = payloadOf(timer);
    await this.decided(writes, payload.compensationId, (mine) =>
      this.fireWith(timer, payload, tx, writes.session, batch, mine),
    );
  }

  /**
   * One timer's decision on the transaction's session: what it moves is gathered apart and kept only when it
   * succeeded; a failure drops what it decided (its deferred events, the session's view of its order) and is thrown.
   */
  private async decided(
    writes: TimersWrites,
    compensationId: string,
    decide: (bookings: Bookings) => Promise<void>,
  ): Promise<void> {
    const before = writes.session.savepoint();
    const mine = new Bookings();
    try {
      await decide(mine);
    } catch (error) {
      writes.session.rollbackTo(before);
      writes.session.forget(compensationStream(compensationId));
      throw error;
    }
    writes.bookings.add(mine);
  }

  /** What the fired timers decided, before the commit: their events in one append, then what they move. */
  protected override async finish(tx: PoolClient, batch: TimerBatch): Promise<void> {
    const { session, bookings } = await this.writesOf(batch);
    await this.compensations.writeBatch(tx, session, bookings);
  }

  private writesOf(batch: TimerBatch): Promise<TimersWrites> {
    return batch.once(SESSION, () =>
      Promise.resolve({ session: new StreamSession({ deferAppends: true }), bookings: new Bookings() }),
    );
  }

  private async fireWith(
    timer: Timer,
    payload: PayoutTimerPayload,
    tx: PoolClient,
    session: StreamSession,
    batch: TimerBatch,
    bookings: Bookings,
  ): Promise<void> {
    const origin = timerOrigin(timer, COMPENSATION_TIMER);
    switch (timer.kind) {
      case compensationTimerKinds.expiry:
        try {
          await this.compensations.execute(
            origin,
            payload.compensationId,
            { type: 'ExpireCompensation', data: {} },
            tx,
            session,
            bookings,
          );
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          this.logger.info({ timerId: timer.id, code: error.code }, 'compensation expiry: nothing to do');
        }
        return;
      case compensationTimerKinds.payoutSend: {
        // Sent by `prepare` with the others of this transaction; on its own (or when `prepare` failed) sent now.
        const sent = await batch.once(SENT, () => Promise.resolve(new Map<string, SendOutcome>()));
        return this.payouts.send(origin, payload, tx, session, sent.get(attemptKey(payload)), bookings);
      }
      case compensationTimerKinds.payoutCheck:
        return this.payouts.check(origin, payload, tx, session, bookings);
      default:
        this.logger.warn({ timerId: timer.id, kind: timer.kind }, 'timer of an unknown kind dropped');
    }
  }
}
