import { Module } from '@nestjs/common';
import { DELIVERY_LEDGER, NOTIFIER } from '@aftersales/notifications';
import {
  NotificationMigrations,
  PostgresDeliveryLedger,
  WebhookNotifier,
} from '@aftersales/notifications/infrastructure';
import { PrivacyMigrations } from '@aftersales/privacy';
import { defineService, type WorkerContext } from '@aftersales/service-runtime';
import { CASE_REGISTER_REPOSITORY } from './application/case-register.port';
import { CaseSurveyNotices } from './application/case-survey-notices';
import { CASE_SURVEY_VIEW_REPOSITORY } from './application/case-survey-view.port';
import { CaseSurveysService } from './application/case-surveys.service';
import { QUALITY_REPOSITORY } from './application/quality.port';
import { QualityService } from './application/quality.service';
import { SurveyTimers } from './application/survey-timers.worker';
import { SURVEYS_CONFIG, surveysConfigFromEnv, type SurveysConfig } from './application/surveys.config';
import { AnswerSurveyHandler } from './application/answer-survey.handler';
import { INCIDENT_CUSTOMER_REPOSITORY } from './application/incident-customers.port';
import { SendSurveysHandler } from './application/send-surveys.handler';
import { SurveyPolicies } from './application/survey-policies';
import { SURVEY_POLICY_REPOSITORY } from './application/survey-policies.port';
import { SURVEY_VIEW_REPOSITORY } from './application/survey-view.port';
import { SurveysQueries } from './application/surveys.queries';
import { CaseRegisterHttpController } from './infrastructure/http/case-register.http.controller';
import { CaseSurveysHttpController } from './infrastructure/http/case-surveys.http.controller';
import { QualityHttpController } from './infrastructure/http/quality.http.controller';
import { SurveyPoliciesHttpController } from './infrastructure/http/survey-policies.http.controller';
import { CaseFollowUpConsumer } from './infrastructure/messaging/case-follow-up.consumer';
import { CustomerDataConsumer } from './infrastructure/messaging/customer-data.consumer';
import { CaseSurveys1732500600000 } from './infrastructure/persistence/1732500600000-case-surveys';
import { QualityReviews1732500700000 } from './infrastructure/persistence/1732500700000-quality-reviews';
import { PostgresQualityRepository } from './infrastructure/persistence/quality.postgres';
import { PostgresCaseRegister } from './infrastructure/persistence/case-register.postgres';
import { PostgresCaseSurveyView } from './infrastructure/persistence/case-survey-view.postgres';
import { personalDataVaultProvider } from './infrastructure/privacy/personal-data-vault.provider';
import { IncidentSatisfactionHttpController } from './infrastructure/http/incident-satisfaction.http.controller';
import { SurveysHttpController } from './infrastructure/http/surveys.http.controller';
import { CaseOpenedConsumer } from './infrastructure/messaging/case-opened.consumer';
import { IncidentFollowUpConsumer } from './infrastructure/messaging/incident-follow-up.consumer';
import { surveysIntegrationEvents } from './infrastructure/messaging/integration-events';
import { CaseRegister1732500100000 } from './infrastructure/persistence/1732500100000-case-register';
import { FollowUpSurveys1732500400000 } from './infrastructure/persistence/1732500400000-follow-up-surveys';
import { IncidentCustomerCases1732500500000 } from './infrastructure/persistence/1732500500000-incident-customer-cases';
import { PostgresIncidentCustomerRepository } from './infrastructure/persistence/incident-customers.postgres';
import { PostgresSurveyPolicyRepository } from './infrastructure/persistence/survey-policies.postgres';
import { PostgresSurveyViewRepository } from './infrastructure/persistence/survey-view.postgres';

@Module({
  controllers: [
    CaseRegisterHttpController,
    SurveysHttpController,
    IncidentSatisfactionHttpController,
    CaseSurveysHttpController,
    SurveyPoliciesHttpController,
    QualityHttpController,
    CaseOpenedConsumer,
    CaseFollowUpConsumer,
    CustomerDataConsumer,
    IncidentFollowUpConsumer,
  ],
  providers: [
    { provide: SURVEYS_CONFIG, useFactory: () => surveysConfigFromEnv() },
    CaseSurveysService,
    QualityService,
    { provide: QUALITY_REPOSITORY, useClass: PostgresQualityRepository },
    CaseSurveyNotices,
    personalDataVaultProvider,
    // Invitations, reminders and overdue follow-up calls reach the survey gateway through @aftersales/notifications'
    // webhook adapter (allow-list, Idempotency-Key, SURVEYS_NOTIFIER_TIMEOUT_MS), recorded in notification_deliveries.
    {
      provide: NOTIFIER,
      useFactory: (config: SurveysConfig) => new WebhookNotifier(config.notifier),
      inject: [SURVEYS_CONFIG],
    },
    { provide: DELIVERY_LEDGER, useClass: PostgresDeliveryLedger },
    { provide: CASE_REGISTER_REPOSITORY, useClass: PostgresCaseRegister },
    { provide: CASE_SURVEY_VIEW_REPOSITORY, useClass: PostgresCaseSurveyView },
    SurveyPolicies,
    SendSurveysHandler,
    AnswerSurveyHandler,
    SurveysQueries,
    // The application's ports, bound to their adapters (infrastructure/).
    { provide: SURVEY_POLICY_REPOSITORY, useClass: PostgresSurveyPolicyRepository },
    { provide: INCIDENT_CUSTOMER_REPOSITORY, useClass: PostgresIncidentCustomerRepository },
    { provide: SURVEY_VIEW_REPOSITORY, useClass: PostgresSurveyViewRepository },
  ],
})
export class SurveysModule {}

/** The service's worker: the case surveys' durable timers (invitation, reminder, expiry, follow-up call due). */
function surveysWorkers({ app, database, clock, logger }: WorkerContext) {
  return [
    new SurveyTimers(database, app.get(CaseSurveysService), clock, app.get<SurveysConfig>(SURVEYS_CONFIG), logger),
  ];
}

/**
 * The surveys service: registers intake's cases and surveys each resolved one under the tenant's policy
 * (`case-register`; invitations, reminders, expiry and follow-up calls on durable timers), surveys the customers of
 * resolved incidents (`incident-follow-up`), records answers over HTTP, and publishes each incident's satisfaction
 * against its target and the improvement input of unsatisfied answers and suggestions to `aftersales.surveys.events`
 * through the outbox relay.
 */
export const surveysService = defineService({
  service: 'surveys',
  module: SurveysModule,
  migrations: [
    CaseRegister1732500100000,
    FollowUpSurveys1732500400000,
    IncidentCustomerCases1732500500000,
    ...PrivacyMigrations,
    ...NotificationMigrations,
    CaseSurveys1732500600000,
    QualityReviews1732500700000,
  ],
  integrationEvents: surveysIntegrationEvents,
  consumers: [
    { consumer: 'case-register', handlers: [CaseOpenedConsumer, CaseFollowUpConsumer] },
    { consumer: 'incident-follow-up', handlers: [IncidentFollowUpConsumer] },
    { consumer: 'customer-data', handlers: [CustomerDataConsumer] },
  ],
  workers: surveysWorkers,
});
