import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `es_timers_finished`: the finished timers (fired or cancelled) by the instant they finished, for the retention sweep
 * (`deleteFinishedTimers`, ADR 28). Partial: pending rows — the ones the claim and every schedule touch — have no entry,
 * so scheduling a timer costs nothing more; firing or cancelling one already writes a new row version that cannot be a
 * HOT update (the columns it sets are in `es_timers_due`'s predicate), and adds one entry here at the right-hand end.
 * Without it the sweep would read the whole table to find the few rows that crossed the horizon since its last round.
 *
 * Built `CONCURRENTLY` (outside a transaction): on a table of millions of rows a plain `CREATE INDEX` would block every
 * timer write — every command that schedules one — for the length of the build. A build that failed half-way leaves an
 * invalid index behind; it is dropped first, so running the migration again finishes the job.
 */
export class FinishedTimersIndex1732500500000 implements MigrationInterface {
  name = 'FinishedTimersIndex1732500500000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS es_timers_finished`);
    await q.query(`
      CREATE INDEX CONCURRENTLY es_timers_finished ON es_timers ((coalesce(fired_at, cancelled_at)))
       WHERE fired_at IS NOT NULL OR cancelled_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS es_timers_finished`);
  }
}
