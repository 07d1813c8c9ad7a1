import type { Folding } from './stream-session';

/** A stream's fold as of a committed version: what a {@link FoldCache} keeps. */
export interface CachedFold<State> {
  readonly state: State;
  /** The stream's version the state folds (its events 1…version). */
  readonly version: number;
  /** The ids of those events (idempotency checks): a `GrowingSet` sessions grow without changing it. */
  readonly ids: ReadonlySet<string>;
}

/** A {@link FoldCache} as a {@link StreamSession} uses it, whatever its decider's types. */
export interface SessionFoldCache {
  readonly folding: { evolve(state: never, event: never): unknown };
  get(streamId: string): CachedFold<unknown> | undefined;
  put(streamId: string, entry: CachedFold<unknown>): void;
}

export interface FoldCacheOptions {
  /** Most streams kept; the least recently used goes first (default 10,000). */
  readonly streams?: number;
  /** What it holds, for metrics and logs (`complaint-clusters`; default `folds`). */
  readonly name?: string;
}

/**
 * Folded states of one decider's streams as of versions known to be committed, kept in this process between
 * transactions (ADR 32), so a transaction that works on a stream again reads only the events stored after the cached
 * version (none, when this process wrote the last ones) instead of the whole stream, and folds only those.
 *
 * Always exact, never trusted blindly: events are immutable and a stream only grows, so a state cached at version v
 * plus the stream's events after v is the stream's state, whoever appended them (another replica, a timer); a cache
 * entry is only ever written by {@link StreamSession.committed} after its transaction committed, so it never holds an
 * event that was rolled back. The states are the decider's own immutable values (pure deciders never change a state
 * they were given), shared between transactions without copying.
 *
 * It pays for hot streams: many transactions on the same few long streams, in the process that runs them (a consumer
 * whose partition key groups the events of one stream, like the complaints about one product batch); for streams
 * each touched once in a long while it only costs memory (ADR 30). Bounded by a number of streams (least recently used
 * evicted); a stream not cached is read whole, as before.
 *
 * @example
 * ```ts
 * const clusters = new FoldCache(complaintClusterDecider, { streams: 100 });
 * const session = new StreamSession({ deferAppends: true, foldCaches: [clusters] });
 * … commands, await session.flush(store, tx); COMMIT
 * session.committed(); // the states after this transaction's events are cached
 * ```
 */
export class FoldCache<State = unknown, Event = unknown> implements SessionFoldCache {
  private readonly entries = new Map<string, CachedFold<State>>();
  private readonly capacity: number;
  /** What it holds (metrics: `aftersales_fold_cache_streams{cache}`). */
  readonly name: string;
  /** Streams found in the cache by sessions (for tests, diagnostics and metrics). */
  hits = 0;
  /** Streams sessions looked for and did not find. */
  misses = 0;

  constructor(
    readonly folding: Folding<State, Event>,
    options: FoldCacheOptions = {},
  ) {
    this.capacity = Math.max(0, Math.floor(options.streams ?? 10_000));
    this.name = options.name ?? 'folds';
  }

  /** Streams cached now. */
  get size(): number {
    return this.entries.size;
  }

  /** The stream's cached fold (and marks it recently used), or undefined. */
  get(streamId: string): CachedFold<State> | undefined {
    const entry = this.entries.get(streamId);
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    // A Map iterates in insertion order: re-inserting makes this the most recently used.
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    return entry;
  }

  /**
   * Keeps the stream's fold at a committed version. An older version than the one cached is ignored (two
   * transactions of this process finished out of order).
   */
  put(streamId: string, entry: CachedFold<State>): void {
    if (this.capacity === 0) return;
    const cached = this.entries.get(streamId);
    if (cached && cached.version > entry.version) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

}
