import { assertNever, type CommandContext, type Decider } from '@aftersales/domain';
import { isBelowTarget, satisfactionPercent, type IncidentLevelValue } from '@aftersales/contracts';
import {
  AnswerAlreadyCounted,
  IncidentNotSurveyed,
  IncidentOfAnotherTenant,
  SatisfactionTargetChanged,
  SurveyNotOfIncident,
} from './incident-satisfaction.errors';
import type { IncidentSatisfactionEvent, SatisfactionMeasured, SurveyedCustomer } from './incident-satisfaction.events';
import { InvalidSurvey } from './survey.errors';

/** Tracks the surveys sent for a resolved incident (the first call fixes level and target; repeats add only new customers). */
export type SurveyCustomers = {
  readonly type: 'SurveyCustomers';
  readonly context: CommandContext;
  readonly data: {
    readonly incidentId: string;
    readonly level: IncidentLevelValue;
    readonly targetPercent: number;
    readonly surveys: readonly SurveyedCustomer[];
  };
};

/** Counts one customer's answer; `satisfied` is the verdict recorded with the answer (the tenant's rule). */
export type RecordAnswer = {
  readonly type: 'RecordAnswer';
  readonly context: CommandContext;
  readonly data: {
    readonly incidentId: string;
    readonly surveyId: string;
    readonly satisfied: boolean;
    /** The after-sales cases of the customer who answered (their complaints' cases in the incident). */
    readonly answerCaseIds?: readonly string[];
    /** The after-sales cases of all the incident's customers (a fall below the target concerns them all). */
    readonly incidentCaseIds?: readonly string[];
  };
};

export type IncidentSatisfactionCommand = SurveyCustomers | RecordAnswer;

interface Tracked {
  readonly incidentId: string;
  readonly tenant: string;
  readonly level: IncidentLevelValue;
  readonly targetPercent: number;
  /** Per survey id: the customer and, once answered, the verdict (`null` while unanswered). */
  readonly surveys: Readonly<Record<string, { readonly customerRef: string; readonly satisfied: boolean | null }>>;
}

export type IncidentSatisfactionState =
  | { readonly status: 'none' }
  /** Surveys sent, no answer yet: nothing is measured. */
  | ({ readonly status: 'surveying' } & Tracked)
  | ({
      readonly status: 'measured';
      readonly responses: number;
      readonly satisfied: number;
      readonly latest: Pick<SatisfactionMeasured['data'], 'satisfactionPercent' | 'belowTarget' | 'measuredAt'>;
    } & Tracked);

const initialState = (): IncidentSatisfactionState => ({ status: 'none' });

/**
 * Percent of satisfied respondents (rounded to 2 decimals for display) and "below target" on the exact ratio: the one
 * rule incidents applies too (`@aftersales/contracts`, `satisfaction.ts`).
 */
export { isBelowTarget, satisfactionPercent };

function decide(command: IncidentSatisfactionCommand, state: IncidentSatisfactionState): IncidentSatisfactionEvent[] {
  switch (command.type) {
    case 'SurveyCustomers':
      return surveyCustomers(command, state);
    case 'RecordAnswer':
      return recordAnswer(command, state);
    default:
      return assertNever(command);
  }
}

function surveyCustomers(command: SurveyCustomers, state: IncidentSatisfactionState): IncidentSatisfactionEvent[] {
  const { context, data } = command;
  if (!(data.targetPercent >= 0 && data.targetPercent <= 100)) {
    throw new InvalidSurvey([`targetPercent ${data.targetPercent} is not within 0–100`]);
  }
  if (state.status !== 'none') {
    if (state.tenant !== context.tenant) throw new IncidentOfAnotherTenant(data.incidentId);
    if (state.targetPercent !== data.targetPercent) {
      throw new SatisfactionTargetChanged(data.incidentId, state.targetPercent, data.targetPercent);
    }
  }
  const known = state.status === 'none' ? {} : state.surveys;
  const customersKnown = new Set(Object.values(known).map((s) => s.customerRef));
  const fresh: SurveyedCustomer[] = [];
  for (const survey of data.surveys) {
    if (known[survey.surveyId] || customersKnown.has(survey.customerRef)) continue;
    customersKnown.add(survey.customerRef);
    fresh.push({ surveyId: survey.surveyId, customerRef: survey.customerRef });
  }
  // The first call is recorded even with nobody to survey: it fixes the target the incident is measured against.
  if (fresh.length === 0 && state.status !== 'none') return [];
  return [
    {
      type: 'CustomersSurveyed',
      data: {
        incidentId: data.incidentId,
        tenant: context.tenant,
        level: state.status === 'none' ? data.level : state.level,
        targetPercent: data.targetPercent,
        surveys: fresh,
        surveyedAt: context.now.toISOString(),
      },
    },
  ];
}

