import type { IncidentLevelValue } from '@aftersales/contracts';
import type { Queryable } from '@aftersales/eventstore';
import type { SurveyChannel } from '../domain/survey-policy';
import type { SurveyEvent } from '../domain/survey.events';

/** One survey as the view lists it (a row of `surveys_survey_view`). */
export interface SurveyRow {
  survey_id: string;
  incident_id: string;
  customer_ref: string;
  level: IncidentLevelValue;
  target_percent: string;
  channel: SurveyChannel;
  sent_at: Date;
  answered_at: Date | null;
  answered_via: SurveyChannel | null;
  response_speed: number | null;
  result: number | null;
  attitude: number | null;
  average_score: string | null;
  satisfied: boolean | null;
  suggestion: string | null;
}

/**
 * Port: the surveys-by-incident view (lists and suggestions), kept exactly as current as the event store by applying
 * a Survey's new events in the transaction that appended them. Adapter:
 * `infrastructure/persistence/survey-view.postgres.ts`.
 */
export interface SurveyViewRepository {
  /** Applies a Survey's new events, in `tx` (the transaction that appended them). */
  apply(tx: Queryable, events: readonly SurveyEvent[]): Promise<void>;
  /** The incident's surveys of the tenant, oldest first. */
  surveysOf(tenant: string, incidentId: string): Promise<SurveyRow[]>;
  /** Improvement input (§6): answers of unsatisfied customers and every answer with a suggestion, newest first. */
  suggestionsOf(tenant: string, incidentId: string): Promise<SurveyRow[]>;
}

/** DI token of the {@link SurveyViewRepository}. */
export const SURVEY_VIEW_REPOSITORY = Symbol('SURVEY_VIEW_REPOSITORY');
