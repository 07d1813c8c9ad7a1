import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable timers (SLA clocks, response deadlines, tracking rules, retrospective due dates): rows that a
 * scheduler fires once, in the same transaction as the timer's effects.
 */
export class CreateTimers1732500200000 implements MigrationInterface {
  name = 'CreateTimers1732500200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE es_timers (
        timer_id    text        PRIMARY KEY,
        tenant      text        NOT NULL,
        kind        text        NOT NULL,
        due_at      timestamptz NOT NULL,
        payload     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
        fired_at    timestamptz,
        cancelled_at timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX es_timers_due ON es_timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE es_timers');
  }
}
