import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Budgets in slices (ADR 17): `compensation_budgets` keeps each budget's head (its limit), `compensation_budget_slices`
 * what each slice was allocated of it and what was reserved and spent there (CHECKs: never negative, never above the
 * slice's allocation). A deferred constraint trigger checks at commit, for every budget whose allocations or limit a
 * transaction changed, that the allocations sum to no more than the limit: so no budget is ever exceeded, while an
 * approval locks only one slice. What a budget had reserved and spent moves to its slice 0 (where the reservations
 * recorded before, which name no slice, go back).
 */
export class BudgetSlices1796160000000 implements MigrationInterface {
  name = 'BudgetSlices1796160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE compensation_budget_slices (
        tenant          text NOT NULL,
        scope_kind      text NOT NULL,
        scope_id        text NOT NULL,
        slice           int NOT NULL CHECK (slice >= 0),
        allocated_minor bigint NOT NULL DEFAULT 0 CHECK (allocated_minor >= 0),
        reserved_minor  bigint NOT NULL DEFAULT 0 CHECK (reserved_minor >= 0),
        spent_minor     bigint NOT NULL DEFAULT 0 CHECK (spent_minor >= 0),
        PRIMARY KEY (tenant, scope_kind, scope_id, slice),
        FOREIGN KEY (tenant, scope_kind, scope_id) REFERENCES compensation_budgets (tenant, scope_kind, scope_id),
        CHECK (reserved_minor + spent_minor <= allocated_minor)
      )`);
    await q.query(`
      INSERT INTO compensation_budget_slices (tenant, scope_kind, scope_id, slice, allocated_minor, reserved_minor, spent_minor)
      SELECT tenant, scope_kind, scope_id, 0, reserved_minor + spent_minor, reserved_minor, spent_minor FROM compensation_budgets`);
    await q.query('ALTER TABLE compensation_budgets DROP COLUMN reserved_minor, DROP COLUMN spent_minor');
    await q.query(`
      CREATE FUNCTION compensation_budget_within_limit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT coalesce(sum(s.allocated_minor), 0) FROM compensation_budget_slices s
             WHERE s.tenant = NEW.tenant AND s.scope_kind = NEW.scope_kind AND s.scope_id = NEW.scope_id)
           > (SELECT b.limit_minor FROM compensation_budgets b
               WHERE b.tenant = NEW.tenant AND b.scope_kind = NEW.scope_kind AND b.scope_id = NEW.scope_id) THEN
          RAISE EXCEPTION 'budget % % of % allocated above its limit', NEW.scope_kind, NEW.scope_id, NEW.tenant
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
      END $$`);
    // Only what moves allocations or limits fires it (an approval's reservation changes neither).
    await q.query(`
      CREATE CONSTRAINT TRIGGER compensation_budget_slices_within_limit
      AFTER INSERT OR UPDATE OF allocated_minor ON compensation_budget_slices
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION compensation_budget_within_limit()`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER compensation_budgets_within_limit
      AFTER UPDATE OF limit_minor ON compensation_budgets
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION compensation_budget_within_limit()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER compensation_budgets_within_limit ON compensation_budgets');
    await q.query('DROP TRIGGER compensation_budget_slices_within_limit ON compensation_budget_slices');
    await q.query('DROP FUNCTION compensation_budget_within_limit');
    await q.query(`
      ALTER TABLE compensation_budgets
        ADD COLUMN reserved_minor bigint NOT NULL DEFAULT 0 CHECK (reserved_minor >= 0),
        ADD COLUMN spent_minor bigint NOT NULL DEFAULT 0 CHECK (spent_minor >= 0)`);
    await q.query(`
      UPDATE compensation_budgets b SET reserved_minor = s.reserved, spent_minor = s.spent
        FROM (SELECT tenant, scope_kind, scope_id, sum(reserved_minor) AS reserved, sum(spent_minor) AS spent
                FROM compensation_budget_slices GROUP BY tenant, scope_kind, scope_id) s
       WHERE b.tenant = s.tenant AND b.scope_kind = s.scope_kind AND b.scope_id = s.scope_id`);
    await q.query('ALTER TABLE compensation_budgets ADD CHECK (reserved_minor + spent_minor <= limit_minor)');
    await q.query('DROP TABLE compensation_budget_slices');
  }
}
