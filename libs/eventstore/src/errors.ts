/** The stream changed since it was read; reload, decide again and retry. */
export class ConcurrencyError extends Error {
  readonly code = 'EVENTSTORE.CONCURRENCY';
  constructor(
    readonly streamId: string,
    readonly expected: number | 'no_stream' | 'any',
    readonly actual: number,
    detail?: string,
    /**
     * True for a plain version conflict: re-reading inside the same (READ COMMITTED) transaction sees the
     * newer events. False when only a new transaction can succeed (the global-order guard).
     */
    readonly retryableInTransaction = true,
  ) {
    super(
      detail ??
        `Stream ${streamId} is at version ${actual}, expected ${String(expected)}: it changed since it was read`,
    );
    this.name = 'ConcurrencyError';
  }
}

/** A command handler kept losing the optimistic-concurrency race. */
export class RetriesExhaustedError extends Error {
  readonly code = 'EVENTSTORE.RETRIES_EXHAUSTED';
  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`Gave up on stream ${streamId} after ${attempts} concurrent modifications`);
    this.name = 'RetriesExhaustedError';
  }
}
