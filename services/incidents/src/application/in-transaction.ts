import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError } from '@aftersales/eventstore';

/**
 * Runs `fn` in one Postgres transaction, so the events of a command and their side effects (timers, links) commit
 * together or not at all. A lost optimistic-concurrency race rolls back and runs `fn` again in a new transaction (the
 * event store refuses to append to a stream last written by a newer transaction).
 */
export async function inTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>, maxAttempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
    } finally {
      client.release();
    }
  }
}
