import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-up surveys (domain §6). The event store holds the Survey and IncidentSatisfaction streams; these tables are
 * what the inbox and the HTTP API need beside them:
 * - `surveys_incident_customers`: whom to survey, remembered from `ComplaintAttachedV1` (one row per complaint; a
 *   customer with several complaints is surveyed once);
 * - `surveys_survey_view`: surveys and answers by incident (lists, suggestions), written in the transaction that
 *   appends the survey's events, so it never lags behind them;
 * - `surveys_tenant_policies`: each tenant's changes to the default survey policy (what counts as satisfied, channel).
 */
export class FollowUpSurveys1732500400000 implements MigrationInterface {
  name = 'FollowUpSurveys1732500400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surveys_incident_customers (
        tenant        text        NOT NULL,
        incident_id   uuid        NOT NULL,
        complaint_id  uuid        NOT NULL,
        customer_ref  text        NOT NULL,
        attached_at   timestamptz NOT NULL,
        source_event  text        NOT NULL,
        PRIMARY KEY (tenant, incident_id, complaint_id)
      )`);
    await q.query(`
      CREATE TABLE surveys_survey_view (
        tenant          text          NOT NULL,
        survey_id       uuid          NOT NULL,
        incident_id     uuid          NOT NULL,
        customer_ref    text          NOT NULL,
        level           text          NOT NULL,
        target_percent  numeric       NOT NULL,
        channel         text          NOT NULL,
        sent_at         timestamptz   NOT NULL,
        answered_at     timestamptz,
        answered_via    text,
        answered_by     text,
        response_speed  smallint,
        result          smallint,
        attitude        smallint,
        average_score   numeric,
        satisfied       boolean,
        suggestion      text,
        PRIMARY KEY (tenant, survey_id)
      )`);
    await q.query('CREATE INDEX surveys_survey_view_incident ON surveys_survey_view (tenant, incident_id, sent_at)');
    await q.query(`
      CREATE TABLE surveys_tenant_policies (
        tenant      text        PRIMARY KEY,
        overrides   jsonb       NOT NULL DEFAULT '{}',
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE surveys_tenant_policies, surveys_survey_view, surveys_incident_customers');
  }
}
