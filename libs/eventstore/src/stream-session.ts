import { GrowingSet } from '@aftersales/domain';
import { ConcurrencyError } from './errors';
import type { PostgresEventStore, StreamSnapshot } from './event-store';
import type { CachedFold, SessionFoldCache } from './fold-cache';
import type { FoldSnapshots } from './fold-snapshots';
import type { NewEvent, Queryable } from './types';

/** A decider's fold: the part of a decider a session needs to keep a stream's state current. */
export interface Folding<State, Event> {
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** A stream as one transaction knows it: its state for one fold, its version and the ids of its events. */
export interface LoadedStream<State> {
  readonly state: State;
  /** The stream's version (0 = no events). */
  readonly version: number;
  /** True when an event with this id is in the stream (idempotency checks). */
  has(eventId: string): boolean;
}

/** What a {@link StreamSession} had collected when its caller took a savepoint ({@link StreamSession.savepoint}). */
export interface StreamSessionSavepoint {
  readonly pending: ReadonlyMap<string, { readonly expected: number; readonly count: number }>;
}

interface Entry {
  state: unknown;
  version: number;
  /** Grown, not copied, by each event (a cached fold's ids are shared with the sessions that read it; ADR 31, 32). */
  ids: GrowingSet<string>;
  /** The version of the persisted snapshot the fold started from (0: none), when its fold is snapshotted (ADR 37). */
  snapshotVersion?: number;
}

type AnyEvolve = (state: never, event: never) => unknown;

/**
 * The streams one transaction has read and written, so a transaction that runs many commands (an inbox chunk of
 * complaints about the same products) reads each stream once instead of once per command: after the first load,
 * a stream's state is kept per fold and moved forward by the events this transaction appends.
 *
 * A session lives exactly as long as its transaction: create one after `BEGIN`, drop it at `COMMIT` or
 * `ROLLBACK`. Inside the transaction the session is exact as long as every write to its streams goes through
 * {@link handleCommand} with this session; a concurrent writer's commit shows up as a version conflict at append,
 * on which the runtime calls {@link StreamSession.forget} and reads the stream again.
 *
 * With `deferAppends`, commands do not append one by one: the session collects each stream's new events and
 * {@link StreamSession.flush} appends them all in one round trip (`es_append_many`; `es_append` for a single
 * stream), before the owner commits. Ten complaints about one product are then one append to their cluster and its
 * incident. A conflict then surfaces at the flush, and only a new transaction can resolve it (the owner retries the
 * whole transaction).
 *
 * @example
 * ```ts
 * const session = new StreamSession({ deferAppends: true });
 * for (const command of chunk) await handleCommand(store, stream, decider, command, { tx, metadata, session });
 * await session.flush(store, tx);
 * await tx.query('COMMIT');
 * ```
 */
export class StreamSession {
  private readonly streams = new Map<string, Map<AnyEvolve, Entry>>();
  private readonly pending = new Map<string, { readonly expected: number; readonly events: NewEvent[] }>();
  /** Stream reads this session did (for tests and diagnostics). */
  reads = 0;
  /** Append round trips its flushes made (`es_append` or `es_append_many`; for tests and diagnostics). */
  appends = 0;
  /** True when commands leave their events to {@link StreamSession.flush}. */
  readonly defersAppends: boolean;
  private readonly foldCaches: readonly SessionFoldCache[];
  private readonly snapshots: readonly FoldSnapshots<never>[];
  /** Snapshots its flushes wrote (for tests and diagnostics). */
  snapshotsWritten = 0;

  constructor(
    options: {
      readonly deferAppends?: boolean;
      /**
       * Folds kept between transactions, one cache per decider (ADR 32): a stream folded by a cached decider is read
       * from its cached version on, and {@link StreamSession.committed} caches it again once the owner committed.
       */
      readonly foldCaches?: readonly SessionFoldCache[];
      /**
       * Folds persisted every so many events (ADR 37): a stream folded by one of these deciders is read from its
       * newest snapshot on, and {@link StreamSession.flush} writes the snapshots that are due.
       */
      readonly snapshots?: readonly FoldSnapshots<never>[];
    } = {},
  ) {
    this.defersAppends = options.deferAppends ?? false;
    this.foldCaches = options.foldCaches ?? [];
    this.snapshots = options.snapshots ?? [];
  }

