import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The incidents read model, written only by the `incidents-read-model` projection (`incidents.projection.ts`):
 *
 * - `incidents_view`: one row per incident with its phase, level, deadlines, response times and follow-up, for lists,
 *   the incident page and KPIs. `version` is the last stream version applied: every update is guarded by it, so
 *   replaying an event (a reset checkpoint, a rebuilt projection) changes nothing.
 * - `incident_complaints`: the complaints attached to each incident (`ComplaintAttached`).
 * - `incident_pages`: every page of a response team or escalation rung, keyed by the paging event's id.
 *
 * The audit trail is not here: it is read from the event stream itself (`GET /incidents/:id/timeline`).
 */
export class IncidentsReadModel1732500400000 implements MigrationInterface {
  name = 'IncidentsReadModel1732500400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents_view (
        tenant               text        NOT NULL,
        incident_id          text        PRIMARY KEY,
        category             text        NOT NULL,
        level                text        NOT NULL,
        status               text        NOT NULL,
        summary              text        NOT NULL,
        cluster_key          text,
        opened_at            timestamptz NOT NULL,
        first_paged_at       timestamptz,
        first_contact_at     timestamptz,
        contact_due_at       timestamptz,
        breached             boolean     NOT NULL DEFAULT false,
        breach_count         integer     NOT NULL DEFAULT 0,
        resolved_at          timestamptz,
        retrospective_due_at timestamptz,
        retrospective_at     timestamptz,
        closed_at            timestamptz,
        merged_into          text,
        satisfaction         numeric(5, 2),
        satisfaction_target  numeric(5, 2),
        follow_up_required   boolean     NOT NULL DEFAULT false,
        complaint_count      integer     NOT NULL DEFAULT 0,
        team                 jsonb,
        version              bigint      NOT NULL,
        updated_at           timestamptz NOT NULL
      )`);
    // Lists page by (level, opened_at, incident_id) inside a tenant; KPIs scan a tenant's incidents by opening time.
    await q.query(`CREATE INDEX incidents_view_list ON incidents_view (tenant, level, opened_at, incident_id)`);
    await q.query(`CREATE INDEX incidents_view_opened ON incidents_view (tenant, opened_at)`);
    await q.query(`
      CREATE TABLE incident_complaints (
        tenant       text        NOT NULL,
        incident_id  text        NOT NULL,
        complaint_id text        NOT NULL,
        customer_ref text        NOT NULL,
        attached_at  timestamptz NOT NULL,
        PRIMARY KEY (incident_id, complaint_id)
      )`);
    await q.query(`
      CREATE TABLE incident_pages (
        event_id    uuid        PRIMARY KEY,
        tenant      text        NOT NULL,
        incident_id text        NOT NULL,
        level       text        NOT NULL,
        trigger     text        NOT NULL,
        team        jsonb       NOT NULL,
        paged_at    timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX incident_pages_incident ON incident_pages (incident_id, paged_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS incident_pages, incident_complaints, incidents_view');
  }
}

/**
 * `incident_knowledge_base`: one entry per archived incident (`IncidentArchived.knowledge`): problem, cause, solution,
 * prevention, found by tenant with category and product. `incidents_view.product`: the product SKU the incident is
 * about (the domain's `productOfClusterKey`, written by the projection; rows projected before are filled here the same
 * way), which the recurrence KPI groups by.
 */
export class IncidentKnowledgeBase1732800100000 implements MigrationInterface {
  name = 'IncidentKnowledgeBase1732800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incident_knowledge_base (
        incident_id text        PRIMARY KEY,
        tenant      text        NOT NULL,
        category    text        NOT NULL,
        product     text,
        level       text        NOT NULL,
        problem     text        NOT NULL,
        cause       text        NOT NULL,
        solution    text        NOT NULL,
        prevention  jsonb       NOT NULL,
        closed_at   timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX incident_knowledge_base_search ON incident_knowledge_base (tenant, category, product, closed_at DESC)`,
    );
    await q.query(
      `CREATE INDEX incident_knowledge_base_product ON incident_knowledge_base (tenant, product, closed_at DESC)`,
    );
    await q.query('ALTER TABLE incidents_view ADD COLUMN product text');
    await q.query(
      `UPDATE incidents_view SET product = nullif(upper(trim(substring(cluster_key FROM '^sku:([^|]+)'))), '')`,
    );
    // Recurrence looks for later incidents of a category or a product within a tenant, by opening time.
    await q.query('CREATE INDEX incidents_view_category_opened ON incidents_view (tenant, category, opened_at)');
    await q.query('CREATE INDEX incidents_view_product_opened ON incidents_view (tenant, product, opened_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS incidents_view_product_opened, incidents_view_category_opened');
    await q.query('ALTER TABLE incidents_view DROP COLUMN IF EXISTS product');
    await q.query('DROP TABLE IF EXISTS incident_knowledge_base');
  }
}

/** Migrations of the incidents read model, to pass to the service definition beside the write side's. */
export const readModelMigrations = [IncidentsReadModel1732500400000, IncidentKnowledgeBase1732800100000];
