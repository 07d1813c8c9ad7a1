import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The returns list (`GET /returns?status=&caseId=`), kept in each command's transaction. */
export class ReturnIndex1796149724097 implements MigrationInterface {
  name = 'ReturnIndex1796149724097';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE returns_index (
        tenant       text NOT NULL,
        return_id    uuid NOT NULL,
        case_id      uuid,
        order_id     text NOT NULL,
        kind         text NOT NULL,
        status       text NOT NULL,
        requested_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, return_id)
      )`);
    await q.query('CREATE INDEX returns_index_by_status ON returns_index (tenant, status, requested_at DESC)');
    await q.query('CREATE INDEX returns_index_by_case ON returns_index (tenant, case_id, requested_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE returns_index');
  }
}
