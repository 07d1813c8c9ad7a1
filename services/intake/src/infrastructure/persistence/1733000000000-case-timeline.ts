import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One timeline per case (`GET /cases/:caseId/timeline`):
 * - `intake_case_timeline`: every event another service published that names a case (`caseId`/`caseIds`), one row per
 *   case it names, stored by the `case-timeline` consumer. Keyed by tenant, case, `ce_source` and `ce_id`, so a
 *   redelivered event adds nothing; `sequence` is the order the consumer received them in (each aggregate's Kafka
 *   order), the tiebreak after the time. The payload is kept as published (opaque references only, never personal
 *   data in plaintext: the contracts' rule) so entries are described at read time.
 * - `es_events_case_id`: intake's own events that name a case in their data (complaints, reviews) are found through
 *   it, beside the case stream's own events (the store's unique index on the stream).
 */
export class CaseTimeline1733000000000 implements MigrationInterface {
  name = 'CaseTimeline1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE intake_case_timeline (
        tenant        text        NOT NULL,
        case_id       uuid        NOT NULL,
        event_source  text        NOT NULL,
        event_id      text        NOT NULL,
        sequence      bigint      GENERATED ALWAYS AS IDENTITY,
        event_type    text        NOT NULL,
        subject       text,
        occurred_at   timestamptz NOT NULL,
        payload       jsonb       NOT NULL,
        PRIMARY KEY (tenant, case_id, event_source, event_id)
      )`);
    await q.query(
      'CREATE INDEX intake_case_timeline_order ON intake_case_timeline (tenant, case_id, occurred_at, sequence)',
    );
    await q.query(`CREATE INDEX es_events_case_id ON es_events ((data->>'caseId')) WHERE data ? 'caseId'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX es_events_case_id');
    await q.query('DROP TABLE intake_case_timeline');
  }
}
