import { createHash, randomUUID } from 'node:crypto';
import { SpanKind, trace } from '@opentelemetry/api';
import { ConcurrencyError, RetriesExhaustedError } from './errors';
import type { PostgresEventStore } from './event-store';
import type { EventMetadata, Queryable, StoredEvent } from './types';

/** A domain event as deciders see it: no ids, no metadata, no positions. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * One aggregate as pure functions (no clock, no ids, no I/O: those arrive in the command).
 *
 * @example
 * ```ts
 * export const caseDecider = { decide, evolve, initialState } satisfies Decider<CaseState, CaseCommand, CaseEvent>;
 * ```
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

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
}

export interface HandleResult<State, Event> {
  readonly state: State;
  readonly newEvents: Event[];
  readonly nextVersion: number;
  readonly duplicate: boolean;
}

const tracer = trace.getTracer('@aftersales/eventstore');

function deterministicUuid(key: string, index: number): string {
  const h = createHash('sha256').update(`${key}#${index}`).digest('hex');
  // RFC 4122 layout with version 8 (custom) and the variant bits set.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

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
export async function handleCommand<State, Command, Event extends DomainEvent>(
  store: PostgresEventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  options: HandleOptions,
): Promise<HandleResult<State, Event>> {
  const maxAttempts = options.maxAttempts ?? 5;
  return tracer.startActiveSpan(
    'command.handle',
    { kind: SpanKind.INTERNAL, attributes: { 'eventstore.stream_id': streamId } },
    async (span) => {
      try {
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
          const stored = await store.readStream(streamId, 0, options.tx);
          const state = fold<State, Event>(decider, stored);
          if (options.idempotencyKey) {
            const firstId = deterministicUuid(options.idempotencyKey, 0);
            if (stored.some((e) => e.id === firstId)) {
              return { state, newEvents: [], nextVersion: stored.length, duplicate: true };
            }
          }
          const newEvents = decider.decide(command, state);
          if (newEvents.length === 0) {
            return { state, newEvents, nextVersion: stored.length, duplicate: false };
          }
          try {
            const result = await store.append(
              streamId,
              stored.length === 0 ? 'no_stream' : stored.length,
              newEvents.map((e, i) => ({
                id: options.idempotencyKey ? deterministicUuid(options.idempotencyKey, i) : randomUUID(),
                type: e.type,
                data: e.data,
                metadata: options.metadata,
              })),
              options.tx,
            );
            return {
              state: newEvents.reduce((s, e) => decider.evolve(s, e), state),
              newEvents,
              nextVersion: result.nextVersion,
              duplicate: result.duplicate,
            };
          } catch (error) {
            rethrowUnlessRetryable(error, streamId, attempt, maxAttempts, Boolean(options.tx));
            span.addEvent('concurrency-retry', { attempt });
          }
        }
        throw new RetriesExhaustedError(streamId, maxAttempts);
      } catch (error) {
        span.recordException(error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Rethrows `error` unless it is a concurrency conflict that another attempt may resolve. */
function rethrowUnlessRetryable(error: unknown, streamId: string, attempt: number, maxAttempts: number, inTx: boolean) {
  if (!(error instanceof ConcurrencyError) || attempt === maxAttempts || (inTx && !error.retryableInTransaction)) {
    if (error instanceof ConcurrencyError && !inTx && attempt === maxAttempts) throw new RetriesExhaustedError(streamId, attempt);
    throw error;
  }
}
