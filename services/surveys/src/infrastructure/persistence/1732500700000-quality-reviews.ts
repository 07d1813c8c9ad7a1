import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Quality reviews of the weekly samples (seed 000 §5.1): one row per reviewed case, written in the transaction that
 * appends its `QualityReviewRecorded`; and the indexes the sample draw and the KPIs read by.
 */
export class QualityReviews1732500700000 implements MigrationInterface {
  name = 'QualityReviews1732500700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surveys_quality_reviews (
        tenant       text        NOT NULL,
        week         text        NOT NULL,
        case_id      uuid        NOT NULL,
        agent_id     text        NOT NULL,
        score        smallint    NOT NULL,
        notes        text,
        reviewed_by  text        NOT NULL,
        reviewed_at  timestamptz NOT NULL,
        PRIMARY KEY (tenant, week, case_id)
      )`);
    await q.query(
      'CREATE INDEX surveys_case_register_resolved ON surveys_case_register (tenant, resolved_at) WHERE resolved_at IS NOT NULL',
    );
    await q.query(
      'CREATE INDEX surveys_case_register_problem ON surveys_case_register (tenant, customer_id, order_id, problem_type)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX surveys_case_register_problem');
    await q.query('DROP INDEX surveys_case_register_resolved');
    await q.query('DROP TABLE surveys_quality_reviews');
  }
}
