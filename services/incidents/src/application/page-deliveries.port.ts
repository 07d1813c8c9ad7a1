import type { PoolClient } from 'pg';

/** One page's delivery as recorded: delivered (`status` 2xx), to `none` (no webhook), or refused for good. */
export interface PageDeliveryRecord {
  readonly pageId: string;
  readonly tenant: string;
  readonly incidentId: string;
  readonly level: string;
  readonly trigger: string;
  /** The webhook URL it was delivered to, `none`, or (refused) the webhook's origin only. */
  readonly target: string;
  /** The pager's answer; `null` when no pager was called. */
  readonly statusCode: number | null;
  /** Delivery attempts, this one included. */
  readonly attempts: number;
  readonly deliveredAt: Date;
  /** Why the page was refused (the allow-list rule and detail); `null` for a delivery. */
  readonly refused: string | null;
}

/**
 * Port: the record of delivered pages (`pager_deliveries`), written in the page-delivery timer's transaction, so a
 * page is recorded exactly when its timer ends. Adapter: `infrastructure/persistence/page-deliveries.postgres.ts`.
 */
export interface PageDeliveryRepository {
  /** Whether the page was recorded already (delivered or refused). */
  isRecorded(tx: PoolClient, pageId: string): Promise<boolean>;
  /** Records the page once; recording it again changes nothing. */
  record(tx: PoolClient, delivery: PageDeliveryRecord): Promise<void>;
}

/** DI token of the {@link PageDeliveryRepository}. */
export const PAGE_DELIVERY_REPOSITORY = Symbol('PAGE_DELIVERY_REPOSITORY');
