import { Module } from '@nestjs/common';
import { DELIVERY_LEDGER, NOTIFIER } from '@aftersales/notifications';
import {
  NotificationMigrations,
  PostgresDeliveryLedger,
  WebhookNotifier,
} from '@aftersales/notifications/infrastructure';
import { defineService, type WorkerContext } from '@aftersales/service-runtime';
import { CARRIER_INTEGRATIONS } from './application/carrier-integrations.port';
import { CASE_REGISTER } from './application/case-register.port';
import { LOGISTICS_CONFIG, logisticsConfigFromEnv, type LogisticsConfig } from './application/logistics.config';
import { LogisticsPoliciesService } from './application/logistics-policies.service';
import { LogisticsTimers } from './application/logistics-timers.worker';
import { REGIONAL_SIGNALS } from './application/regional-signals.port';
import { SHIPMENT_INDEX } from './application/shipment-index.port';
import { ShipmentNotices } from './application/shipment-notices';
import { ShipmentsService } from './application/shipments.service';
import {
  CarrierEventsHttpController,
  CarrierSignatureGuard,
} from './infrastructure/http/carrier-events.http.controller';
import { LogisticsPoliciesHttpController } from './infrastructure/http/logistics-policies.http.controller';
import { ShipmentsHttpController } from './infrastructure/http/shipments.http.controller';
import { CarrierScansConsumer } from './infrastructure/messaging/carrier-scans.consumer';
import { CaseOpenedConsumer } from './infrastructure/messaging/case-opened.consumer';
import { logisticsIntegrationEvents } from './infrastructure/messaging/integration-events';
import { ReturnsSagaConsumer } from './infrastructure/messaging/returns-saga.consumer';
import { CaseRegister1796156478718 } from './infrastructure/persistence/1796156478718-case-register';
import { Shipments1796156478719 } from './infrastructure/persistence/1796156478719-shipments';
import { PostgresCarrierIntegrations } from './infrastructure/persistence/carrier-integrations.postgres';
import { PostgresCaseRegister } from './infrastructure/persistence/case-register.postgres';
import { PostgresRegionalSignals } from './infrastructure/persistence/regional-signals.postgres';
import { PostgresShipmentIndex } from './infrastructure/persistence/shipment-index.postgres';
import { RegionalSignals1796156478720 } from './infrastructure/persistence/1796156478720-regional-signals';
import { RegionalTallies1796156478722 } from './infrastructure/persistence/1796156478722-regional-tallies';
import { TrackingTimersInPlace1796156478721 } from './infrastructure/persistence/1796156478721-tracking-timers-in-place';

@Module({
  controllers: [
    ShipmentsHttpController,
    CarrierEventsHttpController,
    LogisticsPoliciesHttpController,
    CaseOpenedConsumer,
    ReturnsSagaConsumer,
    CarrierScansConsumer,
  ],
  providers: [
    { provide: LOGISTICS_CONFIG, useFactory: () => logisticsConfigFromEnv() },
    ShipmentsService,
    LogisticsPoliciesService,
    ShipmentNotices,
    CarrierSignatureGuard,
    // Notices reach customers and operations through @aftersales/notifications' webhook adapter (allow-list,
    // Idempotency-Key, LOGISTICS_NOTIFIER_TIMEOUT_MS), recorded in notification_deliveries.
    {
      provide: NOTIFIER,
      useFactory: (config: LogisticsConfig) => new WebhookNotifier(config.notifier),
      inject: [LOGISTICS_CONFIG],
    },
    { provide: DELIVERY_LEDGER, useClass: PostgresDeliveryLedger },
    { provide: CASE_REGISTER, useClass: PostgresCaseRegister },
    { provide: SHIPMENT_INDEX, useClass: PostgresShipmentIndex },
    { provide: CARRIER_INTEGRATIONS, useClass: PostgresCarrierIntegrations },
    { provide: REGIONAL_SIGNALS, useClass: PostgresRegionalSignals },
  ],
})
export class LogisticsModule {}

/** The service's worker: the tracking rules' durable timers and the notices they ask for. */
function logisticsWorkers({ app, database, clock, logger }: WorkerContext) {
  return [
    new LogisticsTimers(
      database,
      app.get(ShipmentsService),
      app.get(ShipmentNotices),
      clock,
      app.get<LogisticsConfig>(LOGISTICS_CONFIG),
      logger,
    ),
  ];
}

/**
 * The logistics service: shipments (outbound, return, replacement) and their tracking under each tenant's policy,
 * carrier scans by signed webhook and Kafka ingress (consumer `carrier-scans`), ADR 14's conversation with returns
 * (consumer `returns-saga`), the register of intake's cases (consumer `case-register`); the 24/48/72 h rules and the
 * phase timeouts on durable timers; published on `aftersales.logistics.events`.
 */
export const logisticsService = defineService({
  service: 'logistics',
  module: LogisticsModule,
  migrations: [
    CaseRegister1796156478718,
    Shipments1796156478719,
    RegionalSignals1796156478720,
    TrackingTimersInPlace1796156478721,
    RegionalTallies1796156478722,
    ...NotificationMigrations,
  ],
  integrationEvents: logisticsIntegrationEvents,
  consumers: [
    { consumer: 'case-register', handlers: [CaseOpenedConsumer] },
    { consumer: 'returns-saga', handlers: [ReturnsSagaConsumer] },
    { consumer: 'carrier-scans', handlers: [CarrierScansConsumer] },
  ],
  workers: logisticsWorkers,
});