  /** Collects events a command decided at `fromVersion` (see `deferAppends`); {@link StreamSession.flush} stores them. */
  defer(streamId: string, fromVersion: number, events: readonly NewEvent[]): void {
    const pending = this.pending.get(streamId);
    if (pending) pending.events.push(...events);
    else this.pending.set(streamId, { expected: fromVersion, events: [...events] });
  }

  /**
   * What this session has collected and knows now, for {@link StreamSession.rollbackTo} when the caller's transaction
   * rolls back to a savepoint taken at the same moment (one item of a batch failed): the events the item deferred are
   * then dropped with its other writes, while those of the items before it stay for the flush.
   */
  savepoint(): StreamSessionSavepoint {
    return {
      pending: new Map([...this.pending].map(([id, p]) => [id, { expected: p.expected, count: p.events.length }])),
    };
  }

  /**
   * Back to `savepoint` (the transaction rolled back to its own savepoint): events deferred since are dropped, and the
   * streams they touched are forgotten (read again when asked for), so the flush appends only what the transaction
   * still holds.
   */
  rollbackTo(savepoint: StreamSessionSavepoint): void {
    for (const [streamId, pending] of [...this.pending]) {
      const kept = savepoint.pending.get(streamId);
      if (kept && kept.expected === pending.expected && kept.count === pending.events.length) continue;
      this.forget(streamId);
      if (kept && kept.expected === pending.expected) pending.events.length = kept.count;
      else this.pending.delete(streamId);
    }
  }

