import { Inject, Injectable } from '@nestjs/common';
import { Commands, inTransaction, type CommandOrigin, type ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { incidentSatisfactionDecider, type IncidentSatisfactionState } from '../domain/incident-satisfaction.decider';
import { createSurveyDecider, type AnswerSurvey, type SurveyState } from '../domain/survey.decider';
import { SurveyNotFound } from '../domain/survey.errors';
import { satisfactionStream, surveyStream } from './streams';
import { SurveyPolicies } from './survey-policies';
import { INCIDENT_CUSTOMER_REPOSITORY, type IncidentCustomerRepository } from './incident-customers.port';
import { SURVEY_VIEW_REPOSITORY, type SurveyViewRepository } from './survey-view.port';
import { loadSatisfaction } from './surveys.queries';

export type Answered = Extract<SurveyState, { status: 'answered' }>;

/**
 * Records a customer's answer and counts it on the incident's satisfaction, in one transaction: the answer (and its
 * row in the survey view), the new measurement (and a fall below the target) commit together. The answer is judged by the tenant's policy.
 */
@Injectable()
export class AnswerSurveyHandler {
  constructor(
    @Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase,
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
    @Inject(SURVEY_VIEW_REPOSITORY) private readonly surveyView: SurveyViewRepository,
    @Inject(INCIDENT_CUSTOMER_REPOSITORY) private readonly customers: IncidentCustomerRepository,
  ) {}

  async answer(
    origin: CommandOrigin,
    data: AnswerSurvey['data'],
  ): Promise<{ survey: Answered; satisfaction: IncidentSatisfactionState; replayed: boolean }> {
    return inTransaction(this.db.pool, async (tx) => {
      const now = this.commands.now();
      const decider = createSurveyDecider(await this.policies.policyFor(origin.tenant, tx));
      const answered = await this.commands.handle(
        decider,
        surveyStream(data.surveyId),
        origin,
        { type: 'AnswerSurvey', data },
        { tx, now },
      );
      const survey = answered.state;
      if (survey.status !== 'answered' || survey.survey.tenant !== origin.tenant)
        throw new SurveyNotFound(data.surveyId);
      const { incidentId, customerRef } = survey.survey;
      if (answered.duplicate) {
        // The same request again (same Idempotency-Key): answer as the first time, append nothing.
        return { survey, satisfaction: await loadSatisfaction(this.commands.store, incidentId, tx), replayed: true };
      }
      await this.surveyView.apply(tx, answered.newEvents);
      // The cases the measurement concerns (architecture: every event that concerns a case carries its id).
      const answerCaseIds = await this.customers.casesOf(tx, origin.tenant, incidentId, customerRef);
      const incidentCaseIds = await this.customers.casesOf(tx, origin.tenant, incidentId);
      const measured = await this.commands.handle(
        incidentSatisfactionDecider,
        satisfactionStream(incidentId),
        origin,
        {
          type: 'RecordAnswer',
          data: {
            incidentId,
            surveyId: data.surveyId,
            satisfied: survey.answer.satisfied,
            answerCaseIds,
            incidentCaseIds,
          },
        },
        { tx, now },
      );
      return { survey, satisfaction: measured.state, replayed: false };
    });
  }
}
