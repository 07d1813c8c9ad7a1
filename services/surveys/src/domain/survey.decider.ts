import { assertNever, type CommandContext, type Decider } from '@aftersales/domain';
import type { IncidentLevelValue } from '@aftersales/contracts';
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
  InvalidSurvey,
  InvalidSurveyAnswer,
  SurveyAlreadyAnswered,
  SurveyIdTaken,
  SurveyNotFound,
} from './survey.errors';
import type { SurveyAnswered, SurveyEvent, SurveySent } from './survey.events';

/** Sends the survey of one affected customer of a resolved incident; repeating it (redelivery) changes nothing. */
export type SendSurvey = {
  readonly type: 'SendSurvey';
  readonly context: CommandContext;
  readonly data: {
    readonly surveyId: string;
    readonly incidentId: string;
    readonly customerRef: string;
    readonly level: IncidentLevelValue;
    readonly targetPercent: number;
    /** The tenant policy's channel when absent. */
    readonly channel?: SurveyChannel;
  };
};

/** Records the customer's answer. */
export type AnswerSurvey = {
  readonly type: 'AnswerSurvey';
  readonly context: CommandContext;
  readonly data: Scores & {
    readonly surveyId: string;
    readonly suggestion?: string;
    /** The channel the survey was sent on when absent. */
    readonly answeredVia?: SurveyChannel;
  };
};

export type SurveyCommand = SendSurvey | AnswerSurvey;

export type SurveyState =
  | { readonly status: 'none' }
  | { readonly status: 'sent'; readonly survey: SurveySent['data'] }
  | { readonly status: 'answered'; readonly survey: SurveySent['data']; readonly answer: SurveyAnswered['data'] };

const initialState = (): SurveyState => ({ status: 'none' });

function decide(command: SurveyCommand, state: SurveyState, policy: SurveyPolicy): SurveyEvent[] {
  switch (command.type) {
    case 'SendSurvey':
      return send(command, state, policy);
    case 'AnswerSurvey':
      return answer(command, state, policy);
    default:
      return assertNever(command);
  }
}

function send(command: SendSurvey, state: SurveyState, policy: SurveyPolicy): SurveyEvent[] {
  const { context, data } = command;
  if (state.status !== 'none') {
    const s = state.survey;
    const same = s.tenant === context.tenant && s.incidentId === data.incidentId && s.customerRef === data.customerRef;
    if (!same) throw new SurveyIdTaken(data.surveyId);
    return [];
  }
  const problems: string[] = [];
  if (!data.incidentId.trim()) problems.push('incidentId is empty');
  if (!data.customerRef.trim()) problems.push('customerRef is empty');
  if (!(data.targetPercent >= 0 && data.targetPercent <= 100))
    problems.push(`targetPercent ${data.targetPercent} is not within 0–100`);
  if (problems.length > 0) throw new InvalidSurvey(problems);
  return [
    {
      type: 'SurveySent',
      data: {
        surveyId: data.surveyId,
        tenant: context.tenant,
        incidentId: data.incidentId,
        customerRef: data.customerRef,
        level: data.level,
        targetPercent: data.targetPercent,
        channel: data.channel ?? policy.channel,
        sentAt: context.now.toISOString(),
        sentBy: context.actor.id,
      },
    },
  ];
}

function answer(command: AnswerSurvey, state: SurveyState, policy: SurveyPolicy): SurveyEvent[] {
  const { context, data } = command;
  if (state.status === 'none' || state.survey.tenant !== context.tenant) throw new SurveyNotFound(data.surveyId);
  if (state.status === 'answered') throw new SurveyAlreadyAnswered(data.surveyId, state.answer.answeredAt);
  const scores: Scores = { responseSpeed: data.responseSpeed, result: data.result, attitude: data.attitude };
  const suggestion = data.suggestion?.trim() || undefined;
  const problems = scoreNames
    .filter(
      (name) => !(Number.isInteger(scores[name]) && scores[name] >= scoreScale.min && scores[name] <= scoreScale.max),
    )
    .map(
      (name) =>
        `${name} must be a whole score from ${scoreScale.min} to ${scoreScale.max} (got ${String(scores[name])})`,
    );
  if (suggestion && suggestion.length > policy.suggestionMaxLength) {
    problems.push(`suggestion is longer than ${policy.suggestionMaxLength} characters`);
  }
  if (problems.length > 0) throw new InvalidSurveyAnswer(problems);
  const { survey } = state;
  return [
    {
      type: 'SurveyAnswered',
      data: {
        surveyId: survey.surveyId,
        tenant: survey.tenant,
        incidentId: survey.incidentId,
        customerRef: survey.customerRef,
        scores,
        averageScore: Math.round(averageScore(scores) * 100) / 100,
        satisfied: isSatisfied(scores, policy.satisfied),
        satisfiedRule: policy.satisfied,
        ...(suggestion ? { suggestion } : {}),
        answeredVia: data.answeredVia ?? survey.channel,
        answeredAt: context.now.toISOString(),
        answeredBy: context.actor.id,
      },
    },
  ];
}

function evolve(state: SurveyState, event: SurveyEvent): SurveyState {
  switch (event.type) {
    case 'SurveySent':
      return { status: 'sent', survey: event.data };
    case 'SurveyAnswered':
      return state.status === 'none' ? state : { status: 'answered', survey: state.survey, answer: event.data };
    default:
      return assertNever(event);
  }
}

/**
 * The Survey aggregate (one per incident and customer) for a tenant's policy: `decide` reads the policy, `evolve` only
 * events (the satisfied verdict and its rule are written into `SurveyAnswered`).
 *
 * @example
 * ```ts
 * const decider = createSurveyDecider(resolveSurveyPolicy(tenantOverrides));
 * decider.decide(answerSurvey, history.reduce(decider.evolve, decider.initialState()));
 * ```
 */
export function createSurveyDecider(
  policy: SurveyPolicy = defaultSurveyPolicy,
): Decider<SurveyState, SurveyCommand, SurveyEvent> {
  return {
    decide: (command, state) => decide(command, state, policy),
    evolve,
    initialState,
  };
}

/** The Survey aggregate with the default policy. */
export const surveyDecider = createSurveyDecider();