  /**
   * Appends every stream's collected events in `tx`, in one round trip.
   *
   * @throws ConcurrencyError (not retryable in this transaction) when a stream changed since it was read, or
   *   its events were stored by someone else meanwhile: retry the whole transaction.
   */
  async flush(store: PostgresEventStore, tx: Queryable): Promise<void> {
    // In stream id order: concurrent transactions lock their streams in the same order, so they cannot deadlock.
    const streams = [...this.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const due = this.dueSnapshots(streams);
    await this.appendPending(store, streams, tx);
    for (const [fold, snapshots] of due) {
      await store.saveSnapshots(fold, snapshots, tx);
      this.snapshotsWritten += snapshots.length;
    }
  }

  /** Per fold, the snapshots the streams about to be appended are due (`every` events folded since their last). */
  private dueSnapshots(
    streams: ReadonlyArray<readonly [string, { readonly expected: number; readonly events: NewEvent[] }]>,
  ): Map<string, StreamSnapshot[]> {
    const due = new Map<string, StreamSnapshot[]>();
    if (this.snapshots.length === 0) return due;
    for (const [streamId, { expected, events }] of streams) {
      const folds = this.streams.get(streamId);
      if (!folds) continue;
      for (const policy of this.snapshots) {
        const entry = folds.get(policy.folding.evolve as AnyEvolve);
        // Only a fold that saw every event the flush appends is the stream's state at the version it names.
        if (!entry || entry.version !== expected + events.length) continue;
        if (entry.version - (entry.snapshotVersion ?? 0) < policy.every) continue;
        const list = due.get(policy.name) ?? [];
        list.push({
          streamId,
          version: entry.version,
          state: policy.encode(entry.state as never),
          eventIds: entry.ids.toArray(),
        });
        due.set(policy.name, list);
        entry.snapshotVersion = entry.version;
      }
    }
    return due;
  }

  private async appendPending(
    store: PostgresEventStore,
    streams: ReadonlyArray<readonly [string, { readonly expected: number; readonly events: NewEvent[] }]>,
    tx: Queryable,
  ): Promise<void> {
    if (streams.length > 1) {
      // Every stream in one round trip; any stream not appended fails the whole transaction.
      this.appends += 1;
      await store.appendMany(
        streams.map(([streamId, { expected, events }]) => ({
          streamId,
          expected: expected === 0 ? ('no_stream' as const) : expected,
          events,
        })),
        tx,
      );
      this.pending.clear();
      return;
    }
    for (const [streamId, { expected, events }] of streams) {
      this.appends += 1;
      let result;
      try {
        result = await store.append(streamId, expected === 0 ? 'no_stream' : expected, events, tx);
      } catch (error) {
        // The pending events were decided on the version read: only a new transaction can decide them again.
        if (error instanceof ConcurrencyError) {
          throw new ConcurrencyError(streamId, expected, error.actual, error.message, false);
        }
        throw error;
      }
      if (result.duplicate) {
        throw new ConcurrencyError(
          streamId,
          expected,
          result.nextVersion,
          `Events for stream ${streamId} were stored concurrently; retry in a new transaction`,
          false,
        );
      }
    }
    this.pending.clear();
  }

  /**
   * Locks `streamIds` to the end of `tx` (one round trip, stream-id order) and forgets those another transaction
   * appended to since this session read them: they are read again when next asked for, so what is decided from here
   * on is decided on the streams as committed now and cannot conflict at the flush. For a batch that reads its streams
   * before a slow step it must not hold locks across (a call to another system) and decides after it.
   *
   * @throws ConcurrencyError (not retryable in this transaction) when a stream with events collected but not flushed
   *   changed meanwhile: they were decided on the older version.
   */
  async lock(store: PostgresEventStore, streamIds: readonly string[], tx: Queryable): Promise<void> {
    const stored = await store.lockStreams(streamIds, tx);
    for (const [streamId, version] of stored) {
      const pending = this.pending.get(streamId);
      if (pending) {
        if (pending.expected !== version)
          throw new ConcurrencyError(
            streamId,
            pending.expected,
            version,
            `Stream ${streamId} changed since its collected events were decided; retry in a new transaction`,
            false,
          );
        continue;
      }
      const folds = this.streams.get(streamId);
      if (folds && [...folds.values()].some((entry) => entry.version !== version)) this.forget(streamId);
    }
  }

  /**
   * Reads the streams this transaction is about to work on in one round trip (a carrier's batch of scans for hundreds
   * of shipments), so the commands that follow find them here instead of reading one each. Streams already known for
   * `folding` are left as they are.
   */
  async preload<State, Event>(
    store: PostgresEventStore,
    streamIds: readonly string[],
    folding: Folding<State, Event>,
    tx?: Queryable,
  ): Promise<void> {
    const unknown = [...new Set(streamIds)].filter((id) => !this.streams.get(id)?.has(folding.evolve as AnyEvolve));
    if (unknown.length === 0) return;
    const policy = this.snapshotPolicy(folding);
    if (policy) {
      await this.readFromSnapshots(store, unknown, folding, policy, tx);
      return;
    }
    const cached = this.cachedFolds(unknown, folding);
    const stored = await store.readStreamsToFold(
      unknown,
      tx,
      cached && new Map([...cached].map(([id, c]) => [id, c.version])),
    );
    this.reads += 1;
    for (const [streamId, events] of stored) {
      this.remember(
        streamId,
        folding,
        [...events, ...(this.pending.get(streamId)?.events ?? [])],
        cached?.get(streamId),
      );
    }
  }

  /** The stream's state for `folding`: from this session when known, else read in `tx` and folded once. */
  async load<State, Event>(
    store: PostgresEventStore,
    streamId: string,
    folding: Folding<State, Event>,
    tx?: Queryable,
  ): Promise<LoadedStream<State>> {
    const known = this.streams.get(streamId)?.get(folding.evolve as AnyEvolve);
    if (known) return view<State>(known);
    const policy = this.snapshotPolicy(folding);
    if (policy) {
      await this.readFromSnapshots(store, [streamId], folding, policy, tx);
      return view<State>(this.streams.get(streamId)?.get(folding.evolve as AnyEvolve) as Entry);
    }
    const cached = this.cachedFolds([streamId], folding)?.get(streamId);
    // Events this session collected but has not flushed are part of the stream as this transaction sees it.
    const events = [
      ...(await store.readStream(streamId, cached?.version ?? 0, tx)),
      ...(this.pending.get(streamId)?.events ?? []),
    ];
    this.reads += 1;
    return view<State>(this.remember(streamId, folding, events, cached));
  }

  /**
   * The owner's transaction committed: the folds of the session's cache ({@link FoldCache}) are kept at the versions
   * this transaction left them. Call it after `COMMIT` and only then (a fold cached before could hold events rolled
   * back); the session ends here.
   */
  committed(): void {
    if (this.foldCaches.length > 0) {
      for (const [streamId, folds] of this.streams) {
        // Deferred events never flushed were not committed: such a stream is not cached.
        if (this.pending.has(streamId)) continue;
        for (const cache of this.foldCaches) {
          const entry = folds.get(cache.folding.evolve as AnyEvolve);
          if (entry) cache.put(streamId, entry);
        }
      }
    }
    this.streams.clear();
  }

  /** The snapshot policy of `folding`, when the session was given one (ADR 37). */
  private snapshotPolicy<State, Event>(folding: Folding<State, Event>): FoldSnapshots<never> | undefined {
    return this.snapshots.find((p) => p.folding.evolve === (folding.evolve as AnyEvolve));
  }

  /** Reads `streamIds` from their snapshots on (one round trip) and remembers their folds. */
  private async readFromSnapshots<State, Event>(
    store: PostgresEventStore,
    streamIds: readonly string[],
    folding: Folding<State, Event>,
    policy: FoldSnapshots<never>,
    tx?: Queryable,
  ): Promise<void> {
    const stored = await store.readStreamsFromSnapshots(streamIds, policy.name, tx);
    this.reads += 1;
    for (const [streamId, { snapshot, events }] of stored) {
      const from = snapshot && {
        state: (policy as FoldSnapshots<unknown>).decode(snapshot.state),
        version: snapshot.version,
        ids: GrowingSet.of(snapshot.eventIds),
      };
      const entry = this.remember(streamId, folding, [...events, ...(this.pending.get(streamId)?.events ?? [])], from);
      entry.snapshotVersion = snapshot?.version ?? 0;
    }
  }

  /** The cached folds of `streamIds` when the session's cache is for `folding`. */
  private cachedFolds<State, Event>(
    streamIds: readonly string[],
    folding: Folding<State, Event>,
  ): Map<string, CachedFold<unknown>> | undefined {
    const cache = this.foldCaches.find((c) => c.folding.evolve === (folding.evolve as AnyEvolve));
    if (!cache) return undefined;
    const found = new Map<string, CachedFold<unknown>>();
    for (const id of streamIds) {
      const entry = cache.get(id);
      if (entry) found.set(id, entry);
    }
    return found;
  }

  private remember<State, Event>(
    streamId: string,
    folding: Folding<State, Event>,
    events: ReadonlyArray<Pick<NewEvent, 'id' | 'type' | 'data'>>,
    from?: CachedFold<unknown>,
  ): Entry {
    let state = from ? (from.state as State) : folding.initialState();
    let ids = from ? GrowingSet.of(from.ids) : GrowingSet.empty<string>();
    for (const e of events) {
      state = folding.evolve(state, { type: e.type, data: e.data } as Event);
      ids = ids.with(e.id);
    }
    const entry: Entry = { state, version: (from?.version ?? 0) + events.length, ids };
    this.entryMap(streamId).set(folding.evolve as AnyEvolve, entry);
    return entry;
  }

  /**
   * Records events this transaction appended at `fromVersion + 1…`: the fold that decided them moves forward; other
   * folds of the stream are dropped (they would need the events' full form) and read again when asked for.
   *
   * @returns the fold's state after the events (the caller need not evolve them again), `undefined` when the session
   *   did not know the stream at `fromVersion` (then forgotten).
   */
  appended<State, Event>(
    streamId: string,
    folding: Folding<State, Event>,
    fromVersion: number,
    events: ReadonlyArray<{ readonly id: string; readonly event: Event }>,
  ): State | undefined {
    const entry = this.streams.get(streamId)?.get(folding.evolve as AnyEvolve);
    if (!entry || entry.version !== fromVersion) {
      this.forget(streamId);
      return undefined;
    }
    for (const { id, event } of events) {
      entry.state = folding.evolve(entry.state as State, event);
      entry.ids = entry.ids.with(id);
    }
    entry.version += events.length;
    this.streams.set(streamId, new Map([[folding.evolve as AnyEvolve, entry]]));
    return entry.state as State;
  }

  /** Forgets a stream's folds (a conflict showed another writer): the next load reads it again. */
  forget(streamId: string): void {
    this.streams.delete(streamId);
  }

  private entryMap(streamId: string): Map<AnyEvolve, Entry> {
    let map = this.streams.get(streamId);
    if (!map) {
      map = new Map();
      this.streams.set(streamId, map);
    }
    return map;
  }
}

function view<State>(entry: Entry): LoadedStream<State> {
  const { state, version } = entry;
  return { state: state as State, version, has: (id) => entry.ids.has(id) };
}
