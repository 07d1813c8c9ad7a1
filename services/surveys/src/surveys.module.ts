import { Module } from '@nestjs/common';
import { defineService } from '@aftersales/service-runtime';
import { AnswerSurveyHandler } from './application/answer-survey.handler';
import { INCIDENT_CUSTOMER_REPOSITORY } from './application/incident-customers.port';
import { SendSurveysHandler } from './application/send-surveys.handler';
import { SurveyPolicies } from './application/survey-policies';
import { SURVEY_POLICY_REPOSITORY } from './application/survey-policies.port';
import { SURVEY_VIEW_REPOSITORY } from './application/survey-view.port';
import { SurveysQueries } from './application/surveys.queries';
import { CaseRegisterHttpController } from './infrastructure/http/case-register.http.controller';
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
    CaseOpenedConsumer,
    IncidentFollowUpConsumer,
  ],
  providers: [
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

/**
 * The surveys service: registers intake's cases (`case-register`), surveys the customers of resolved incidents
 * (`incident-follow-up`), records their answers over HTTP, and publishes each incident's satisfaction against its target
 * to `aftersales.surveys.events` through the outbox relay.
 */
export const surveysService = defineService({
  service: 'surveys',
  module: SurveysModule,
  migrations: [CaseRegister1732500100000, FollowUpSurveys1732500400000, IncidentCustomerCases1732500500000],
  integrationEvents: surveysIntegrationEvents,
  consumers: [
    { consumer: 'case-register', handlers: [CaseOpenedConsumer] },
    { consumer: 'incident-follow-up', handlers: [IncidentFollowUpConsumer] },
  ],
});
