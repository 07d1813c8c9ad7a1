import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { DeliveryRecord } from '@aftersales/notifications';
import type { PageDeliveryLedger, PageSubject } from '../../application/page-deliveries.port';

/**
 * {@link PageDeliveryLedger} on `pager_deliveries` (one row per page, keyed by the page id). Every row is a page, so
 * the record's `kind` is not stored, and its outcome is read from the row: `target` `none` (no webhook), `refused`
 * set (refused for good), else delivered.
 */
@Injectable()
export class PostgresPageDeliveryLedger implements PageDeliveryLedger {
  async isRecorded(tx: PoolClient, pageId: string): Promise<boolean> {
    const { rowCount } = await tx.query('SELECT 1 FROM pager_deliveries WHERE page_id = $1', [pageId]);
    return Boolean(rowCount);
  }

  async record(tx: PoolClient, delivery: DeliveryRecord<PageSubject>): Promise<void> {
    const { key, tenant, subject, target, statusCode, attempts, recordedAt, refused } = delivery;
    const { incidentId, level, trigger } = subject;
    await tx.query(
      `INSERT INTO pager_deliveries
         (page_id, tenant, incident_id, level, trigger, target, status_code, attempts, delivered_at, refused)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (page_id) DO NOTHING`,
      [key, tenant, incidentId, level, trigger, target, statusCode, attempts, recordedAt, refused],
    );
  }
}
