import { Type, type Static } from '@sinclair/typebox';
import { IncidentLevels, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import type { SurveyRow } from '../../application/survey-view.port';
import type { Surveyed } from '../../application/surveys.queries';
import { surveyChannels } from '../../domain/survey-policy';
import type { SurveyState } from '../../domain/survey.decider';

/**
 * What the surveys HTTP API answers (TypeBox): the controllers return these types and `@Responds` documents them in
 * `GET /docs/openapi.json`. The caller's tenant is never repeated.
 */

const Level = StringEnum(IncidentLevels);
const Channel = StringEnum(surveyChannels);
const Score = Type.Integer({ minimum: 1, maximum: 5 });

const sentProperties = {
  surveyId: Type.String({ format: 'uuid' }),
  incidentId: Type.String(),
  customerRef: Type.String({ description: 'Opaque customer reference (never personal data)' }),
  level: Level,
  targetPercent: Type.Number({ minimum: 0, maximum: 100, description: 'The incident’s satisfaction target' }),
  channel: Channel,
  sentAt: DateTime(),
};

const answerProperties = {
  responseSpeed: Score,
  result: Score,
  attitude: Score,
  averageScore: Type.Number(),
  satisfied: Type.Boolean({ description: 'The verdict under the tenant’s rule when the answer was recorded' }),
  suggestion: Nullable(Type.String()),
  answeredVia: Channel,
  answeredAt: DateTime(),
};

const sentSurvey = { ...sentProperties, status: Type.Literal('sent') };
const answeredSurvey = {
  ...sentProperties,
  status: Type.Literal('answered'),
  answer: Type.Object({ ...answerProperties, answeredBy: Type.String() }),
};

/** `GET /surveys/:surveyId`: a survey sent, or answered with the customer's scores. */
export const SurveyView = Type.Union([Type.Object(sentSurvey), Type.Object(answeredSurvey)], { title: 'SurveyView' });
export type SurveyView = Static<typeof SurveyView>;

/** The incident's current figure against its target; `null` figures until the first answer. */
export const SatisfactionView = Type.Object(
  {
    incidentId: Type.String(),
    level: Level,
    targetPercent: Type.Number(),
    surveyed: Type.Integer({ minimum: 0, description: 'Surveys sent' }),
    responses: Type.Integer({ minimum: 0 }),
    satisfied: Type.Integer({ minimum: 0 }),
    satisfactionPercent: Nullable(Type.Number()),
    belowTarget: Nullable(Type.Boolean()),
    measuredAt: Nullable(DateTime()),
  },
  { title: 'SatisfactionView' },
);
export type SatisfactionView = Static<typeof SatisfactionView>;

const satisfaction = { satisfaction: Nullable(SatisfactionView) };

/** `POST /surveys/:surveyId/answers`: the answered survey and the incident's satisfaction after it. */
export const AnsweredSurveyView = Type.Union(
  [Type.Object({ ...sentSurvey, ...satisfaction }), Type.Object({ ...answeredSurvey, ...satisfaction })],
  { title: 'AnsweredSurveyView' },
);
export type AnsweredSurveyView = Static<typeof AnsweredSurveyView>;

/** The customer's answer as lists show it. */
const AnswerView = Type.Object(answerProperties);
type AnswerView = Static<typeof AnswerView>;

/** A survey in a list. */
export const SurveyListItem = Type.Object(
  {
    ...sentProperties,
    status: StringEnum(['sent', 'answered'] as const),
    answer: Nullable(AnswerView),
  },
  { title: 'SurveyListItem' },
);
export type SurveyListItem = Static<typeof SurveyListItem>;

/** `GET /surveys?incidentId=`: the incident's surveys, oldest first. */
export const SurveyListView = Type.Object(
  { incidentId: Type.String({ format: 'uuid' }), surveys: ReadonlyList(SurveyListItem) },
  { title: 'SurveyListView' },
);
export type SurveyListView = Static<typeof SurveyListView>;

/** `GET /incidents/:incidentId/suggestions`: unsatisfied answers and suggestions, newest first. */
export const SuggestionsView = Type.Object(
  {
    incidentId: Type.String({ format: 'uuid' }),
    items: ReadonlyList(
      Type.Object({
        surveyId: Type.String({ format: 'uuid' }),
        customerRef: Type.String(),
        channel: Channel,
        ...answerProperties,
      }),
    ),
  },
  { title: 'SuggestionsView' },
);
export type SuggestionsView = Static<typeof SuggestionsView>;

/** `GET /case-register/:caseId`: surveys' copy of an intake case. */
export const CaseRegisterView = Type.Object(
  {
    caseId: Type.String({ format: 'uuid' }),
    channel: Type.String(),
    problemType: Type.String(),
    orderId: Type.String(),
    customerId: Type.String(),
    openedAt: DateTime(),
  },
  { title: 'CaseRegisterView' },
);
export type CaseRegisterView = Static<typeof CaseRegisterView>;

/** `GET /channel-stats`: cases registered per channel in the caller's tenant. */
export const ChannelStatsView = Type.Object(
  { channels: ReadonlyList(Type.Object({ channel: Type.String(), cases: Type.Integer({ minimum: 0 }) })) },
  { title: 'ChannelStatsView' },
);
export type ChannelStatsView = Static<typeof ChannelStatsView>;

/** The API's view of a survey (the tenant is the caller's and is not repeated). */
export function surveyView(state: Exclude<SurveyState, { status: 'none' }>): SurveyView {
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
export function satisfactionView(state: Surveyed): SatisfactionView {
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

/** The view fills the answer's columns together: an answered row without them is a broken projection. */
function answered<T>(value: T | null, column: string, row: SurveyRow): T {
  if (value === null) throw new Error(`survey ${row.survey_id} is answered but its ${column} is missing`);
  return value;
}

/** The answer of a row, `null` while the survey is unanswered. */
export function answerOf(row: SurveyRow): AnswerView | null {
  if (!row.answered_at) return null;
  return {
    responseSpeed: answered(row.response_speed, 'response_speed', row),
    result: answered(row.result, 'result', row),
    attitude: answered(row.attitude, 'attitude', row),
    averageScore: Number(answered(row.average_score, 'average_score', row)),
    satisfied: answered(row.satisfied, 'satisfied', row),
    suggestion: row.suggestion,
    answeredVia: answered(row.answered_via, 'answered_via', row),
    answeredAt: row.answered_at.toISOString(),
  };
}

export function surveyRowView(row: SurveyRow): SurveyListItem {
  const answer = answerOf(row);
  return {
    surveyId: row.survey_id,
    incidentId: row.incident_id,
    customerRef: row.customer_ref,
    level: row.level,
    targetPercent: Number(row.target_percent),
    channel: row.channel,
    sentAt: row.sent_at.toISOString(),
    status: answer ? 'answered' : 'sent',
    answer,
  };
}
