import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What compensation orders move, kept in their transactions: budgets (per tenant-month and per incident, never
 * exceeded, never negative: CHECK constraints), the double-entry ledger (each movement's entries sum to zero: checked
 * by a deferred constraint trigger at commit), money back committed per order, and the orders list.
 */
export class CompensationBooks1796156466056 implements MigrationInterface {
  name = 'CompensationBooks1796156466056';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE compensation_budgets (
        tenant         text NOT NULL,
        scope_kind     text NOT NULL CHECK (scope_kind IN ('month', 'incident')),
        scope_id       text NOT NULL,
        currency       text NOT NULL,
        limit_minor    bigint NOT NULL CHECK (limit_minor >= 0),
        reserved_minor bigint NOT NULL DEFAULT 0 CHECK (reserved_minor >= 0),
        spent_minor    bigint NOT NULL DEFAULT 0 CHECK (spent_minor >= 0),
        PRIMARY KEY (tenant, scope_kind, scope_id),
        CHECK (reserved_minor + spent_minor <= limit_minor)
      )`);
    await q.query(`
      CREATE TABLE compensation_ledger (
        movement_id     uuid NOT NULL,
        line            int NOT NULL,
        tenant          text NOT NULL,
        compensation_id uuid NOT NULL,
        cause_kind      text NOT NULL,
        cause_id        text NOT NULL,
        order_id        text,
        instrument      text NOT NULL,
        account         text NOT NULL,
        amount_minor    bigint NOT NULL,
        currency        text NOT NULL,
        booked_at       timestamptz NOT NULL,
        PRIMARY KEY (movement_id, line)
      )`);
    await q.query('CREATE INDEX compensation_ledger_cause ON compensation_ledger (tenant, cause_kind, cause_id)');
    await q.query(`
      CREATE FUNCTION compensation_ledger_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM compensation_ledger WHERE movement_id = NEW.movement_id
                   GROUP BY currency HAVING sum(amount_minor) <> 0) THEN
          RAISE EXCEPTION 'ledger movement % is not balanced', NEW.movement_id;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER compensation_ledger_balanced AFTER INSERT ON compensation_ledger
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION compensation_ledger_balanced()`);
    await q.query(`
      CREATE TABLE compensation_money_back (
        tenant          text NOT NULL,
        order_id        text NOT NULL,
        committed_minor bigint NOT NULL DEFAULT 0 CHECK (committed_minor >= 0),
        PRIMARY KEY (tenant, order_id)
      )`);
    await q.query(`
      CREATE TABLE compensation_orders (
        tenant          text NOT NULL,
        compensation_id uuid NOT NULL,
        case_id         uuid,
        cause_kind      text NOT NULL,
        cause_id        text NOT NULL,
        instrument      text NOT NULL,
        amount_minor    bigint NOT NULL,
        currency        text NOT NULL,
        status          text NOT NULL,
        requested_at    timestamptz NOT NULL,
        PRIMARY KEY (tenant, compensation_id)
      )`);
    await q.query('CREATE INDEX compensation_orders_status ON compensation_orders (tenant, status, requested_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compensation_orders');
    await q.query('DROP TABLE compensation_money_back');
    await q.query('DROP TABLE compensation_ledger');
    await q.query('DROP FUNCTION compensation_ledger_balanced');
    await q.query('DROP TABLE compensation_budgets');
  }
}
