import type { DeliveryLedger } from '@aftersales/notifications';

/** What a page's delivery record says it was about, beside the notification's own fields. */
export interface PageSubject {
  readonly incidentId: string;
  readonly level: string;
  readonly trigger: string;
}

/**
 * Port: the record of delivered pages (`pager_deliveries`, keyed by the page id), the notifications library's
 * {@link DeliveryLedger} for pages, written in the page-delivery timer's transaction, so a page is recorded exactly when
 * its timer ends. Adapter: `infrastructure/persistence/page-deliveries.postgres.ts`.
 */
export type PageDeliveryLedger = DeliveryLedger<PageSubject>;

/** DI token of the {@link PageDeliveryLedger}. */
export const PAGE_DELIVERY_LEDGER = Symbol('PAGE_DELIVERY_LEDGER');
