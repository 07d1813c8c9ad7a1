import { Type, type Static } from '@sinclair/typebox';
import { CaseChannels, CasePriorities, ProblemTypes, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import type { CaseSurvey } from '../../application/case-surveys.service';
import type { TenantSurveyPolicy } from '../../application/survey-policies';
import { followUpCallOutcomes } from '../../domain/case-survey.events';
import { scoreNames, scoreScale, surveyChannels, type SurveyPolicy } from '../../domain/survey-policy';

const Channel = StringEnum(surveyChannels);
const score = (description: string) => Type.Integer({ minimum: scoreScale.min, maximum: scoreScale.max, description });
const Text = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description });

/** Body of `POST /case-surveys/:surveyId/answers`: the customer's answer, as an agent or the survey gateway records it. */
export const AnswerCaseSurveyBody = Type.Object(
  {
    responseSpeed: score('How fast the problem was handled, 1 (very poor) to 5 (very good)'),
    result: score('How well it was solved, 1 to 5'),
    attitude: score("Staff's attitude, 1 to 5"),
    suggestion: Type.Optional(
      Type.String({ maxLength: 4000, description: 'Free-text suggestion, routed as improvement input' }),
    ),
    answeredVia: Type.Optional(
      StringEnum(surveyChannels, { description: 'How the answer came back; the survey channel when absent' }),
    ),
    contact: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Text(200, 'Whom to ask for')),
          phone: Type.Optional(Text(50, 'Where to call back')),
          email: Type.Optional(Text(320, 'Where to write back')),
        },
        {
          additionalProperties: false,
          description: 'How the customer wants to be contacted back; sealed at once (personal data)',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type AnswerCaseSurveyBody = Static<typeof AnswerCaseSurveyBody>;

/** Body of `POST /case-surveys/:surveyId/follow-up-call`. */
export const RecordFollowUpCallBody = Type.Object(
  {
    outcome: StringEnum(followUpCallOutcomes, { description: 'Whether the customer was reached' }),
    note: Type.Optional(Type.String({ maxLength: 2000, description: 'What was said (no personal data)' })),
  },
  { additionalProperties: false },
);
export type RecordFollowUpCallBody = Static<typeof RecordFollowUpCallBody>;

/** Query of `GET /case-surveys`. */
export const ListCaseSurveysQuery = Type.Object(
  { caseId: Type.String({ format: 'uuid', description: 'The case whose surveys to list (one per resolution)' }) },
  { additionalProperties: false },
);
export type ListCaseSurveysQuery = Static<typeof ListCaseSurveysQuery>;

/** Query of `GET /case-surveys/:surveyId/contact`. */
export const ContactQuery = Type.Object(
  { purpose: Text(500, 'Why the contact is read (recorded in the access log)') },
  { additionalProperties: false },
);
export type ContactQuery = Static<typeof ContactQuery>;

/** Query of `GET /follow-up-calls`. */
export const FollowUpCallsQuery = Type.Object(
  {
    status: Type.Optional(
      StringEnum(['due', 'overdue', 'all'] as const, { description: 'due (default): open or overdue' }),
    ),
  },
  { additionalProperties: false },
);
export type FollowUpCallsQuery = Static<typeof FollowUpCallsQuery>;

const Scores = Type.Object({
  responseSpeed: Type.Integer({ minimum: 1, maximum: 5 }),
  result: Type.Integer({ minimum: 1, maximum: 5 }),
  attitude: Type.Integer({ minimum: 1, maximum: 5 }),
});

const FollowUpCallView = Type.Object({
  dueBy: DateTime(),
  reasons: ReadonlyList(Type.String()),
  status: StringEnum(['open', 'overdue', 'made'] as const),
  outcome: Nullable(StringEnum(followUpCallOutcomes)),
  calledAt: Nullable(DateTime()),
  calledBy: Nullable(Type.String()),
  late: Nullable(Type.Boolean()),
});

/** `GET /case-surveys/:surveyId`: a case survey and where it stands. */
export const CaseSurveyView = Type.Object(
  {
    surveyId: Type.String({ format: 'uuid' }),
    caseId: Type.String({ format: 'uuid' }),
    customerRef: Type.String({ description: 'Opaque customer reference (never personal data)' }),
    orderId: Type.String(),
    problemType: Type.String(),
    agentId: Nullable(Type.String()),
    team: Nullable(Type.String()),
    channel: Channel,
    status: StringEnum(['scheduled', 'invited', 'answered', 'expired'] as const),
    resolvedAt: DateTime(),
    sendAt: DateTime(),
    remindAt: Nullable(DateTime()),
    expiresAt: DateTime(),
    invitedAt: Nullable(DateTime()),
    remindedAt: Nullable(DateTime()),
    answer: Nullable(
      Type.Object({
        scores: Scores,
        averageScore: Type.Number(),
        satisfied: Type.Boolean(),
        unsatisfiedDimensions: ReadonlyList(StringEnum(scoreNames)),
        suggestion: Nullable(Type.String()),
        contactLeft: Type.Boolean({ description: 'A sealed contact was left (read it at /contact with a purpose)' }),
        answeredVia: Channel,
        answeredAt: DateTime(),
        answeredBy: Type.String(),
      }),
    ),
    followUpCall: Nullable(FollowUpCallView),
  },
  { title: 'CaseSurveyView' },
);
export type CaseSurveyView = Static<typeof CaseSurveyView>;

/** `GET /case-surveys?caseId=`. */
export const CaseSurveyListView = Type.Object(
  { caseId: Type.String({ format: 'uuid' }), surveys: ReadonlyList(CaseSurveyView) },
  { title: 'CaseSurveyListView' },
);
export type CaseSurveyListView = Static<typeof CaseSurveyListView>;

/** `GET /case-surveys/:surveyId/contact`: the contact opened (the read is logged), or `null`. */
export const ContactView = Type.Object(
  {
    surveyId: Type.String({ format: 'uuid' }),
    contact: Nullable(
      Type.Object({
        name: Type.Optional(Type.String()),
        phone: Type.Optional(Type.String()),
        email: Type.Optional(Type.String()),
        address: Type.Optional(Type.String()),
      }),
    ),
  },
  { title: 'ContactView' },
);
export type ContactView = Static<typeof ContactView>;

/** `GET /follow-up-calls`: follow-up calls of the tenant, earliest due first. */
export const FollowUpCallListView = Type.Object(
  {
    calls: ReadonlyList(
      Type.Object({
        surveyId: Type.String({ format: 'uuid' }),
        caseId: Type.String({ format: 'uuid' }),
        customerRef: Type.String(),
        team: Nullable(Type.String()),
        agentId: Nullable(Type.String()),
        ...FollowUpCallView.properties,
      }),
    ),
  },
  { title: 'FollowUpCallListView' },
);
export type FollowUpCallListView = Static<typeof FollowUpCallListView>;

const calendarSchema = Type.Object(
  {
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' }),
    workingDays: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { maxItems: 7, description: 'ISO weekdays' }),
    shifts: Type.Array(
      Type.Object(
        {
          start: Type.String({ maxLength: 5, description: 'Local time HH:MM' }),
          end: Type.String({ maxLength: 5, description: 'HH:MM; at or before start: ends the next day' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 12 },
    ),
    holidays: Type.Array(Type.String({ maxLength: 10, description: 'Local date YYYY-MM-DD' }), { maxItems: 400 }),
    extraWorkingDays: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 400 })),
  },
  { additionalProperties: false, description: "The tenant's business hours (working days of the follow-up call)" },
);

