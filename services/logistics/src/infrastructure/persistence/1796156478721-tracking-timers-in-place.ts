import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tracking timers move to one row per shipment (`tracking:<shipment>`, re-armed in place at every scan) from one row
 * per shipment state (`tracking:<shipment>:<version>`, cancelled and replaced at every scan, so the table grew by a
 * row per scan). The pending timer of each shipment is renamed; rows already fired or cancelled keep their names (the
 * history of what fired). A shipment with several pending rows (none is expected) keeps the latest-due one under the
 * new name and has the others cancelled.
 */
export class TrackingTimersInPlace1796156478721 implements MigrationInterface {
  name = 'TrackingTimersInPlace1796156478721';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      WITH pending AS (
        SELECT timer_id, regexp_replace(timer_id, ':[0-9]+$', '') AS stable,
               row_number() OVER (PARTITION BY regexp_replace(timer_id, ':[0-9]+$', '') ORDER BY due_at DESC) AS n
          FROM es_timers
         WHERE kind = 'shipment-tracking' AND timer_id ~ '^tracking:[^:]+:[0-9]+$'
           AND fired_at IS NULL AND cancelled_at IS NULL
      ),
      extra AS (
        UPDATE es_timers t SET cancelled_at = now() FROM pending p WHERE t.timer_id = p.timer_id AND p.n > 1
      )
      UPDATE es_timers t SET timer_id = p.stable FROM pending p WHERE t.timer_id = p.timer_id AND p.n = 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to per-state names: the pending row of each shipment gets a version suffix the old code never cancels by
    // name (it cancels the previous state's id), so its next scan leaves it to fire once, harmlessly (the check reads the
    // shipment as it is).
    await q.query(`
      UPDATE es_timers SET timer_id = timer_id || ':0'
       WHERE kind = 'shipment-tracking' AND timer_id ~ '^tracking:[^:]+$' AND fired_at IS NULL AND cancelled_at IS NULL`);
  }
}