function recordAnswer(command: RecordAnswer, state: IncidentSatisfactionState): IncidentSatisfactionEvent[] {
  const { context, data } = command;
  if (state.status === 'none' || state.tenant !== context.tenant) throw new IncidentNotSurveyed(data.incidentId);
  const survey = state.surveys[data.surveyId];
  if (!survey) throw new SurveyNotOfIncident(data.surveyId, data.incidentId);
  if (survey.satisfied !== null) throw new AnswerAlreadyCounted(data.surveyId);

  const before = state.status === 'measured' ? state : { responses: 0, satisfied: 0, latest: null };
  const responses = before.responses + 1;
  const satisfied = before.satisfied + (data.satisfied ? 1 : 0);
  const surveyed = Object.keys(state.surveys).length;
  const percent = satisfactionPercent(satisfied, responses);
  const belowTarget = isBelowTarget(satisfied, responses, state.targetPercent);
  const measuredAt = context.now.toISOString();
  const common = { incidentId: state.incidentId, tenant: state.tenant, level: state.level };
  // Architecture: every event that concerns a case carries its id (absent, not empty, when there is none).
  const casesOf = (caseIds: readonly string[] = []) => (caseIds.length > 0 ? { caseIds: [...new Set(caseIds)] } : {});
  const measured: IncidentSatisfactionEvent = {
    type: 'SatisfactionMeasured',
    data: {
      ...common,
      surveyId: data.surveyId,
      answerSatisfied: data.satisfied,
      satisfied,
      responses,
      surveyed,
      satisfactionPercent: percent,
      targetPercent: state.targetPercent,
      belowTarget,
      measuredAt,
      ...casesOf(data.answerCaseIds),
    },
  };
  // Edge-triggered: one follow-up request per fall below the target, not one per answer while it stays below.
  const fellBelow = belowTarget && !(before.latest?.belowTarget ?? false);
  if (!fellBelow) return [measured];
  return [
    measured,
    {
      type: 'SatisfactionBelowTarget',
      data: {
        ...common,
        satisfactionPercent: percent,
        targetPercent: state.targetPercent,
        responses,
        surveyed,
        measuredAt,
        reason: `${satisfied} of ${responses} respondents satisfied (${percent} %) is below the ${state.level} target of ${state.targetPercent} %`,
        ...casesOf(data.incidentCaseIds),
      },
    },
  ];
}

function evolve(state: IncidentSatisfactionState, event: IncidentSatisfactionEvent): IncidentSatisfactionState {
  switch (event.type) {
    case 'CustomersSurveyed': {
      const added = Object.fromEntries(
        event.data.surveys.map((s) => [s.surveyId, { customerRef: s.customerRef, satisfied: null }]),
      );
      if (state.status === 'none') {
        const { incidentId, tenant, level, targetPercent } = event.data;
        return { status: 'surveying', incidentId, tenant, level, targetPercent, surveys: added };
      }
      return { ...state, surveys: { ...state.surveys, ...added } };
    }
    case 'SatisfactionMeasured': {
      if (state.status === 'none') return state;
      const {
        surveyId,
        answerSatisfied,
        responses,
        satisfied,
        satisfactionPercent: percent,
        belowTarget,
        measuredAt,
      } = event.data;
      const survey = state.surveys[surveyId];
      const surveys = survey
        ? { ...state.surveys, [surveyId]: { ...survey, satisfied: answerSatisfied } }
        : state.surveys;
      return {
        ...state,
        status: 'measured',
        surveys,
        responses,
        satisfied,
        latest: { satisfactionPercent: percent, belowTarget, measuredAt },
      };
    }
    case 'SatisfactionBelowTarget':
      return state;
    default:
      return assertNever(event);
  }
}

/**
 * The IncidentSatisfaction aggregate (one per incident): which customers were surveyed and how many of the respondents
 * are satisfied, against the target the incident was resolved with.
 */
export const incidentSatisfactionDecider = { decide, evolve, initialState } satisfies Decider<
  IncidentSatisfactionState,
  IncidentSatisfactionCommand,
  IncidentSatisfactionEvent
>;
