import { deleteFinishedTimers, type Queryable } from '@aftersales/eventstore';
import { platformMetrics, type Logger } from '@aftersales/observability';
import type { BackgroundWorker, Clock } from './service-runtime';

const DAY_MS = 86_400_000;

/** `TIMER_RETENTION_DAYS` when unset: finished timers are kept 30 days (ADR 28). */
export const DEFAULT_TIMER_RETENTION_DAYS = 30;
/** How often a sweep looks for finished timers past the horizon: 5 minutes. */
export const DEFAULT_TIMER_RETENTION_SWEEP_MS = 5 * 60_000;
/** Rows one statement deletes at most: a short statement (tens of ms), locks held only that long. */
export const DEFAULT_TIMER_RETENTION_BATCH = 5_000;

/**
 * The horizon of `TIMER_RETENTION_DAYS` in milliseconds, or `null` when finished timers are kept forever (0).
 *
 * @example
 * timerRetentionMs(30); // 2_592_000_000
 * timerRetentionMs(0); // null: no sweep
 */
export function timerRetentionMs(days: number): number | null {
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`timer retention must be ≥ 0 days (got ${days})`);
  return days === 0 ? null : Math.round(days * DAY_MS);
}

/** The instant before which a finished timer may go, as of `now`. */
export function finishedBefore(now: Date, retainMs: number): Date {
  return new Date(now.getTime() - retainMs);
}

export interface TimerRetentionSweepOptions {
  /** Where `es_timers` is (the service's pool: one connection per statement, none held between them). */
  readonly db: Queryable;
  /** How long a fired or cancelled timer is kept (> 0; see {@link timerRetentionMs}). */
  readonly retainMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The pause between sweeps (default {@link DEFAULT_TIMER_RETENTION_SWEEP_MS}); the first comes one pause after start. */
  readonly everyMs?: number;
  /** Rows per statement (default {@link DEFAULT_TIMER_RETENTION_BATCH}). */
  readonly batchSize?: number;
}

/** What one {@link TimerRetentionSweep.sweep} deleted, and in how many statements. */
export interface TimerSweepOutcome {
  readonly fired: number;
  readonly cancelled: number;
  readonly statements: number;
}

/**
 * Deletes the service's finished durable timers once they are older than the retention horizon (ADR 28), in the
 * processes that run the `workers` role: every `everyMs`, statements of at most `batchSize` rows
 * ({@link deleteFinishedTimers}: pending timers never, rows another transaction holds skipped), one after the other
 * while they come back full, so a backlog (the first sweep on a table years old) is worked off at once without one
 * long statement. Counts what it deletes (`aftersales_timers_deleted_total{state}`) and logs each sweep that deleted
 * something. Replicas sweep side by side: they skip each other's rows.
 */
export class TimerRetentionSweep implements BackgroundWorker {
  private readonly everyMs: number;
  private readonly batchSize: number;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly options: TimerRetentionSweepOptions) {
    if (!(options.retainMs > 0)) throw new RangeError(`retainMs must be > 0 (got ${options.retainMs})`);
    this.everyMs = options.everyMs ?? DEFAULT_TIMER_RETENTION_SWEEP_MS;
    this.batchSize = options.batchSize ?? DEFAULT_TIMER_RETENTION_BATCH;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Ends the pause at once; a sweep under way stops after its current statement. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  /**
   * One sweep: statements of `batchSize` rows until one comes back short (or the worker stops). Throws what the
   * database threw; what the statements before it deleted stays deleted and counted.
   */
  async sweep(): Promise<TimerSweepOutcome> {
    const began = performance.now();
    const before = finishedBefore(this.options.clock(), this.options.retainMs);
    const done = { fired: 0, cancelled: 0, statements: 0 };
    try {
      for (;;) {
        const deleted = await deleteFinishedTimers(this.options.db, before, this.batchSize);
        done.statements += 1;
        done.fired += deleted.fired;
        done.cancelled += deleted.cancelled;
        if (deleted.fired > 0) platformMetrics.timersDeleted.inc({ state: 'fired' }, deleted.fired);
        if (deleted.cancelled > 0) platformMetrics.timersDeleted.inc({ state: 'cancelled' }, deleted.cancelled);
        if (deleted.fired + deleted.cancelled < this.batchSize || this.stopping) break;
      }
    } finally {
      if (done.fired + done.cancelled > 0) {
        this.options.logger.info(
          { ...done, finishedBefore: before.toISOString(), ms: Math.round(performance.now() - began) },
          'timer retention: finished timers deleted',
        );
      }
    }
    return done;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.pause();
      if (this.stopping) return;
      await this.sweep().catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, retryInMs: this.everyMs },
          'timer retention: sweep failed; the next one tries again',
        ),
      );
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.everyMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
