import type { Pool, PoolClient } from 'pg';
import {
  CommitPacer,
  TimerBackoff,
  TimerScheduler,
  type BackoffPolicy,
  type PreparedTimers,
  type ServiceDatabase,
  type Timer,
  type TimerBatch,
  type TimerRetry,
} from '@aftersales/eventstore';
import { observePool, platformMetrics, type Logger } from '@aftersales/observability';
import type { BackgroundWorker, Clock } from './service-runtime';

/** Timers one `fireDue` fires at most before a loop looks again, unless a worker asks otherwise. */
export const DEFAULT_TIMER_BATCH = 50;

export interface DurableTimerWorkerOptions {
  /** What the worker's log lines are prefixed with (`SLA timers`, `incident timers`). */
  readonly name: string;
  readonly database: ServiceDatabase;
  /**
   * Where the timers' transactions run: `service` on the service's pool (shared with HTTP and the relay), `own` on a
   * pool of one connection per loop beside it ({@link ServiceDatabase.ownPool}), so bursts of requests cannot starve
   * the timers.
   */
  readonly connections: 'service' | 'own';
  /** Loops firing the due timers side by side (they share them with `SKIP LOCKED`); default 1. */
  readonly loops?: number;
  /** How long an idle loop waits for a commit on the `timers` channel before it looks again. */
  readonly pollMs: number;
  /**
   * How late a timer may fire so that timers falling due close together share a transaction (default 0: each at its
   * instant). A caught-up loop looks this long after the earliest pending timer falls due, after a look that fired,
   * and after a look before a commit that scheduled a timer due now wakes it (`TimerScheduler.msUntilNextLook`;
   * ADR 38). Never early.
   */
  readonly slackMs?: number;
  /** The exponential backoff of a failed timer ({@link TimerBackoff}: the attempt count rides in its payload). */
  readonly retry: BackoffPolicy;
  /** Most timers one `fireDue` fires (default {@link DEFAULT_TIMER_BATCH}). */
  readonly batchSize?: number;
  /** Timers claimed and fired by one transaction, each in its savepoint (default 1; see `TimerSchedulerOptions`). */
  readonly perTransaction?: number;
  /** The order one transaction fires its timers in (default: due order; see `TimerSchedulerOptions.order`). */
  readonly order?: (a: Timer, b: Timer) => number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * A service's durable timer worker (rows in `es_timers`, scheduled in the transaction of the events that asked for
 * them): `loops` loops, each paced by a {@link CommitPacer} on the `timers` channel (woken by a commit that scheduled a
 * timer due now, else after `pollMs`), fire the due timers through a {@link TimerScheduler}, once across replicas and
 * restarts. A timer whose effect fails has its effects rolled back and is moved later with exponential backoff
 * ({@link TimerBackoff}) by the transaction that claimed it, so no other loop or replica retries it sooner. Failures
 * are logged: polling, claiming, a timer retried (with its attempt and delay), a timer that could not be moved.
 *
 * A service extends it with its {@link fire}: the dispatch by timer kind.
 */
export abstract class DurableTimerWorker implements BackgroundWorker {
  protected readonly logger: Logger;
  protected readonly clock: Clock;
  private readonly scheduler: TimerScheduler;
  private readonly backoff: TimerBackoff;
  private readonly name: string;
  private readonly loopCount: number;
  private readonly pollMs: number;
  private readonly slackMs: number;
  private readonly batchSize: number;
  private running = false;
  private loops: Array<Promise<void>> = [];

