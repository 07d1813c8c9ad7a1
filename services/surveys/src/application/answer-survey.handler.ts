import { Inject, Injectable } from '@nestjs/common';
import type { CommandContext } from '@aftersales/domain';
import {
  handleCommand,
  PostgresEventStore,
  type EventMetadata,
  type ServiceDatabase,
  inTransaction,
} from '@aftersales/eventstore';
import { type Principal } from '@aftersales/platform-http';
import { CLOCK, SERVICE_DATABASE, type Clock } from '@aftersales/service-runtime';
import {
  incidentSatisfactionDecider,
  type IncidentSatisfactionState,
  type RecordAnswer,
} from '../domain/incident-satisfaction.decider';
import { createSurveyDecider, type AnswerSurvey, type SurveyState } from '../domain/survey.decider';
import { SurveyNotFound } from '../domain/survey.errors';
import { projectSurveyEvents } from '../infrastructure/persistence/survey-view.projection';
import { satisfactionStream, surveyStream } from './streams';
import { SurveyPolicies } from './survey-policies';
import { loadSatisfaction } from './surveys.queries';

export type Answered = Extract<SurveyState, { status: 'answered' }>;

/**
 * Records a customer's answer and counts it on the incident's satisfaction, in one transaction: the answer, the new
 * measurement (and a fall below the target) commit together. The answer is judged by the tenant's policy.
 */
@Injectable()
export class AnswerSurveyHandler {
  constructor(
    @Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase,
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
  ) {}

  async answer(
    principal: Principal,
    data: AnswerSurvey['data'],
    options: { correlationId: string; idempotencyKey?: string },
  ): Promise<{ survey: Answered; satisfaction: IncidentSatisfactionState; replayed: boolean }> {
    const actor = { id: principal.subject, roles: principal.roles };
    const metadata: EventMetadata = { tenant: principal.tenant, actor, correlationId: options.correlationId };
    // Scoped to tenant and survey: a client's key never collides with another survey's events.
    const key = options.idempotencyKey && `${principal.tenant}:${data.surveyId}:${options.idempotencyKey}`;
    return inTransaction(this.db.pool, async (tx) => {
      const context: CommandContext = { tenant: principal.tenant, actor, now: this.clock() };
      const decider = createSurveyDecider(await this.policies.policyFor(principal.tenant, tx));
      const command: AnswerSurvey = { type: 'AnswerSurvey', context, data };
      const answered = await handleCommand(this.store, surveyStream(data.surveyId), decider, command, {
        tx,
        metadata,
        idempotencyKey: key,
      });
      const survey = answered.state;
      if (survey.status !== 'answered' || survey.survey.tenant !== principal.tenant)
        throw new SurveyNotFound(data.surveyId);
      const { incidentId } = survey.survey;
      if (answered.duplicate) {
        // The same request again (same Idempotency-Key): answer as the first time, append nothing.
        return { survey, satisfaction: await loadSatisfaction(this.store, incidentId, tx), replayed: true };
      }
      await projectSurveyEvents(tx, answered.newEvents);
      const record: RecordAnswer = {
        type: 'RecordAnswer',
        context,
        data: { incidentId, surveyId: data.surveyId, satisfied: survey.answer.satisfied },
      };
      const measured = await handleCommand(
        this.store,
        satisfactionStream(incidentId),
        incidentSatisfactionDecider,
        record,
        {
          tx,
          metadata,
          idempotencyKey: key && `${key}:satisfaction`,
        },
      );
      return { survey, satisfaction: measured.state, replayed: false };
    });
  }
}
