import { createHash, randomUUID } from 'node:crypto';
import { SpanKind, trace } from '@opentelemetry/api';
import { ConcurrencyError, RetriesExhaustedError } from './errors';
import { signalCommitted } from './commit-signal';
import { withTraceContext, type PostgresEventStore } from './event-store';
import type { LoadedStream, StreamSession } from './stream-session';
import type { Command, Decider, DomainEvent } from '@aftersales/domain';
import type { AppendResult, EventMetadata, Queryable, StoredEvent } from './types';

export interface HandleOptions {
  readonly metadata: EventMetadata;
  /**
   * Derives event ids from this key so a retried request appends nothing new (`Idempotency-Key`,
   * or the id of the Kafka event that caused the command).
   */
  readonly idempotencyKey?: string;
  readonly maxAttempts?: number;
  /**
   * Run inside a caller's transaction (inbox handlers, timers). Version conflicts are retried in it; a
   * conflict only a new transaction can solve surfaces to the caller, who retries the whole transaction.
   */
  readonly tx?: Queryable;
  /**
   * The transaction's {@link StreamSession}: the stream is read once per transaction and kept current by the
   * commands that append to it, instead of read again by every command.
   */
  readonly session?: StreamSession;
  /**
   * The command usually creates its stream (a client-chosen id for a new aggregate): decide on the initial state
   * and append with `no_stream` at once, saving the read. When the stream exists after all, the append conflicts
   * and the command runs the normal way (read, decide, append); a repeated request (its idempotency key's event
   * already stored) is answered from the stored stream. A command that decides nothing, or fails, on the empty
   * stream is decided again on the stream as stored. Ignored with a `session` (it reads each stream once anyway).
   */
  readonly expectNewStream?: boolean;
}

export interface HandleResult<State, Event> {
  readonly state: State;
  readonly newEvents: Event[];
  /** The ids the new events were stored with, in the same order (empty when nothing was appended). */
  readonly eventIds: readonly string[];
  readonly nextVersion: number;
  readonly duplicate: boolean;
}

const tracer = trace.getTracer('@aftersales/eventstore');

/**
 * A UUID that is always the same for the same key (SHA-256, RFC 9562 layout, version 8): ids derived from an
 * idempotency key or a causing event's id, so a repetition finds what the first attempt created.
 *
 * @example
 * ```ts
 * deterministicUuid('incident|shop-1/product-quality/sku:BAT-100|2'); // always the same UUID
 * ```
 */
export function deterministicUuid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The id of the `index`-th event a command with this idempotency key appends. */
const eventIdFor = (key: string, index: number) => deterministicUuid(`${key}#${index}`);

/** Folds a stream's events into a decider's state. */
export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'evolve' | 'initialState'>,
  events: readonly StoredEvent[],
): State {
  return events.reduce(
    (state, e) => decider.evolve(state, { type: e.type, data: e.data } as Event),
    decider.initialState(),
  );
}

/**
 * The decider runtime: load stream → fold `evolve` → `decide` → append with the expected version;
 * on a concurrent modification, reload and decide again.
 */