const closed = { additionalProperties: false } as const;
const list = <T extends readonly [string, ...string[]]>(values: T, description: string) =>
  Type.Array(StringEnum(values), { maxItems: values.length, uniqueItems: true, description });

/** `PUT /survey-policies`: the tenant's changes to the defaults (any subset; it replaces the previous changes). */
export const PutSurveyPolicyBody = Type.Object(
  {
    satisfied: Type.Optional(
      Type.Object(
        {
          minAverage: Type.Optional(
            Type.Number({ minimum: 1, maximum: 5, description: 'Mean of the three scores at least' }),
          ),
          minEachScore: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'No score below' })),
        },
        closed,
      ),
    ),
    channel: Type.Optional(StringEnum(surveyChannels, { description: 'Channel of incident surveys' })),
    suggestionMaxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 4000 })),
    cases: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Survey resolved cases' })),
          channel: Type.Optional(StringEnum(surveyChannels)),
          delayMinutes: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 43_200, description: 'After the resolution' }),
          ),
          problemTypes: Type.Optional(list(ProblemTypes, 'Which cases: these problem types only (empty: all)')),
          caseChannels: Type.Optional(list(CaseChannels, 'Which cases: opened on these channels only (empty: all)')),
          reminderAfterHours: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 1_440, description: '0: no reminder' }),
          ),
          expiresAfterHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_160 })),
          unsatisfiedAtOrBelow: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 4, description: 'A score at or below this is unsatisfied (0: never)' }),
          ),
          followUpCall: Type.Optional(
            Type.Object(
              {
                workingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
                priorities: Type.Optional(list(CasePriorities, 'Significant: opened with these priorities')),
                escalated: Type.Optional(Type.Boolean({ description: 'Complex: escalated cases' })),
                reopened: Type.Optional(Type.Boolean({ description: 'Complex: reopened cases' })),
                problemTypes: Type.Optional(list(ProblemTypes, 'Significant: cases of these problem types')),
              },
              closed,
            ),
          ),
        },
        closed,
      ),
    ),
    sampling: Type.Optional(
      Type.Object(
        {
          perAgentPerWeek: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000 })),
          seed: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Seed of the weekly draw' })),
        },
        closed,
      ),
    ),
    repeatWindowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    calendar: Type.Optional(calendarSchema),
    webhookUrl: Type.Optional(
      Nullable(Type.String({ maxLength: 2000, description: 'The survey gateway (SURVEYS_NOTIFIER_ALLOWED_HOSTS)' })),
    ),
  },
  closed,
);
export type PutSurveyPolicyBody = Static<typeof PutSurveyPolicyBody>;

