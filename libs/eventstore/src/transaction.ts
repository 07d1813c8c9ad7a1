import type { Pool, PoolClient } from 'pg';
import { signalCommitted } from './commit-signal';
import { isDatabaseUnavailable } from './connection';
import { ConcurrencyError } from './errors';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` in one Postgres transaction, so a command's events and everything that must happen with them
 * (sealed personal data, timers, projections written in line) commit together or not at all. A lost
 * optimistic-concurrency race rolls back and runs `fn` again in a new transaction after a short random pause,
 * so racers spread out (the event store refuses an append from a transaction older than the stream's last writer).
 * So does a transaction Postgres chose as the victim of a deadlock (`40P01`) or a serialization failure (`40001`):
 * e.g. a command that cancels a case's timers while a timer worker, holding those timers' row locks, waits to append
 * to the same case. Nothing of the victim was committed, so running it again is safe; the caller never sees a 500.
 *
 * @example
 * ```ts
 * const result = await inTransaction(pool, (tx) => handleCommand(store, stream, decider, command, { tx, metadata }));
 * ```
 */
export async function inTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>, maxAttempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      signalCommitted();
      return result;
    } catch (error) {
      // A broken connection goes back to nobody: the pool discards it.
      broken = isDatabaseUnavailable(error);
      await client.query('ROLLBACK').catch(() => undefined);
      if (!isTransientConflict(error) || attempt >= maxAttempts) throw error;
    } finally {
      client.release(broken);
    }
    await sleep(Math.random() * 10 * attempt);
  }
}

/** Postgres' answers that mean "this transaction lost a race, run it again": deadlock victim, serialization failure. */
const TRANSIENT_CONFLICT_CODES: ReadonlySet<string> = new Set(['40P01', '40001']);

/** A lost optimistic-concurrency race, or a transaction Postgres aborted as a deadlock victim or serialization failure. */
export function isTransientConflict(error: unknown): boolean {
  if (error instanceof ConcurrencyError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CONFLICT_CODES.has(code);
}
