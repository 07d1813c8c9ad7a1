import type { Queryable } from '@aftersales/eventstore';
import type { CaseSurveyEvent, SealedContact } from '../domain/case-survey.events';

/** One case survey as the view lists it (a row of `surveys_case_survey_view`). */
export interface CaseSurveyRow {
  survey_id: string;
  case_id: string;
  customer_ref: string;
  order_id: string;
  problem_type: string;
  agent_id: string | null;
  team: string | null;
  channel: string;
  status: 'scheduled' | 'invited' | 'answered' | 'expired';
  resolved_at: Date;
  send_at: Date;
  remind_at: Date | null;
  expires_at: Date;
  invited_at: Date | null;
  reminded_at: Date | null;
  expired_at: Date | null;
  answered_at: Date | null;
  answered_via: string | null;
  response_speed: number | null;
  result: number | null;
  attitude: number | null;
  average_score: string | null;
  satisfied: boolean | null;
  unsatisfied_dimensions: string[] | null;
  suggestion: string | null;
  contact: SealedContact | null;
  improvement_route: string | null;
  follow_up_due_by: Date | null;
  follow_up_reasons: string[] | null;
  follow_up_status: 'open' | 'overdue' | 'made' | null;
  follow_up_outcome: string | null;
  follow_up_called_at: Date | null;
  follow_up_called_by: string | null;
  follow_up_late: boolean | null;
}

/** Follow-up calls to list: still to make (open or overdue), or all. */
export type FollowUpCallFilter = 'due' | 'overdue' | 'all';

/**
 * Port: the case surveys view, kept exactly as current as the event store by applying a CaseSurvey's new events in the
 * transaction that appended them. Adapter: `infrastructure/persistence/case-survey-view.postgres.ts`.
 */
export interface CaseSurveyViewRepository {
  apply(tx: Queryable, events: readonly CaseSurveyEvent[]): Promise<void>;
  /** The surveys of a case of the tenant (one per resolution), oldest first. */
  surveysOfCase(tenant: string, caseId: string): Promise<CaseSurveyRow[]>;
  /** The tenant's follow-up calls, earliest due first (at most `limit`). */
  followUpCalls(tenant: string, filter: FollowUpCallFilter, limit: number): Promise<CaseSurveyRow[]>;
}

/** DI token of the {@link CaseSurveyViewRepository}. */
export const CASE_SURVEY_VIEW_REPOSITORY = Symbol('CASE_SURVEY_VIEW_REPOSITORY');
