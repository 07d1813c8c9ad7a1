import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError } from '@aftersales/eventstore';

/**
 * Runs `fn` in one Postgres transaction, so sealing personal data (or destroying its key) and appending the
 * event that refers to it commit together or not at all. A lost optimistic-concurrency race rolls back and
 * runs `fn` again in a new transaction (the event store refuses to append from an older transaction).
 */
export async function inTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>, maxAttempts = 3): Promise<T> {
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
