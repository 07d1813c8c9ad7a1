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
import { ComplaintLadderProcess } from './application/complaint-ladder.process';
import { CustomerDataService } from './application/erase-customer-data.handler';
import { CasePoliciesService } from './application/case-policies.service';
import { CasesService } from './application/cases.service';
import { INTAKE_CONFIG, intakeConfigFromEnv, type IntakeConfig } from './application/intake.config';
import { ComplaintsService } from './application/register-complaint.handler';
import { SLA_METRICS, type SlaMetricsPort } from './application/sla-metrics.port';
import { SlaMetricsProjector } from './application/sla-metrics.projector';
import { SlaNotifications } from './application/sla-notifications';
import { SlaPoliciesService } from './application/sla-policies.service';
import { SlaTimers } from './application/sla-timers.worker';
import { CaseLifecycleHttpController } from './infrastructure/http/case-lifecycle.http.controller';
import { CasePoliciesHttpController } from './infrastructure/http/case-policies.http.controller';
import { CaseSlaHttpController } from './infrastructure/http/case-sla.http.controller';
import { CasesHttpController } from './infrastructure/http/cases.http.controller';
import { ComplaintsHttpController } from './infrastructure/http/complaints.http.controller';
import { CustomersHttpController } from './infrastructure/http/customers.http.controller';
import { SlaPoliciesHttpController } from './infrastructure/http/sla-policies.http.controller';
import { intakeIntegrationEvents } from './infrastructure/messaging/integration-events';
import { PrometheusSlaMetrics } from './infrastructure/metrics/sla-metrics.prometheus';
import { personalDataVaultProvider } from './infrastructure/privacy/personal-data-vault.provider';

@Module({
  controllers: [
    CasesHttpController,
    CaseLifecycleHttpController,
    CaseSlaHttpController,
    CasePoliciesHttpController,
    SlaPoliciesHttpController,
    ComplaintsHttpController,
    CustomersHttpController,
  ],
  providers: [
    { provide: INTAKE_CONFIG, useFactory: () => intakeConfigFromEnv() },
    CasesService,
    CaseCommandRunner,
    CasePoliciesService,
    SlaPoliciesService,
    SlaNotifications,
    ComplaintsService,
    CustomerDataService,
    personalDataVaultProvider,
    // The application's ports, bound to their adapters: SLA notices through @aftersales/notifications' webhook
    // adapter (allow-list, Idempotency-Key, INTAKE_NOTIFIER_TIMEOUT_MS), recorded in notification_deliveries.
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
 * (a complaint on a case escalates it) and the SLA metrics (breaches counted from committed events).
 */
function intakeWorkers({ app, database, clock, logger }: WorkerContext) {
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
  ];
}

/**
 * The intake service: cases (their whole lifecycle, SLA clocks on the tenant's business calendar with the escalation
 * ladder) and complaints over HTTP, published through the outbox relay; customers' personal data sealed by the
 * privacy vault (needs `PRIVACY_MASTER_KEY`).
 */
export const intakeService = defineService({
  service: 'intake',
  module: IntakeModule,
  migrations: [...PrivacyMigrations, ...NotificationMigrations],
  integrationEvents: intakeIntegrationEvents,
  workers: intakeWorkers,
});
