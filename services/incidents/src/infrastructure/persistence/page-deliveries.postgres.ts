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
    await this.recordAll(tx, [delivery]);
  }

  async recordedAmong(tx: PoolClient, pageIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (pageIds.length === 0) return new Set();
    const { rows } = await tx.query<{ page_id: string }>(
      'SELECT page_id::text AS page_id FROM pager_deliveries WHERE page_id = ANY($1::uuid[])',
      [[...new Set(pageIds)]],
    );
    return new Set(rows.map((r) => r.page_id));
  }

  async recordAll(tx: PoolClient, deliveries: ReadonlyArray<DeliveryRecord<PageSubject>>): Promise<void> {
    if (deliveries.length === 0) return;
    const column = <T>(pick: (d: DeliveryRecord<PageSubject>) => T) => deliveries.map(pick);
    await tx.query(
      `INSERT INTO pager_deliveries
         (page_id, tenant, incident_id, level, trigger, target, status_code, attempts, delivered_at, refused)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::int[],
                            $8::int[], $9::timestamptz[], $10::text[])
       ON CONFLICT (page_id) DO NOTHING`,
      [
        column((d) => d.key),
        column((d) => d.tenant),
        column((d) => d.subject.incidentId),
        column((d) => d.subject.level),
        column((d) => d.subject.trigger),
        column((d) => d.target),
        column((d) => d.statusCode),
        column((d) => d.attempts),
        column((d) => d.recordedAt),
        column((d) => d.refused),
      ],
    );
  }
}
