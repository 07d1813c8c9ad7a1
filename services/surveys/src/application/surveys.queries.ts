import { Inject, Injectable } from '@nestjs/common';
import { fold, PostgresEventStore, type Queryable } from '@aftersales/eventstore';
import { type Principal } from '@aftersales/platform-http';
import { incidentSatisfactionDecider, type IncidentSatisfactionState } from '../domain/incident-satisfaction.decider';
import { IncidentNotSurveyed } from '../domain/incident-satisfaction.errors';
import type { IncidentSatisfactionEvent } from '../domain/incident-satisfaction.events';
import { surveyDecider, type SurveyState } from '../domain/survey.decider';
import { SurveyNotFound } from '../domain/survey.errors';
import type { SurveyEvent } from '../domain/survey.events';
import { satisfactionStream, surveyStream } from './streams';
import { SURVEY_VIEW_REPOSITORY, type SurveyRow, type SurveyViewRepository } from './survey-view.port';

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

/**
 * Reads of surveys and satisfaction, always within the caller's tenant: an incident or survey of another tenant is
 * indistinguishable from one that does not exist (404).
 */
@Injectable()
export class SurveysQueries {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(SURVEY_VIEW_REPOSITORY) private readonly surveyView: SurveyViewRepository,
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
    return this.surveyView.surveysOf(principal.tenant, incidentId);
  }

  /** Improvement input (§6): answers of unsatisfied customers and every answer with a suggestion, newest first. */
  async suggestionsOf(principal: Principal, incidentId: string): Promise<SurveyRow[]> {
    await this.satisfaction(principal, incidentId);
    return this.surveyView.suggestionsOf(principal.tenant, incidentId);
  }
}
