import type { Timer, TimerRetry } from './timers';

/** Exponential backoff of a failing durable timer: `baseMs` × 2^(failures − 1), at most `maxMs`. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  readonly baseMs: number;
  /** Longest delay, however many failures. */
  readonly maxMs: number;
}

/**
 * The `retry` of a `TimerScheduler` for timers whose effect may fail for a while, such as
 * a notification to a receiver that is down: the timer is moved later by the transaction that claimed it (no other
 * loop or replica retries it sooner), with the count of failed attempts in its payload (`attempts`), so the count and
 * the backoff survive restarts. The effect is retried until it succeeds or ends for good; nothing is dropped.
 *
 * @example
 * ```ts
 * const backoff = new TimerBackoff({ baseMs: 1_000, maxMs: 300_000 }, clock);
 * const scheduler = new TimerScheduler(database.pool, { fire, retry: backoff.retry, now: clock });
 * // fire: … deliveryAttempt(timer) is 1, then 2 after one failure (retried 1 s later), 3 (2 s later) …
 * ```
 */
export class TimerBackoff {
  constructor(
    private readonly policy: BackoffPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Where a failed timer goes: {@link delayMs} later, its payload's `attempts` counting this failure. */
  readonly retry = (timer: Timer): TimerRetry => {
    const attempts = failedAttempts(timer) + 1;
    const payload = (isObject(timer.payload) ? timer.payload : {}) as Record<string, unknown>;
    return { dueAt: new Date(this.now().getTime() + this.delayMs(attempts)), payload: { ...payload, attempts } };
  };

  /** The delay before the next attempt, after `failures` failed ones (1 or more). */
  delayMs(failures: number): number {
    return Math.min(this.policy.baseMs * 2 ** (failures - 1), this.policy.maxMs);
  }
}

/** Failed attempts of a timer so far, as {@link TimerBackoff} counts them in its payload (`attempts`); 0 at first. */
export function failedAttempts(timer: Timer): number {
  const attempts = isObject(timer.payload) ? (timer.payload as { attempts?: unknown }).attempts : undefined;
  return typeof attempts === 'number' ? attempts : 0;
}

/** The attempt a timer's firing is, counting from 1: its failed attempts so far, plus this one. */
export function deliveryAttempt(timer: Timer): number {
  return failedAttempts(timer) + 1;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
