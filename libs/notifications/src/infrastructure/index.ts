/**
 * `@aftersales/notifications/infrastructure` — the adapters of the notifications library's ports: the webhook
 * notifier (HTTP) and the Postgres delivery ledger with its migration. A service binds them in its module (the
 * composition root); its application code depends on the ports in `@aftersales/notifications` only (lint enforces it).
 *
 * ```ts
 * import { NotificationMigrations, PostgresDeliveryLedger, WebhookNotifier } from '@aftersales/notifications/infrastructure';
 * ```
 *
 * @packageDocumentation
 */
export { WebhookNotifier, type WebhookNotifierOptions } from './webhook-notifier';
export { PostgresDeliveryLedger, type JsonSubject } from './delivery-ledger.postgres';
export {
  CreateNotificationDeliveries1733000000000,
  NotificationMigrations,
} from './migrations/1733000000000-create-notification-deliveries';
