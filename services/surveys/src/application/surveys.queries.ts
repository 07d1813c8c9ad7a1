import { Inject, Injectable } from '@nestjs/common';
import { fold, PostgresEventStore, type Queryable, type ServiceDatabase } from '@aftersales/eventstore';
import { type Principal } from '@aftersales/platform-http';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { incidentSatisfactionDecider, type IncidentSatisfactionState } from '../domain/incident-satisfaction.decider';
import { IncidentNotSurveyed } from '../domain/incident-satisfaction.errors';
import type { IncidentSatisfactionEvent } from '../domain/incident-satisfaction.events';
import { surveyDecider, type SurveyState } from '../domain/survey.decider';
import { SurveyNotFound } from '../domain/survey.errors';
import type { SurveyEvent } from '../domain/survey.events';
import { satisfactionStream, surveyStream } from './streams';

export type Surveyed = Exclude<IncidentSatisfactionState, { status: 'none' }>;

/** The incident's satisfaction folded from its stream (the source of truth, not a projection). */
export async function loadSatisfaction(
  store: PostgresEventStore,
  incidentId: string,
  tx?: Queryable,
): Promise<IncidentSatisfactionState> {
  return fold<IncidentSatisfactionState, IncidentSatisfactionEvent>(
    incidentSatisfactionDecider,
    await store.readStream(satisfactionStream(incidentId), 0, tx),
  );
}

export interface SurveyRow {
  survey_id: string;
  incident_id: string;
  customer_ref: string;
  level: string;
  target_percent: string;
  channel: string;
  sent_at: Date;
  answered_at: Date | null;
  answered_via: string | null;
  response_speed: number | null;
  result: number | null;
  attitude: number | null;
  average_score: string | null;
  satisfied: boolean | null;
  suggestion: string | null;
}

/**
 * Reads of surveys and satisfaction, always within the caller's tenant: an incident or survey of another tenant is
 * indistinguishable from one that does not exist (404).
 */
@Injectable()
export class SurveysQueries {
  constructor(
    @Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase,
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
  ) {}

  async satisfaction(principal: Principal, incidentId: string): Promise<Surveyed> {
    const state = await loadSatisfaction(this.store, incidentId);
    if (state.status === 'none' || state.tenant !== principal.tenant) throw new IncidentNotSurveyed(incidentId);
    return state;
  }

  async survey(principal: Principal, surveyId: string): Promise<Exclude<SurveyState, { status: 'none' }>> {
    const state = fold<SurveyState, SurveyEvent>(surveyDecider, await this.store.readStream(surveyStream(surveyId)));
    if (state.status === 'none' || state.survey.tenant !== principal.tenant) throw new SurveyNotFound(surveyId);
    return state;
  }

  /** The incident's surveys, oldest first. */
  async surveysOf(principal: Principal, incidentId: string): Promise<SurveyRow[]> {
    await this.satisfaction(principal, incidentId);
    return this.rows(principal.tenant, incidentId, '');
  }

  /** Improvement input (§6): answers of unsatisfied customers and every answer with a suggestion, newest first. */
  async suggestionsOf(principal: Principal, incidentId: string): Promise<SurveyRow[]> {
    await this.satisfaction(principal, incidentId);
    return this.rows(
      principal.tenant,
      incidentId,
      'AND answered_at IS NOT NULL AND (satisfied = false OR suggestion IS NOT NULL)',
      'DESC',
    );
  }

  private async rows(
    tenant: string,
    incidentId: string,
    filter: string,
    order: 'ASC' | 'DESC' = 'ASC',
  ): Promise<SurveyRow[]> {
    const orderBy = order === 'ASC' ? 'sent_at, customer_ref' : 'answered_at DESC, customer_ref';
    const { rows } = await this.db.pool.query<SurveyRow>(
      `SELECT survey_id, incident_id, customer_ref, level, target_percent, channel, sent_at, answered_at, answered_via,
              response_speed, result, attitude, average_score, satisfied, suggestion
         FROM surveys_survey_view WHERE tenant = $1 AND incident_id = $2 ${filter} ORDER BY ${orderBy}`,
      [tenant, incidentId],
    );
    return rows;
  }
}
