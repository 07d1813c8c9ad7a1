import { Module } from '@nestjs/common';
import { NOTIFIER } from '@aftersales/notifications';
import { WebhookNotifier } from '@aftersales/notifications/infrastructure';
import { defineService, type WorkerContext } from '@aftersales/service-runtime';
import { CLUSTER_LINK_REPOSITORY } from './application/cluster-links.port';
import { INCIDENT_ARCHIVE_STORE } from './application/incident-archives.port';
import { CLUSTER_FOLDS, clusterFolds, INCIDENT_FOLDS, incidentFolds } from './application/fold-caches';
import { ComplaintClusteringProcessManager } from './application/complaint-clustering.process-manager';
import { IncidentCommandRunner } from './application/incident-command-runner';
import { IncidentCommandsService } from './application/incident-commands.service';
import { INCIDENT_METRICS, type IncidentMetricsPort } from './application/incident-metrics.port';
import { IncidentMetricsProjector } from './application/incident-metrics.projector';
import { incidentTimers } from './application/incident-timers.worker';
import {
  createIncidentsLogger,
  INCIDENTS_CONFIG,
  INCIDENTS_LOGGER,
  incidentsConfigFromEnv,
  type IncidentsConfig,
} from './application/incidents.config';
import { PAGE_DELIVERY_LEDGER } from './application/page-deliveries.port';
import { Pager } from './application/pager';
import { SatisfactionHandler } from './application/satisfaction.handler';
import { TenantPolicies } from './application/tenant-policies';
import { TENANT_POLICY_REPOSITORY } from './application/tenant-policies.port';
import { IncidentCommandsHttpController } from './infrastructure/http/incident-commands.http.controller';
import { PoliciesHttpController } from './infrastructure/http/policies.http.controller';
import { ComplaintRegisteredConsumer } from './infrastructure/messaging/complaint-registered.consumer';
import { incidentsIntegrationEvents } from './infrastructure/messaging/integration-events';
import { RegionalAlarmRaisedConsumer } from './infrastructure/messaging/regional-alarm-raised.consumer';
import { SatisfactionMeasuredConsumer } from './infrastructure/messaging/satisfaction-measured.consumer';
import { OpenIncidentsGauge, PrometheusIncidentMetrics } from './infrastructure/metrics/incident-metrics.prometheus';
import { incidentsWriteSideMigrations } from './infrastructure/persistence/1732600000000-incidents-write-side';
import { PostgresClusterLinkRepository } from './infrastructure/persistence/cluster-links.postgres';
import { PostgresIncidentArchiveStore } from './infrastructure/persistence/incident-archives.postgres';
import { PostgresPageDeliveryLedger } from './infrastructure/persistence/page-deliveries.postgres';
import { PostgresTenantPolicyRepository } from './infrastructure/persistence/tenant-policies.postgres';
import { incidentReadWorkers, incidentsReadModel } from './infrastructure/read-model/incidents.projection';
import { IncidentsReadModule } from './infrastructure/read-model/incidents-read.module';
import { readModelMigrations } from './infrastructure/read-model/migrations';

@Module({
  imports: [IncidentsReadModule],
  controllers: [
    IncidentCommandsHttpController,
    PoliciesHttpController,
    ComplaintRegisteredConsumer,
    RegionalAlarmRaisedConsumer,
    SatisfactionMeasuredConsumer,
  ],
  providers: [
    { provide: INCIDENTS_CONFIG, useFactory: () => incidentsConfigFromEnv() },
    { provide: INCIDENTS_LOGGER, useFactory: createIncidentsLogger },
    TenantPolicies,
    IncidentCommandRunner,
    IncidentCommandsService,
    ComplaintClusteringProcessManager,
    SatisfactionHandler,
    Pager,
    // The application's ports, bound to their adapters (infrastructure/).
    { provide: TENANT_POLICY_REPOSITORY, useClass: PostgresTenantPolicyRepository },
    { provide: CLUSTER_LINK_REPOSITORY, useClass: PostgresClusterLinkRepository },
    { provide: PAGE_DELIVERY_LEDGER, useClass: PostgresPageDeliveryLedger },
    { provide: INCIDENT_ARCHIVE_STORE, useClass: PostgresIncidentArchiveStore },
    // The pager: @aftersales/notifications' webhook adapter (allow-list, Idempotency-Key, PAGER_TIMEOUT_MS).
    {
      provide: NOTIFIER,
      useFactory: (config: IncidentsConfig) => new WebhookNotifier(config.pager),
      inject: [INCIDENTS_CONFIG],
    },
    { provide: INCIDENT_METRICS, useClass: PrometheusIncidentMetrics },
    {
      provide: CLUSTER_FOLDS,
      useFactory: (config: IncidentsConfig) => clusterFolds(config.cachedStreams),
      inject: [INCIDENTS_CONFIG],
    },
    {
      provide: INCIDENT_FOLDS,
      useFactory: (config: IncidentsConfig) => incidentFolds(config.cachedStreams),
      inject: [INCIDENTS_CONFIG],
    },
  ],
})
export class IncidentsModule {}

/**
 * The write side's workers: durable timers (contact deadlines, page delivery) and the incident metrics (the projector
 * of the counters, and the binding of the open-incidents gauge to this database).
 */
function incidentWriteWorkers({ app, database, clock, logger }: WorkerContext) {
  return [
    incidentTimers({
      database,
      runner: app.get(IncidentCommandRunner),
      pager: app.get(Pager),
      clock,
      config: app.get<IncidentsConfig>(INCIDENTS_CONFIG),
      logger,
    }),
    new IncidentMetricsProjector(database, app.get<IncidentMetricsPort>(INCIDENT_METRICS), logger),
    new OpenIncidentsGauge(database.pool, logger),
  ];
}

/**
 * The incidents service (domain §5): complaint clusters open and upgrade incidents (inbox consumer
 * `complaint-clustering` on intake's events), response teams are paged (Kafka + the tenant's pager webhook), contact
 * deadlines are durable timers, satisfaction comes from surveys (consumer `satisfaction`), and the incident lifecycle
 * is driven over HTTP. Events are published through the outbox relay; the read side projects them.
 */
export const incidentsService = defineService({
  service: 'incidents',
  module: IncidentsModule,
  migrations: [...incidentsWriteSideMigrations, ...readModelMigrations],
  integrationEvents: incidentsIntegrationEvents,
  consumers: [
    // Complaints about one batch (one region) share a key: a process takes a surge's chunks in turn (ADR 32).
    {
      consumer: 'complaint-clustering',
      handlers: [ComplaintRegisteredConsumer],
      foldCaches: [CLUSTER_FOLDS, INCIDENT_FOLDS],
    },
    {
      consumer: 'regional-alarms',
      handlers: [RegionalAlarmRaisedConsumer],
      foldCaches: [CLUSTER_FOLDS, INCIDENT_FOLDS],
    },
    { consumer: 'satisfaction', handlers: [SatisfactionMeasuredConsumer] },
  ],
  workers: (context) => [...incidentWriteWorkers(context), ...incidentReadWorkers(context)],
  projections: [incidentsReadModel],
});
