import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `pager_deliveries.refused`: why a page was not sent, for good, to the webhook its tenant's policy names (a rule of
 * the webhook allow-list, `WebhookAllowList` of `@aftersales/notifications`, with what is wrong with the URL): the
 * webhook is outside `INCIDENTS_PAGER_ALLOWED_HOSTS`. Such a row ends the page's delivery (`status_code` null,
 * `target` the webhook's origin); `null` for a delivery.
 */
export class PagerRefusals1732700000000 implements MigrationInterface {
  name = 'PagerRefusals1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pager_deliveries ADD COLUMN refused text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE pager_deliveries DROP COLUMN refused');
  }
}
