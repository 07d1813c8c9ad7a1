import { addWorkingDays } from '@aftersales/business-time';
import { assertNever, type CommandContext, type Decider } from '@aftersales/domain';
import type {
  CaseSurveyEvent,
  CaseSurveyScheduled,
  FollowUpCallMade,
  FollowUpCallOutcome,
  FollowUpCallReason,
  SealedContact,
  SurveyedCase,
  CaseSurveyAnswered,
} from './case-survey.events';
import {
  averageScore,
  defaultSurveyPolicy,
  isSatisfied,
  scoreNames,
  scoreScale,
  type Scores,
  type SurveyChannel,
  type SurveyPolicy,
} from './survey-policy';
import {
  CaseSurveyExpired,
  CaseSurveyNotSent,
  FollowUpCallAlreadyMade,
  InvalidSurvey,
  InvalidSurveyAnswer,
  NoFollowUpCall,
  SurveyAlreadyAnswered,
  SurveyIdTaken,
  SurveyNotFound,
} from './survey.errors';

const HOUR_MS = 3_600_000;

/**
 * On intake's `CaseResolvedV1`: survey the case if the tenant's policy covers it, and book the proactive call of a
 * significant or complex case. `escalated` / `reopened` are what the case register saw of the case.
 */
export type ScheduleCaseSurvey = {
  readonly type: 'ScheduleCaseSurvey';
  readonly context: CommandContext;
  readonly data: SurveyedCase & {
    readonly surveyId: string;
    readonly resolvedAt: string;
    readonly escalated: boolean;
    readonly reopened: boolean;
  };
};

/** The invitation's timer fired. */
export type InviteToCaseSurvey = {
  readonly type: 'InviteToCaseSurvey';
  readonly context: CommandContext;
  readonly data: { readonly surveyId: string };
};
/** The reminder's timer fired. */
export type RemindCaseSurvey = {
  readonly type: 'RemindCaseSurvey';
  readonly context: CommandContext;
  readonly data: { readonly surveyId: string };
};
/** The expiry's timer fired. */
export type ExpireCaseSurvey = {
  readonly type: 'ExpireCaseSurvey';
  readonly context: CommandContext;
  readonly data: { readonly surveyId: string };
};

/** The customer's answer, recorded by an agent after a call or by an integrator (SMS gateway, app). */
export type AnswerCaseSurvey = {
  readonly type: 'AnswerCaseSurvey';
  readonly context: CommandContext;
  readonly data: Scores & {
    readonly surveyId: string;
    readonly suggestion?: string;
    /** The contact the customer left for a call back, sealed by the application before the command. */
    readonly contact?: SealedContact;
    readonly answeredVia?: SurveyChannel;
  };
};

/** The agent records the proactive follow-up call. */
export type RecordFollowUpCall = {
  readonly type: 'RecordFollowUpCall';
  readonly context: CommandContext;
  readonly data: { readonly surveyId: string; readonly outcome: FollowUpCallOutcome; readonly note?: string };
};

/** The follow-up call's timer fired at its due time. */
export type FlagFollowUpCallOverdue = {
  readonly type: 'FlagFollowUpCallOverdue';
  readonly context: CommandContext;
  readonly data: { readonly surveyId: string };
};

export type CaseSurveyCommand =
  | ScheduleCaseSurvey
  | InviteToCaseSurvey
  | RemindCaseSurvey
  | ExpireCaseSurvey
  | AnswerCaseSurvey
  | RecordFollowUpCall
  | FlagFollowUpCallOverdue;

export interface FollowUpCall {
  readonly dueBy: string;
  readonly reasons: readonly FollowUpCallReason[];
  readonly status: 'open' | 'overdue' | 'made';
  readonly made: FollowUpCallMade['data'] | null;
}

interface Surveyed {
  readonly survey: CaseSurveyScheduled['data'];
  readonly invitedAt: string | null;
  readonly remindedAt: string | null;
  readonly followUpCall: FollowUpCall | null;
}

export type CaseSurveyState =
  | { readonly status: 'none' }
  | ({ readonly status: 'scheduled' | 'invited' } & Surveyed)
  | ({ readonly status: 'answered'; readonly answer: CaseSurveyAnswered['data'] } & Surveyed)
  | ({ readonly status: 'expired'; readonly expiredAt: string } & Surveyed);

const initialState = (): CaseSurveyState => ({ status: 'none' });

/** Why a case is significant or complex under the policy's follow-up call rule (none: no call). */
export function followUpCallReasons(
  data: ScheduleCaseSurvey['data'],
  rule: SurveyPolicy['cases']['followUpCall'],
): FollowUpCallReason[] {
  const reasons: FollowUpCallReason[] = [];
  if (rule.priorities.includes(data.priority)) reasons.push('priority');
  if (rule.escalated && data.escalated) reasons.push('escalated');
  if (rule.reopened && data.reopened) reasons.push('reopened');
  if (rule.problemTypes.includes(data.problemType)) reasons.push('problem-type');
  return reasons;
}

