import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invoice requests (seed 003 §11): each tenant's queue in request order (`compensation_invoice_sequences` hands out the
 * places, one per new request, in its transaction) and the requests as lists and finance's expedite queue show them.
 */
export class Invoices1796160000001 implements MigrationInterface {
  name = 'Invoices1796160000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE compensation_invoice_sequences (
        tenant text PRIMARY KEY,
        last   bigint NOT NULL
      )`);
    await q.query(`
      CREATE TABLE compensation_invoices (
        tenant                text NOT NULL,
        invoice_request_id    uuid NOT NULL,
        sequence              bigint NOT NULL,
        order_id              text NOT NULL,
        customer_id           text NOT NULL,
        case_id               uuid,
        amount_minor          bigint NOT NULL,
        currency              text NOT NULL,
        status                text NOT NULL CHECK (status IN ('queued', 'issued')),
        urgent                boolean NOT NULL,
        expedite_reason       text,
        expedite_requested_at timestamptz,
        invoice_number        text,
        requested_at          timestamptz NOT NULL,
        issued_at             timestamptz,
        PRIMARY KEY (tenant, invoice_request_id),
        UNIQUE (tenant, sequence)
      )`);
    await q.query('CREATE INDEX compensation_invoices_queue ON compensation_invoices (tenant, status, sequence)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compensation_invoices');
    await q.query('DROP TABLE compensation_invoice_sequences');
  }
}
