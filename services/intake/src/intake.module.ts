import { Module } from '@nestjs/common';
import { defineService } from '@aftersales/service-runtime';
import { PrivacyMigrations } from '@aftersales/privacy';
import { CustomerDataService } from './application/erase-customer-data.handler';
import { CasePoliciesService } from './application/case-policies.service';
import { CasesService } from './application/cases.service';
import { ComplaintsService } from './application/register-complaint.handler';
import { CaseLifecycleHttpController } from './infrastructure/http/case-lifecycle.http.controller';
import { CasePoliciesHttpController } from './infrastructure/http/case-policies.http.controller';
import { CasesHttpController } from './infrastructure/http/cases.http.controller';
import { ComplaintsHttpController } from './infrastructure/http/complaints.http.controller';
import { CustomersHttpController } from './infrastructure/http/customers.http.controller';
import { intakeIntegrationEvents } from './infrastructure/messaging/integration-events';
import { personalDataVaultProvider } from './infrastructure/privacy/personal-data-vault.provider';

@Module({
  controllers: [
    CasesHttpController,
    CaseLifecycleHttpController,
    CasePoliciesHttpController,
    ComplaintsHttpController,
    CustomersHttpController,
  ],
  providers: [CasesService, CasePoliciesService, ComplaintsService, CustomerDataService, personalDataVaultProvider],
})
export class IntakeModule {}

/**
 * The intake service: cases (their whole lifecycle) and complaints over HTTP, published through the outbox relay; customers'
 * personal data sealed by the privacy vault (needs `PRIVACY_MASTER_KEY`).
 */
export const intakeService = defineService({
  service: 'intake',
  module: IntakeModule,
  migrations: PrivacyMigrations,
  integrationEvents: intakeIntegrationEvents,
});