/** Whether the policy surveys this case (seed 000 §3.4; the tenant chooses which cases). */
export function coversCase(policy: SurveyPolicy, data: Pick<SurveyedCase, 'problemType' | 'caseChannel'>): boolean {
  const { enabled, problemTypes, caseChannels } = policy.cases;
  return (
    enabled &&
    (problemTypes.length === 0 || problemTypes.includes(data.problemType)) &&
    (caseChannels.length === 0 || caseChannels.includes(data.caseChannel))
  );
}

function decide(command: CaseSurveyCommand, state: CaseSurveyState, policy: SurveyPolicy): CaseSurveyEvent[] {
  switch (command.type) {
    case 'ScheduleCaseSurvey':
      return schedule(command, state, policy);
    case 'InviteToCaseSurvey':
      return state.status === 'scheduled'
        ? [{ type: 'CaseSurveyInvited', data: { ...ids(state), invitedAt: at(command) } }]
        : [];
    case 'RemindCaseSurvey':
      return state.status === 'invited' && state.remindedAt === null && state.survey.remindAt !== null
        ? [{ type: 'CaseSurveyReminded', data: { ...ids(state), remindedAt: at(command) } }]
        : [];
    case 'ExpireCaseSurvey':
      return state.status === 'invited' || state.status === 'scheduled'
        ? [{ type: 'CaseSurveyExpired', data: { ...ids(state), expiredAt: at(command) } }]
        : [];
    case 'AnswerCaseSurvey':
      return answer(command, state, policy);
    case 'RecordFollowUpCall':
      return recordCall(command, state);
    case 'FlagFollowUpCallOverdue':
      return state.status !== 'none' && state.followUpCall?.status === 'open'
        ? [
            {
              type: 'FollowUpCallOverdue',
              data: { ...ids(state), dueBy: state.followUpCall.dueBy, overdueAt: at(command) },
            },
          ]
        : [];
    default:
      return assertNever(command);
  }
}

const at = (command: { readonly context: CommandContext }) => command.context.now.toISOString();
const ids = (state: Exclude<CaseSurveyState, { status: 'none' }>) => ({
  surveyId: state.survey.surveyId,
  tenant: state.survey.tenant,
  caseId: state.survey.caseId,
});

function schedule(command: ScheduleCaseSurvey, state: CaseSurveyState, policy: SurveyPolicy): CaseSurveyEvent[] {
  const { context, data } = command;
  if (state.status !== 'none') {
    const same = state.survey.tenant === context.tenant && state.survey.caseId === data.caseId;
    if (!same) throw new SurveyIdTaken(data.surveyId);
    return [];
  }
  const resolvedMs = Date.parse(data.resolvedAt);
  const problems: string[] = [];
  if (!data.customerRef.trim()) problems.push('customerRef is empty');
  if (Number.isNaN(resolvedMs)) problems.push(`resolvedAt ${data.resolvedAt} is not a time`);
  if (problems.length > 0) throw new InvalidSurvey(problems);
  if (!coversCase(policy, data)) return [];
  const { cases } = policy;
  const { escalated: _e, reopened: _r, priority, ...surveyed } = data;
  const sendMs = resolvedMs + cases.delayMinutes * 60_000;
  const scheduled: CaseSurveyEvent = {
    type: 'CaseSurveyScheduled',
    data: {
      ...surveyed,
      priority,
      tenant: context.tenant,
      channel: cases.channel,
      sendAt: new Date(sendMs).toISOString(),
      remindAt:
        cases.reminderAfterHours > 0 ? new Date(sendMs + cases.reminderAfterHours * HOUR_MS).toISOString() : null,
      expiresAt: new Date(sendMs + cases.expiresAfterHours * HOUR_MS).toISOString(),
      scheduledAt: at(command),
    },
  };
  const reasons = followUpCallReasons(data, cases.followUpCall);
  if (reasons.length === 0) return [scheduled];
  const { workingDays } = cases.followUpCall;
  return [
    scheduled,
    {
      type: 'FollowUpCallScheduled',
      data: {
        surveyId: data.surveyId,
        tenant: context.tenant,
        caseId: data.caseId,
        reasons,
        workingDays,
        dueBy: addWorkingDays(policy.calendar, resolvedMs, workingDays).toISOString(),
      },
    },
  ];
}

