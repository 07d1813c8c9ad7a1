import type { PoolClient } from 'pg';
import { DomainError } from '@aftersales/domain';
import { StreamSession, timerOrigin, type ServiceDatabase, type Timer, type TimerBatch } from '@aftersales/eventstore';
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
 * `timersPerTransaction` due timers; their orders are read in one query and the payout attempts among them are sent to
 * the provider side by side ({@link Payouts.sendAll}) before each timer decides its outcome in its own savepoint.
 * Each timer appends its events at once (locking its order's stream, so a confirmation racing it waits for it or is
 * decided again); what they move (the reconciliation timers, ledger, budgets, orders list) is written once for all
 * of them just before the commit ({@link finish}), one statement per kind. A timer whose effect fails (the provider
 * still pending, the database away) is rolled back alone, its bookings dropped with it, and retried with exponential
 * backoff; the others of its transaction commit.
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

  /** The payout attempts among the claimed timers, sent side by side; the orders of all of them read in one query. */
  protected override async prepare(timers: readonly Timer[], tx: PoolClient, batch: TimerBatch): Promise<void> {
    const { session } = await this.writesOf(batch);
    const orders = timers.flatMap((t) => (t.payload as Partial<PayoutTimerPayload>).compensationId ?? []);
    const sends = timers
      .filter((t) => t.kind === compensationTimerKinds.payoutSend)
      .map((t) => ({ origin: timerOrigin(t, COMPENSATION_TIMER), payload: t.payload as PayoutTimerPayload }));
    await this.compensations.preload(orders, tx, session);
    if (sends.length === 0) return;
    const sent = await this.payouts.sendAll(sends, tx, session);
    await batch.once(SENT, () => Promise.resolve(sent));
  }

  protected async fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void> {
    const writes = await this.writesOf(batch);
    const payload = timer.payload as PayoutTimerPayload;
    const mine = new Bookings();
    try {
      await this.fireWith(timer, payload, tx, writes.session, batch, mine);
    } catch (error) {
      // Undone to the timer's savepoint: the transaction's view of the order may hold what was undone.
      writes.session.forget(compensationStream(payload.compensationId));
      throw error;
    }
    writes.bookings.add(mine);
  }

  /** What the fired timers move, one statement per kind, before the commit. */
  protected override async finish(tx: PoolClient, batch: TimerBatch): Promise<void> {
    const { bookings } = await this.writesOf(batch);
    await this.compensations.book(tx, bookings);
  }

  private writesOf(batch: TimerBatch): Promise<TimersWrites> {
    return batch.once(SESSION, () => Promise.resolve({ session: new StreamSession(), bookings: new Bookings() }));
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
