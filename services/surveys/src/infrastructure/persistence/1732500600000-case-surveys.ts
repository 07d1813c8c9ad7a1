import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Surveys of resolved cases (issue 13, domain §6):
 * - `surveys_case_register` learns what intake's later events say of a case: its priority, the agent and team it was
 *   last assigned to, its category, whether it was escalated or reopened, and its last resolution;
 * - `surveys_case_survey_view`: one row per case survey (schedule, invitation, reminder, expiry, answer, follow-up
 *   call), written in the transaction that appends the survey's events; the contact a customer left stays sealed;
 * - `surveys_tenant_policies.updated_by`: who changed the tenant's policy last (`PUT /survey-policies`).
 */
export class CaseSurveys1732500600000 implements MigrationInterface {
  name = 'CaseSurveys1732500600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE surveys_case_register
        ADD COLUMN priority     text        NOT NULL DEFAULT 'normal',
        ADD COLUMN agent_id     text,
        ADD COLUMN team         text,
        ADD COLUMN escalated    boolean     NOT NULL DEFAULT false,
        ADD COLUMN reopenings   integer     NOT NULL DEFAULT 0,
        ADD COLUMN resolved_at  timestamptz`);
    await q.query(`
      CREATE TABLE surveys_case_survey_view (
        tenant                  text        NOT NULL,
        survey_id               uuid        NOT NULL,
        case_id                 uuid        NOT NULL,
        customer_ref            text        NOT NULL,
        order_id                text        NOT NULL,
        problem_type            text        NOT NULL,
        agent_id                text,
        team                    text,
        channel                 text        NOT NULL,
        status                  text        NOT NULL,
        resolved_at             timestamptz NOT NULL,
        send_at                 timestamptz NOT NULL,
        remind_at               timestamptz,
        expires_at              timestamptz NOT NULL,
        invited_at              timestamptz,
        reminded_at             timestamptz,
        expired_at              timestamptz,
        answered_at             timestamptz,
        answered_via            text,
        answered_by             text,
        response_speed          smallint,
        result                  smallint,
        attitude                smallint,
        average_score           numeric,
        satisfied               boolean,
        unsatisfied_dimensions  text[],
        suggestion              text,
        contact                 jsonb,
        improvement_route       text,
        follow_up_due_by        timestamptz,
        follow_up_reasons       text[],
        follow_up_status        text,
        follow_up_outcome       text,
        follow_up_called_at     timestamptz,
        follow_up_called_by     text,
        follow_up_late          boolean,
        PRIMARY KEY (tenant, survey_id)
      )`);
    await q.query('CREATE INDEX surveys_case_survey_view_case ON surveys_case_survey_view (tenant, case_id)');
    await q.query(
      'CREATE INDEX surveys_case_survey_view_answered ON surveys_case_survey_view (tenant, answered_at) WHERE answered_at IS NOT NULL',
    );
    await q.query(
      `CREATE INDEX surveys_case_survey_view_calls ON surveys_case_survey_view (tenant, follow_up_due_by)
        WHERE follow_up_status IS NOT NULL`,
    );
    await q.query('ALTER TABLE surveys_tenant_policies ADD COLUMN updated_by text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE surveys_tenant_policies DROP COLUMN updated_by');
    await q.query('DROP TABLE surveys_case_survey_view');
    await q.query(`
      ALTER TABLE surveys_case_register DROP COLUMN priority, DROP COLUMN agent_id, DROP COLUMN team,
        DROP COLUMN escalated, DROP COLUMN reopenings, DROP COLUMN resolved_at`);
  }
}
