import { Module } from '@nestjs/common';
import { DELIVERY_LEDGER, NOTIFIER } from '@aftersales/notifications';
import {
  NotificationMigrations,
  PostgresDeliveryLedger,
  WebhookNotifier,
} from '@aftersales/notifications/infrastructure';
import { defineService, type WorkerContext } from '@aftersales/service-runtime';
import { CASE_REGISTER } from './application/case-register.port';
import { RETURN_INDEX } from './application/return-index.port';
import { ReturnDeadlineNotices } from './application/return-deadline-notices';
import { ReturnTimers } from './application/return-timers.worker';
import { RETURNS_CONFIG, returnsConfigFromEnv, type ReturnsConfig } from './application/returns.config';
import { ReturnsPoliciesService } from './application/returns-policies.service';
import { ReturnsService } from './application/returns.service';
import { ReturnsHttpController } from './infrastructure/http/returns.http.controller';
import { ReturnsPoliciesHttpController } from './infrastructure/http/returns-policies.http.controller';
import { CaseOpenedConsumer } from './infrastructure/messaging/case-opened.consumer';
import { returnsIntegrationEvents } from './infrastructure/messaging/integration-events';
import { ReturnSagaConsumer } from './infrastructure/messaging/return-saga.consumer';
import { CaseRegister1796149724096 } from './infrastructure/persistence/1796149724096-case-register';
import { ReturnIndex1796149724097 } from './infrastructure/persistence/1796149724097-return-index';
import { PostgresCaseRegister } from './infrastructure/persistence/case-register.postgres';
import { PostgresReturnIndex } from './infrastructure/persistence/return-index.postgres';

@Module({
  controllers: [ReturnsHttpController, ReturnsPoliciesHttpController, CaseOpenedConsumer, ReturnSagaConsumer],
  providers: [
    { provide: RETURNS_CONFIG, useFactory: () => returnsConfigFromEnv() },
    ReturnsService,
    ReturnDeadlineNotices,
    // Breached deadlines reach the supervisor through @aftersales/notifications' webhook adapter (allow-list,
    // Idempotency-Key, RETURNS_NOTIFIER_TIMEOUT_MS), recorded in notification_deliveries.
    {
      provide: NOTIFIER,
      useFactory: (config: ReturnsConfig) => new WebhookNotifier(config.notifier),
      inject: [RETURNS_CONFIG],
    },
    { provide: DELIVERY_LEDGER, useClass: PostgresDeliveryLedger },
    ReturnsPoliciesService,
    { provide: CASE_REGISTER, useClass: PostgresCaseRegister },
    { provide: RETURN_INDEX, useClass: PostgresReturnIndex },
  ],
})
export class ReturnsModule {}

/** The service's worker: the deadlines' durable timers (breaches, the supervisor's notices). */
function returnsWorkers({ app, database, clock, logger }: WorkerContext) {
  return [
    new ReturnTimers(
      database,
      app.get(ReturnsService),
      app.get(ReturnDeadlineNotices),
      clock,
      app.get<ReturnsConfig>(RETURNS_CONFIG),
      logger,
    ),
  ];
}

/**
 * The returns service (ADR 14): returns, exchanges, refund-only requests, repairs and claims under each tenant's
 * returns policy, published on `aftersales.returns.events`; the register of intake's cases (consumer
 * `case-register`); what logistics and compensation report about returns (consumer `return-saga`); each deadline a
 * durable timer on the tenant's business calendar, a breach notified to the supervisor.
 */
export const returnsService = defineService({
  service: 'returns',
  module: ReturnsModule,
  migrations: [CaseRegister1796149724096, ReturnIndex1796149724097, ...NotificationMigrations],
  integrationEvents: returnsIntegrationEvents,
  consumers: [
    { consumer: 'case-register', handlers: [CaseOpenedConsumer] },
    { consumer: 'return-saga', handlers: [ReturnSagaConsumer] },
  ],
  workers: returnsWorkers,
});
