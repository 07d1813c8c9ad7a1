/**
 * In-process wake-ups for the pollers of the event store (outbox relay, durable subscriptions, the timer worker):
 * every writer in this process calls {@link signalCommitted} after a commit that stored events, and a poller that
 * is caught up waits in {@link waitForCommit} until the next such commit or its idle timeout, whichever comes
 * first. Events committed in this process are then picked up at once instead of after a polling interval, and an
 * idle poller queries rarely. Events committed by other processes (other replicas) are still found by the timeout,
 * so correctness never depends on a signal: a lost or spurious signal only changes when the next poll happens.
 *
 * Every signal also advances the channel's generation ({@link commitGeneration}). A poller notes the generation
 * before it reads; when its read came back short (it is caught up as of that read), it waits `since` that
 * generation: if a commit happened while it was reading and working, the wait ends at once, otherwise it sleeps.
 * So a caught-up poller does not spend a query to find out that nothing is new, and never misses a commit.
 *
 * Two channels: `events` wakes on every commit; `timers` only on a commit after {@link noteTimerDue} (a timer due
 * now was scheduled), so the timer worker does not poll once per commit.
 *
 * Not Postgres `NOTIFY`: that takes a database-wide lock at every commit and serialises all writers.
 */
export type CommitChannel = 'events' | 'timers';

const waiters: Record<CommitChannel, Set<() => void>> = { events: new Set(), timers: new Set() };
const generations: Record<CommitChannel, number> = { events: 0, timers: 0 };
let timerDue = false;

function wake(channel: CommitChannel): void {
  generations[channel] += 1;
  const set = waiters[channel];
  if (set.size === 0) return;
  const woken = [...set];
  set.clear();
  for (const w of woken) w();
}

/**
 * Wakes the pollers waiting in {@link waitForCommit}. Call it after `COMMIT` (or an autocommitted append).
 * `events: false`: the commit stored no events ({@link takeEventsStored}), so the event pollers (the relay, the
 * subscriptions) are left asleep — a query each that would find nothing — and only the timer worker is woken, if the
 * transaction scheduled a timer due now.
 */
export function signalCommitted(options: { readonly events?: boolean } = {}): void {
  if (options.events !== false) wake('events');
  if (timerDue) {
    timerDue = false;
    wake('timers');
  }
}

/** The connections whose open transaction stored events (see {@link noteEventsStored}). */
const storingEvents = new WeakSet<object>();

/** Marks that `tx`'s open transaction stored events (the event store calls it at every append). */
export function noteEventsStored(tx: object): void {
  storingEvents.add(tx);
}

/**
 * Whether `tx`'s transaction stored events since this was last asked, and forgets it: ask when the transaction begins
 * (a mark left by an earlier one on the same pooled connection) and once it has committed or rolled back.
 */
export function takeEventsStored(tx: object): boolean {
  return storingEvents.delete(tx);
}

/** Marks that a transaction in this process scheduled a timer that is due now: its commit wakes the timer worker. */
export function noteTimerDue(): void {
  timerDue = true;
}

/** How many commits of `channel` this process has signalled: note it before a poll, pass it as `since`. */
export function commitGeneration(channel: CommitChannel = 'events'): number {
  return generations[channel];
}

export interface WaitForCommitOptions {
  readonly channel?: CommitChannel;
  /**
   * The generation noted before the poll that found the poller caught up: a commit signalled since then ends the
   * wait at once (the poll may not have seen it).
   */
  readonly since?: number;
  /**
   * After a wake-up, wait until this `performance.now()` instant (typically the last poll's start plus the poller's
   * minimum interval), so under load the commits of a burst are read in one batch rather than one poll each, while
   * a lone commit after a quiet spell is read at once.
   */
  readonly notBefore?: number;
  /** Ends the wait early (the poller is stopping); resolves `false`. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves at the next {@link signalCommitted} of the channel in this process (at once if one happened `since` the
 * given generation) or after `timeoutMs`, whichever comes first; a wake-up then waits until `notBefore`.
 *
 * @returns `true` when a commit woke it, `false` on timeout.
 */
export async function waitForCommit(timeoutMs: number, options: WaitForCommitOptions = {}): Promise<boolean> {
  const channel = options.channel ?? 'events';
  if (options.signal?.aborted) return false;
  const signalled =
    (options.since !== undefined && generations[channel] !== options.since) ||
    (await new Promise<boolean>((resolve) => {
      const set = waiters[channel];
      const end = (woken: boolean) => {
        clearTimeout(timer);
        set.delete(onCommit);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(woken);
      };
      const onCommit = () => end(true);
      const onAbort = () => end(false);
      const timer = setTimeout(onAbort, timeoutMs);
      set.add(onCommit);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    }));
  const pause = signalled && options.notBefore !== undefined ? options.notBefore - performance.now() : 0;
  if (pause >= 1) await new Promise((resolve) => setTimeout(resolve, Math.ceil(pause)));
  return signalled;
}

/**
 * The waiting half of a poller's loop, so every poller (relay, subscriptions, timer worker) paces itself the same
 * way: call {@link CommitPacer.pollStarts} before a poll reads and {@link CommitPacer.waitForMore} when the poll came
 * back short (caught up as of its read). The wait ends at once if a commit was signalled since the poll started,
 * otherwise at the next commit or after `idleMs`; a wake-up then waits until `minIntervalMs` after the poll started.
 * {@link CommitPacer.stop} ends a wait at once (the poller is stopping); {@link CommitPacer.restart} re-arms it.
 *
 * @example
 * ```ts
 * const pacer = new CommitPacer({ idleMs: 250, minIntervalMs: 10 });
 * while (running) { pacer.pollStarts(); if ((await poll()) < batchSize) await pacer.waitForMore(); }
 * ```
 */
export class CommitPacer {
  private generation = 0;
  private startedAt = 0;
  private stopping = new AbortController();

  constructor(
    private readonly options: {
      readonly idleMs: number;
      readonly minIntervalMs?: number;
      readonly channel?: CommitChannel;
    },
  ) {}

  pollStarts(): void {
    this.generation = commitGeneration(this.options.channel);
    this.startedAt = performance.now();
  }

  /**
   * @param idleMs the longest wait this time (default: the pacer's `idleMs`).
   * @returns `true` when a commit (since the poll started, or during the wait) ended it, `false` otherwise.
   */
  waitForMore(idleMs = this.options.idleMs): Promise<boolean> {
    return waitForCommit(idleMs, {
      channel: this.options.channel,
      since: this.generation,
      notBefore: this.startedAt + (this.options.minIntervalMs ?? 0),
      signal: this.stopping.signal,
    });
  }

  stop(): void {
    this.stopping.abort();
  }

  restart(): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
  }
}
