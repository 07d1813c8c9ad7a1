/**
 * `@aftersales/notifications` — how a service notifies people outside it (pages, escalations, acknowledgements) through
 * one notifier port: the operator's allow-list of webhook hosts, the {@link Notifier} port (delivered / refused /
 * failed), delivery once per idempotency key from a durable timer ({@link NotificationDispatcher}, the
 * {@link DeliveryLedger} port), and the timer backoff that retries a failed delivery ({@link TimerBackoff}).
 * Application code uses this entry point; the adapters (webhook, Postgres) are in
 * `@aftersales/notifications/infrastructure`, bound in the service's module. See the README.
 *
 * ```ts
 * import { NOTIFIER, NotificationDispatcher, TimerBackoff, deliveryAttempt, type Notifier } from '@aftersales/notifications';
 * ```
 *
 * @packageDocumentation
 */
export {
  WebhookAllowList,
  parseAllowedHost,
  parseAllowedHosts,
  parseWebhookUrl,
  webhookOrigin,
  type AllowedHost,
  type WebhookAllowListOptions,
  type WebhookRefusal,
  type WebhookRule,
  type WebhookWording,
} from './allow-list';
export {
  NOTIFIER,
  type Notification,
  type NotificationDelivered,
  type NotificationFailed,
  type NotificationRefused,
  type Notifier,
  type NotifierOutcome,
} from './notifier.port';
export {
  DELIVERY_LEDGER,
  type DeliveryLedger,
  type DeliveryOutcome,
  type DeliveryRecord,
} from './delivery-ledger.port';
export {
  logDispatch,
  NotificationDeliveryFailed,
  NotificationDispatcher,
  type DispatchLogger,
  type DispatchResult,
  type NotificationRequest,
} from './notification-dispatcher';
// The timer backoff is the event store's (any durable timer's retry); re-exported for the notification code using it.
export { TimerBackoff, deliveryAttempt, failedAttempts, type BackoffPolicy } from '@aftersales/eventstore';
export {
  DEFAULT_NOTIFIER_TIMEOUT_MS,
  notifierSettingsFromEnv,
  notifierVariables,
  type NotifierSettings,
  type NotifierVariables,
} from './notifier-settings';
