import { Module } from '@nestjs/common';
import { defineService } from '@aftersales/service-runtime';
import { PrivacyMigrations } from '@aftersales/privacy';
import { CASE_TIMELINE_SOURCES } from './application/case-timeline.port';
import { CaseTimeline } from './application/case-timeline.query';
import { CustomerDataService } from './application/erase-customer-data.handler';
import { CasePoliciesService } from './application/case-policies.service';
import { CasesService } from './application/cases.service';
import { ComplaintsService } from './application/register-complaint.handler';
import { CaseLifecycleHttpController } from './infrastructure/http/case-lifecycle.http.controller';
import { CasePoliciesHttpController } from './infrastructure/http/case-policies.http.controller';
import { ReviewsService } from './application/register-review.handler';
import { CaseTimelineHttpController } from './infrastructure/http/case-timeline.http.controller';
import { CasesHttpController } from './infrastructure/http/cases.http.controller';
import { ComplaintsHttpController } from './infrastructure/http/complaints.http.controller';
import { CustomersHttpController } from './infrastructure/http/customers.http.controller';
import { ReviewsHttpController } from './infrastructure/http/reviews.http.controller';
import { CaseTimelineConsumer } from './infrastructure/messaging/case-timeline.consumer';
import { intakeIntegrationEvents } from './infrastructure/messaging/integration-events';
import { CaseTimeline1733000000000 } from './infrastructure/persistence/1733000000000-case-timeline';
import { PostgresCaseTimeline } from './infrastructure/persistence/case-timeline.postgres';
import { personalDataVaultProvider } from './infrastructure/privacy/personal-data-vault.provider';

@Module({
  controllers: [
    CasesHttpController,
    CaseLifecycleHttpController,
    CasePoliciesHttpController,
    CaseTimelineHttpController,
    ComplaintsHttpController,
    CustomersHttpController,
    ReviewsHttpController,
    CaseTimelineConsumer,
  ],
  providers: [
    CasesService,
    CasePoliciesService,
    ComplaintsService,
    CustomerDataService,
    ReviewsService,
    CaseTimeline,
    personalDataVaultProvider,
    PostgresCaseTimeline,
    // The application's ports, bound to their adapters (infrastructure/).
    { provide: CASE_TIMELINE_SOURCES, useExisting: PostgresCaseTimeline },
  ],
})
export class IntakeModule {}

/**
 * The intake service: cases (their whole lifecycle), complaints and reviews over HTTP, published through the outbox
 * relay; customers' personal data sealed by the privacy vault (needs `PRIVACY_MASTER_KEY`); one timeline per case, fed
 * by the `case-timeline` consumer with every other service's event that names a case.
 */
export const intakeService = defineService({
  service: 'intake',
  module: IntakeModule,
  migrations: [...PrivacyMigrations, CaseTimeline1733000000000],
  integrationEvents: intakeIntegrationEvents,
  consumers: [{ consumer: 'case-timeline', handlers: [CaseTimelineConsumer] }],
});