/** `GET`/`PUT /survey-policies`: the policy in force, the tenant's changes, who made them when. */
export const SurveyPolicyView = Type.Object(
  {
    policy: Type.Object({}, { additionalProperties: true, description: 'The policy in force (defaults + changes)' }),
    overrides: Type.Object({}, { additionalProperties: true, description: "The tenant's changes" }),
    updatedAt: Nullable(DateTime()),
    updatedBy: Nullable(Type.String()),
  },
  { title: 'SurveyPolicyView' },
);
export type SurveyPolicyView = Static<typeof SurveyPolicyView>;

export function surveyPolicyView(settings: TenantSurveyPolicy): SurveyPolicyView {
  const policy: SurveyPolicy = settings.policy;
  return {
    policy: JSON.parse(JSON.stringify(policy)) as Record<string, unknown>,
    overrides: JSON.parse(JSON.stringify(settings.overrides)) as Record<string, unknown>,
    updatedAt: settings.updatedAt,
    updatedBy: settings.updatedBy,
  };
}

/** The API's view of a case survey (the tenant is the caller's and is not repeated). */
export function caseSurveyView(state: CaseSurvey): CaseSurveyView {
  const s = state.survey;
  const call = state.followUpCall;
  return {
    surveyId: s.surveyId,
    caseId: s.caseId,
    customerRef: s.customerRef,
    orderId: s.orderId,
    problemType: s.problemType,
    agentId: s.agentId,
    team: s.team,
    channel: s.channel,
    status: state.status,
    resolvedAt: s.resolvedAt,
    sendAt: s.sendAt,
    remindAt: s.remindAt,
    expiresAt: s.expiresAt,
    invitedAt: state.invitedAt,
    remindedAt: state.remindedAt,
    answer:
      state.status === 'answered'
        ? {
            scores: { ...state.answer.scores },
            averageScore: state.answer.averageScore,
            satisfied: state.answer.satisfied,
            unsatisfiedDimensions: [...state.answer.unsatisfiedDimensions],
            suggestion: state.answer.suggestion ?? null,
            contactLeft: state.answer.contact !== undefined,
            answeredVia: state.answer.answeredVia,
            answeredAt: state.answer.answeredAt,
            answeredBy: state.answer.answeredBy,
          }
        : null,
    followUpCall: call
      ? {
          dueBy: call.dueBy,
          reasons: [...call.reasons],
          status: call.status,
          outcome: call.made?.outcome ?? null,
          calledAt: call.made?.calledAt ?? null,
          calledBy: call.made?.calledBy ?? null,
          late: call.made?.late ?? null,
        }
      : null,
  };
}
