import { Module } from '@nestjs/common';
import { DELIVERY_LEDGER, NOTIFIER } from '@aftersales/notifications';
import {
  NotificationMigrations,
  PostgresDeliveryLedger,
  WebhookNotifier,
} from '@aftersales/notifications/infrastructure';
import { defineService, type WorkerContext } from '@aftersales/service-runtime';
import { PrivacyMigrations } from '@aftersales/privacy';
import { CaseCommandRunner } from './application/case-command-runner';
import { CASE_TIMELINE_SOURCES } from './application/case-timeline.port';
import { CaseTimeline } from './application/case-timeline.query';
import { ComplaintLadderProcess } from './application/complaint-ladder.process';
import { CustomerDataService } from './application/erase-customer-data.handler';
import { CasePoliciesService } from './application/case-policies.service';
import { CasesService } from './application/cases.service';
import { INTAKE_CONFIG, intakeConfigFromEnv, type IntakeConfig } from './application/intake.config';
import { ComplaintsService } from './application/register-complaint.handler';
import { ReviewsService } from './application/register-review.handler';
import { SLA_METRICS, type SlaMetricsPort } from './application/sla-metrics.port';
import { SlaMetricsProjector } from './application/sla-metrics.projector';
import { SlaNotifications } from './application/sla-notifications';
import { SlaPoliciesService } from './application/sla-policies.service';
import { SlaTimers } from './application/sla-timers.worker';
import { CaseKpisHttpController } from './infrastructure/http/case-kpis.http.controller';
import { CaseLifecycleHttpController } from './infrastructure/http/case-lifecycle.http.controller';
import { CasePoliciesHttpController } from './infrastructure/http/case-policies.http.controller';
import { CaseSlaHttpController } from './infrastructure/http/case-sla.http.controller';
import { CaseTimelineHttpController } from './infrastructure/http/case-timeline.http.controller';
import { CaseWorklistHttpController } from './infrastructure/http/case-worklist.http.controller';
import { CasesHttpController } from './infrastructure/http/cases.http.controller';
import { ComplaintsHttpController } from './infrastructure/http/complaints.http.controller';
import { CustomersHttpController } from './infrastructure/http/customers.http.controller';
import { ReviewsHttpController } from './infrastructure/http/reviews.http.controller';
import { SlaPoliciesHttpController } from './infrastructure/http/sla-policies.http.controller';
import { CaseTimelineConsumer } from './infrastructure/messaging/case-timeline.consumer';
import { ImprovementInputConsumer } from './infrastructure/messaging/improvement-input.consumer';
import { ImprovementInputHandler } from './application/improvement-input.handler';
import { intakeIntegrationEvents } from './infrastructure/messaging/integration-events';
import { OpenCasesGauge } from './infrastructure/metrics/open-cases.gauge';
import { PrometheusSlaMetrics } from './infrastructure/metrics/sla-metrics.prometheus';
import { CaseTimeline1733000000000 } from './infrastructure/persistence/1733000000000-case-timeline';
import { PostgresCaseTimeline } from './infrastructure/persistence/case-timeline.postgres';
import { personalDataVaultProvider } from './infrastructure/privacy/personal-data-vault.provider';
import { CaseKpiQueries } from './infrastructure/read-model/case-kpis.queries';
import { caseReadModelMigrations } from './infrastructure/read-model/case-read-model.migrations';
import { caseWorklistReadModel, caseWorklistWorkers } from './infrastructure/read-model/case-worklist.projection';
import { CaseWorklistQueries } from './infrastructure/read-model/case-worklist.queries';

@Module({
  controllers: [
    CasesHttpController,
    CaseWorklistHttpController,
    CaseKpisHttpController,
    CaseLifecycleHttpController,
    CaseSlaHttpController,
    CasePoliciesHttpController,
    SlaPoliciesHttpController,
    CaseTimelineHttpController,
    ComplaintsHttpController,
    CustomersHttpController,
    ReviewsHttpController,
    CaseTimelineConsumer,
    ImprovementInputConsumer,
  ],
  providers: [
    ImprovementInputHandler,
    { provide: INTAKE_CONFIG, useFactory: () => intakeConfigFromEnv() },
    CasesService,
    CaseCommandRunner,
    CasePoliciesService,
    SlaPoliciesService,
    SlaNotifications,
    ComplaintsService,
    CustomerDataService,
    ReviewsService,
    CaseTimeline,
    personalDataVaultProvider,
    PostgresCaseTimeline,
    CaseWorklistQueries,
    CaseKpiQueries,
    // The application's ports, bound to their adapters (infrastructure/). SLA notices go through
    // @aftersales/notifications' webhook adapter (allow-list, Idempotency-Key, INTAKE_NOTIFIER_TIMEOUT_MS) and are
    // recorded in notification_deliveries.
    { provide: CASE_TIMELINE_SOURCES, useExisting: PostgresCaseTimeline },
    {
      provide: NOTIFIER,
      useFactory: (config: IntakeConfig) => new WebhookNotifier(config.notifier),
      inject: [INTAKE_CONFIG],
    },
    { provide: DELIVERY_LEDGER, useClass: PostgresDeliveryLedger },
    { provide: SLA_METRICS, useClass: PrometheusSlaMetrics },
  ],
})
export class IntakeModule {}

/**
 * The service's workers: the SLA timers (warnings, breaches, the escalation ladder, notices), the complaint ladder
 * (a complaint on a case escalates it), the SLA metrics (breaches counted from committed events), the case read model's
 * projection (worklist, KPIs) and the open-cases gauge bound to it.
 */
function intakeWorkers(context: WorkerContext) {
  const { app, database, clock, logger } = context;
  const runner = app.get(CaseCommandRunner);
  const metrics = app.get<SlaMetricsPort>(SLA_METRICS);
  return [
    new SlaTimers(
      database,
      runner,
      app.get(SlaNotifications),
      metrics,
      clock,
      app.get<IntakeConfig>(INTAKE_CONFIG),
      logger,
    ),
    new ComplaintLadderProcess(database, runner, logger),
    new SlaMetricsProjector(database, metrics, logger),
    ...caseWorklistWorkers(context),
    new OpenCasesGauge(database.pool, logger),
  ];
}

/**
 * The intake service: cases (their whole lifecycle, SLA clocks on the tenant's business calendar with the escalation
 * ladder), complaints and reviews over HTTP, published through the outbox relay; customers' personal data sealed by
 * the privacy vault (needs `PRIVACY_MASTER_KEY`); one timeline per case, fed by the `case-timeline` consumer with
 * every other service's event that names a case; the worklist and case KPIs from a read model of its own events.
 */
export const intakeService = defineService({
  service: 'intake',
  module: IntakeModule,
  migrations: [...PrivacyMigrations, CaseTimeline1733000000000, ...NotificationMigrations, ...caseReadModelMigrations],
  integrationEvents: intakeIntegrationEvents,
  consumers: [
    { consumer: 'case-timeline', handlers: [CaseTimelineConsumer] },
    { consumer: 'improvement-input', handlers: [ImprovementInputConsumer] },
  ],
  workers: intakeWorkers,
  projections: [caseWorklistReadModel],
});
