import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The after-sales case each attached complaint arose from (`ComplaintAttachedV1.caseId`, when it arose from one), so
 * the incident's satisfaction events name the cases they concern. Rows remembered before have none.
 */
export class IncidentCustomerCases1732500500000 implements MigrationInterface {
  name = 'IncidentCustomerCases1732500500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE surveys_incident_customers ADD COLUMN case_id uuid');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE surveys_incident_customers DROP COLUMN case_id');
  }
}
