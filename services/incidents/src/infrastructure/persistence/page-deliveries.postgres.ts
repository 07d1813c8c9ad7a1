import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { PageDeliveryRecord, PageDeliveryRepository } from '../../application/page-deliveries.port';

/** {@link PageDeliveryRepository} on `pager_deliveries` (one row per page, keyed by the page id). */
@Injectable()
export class PostgresPageDeliveryRepository implements PageDeliveryRepository {
  async isRecorded(tx: PoolClient, pageId: string): Promise<boolean> {
    const { rowCount } = await tx.query('SELECT 1 FROM pager_deliveries WHERE page_id = $1', [pageId]);
    return Boolean(rowCount);
  }

  async record(tx: PoolClient, delivery: PageDeliveryRecord): Promise<void> {
    const { pageId, tenant, incidentId, level, trigger, target, statusCode, attempts, deliveredAt, refused } = delivery;
    await tx.query(
      `INSERT INTO pager_deliveries
         (page_id, tenant, incident_id, level, trigger, target, status_code, attempts, delivered_at, refused)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (page_id) DO NOTHING`,
      [pageId, tenant, incidentId, level, trigger, target, statusCode, attempts, deliveredAt, refused],
    );
  }
}