function answer(command: AnswerCaseSurvey, state: CaseSurveyState, policy: SurveyPolicy): CaseSurveyEvent[] {
  const { context, data } = command;
  if (state.status === 'none' || state.survey.tenant !== context.tenant) throw new SurveyNotFound(data.surveyId);
  if (state.status === 'answered') throw new SurveyAlreadyAnswered(data.surveyId, state.answer.answeredAt);
  if (state.status === 'expired') throw new CaseSurveyExpired(data.surveyId, state.expiredAt);
  if (state.status === 'scheduled') throw new CaseSurveyNotSent(data.surveyId, state.survey.sendAt);
  const scores: Scores = { responseSpeed: data.responseSpeed, result: data.result, attitude: data.attitude };
  const problems = scoreNames
    .filter(
      (name) => !(Number.isInteger(scores[name]) && scores[name] >= scoreScale.min && scores[name] <= scoreScale.max),
    )
    .map(
      (name) =>
        `${name} must be a whole score from ${scoreScale.min} to ${scoreScale.max} (got ${String(scores[name])})`,
    );
  const suggestion = data.suggestion?.trim() || undefined;
  if (suggestion && suggestion.length > policy.suggestionMaxLength) {
    problems.push(`suggestion is longer than ${policy.suggestionMaxLength} characters`);
  }
  if (problems.length > 0) throw new InvalidSurveyAnswer(problems);
  const { survey } = state;
  const { unsatisfiedAtOrBelow } = policy.cases;
  const unsatisfiedDimensions = scoreNames.filter((name) => scores[name] <= unsatisfiedAtOrBelow);
  const answeredAt = at(command);
  const answered: CaseSurveyEvent = {
    type: 'CaseSurveyAnswered',
    data: {
      ...ids(state),
      customerRef: survey.customerRef,
      agentId: survey.agentId,
      team: survey.team,
      scores,
      averageScore: Math.round(averageScore(scores) * 100) / 100,
      satisfied: isSatisfied(scores, policy.satisfied),
      satisfiedRule: policy.satisfied,
      unsatisfiedDimensions,
      unsatisfiedAtOrBelow,
      ...(suggestion ? { suggestion } : {}),
      ...(data.contact ? { contact: data.contact } : {}),
      answeredVia: data.answeredVia ?? survey.channel,
      answeredAt,
      answeredBy: context.actor.id,
    },
  };
  const reasons = [
    ...(unsatisfiedDimensions.length > 0 ? (['unsatisfied'] as const) : []),
    ...(suggestion ? (['suggestion'] as const) : []),
  ];
  if (reasons.length === 0) return [answered];
  return [
    answered,
    {
      type: 'ImprovementInputRaised',
      data: {
        ...ids(state),
        customerRef: survey.customerRef,
        orderId: survey.orderId,
        problemType: survey.problemType,
        agentId: survey.agentId,
        team: survey.team,
        reasons,
        unsatisfiedDimensions,
        scores,
        // An unsatisfied customer is followed up on a case; a suggestion alone goes to the quality group's review.
        route: unsatisfiedDimensions.length > 0 ? 'follow-up-case' : 'quality-review',
        raisedAt: answeredAt,
      },
    },
  ];
}

function recordCall(command: RecordFollowUpCall, state: CaseSurveyState): CaseSurveyEvent[] {
  const { context, data } = command;
  if (state.status === 'none' || state.survey.tenant !== context.tenant) throw new SurveyNotFound(data.surveyId);
  const call = state.followUpCall;
  if (!call) throw new NoFollowUpCall(data.surveyId);
  if (call.made) throw new FollowUpCallAlreadyMade(data.surveyId, call.made.calledAt);
  const note = data.note?.trim();
  const calledAt = at(command);
  return [
    {
      type: 'FollowUpCallMade',
      data: {
        ...ids(state),
        outcome: data.outcome,
        ...(note ? { note } : {}),
        calledAt,
        calledBy: context.actor.id,
        late: Date.parse(calledAt) > Date.parse(call.dueBy),
      },
    },
  ];
}

function evolve(state: CaseSurveyState, event: CaseSurveyEvent): CaseSurveyState {
  if (event.type === 'CaseSurveyScheduled') {
    return { status: 'scheduled', survey: event.data, invitedAt: null, remindedAt: null, followUpCall: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'FollowUpCallScheduled':
      return {
        ...state,
        followUpCall: { dueBy: event.data.dueBy, reasons: event.data.reasons, status: 'open', made: null },
      };
    case 'CaseSurveyInvited':
      return { ...state, status: 'invited', invitedAt: event.data.invitedAt };
    case 'CaseSurveyReminded':
      return { ...state, remindedAt: event.data.remindedAt };
    case 'CaseSurveyExpired':
      return { ...state, status: 'expired', expiredAt: event.data.expiredAt };
    case 'CaseSurveyAnswered':
      return { ...state, status: 'answered', answer: event.data };
    case 'ImprovementInputRaised':
      return state;
    case 'FollowUpCallMade':
      return state.followUpCall
        ? { ...state, followUpCall: { ...state.followUpCall, status: 'made', made: event.data } }
        : state;
    case 'FollowUpCallOverdue':
      return state.followUpCall ? { ...state, followUpCall: { ...state.followUpCall, status: 'overdue' } } : state;
    default:
      return assertNever(event);
  }
}

/**
 * The CaseSurvey aggregate (one per resolution of a case) under a tenant's policy: scheduling, invitation, reminder and
 * expiry (fired by durable timers; each re-checks the state, so a late or repeated timer does nothing), the answer
 * with its improvement input, and the proactive follow-up call of a significant or complex case.
 */
export function createCaseSurveyDecider(
  policy: SurveyPolicy = defaultSurveyPolicy,
): Decider<CaseSurveyState, CaseSurveyCommand, CaseSurveyEvent> {
  return { decide: (command, state) => decide(command, state, policy), evolve, initialState };
}

/** The CaseSurvey aggregate with the default policy. */
export const caseSurveyDecider = createCaseSurveyDecider();
