import type { SurveyRow } from '../../application/survey-view.port';
import type { Surveyed } from '../../application/surveys.queries';
import type { SurveyState } from '../../domain/survey.decider';

/** The API's view of a survey (the tenant is the caller's and is not repeated). */
export function surveyView(state: Exclude<SurveyState, { status: 'none' }>) {
  const { tenant: _tenant, sentBy: _sentBy, ...sent } = state.survey;
  if (state.status === 'sent') return { ...sent, status: state.status };
  const { scores, averageScore, satisfied, suggestion, answeredVia, answeredAt, answeredBy } = state.answer;
  return {
    ...sent,
    status: state.status,
    answer: { ...scores, averageScore, satisfied, suggestion: suggestion ?? null, answeredVia, answeredAt, answeredBy },
  };
}

/** The incident's current figure against its target; `null` figures until the first answer. */
export function satisfactionView(state: Surveyed) {
  const surveyed = Object.keys(state.surveys).length;
  const base = { incidentId: state.incidentId, level: state.level, targetPercent: state.targetPercent, surveyed };
  if (state.status === 'surveying') {
    return { ...base, responses: 0, satisfied: 0, satisfactionPercent: null, belowTarget: null, measuredAt: null };
  }
  return {
    ...base,
    responses: state.responses,
    satisfied: state.satisfied,
    satisfactionPercent: state.latest.satisfactionPercent,
    belowTarget: state.latest.belowTarget,
    measuredAt: state.latest.measuredAt,
  };
}

export function surveyRowView(row: SurveyRow) {
  return {
    surveyId: row.survey_id,
    incidentId: row.incident_id,
    customerRef: row.customer_ref,
    level: row.level,
    targetPercent: Number(row.target_percent),
    channel: row.channel,
    sentAt: row.sent_at.toISOString(),
    status: row.answered_at ? ('answered' as const) : ('sent' as const),
    answer: row.answered_at
      ? {
          responseSpeed: row.response_speed,
          result: row.result,
          attitude: row.attitude,
          averageScore: Number(row.average_score),
          satisfied: row.satisfied,
          suggestion: row.suggestion,
          answeredVia: row.answered_via,
          answeredAt: row.answered_at.toISOString(),
        }
      : null,
  };
}