  constructor(options: DurableTimerWorkerOptions) {
    this.name = options.name;
    this.logger = options.logger;
    this.clock = options.clock;
    this.loopCount = Math.max(1, options.loops ?? 1);
    this.pollMs = options.pollMs;
    this.slackMs = Math.max(0, options.slackMs ?? 0);
    this.batchSize = options.batchSize ?? DEFAULT_TIMER_BATCH;
    // base × 2^(attempts − 1) later, capped.
    this.backoff = new TimerBackoff(options.retry, options.clock);
    const pool: Pool = options.connections === 'own' ? options.database.ownPool(this.loopCount) : options.database.pool;
    if (options.connections === 'own') observePool(this.name, pool);
    this.scheduler = new TimerScheduler(pool, {
      now: options.clock,
      batchSize: this.batchSize,
      perTransaction: options.perTransaction,
      ...(options.order ? { order: options.order } : {}),
      ...(this.prepare
        ? {
            prepare: async (timers: readonly Timer[], tx: PoolClient, batch: TimerBatch) => {
              const outcome = await this.prepare!(timers, tx, batch);
              if (outcome && outcome.fired.size > 0) {
                const now = this.clock().getTime();
                for (const timer of timers) {
                  if (!outcome.fired.has(timer.id)) continue;
                  const lateMs = Math.max(0, now - timer.dueAt.getTime());
                  platformMetrics.timerLateness.observe({ worker: this.name, kind: timer.kind }, lateMs / 1000);
                }
              }
              return outcome;
            },
          }
        : {}),
      ...(this.finish ? { finish: (tx: PoolClient, batch: TimerBatch) => this.finish!(tx, batch) } : {}),
      fire: async (timer, tx, batch) => {
        const lateMs = this.clock().getTime() - timer.dueAt.getTime();
        await this.fire(timer, tx, batch);
        // In the timer's span (it continues the trace that scheduled the timer): that trace is the exemplar.
        platformMetrics.timerLateness.observe({ worker: this.name, kind: timer.kind }, Math.max(0, lateMs) / 1000);
      },
      retry: this.backoff.retry,
      onError: (error, timer, retry) => this.failed(error, timer, retry),
      onRolledBack: () => platformMetrics.timerTransactionsRolledBack.inc({ worker: this.name }),
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.loopCount }, () => this.run());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Fires what is due now; returns how many timers fired. Failed ones are moved later before it returns. */
  fireDue(): Promise<number> {
    return this.scheduler.fireDue();
  }

  /**
   * Fires one timer: its writes on `tx` commit with the timer's `fired_at`; a throw rolls them back and retries the
   * timer with backoff. `batch` holds what the timers of one transaction read once (a tenant's policies).
   */
  protected abstract fire(timer: Timer, tx: PoolClient, batch: TimerBatch): Promise<void>;

  /**
   * Optional: called once per claiming transaction with all the timers it claimed, before any fires (see
   * `TimerSchedulerOptions.prepare`): work they share or can do side by side, left in `batch` for {@link fire}, which
   * must cope without it (a failed `prepare` is logged and the timers fire anyway). It may fire timers itself,
   * set-based, and say which (`PreparedTimers`): they are not given to {@link fire}, their lateness is observed here,
   * and those that failed in it are retried with backoff.
   */
  protected prepare?(timers: readonly Timer[], tx: PoolClient, batch: TimerBatch): Promise<void | PreparedTimers>;

  /**
   * Optional: called once per claiming transaction after its timers fired, before it commits (see
   * `TimerSchedulerOptions.finish`): writes what the fired timers gathered in `batch`. A throw rolls back the whole
   * transaction (every timer it claimed stays due).
   */
  protected finish?(tx: PoolClient, batch: TimerBatch): Promise<void>;

  private async run(): Promise<void> {
    // A commit that scheduled a timer due now wakes the loop, but no sooner than the slack after its last look began.
    const pacer = new CommitPacer({ idleMs: this.pollMs, minIntervalMs: this.slackMs, channel: 'timers' });
    while (this.running) {
      pacer.pollStarts();
      const fired = await this.fireDue().catch((error: unknown) => {
        this.logger.error({ err: error }, `${this.name}: polling failed`);
        return 0;
      });
      // Fewer than a batch: nothing was due any more when it stopped. It waits until the earliest pending timer falls
      // due (at most the poll interval), plus the slack; a commit in this process that scheduled a timer due now ends
      // the wait early.
      if (fired < this.batchSize) {
        const idle = this.scheduler.msUntilNextLook(this.pollMs, this.slackMs);
        if (idle > 0) await pacer.waitForMore(idle);
      }
    }
  }

  private failed(error: unknown, timer: Timer | undefined, retry: TimerRetry | undefined): void {
    if (!timer) {
      this.logger.error({ err: error }, `${this.name}: timers could not be claimed or prepared`);
      return;
    }
    platformMetrics.timerFailures.inc({ worker: this.name, kind: timer.kind, outcome: retry ? 'retried' : 'stayed_due' });
    if (!retry) {
      // The timer stays due: the next poll retries it, which is safe, only not spaced out.
      this.logger.error({ err: error, timerId: timer.id, kind: timer.kind }, 'could not reschedule a failed timer');
      return;
    }
    const { attempts } = retry.payload as { attempts: number };
    this.logger.warn(
      { err: error, timerId: timer.id, kind: timer.kind, attempts, retryInMs: this.backoff.delayMs(attempts) },
      'timer failed; retrying with backoff',
    );
  }
}
