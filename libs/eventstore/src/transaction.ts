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
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
    } finally {
      client.release(broken);
    }
    await sleep(Math.random() * 10 * attempt);
  }
}
