import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError } from '@aftersales/eventstore';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` in one Postgres transaction, so a survey's answer and the incident's new measurement commit together or
 * not at all. A lost optimistic-concurrency race (answers to one incident recorded at the same moment) rolls back and
 * runs `fn` again in a new transaction, after a short random pause so the racers spread out.
 */
export async function inTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>, maxAttempts = 10): Promise<T> {
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
    await sleep(Math.random() * 10 * attempt);
  }
}
