import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surveys' own projection of the cases it will survey once resolved, and per-channel counts that
 * feed the service-quality KPIs. Both are written by the inbox consumer, in the inbox transaction.
 */
export class CaseRegister1732500100000 implements MigrationInterface {
  name = 'CaseRegister1732500100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surveys_case_register (
        tenant        text        NOT NULL,
        case_id       uuid        NOT NULL,
        channel       text        NOT NULL,
        problem_type  text        NOT NULL,
        order_id      text        NOT NULL,
        customer_id   text        NOT NULL,
        opened_at     timestamptz NOT NULL,
        source_event  uuid        NOT NULL,
        PRIMARY KEY (tenant, case_id)
      )`);
    await q.query(`
      CREATE TABLE surveys_channel_stats (
        tenant  text   NOT NULL,
        channel text   NOT NULL,
        cases   bigint NOT NULL,
        PRIMARY KEY (tenant, channel)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE surveys_channel_stats, surveys_case_register');
  }
}
