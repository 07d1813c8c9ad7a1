/** Who did something, recorded with every event so each change is attributable. */
export interface Actor {
  /** Subject of the authenticated principal (user id, service account, `system:<component>`). */
  readonly id: string;
  readonly roles?: readonly string[];
}

/** Metadata stored beside every event; the relay turns it into Kafka headers. */
export interface EventMetadata {
  readonly tenant: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string;
  /** W3C trace context of the operation that produced the event, restored by the outbox relay. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** Why the change was made, when a person gave a reason. */
  readonly reason?: string;
  readonly [extra: string]: unknown;
}

/** An event about to be appended. `id` makes re-appends idempotent. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export interface StoredEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly position: bigint;
  /** `xid8` of the transaction that wrote the event (decimal string). */
  readonly transactionId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly recordedAt: Date;
}

/**
 * Optimistic concurrency expectation for an append:
 * a version number, `'no_stream'` (the stream must not exist) or `'any'`.
 */
export type ExpectedVersion = number | 'no_stream' | 'any';

/** Position of a reader of the whole store: every event ordered by (transaction id, position). */
export interface Checkpoint {
  readonly transactionId: string;
  readonly position: bigint;
}

export const START: Checkpoint = Object.freeze({ transactionId: '0', position: 0n });

export interface AppendResult {
  /** Version of the stream after the append. */
  readonly nextVersion: number;
  /** True when the events were already stored (same ids): nothing was written. */
  readonly duplicate: boolean;
  readonly firstPosition: bigint | null;
  readonly lastPosition: bigint | null;
}

/** Anything that runs a parameterised query: a `pg` Pool or a client inside a transaction. */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
