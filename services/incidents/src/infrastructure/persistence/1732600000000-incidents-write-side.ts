import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PagerRefusals1732700000000 } from './1732700000000-pager-refusals';
import { IncidentArchives1732800000000 } from './1732800000000-incident-archives';

/**
 * Tables of the incidents write side (the event store and timers come from `@aftersales/eventstore`):
 *
 * - `incidents_tenant_policies`: each tenant's overrides of the incident policy defaults and its pager webhook, with
 *   who changed them last; `incidents_tenant_policy_changes` keeps every version (who, when, what).
 * - `incidents_cluster_links`: which incident a complaint cluster's episode opened (and, after a merge, its
 *   survivor); written in the inbox transaction that opened it.
 * - `pager_deliveries`: each page delivered to a pager once, where to and after how many attempts (and, since
 *   `PagerRefusals1732700000000`, each page refused for good: a webhook outside the operator's allow-list).
 * - `incident_archives` (`IncidentArchives1732800000000`): each closed incident's archive, immutable.
 */
export class IncidentsWriteSide1732600000000 implements MigrationInterface {
  name = 'IncidentsWriteSide1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents_tenant_policies (
        tenant            text        PRIMARY KEY,
        overrides         jsonb       NOT NULL DEFAULT '{}'::jsonb,
        pager_webhook_url text,
        updated_at        timestamptz NOT NULL,
        updated_by        text        NOT NULL
      )`);
    await q.query(`
      CREATE TABLE incidents_tenant_policy_changes (
        change_id         bigserial   PRIMARY KEY,
        tenant            text        NOT NULL,
        overrides         jsonb       NOT NULL,
        pager_webhook_url text,
        updated_at        timestamptz NOT NULL,
        updated_by        text        NOT NULL
      )`);
    await q.query(
      `CREATE INDEX incidents_tenant_policy_changes_tenant ON incidents_tenant_policy_changes (tenant, change_id)`,
    );
    await q.query(`
      CREATE TABLE incidents_cluster_links (
        tenant      text        NOT NULL,
        cluster_id  text        NOT NULL,
        episode     integer     NOT NULL,
        incident_id uuid        NOT NULL,
        linked_at   timestamptz NOT NULL,
        PRIMARY KEY (tenant, cluster_id, episode)
      )`);
    await q.query(`CREATE INDEX incidents_cluster_links_incident ON incidents_cluster_links (tenant, incident_id)`);
    await q.query(`
      CREATE TABLE pager_deliveries (
        page_id      uuid        PRIMARY KEY,
        tenant       text        NOT NULL,
        incident_id  uuid        NOT NULL,
        level        text        NOT NULL,
        trigger      text        NOT NULL,
        target       text        NOT NULL,
        status_code  integer,
        attempts     integer     NOT NULL,
        delivered_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX pager_deliveries_incident ON pager_deliveries (tenant, incident_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      'DROP TABLE pager_deliveries, incidents_cluster_links, incidents_tenant_policy_changes, incidents_tenant_policies',
    );
  }
}

/** The write side's migrations, in order. */
export const incidentsWriteSideMigrations = [
  IncidentsWriteSide1732600000000,
  PagerRefusals1732700000000,
  IncidentArchives1732800000000,
];
