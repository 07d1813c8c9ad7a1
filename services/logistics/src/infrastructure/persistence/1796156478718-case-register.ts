import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The cases intake opened, as logistics registered them (consumer `case-register`). */
export class CaseRegister1796156478718 implements MigrationInterface {
  name = 'CaseRegister1796156478718';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE logistics_cases (
        tenant       text NOT NULL,
        case_id      uuid NOT NULL,
        customer_id  text NOT NULL,
        order_id     text NOT NULL,
        source_event uuid NOT NULL,
        PRIMARY KEY (tenant, case_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE logistics_cases');
  }
}