export async function handleCommand<State, C extends Command, Event extends DomainEvent>(
  store: PostgresEventStore,
  streamId: string,
  decider: Decider<State, C, Event>,
  command: C,
  options: HandleOptions,
): Promise<HandleResult<State, Event>> {
  const maxAttempts = options.maxAttempts ?? 5;
  return tracer.startActiveSpan(
    'command.handle',
    { kind: SpanKind.INTERNAL, attributes: { 'eventstore.stream_id': streamId } },
    async (span) => {
      try {
        let assumeNew = options.expectNewStream === true && !options.session;
        let conflict: ConcurrencyError | undefined;
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          const outcome = await attemptCommand(store, streamId, decider, command, options, assumeNew);
          if (!(outcome instanceof ConcurrencyError)) return outcome;
          conflict = outcome;
          if (assumeNew) {
            // The stream existed after all: not a race, so no attempt is used up; read it and decide again.
            assumeNew = false;
            attempt -= 1;
          } else {
            span.addEvent('concurrency-retry', { attempt });
          }
        }
        // Inside a caller's transaction the conflict itself surfaces: the caller retries the whole transaction.
        throw options.tx && conflict ? conflict : new RetriesExhaustedError(streamId, maxAttempts);
      } catch (error) {
        span.recordException(error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * One load → decide → append. Returns the conflict when another attempt may resolve it; throws anything else
 * (including a conflict only a new transaction can solve).
 */
async function attemptCommand<State, C extends Command, Event extends DomainEvent>(
  store: PostgresEventStore,
  streamId: string,
  decider: Decider<State, C, Event>,
  command: C,
  options: HandleOptions,
  assumeNew: boolean,
): Promise<HandleResult<State, Event> | ConcurrencyError> {
  const loaded = assumeNew ? newStream(decider) : await loadStream(store, streamId, decider, options);
  const { state } = loaded;
  if (options.idempotencyKey && loaded.has(eventIdFor(options.idempotencyKey, 0))) {
    return { state, newEvents: [], eventIds: [], nextVersion: loaded.version, duplicate: true };
  }
  const newEvents = decideOrDoubt(decider, command, state, assumeNew);
  if (newEvents === 'doubt') {
    // Assumed empty, but the command failed or decided nothing: only the stream as stored can tell.
    return new ConcurrencyError(streamId, 'no_stream', -1, 'decided on an assumed-empty stream');
  }
  if (newEvents.length === 0) {
    return { state, newEvents, eventIds: [], nextVersion: loaded.version, duplicate: false };
  }
  const eventIds = newEvents.map((_, i) =>
    options.idempotencyKey ? eventIdFor(options.idempotencyKey, i) : randomUUID(),
  );
  const toStore = newEvents.map((e, i) => ({ id: eventIds[i] as string, type: e.type, data: e.data }));
  const decided = newEvents.map((event, i) => ({ id: eventIds[i] as string, event }));
  if (options.session?.defersAppends) {
    // Appended later, outside this span: the events carry this command's trace context from here.
    const metadata = withTraceContext(options.metadata);
    // The session's owner appends the transaction's events per stream when it flushes, before committing.
    options.session.defer(
      streamId,
      loaded.version,
      toStore.map((e) => ({ ...e, metadata })),
    );
    const after = options.session.appended(streamId, decider, loaded.version, decided);
    return {
      state: after ?? newEvents.reduce((s, e) => decider.evolve(s, e), state),
      newEvents,
      eventIds,
      nextVersion: loaded.version + newEvents.length,
      duplicate: false,
    };
  }
  let result: AppendResult;
  try {
    // The append's own span puts its trace context on the events (the relay's publish span continues from it).
    result = await store.append(
      streamId,
      loaded.version === 0 ? 'no_stream' : loaded.version,
      toStore.map((e) => ({ ...e, metadata: options.metadata })),
      options.tx,
    );
    // Autocommitted: the events are visible now; wake this process's pollers.
    if (!options.tx && !result.duplicate) signalCommitted();
  } catch (error) {
    options.session?.forget(streamId);
    if (error instanceof ConcurrencyError && (error.retryableInTransaction || !options.tx)) return error;
    throw error;
  }
  if (result.duplicate) {
    // Stored before under these ids: a repeated request for a stream assumed new, or a retry racing its first
    // attempt. Nothing was appended now, so nothing is new (the first attempt's transaction ran its effects): answer
    // with the stream as stored, and drop the session's stale view of it.
    options.session?.forget(streamId);
    const stored = await loadStream(store, streamId, decider, options);
    return { state: stored.state, newEvents: [], eventIds: [], nextVersion: stored.version, duplicate: true };
  }
  const after = options.session?.appended(streamId, decider, loaded.version, decided);
  return {
    state: after ?? newEvents.reduce((s, e) => decider.evolve(s, e), state),
    newEvents,
    eventIds,
    nextVersion: result.nextVersion,
    duplicate: false,
  };
}

/** The decision; on an assumed-empty stream, `'doubt'` when the command fails or decides nothing there. */
function decideOrDoubt<State, C extends Command, Event extends DomainEvent>(
  decider: Decider<State, C, Event>,
  command: C,
  state: State,
  assumeNew: boolean,
): Event[] | 'doubt' {
  if (!assumeNew) return decider.decide(command, state);
  try {
    const events = decider.decide(command, state);
    return events.length === 0 ? 'doubt' : events;
  } catch {
    return 'doubt';
  }
}

/** A stream assumed empty (see {@link HandleOptions.expectNewStream}). */
function newStream<State>(decider: { initialState(): State }): LoadedStream<State> {
  return { state: decider.initialState(), version: 0, has: () => false };
}

/** The stream as the decider needs it: through the transaction's session when there is one, else read now. */
async function loadStream<State, C extends Command, Event extends DomainEvent>(
  store: PostgresEventStore,
  streamId: string,
  decider: Decider<State, C, Event>,
  options: HandleOptions,
): Promise<LoadedStream<State>> {
  if (options.session) return options.session.load(store, streamId, decider, options.tx);
  const stored = await store.readStream(streamId, 0, options.tx);
  const ids = new Set(stored.map((e) => e.id));
  return { state: fold<State, Event>(decider, stored), version: stored.length, has: (id) => ids.has(id) };
}
