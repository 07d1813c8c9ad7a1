import { Module } from '@nestjs/common';
import { defineService } from '@aftersales/service-runtime';
import { PrivacyMigrations } from '@aftersales/privacy';
import { CustomerDataService } from './application/erase-customer-data.handler';
import { CasePoliciesService } from './application/case-policies.service';
import { CasesService } from './application/cases.service';
import { ComplaintsService } from './application/register-complaint.handler';
import { CaseLifecycleHttpController } from './infrastructure/http/case-lifecycle.http.controller';
import { CaseKpisHttpController } from './infrastructure/http/case-kpis.http.controller';
import { CasePoliciesHttpController } from './infrastructure/http/case-policies.http.controller';
import { CaseWorklistHttpController } from './infrastructure/http/case-worklist.http.controller';
import { CasesHttpController } from './infrastructure/http/cases.http.controller';
import { ComplaintsHttpController } from './infrastructure/http/complaints.http.controller';
import { CustomersHttpController } from './infrastructure/http/customers.http.controller';
import { intakeIntegrationEvents } from './infrastructure/messaging/integration-events';
import { OpenCasesGauge } from './infrastructure/metrics/open-cases.gauge';
import { personalDataVaultProvider } from './infrastructure/privacy/personal-data-vault.provider';
import { CaseKpiQueries } from './infrastructure/read-model/case-kpis.queries';
import { caseReadModelMigrations } from './infrastructure/read-model/case-read-model.migrations';
import { caseWorklistWorkers } from './infrastructure/read-model/case-worklist.projection';
import { CaseWorklistQueries } from './infrastructure/read-model/case-worklist.queries';

@Module({
  controllers: [
    CasesHttpController,
    CaseWorklistHttpController,
    CaseKpisHttpController,
    CaseLifecycleHttpController,
    CasePoliciesHttpController,
    ComplaintsHttpController,
    CustomersHttpController,
  ],
  providers: [
    CasesService,
    CasePoliciesService,
    ComplaintsService,
    CustomerDataService,
    personalDataVaultProvider,
    CaseWorklistQueries,
    CaseKpiQueries,
  ],
})
export class IntakeModule {}

/**
 * The intake service: cases (their whole lifecycle) and complaints over HTTP, published through the outbox relay; customers'
 * personal data sealed by the privacy vault (needs `PRIVACY_MASTER_KEY`). The case read model (worklist, KPIs, the
 * open-cases gauge) is kept by a projection of intake's own event store.
 */
export const intakeService = defineService({
  service: 'intake',
  module: IntakeModule,
  migrations: [...PrivacyMigrations, ...caseReadModelMigrations],
  integrationEvents: intakeIntegrationEvents,
  workers: (context) => [...caseWorklistWorkers(context), new OpenCasesGauge(context.database.pool, context.logger)],
});
