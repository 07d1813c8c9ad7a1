import type { CommandContext } from '@aftersales/domain';
import type { IncidentLevelValue } from '@aftersales/contracts';
import type { RecordAnswer, SurveyCustomers } from '../incident-satisfaction.decider';
import type { AnswerSurvey, SendSurvey } from '../survey.decider';
import type { TestClock } from './test-clock';

export const tenant = 'shop-1';
export const incidentId = '5f0c7f4e-1d2a-4b7e-9a53-0f3c2b1a9d10';

export function contextAt(clock: TestClock, overrides: Partial<CommandContext> = {}): CommandContext {
  return { tenant, actor: { id: 'agent-7', roles: ['agent'] }, now: clock.now(), ...overrides };
}

/**
 * Survey id of the n-th customer (`00000000-0000-4000-8000-000000000001`, …): a UUID like the real ones, which are
 * derived from tenant, incident and customer (the published satisfaction events carry it).
 */
export const surveyIdOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const customerOf = (n: number) => `cus-${n}`;

export const sendSurvey = (
  clock: TestClock,
  data: Partial<SendSurvey['data']> = {},
  context?: Partial<CommandContext>,
): SendSurvey => ({
  type: 'SendSurvey',
  context: contextAt(clock, { actor: { id: 'system:surveys.incident-follow-up', roles: [] }, ...context }),
  data: { surveyId: surveyIdOf(1), incidentId, customerRef: customerOf(1), level: 'L1', targetPercent: 90, ...data },
});

export const answerSurvey = (
  clock: TestClock,
  data: Partial<AnswerSurvey['data']> = {},
  context?: Partial<CommandContext>,
): AnswerSurvey => ({
  type: 'AnswerSurvey',
  context: contextAt(clock, context),
  data: { surveyId: surveyIdOf(1), responseSpeed: 5, result: 4, attitude: 5, ...data },
});

/** Commands of one incident's satisfaction, at the clock's current time. */
export function satisfactionCommands(clock: TestClock, level: IncidentLevelValue = 'L1', targetPercent = 90) {
  return {
    /** Surveys customers `from`…`to` (1-based, inclusive). */
    survey: (to: number, from = 1, context?: Partial<CommandContext>): SurveyCustomers => ({
      type: 'SurveyCustomers',
      context: contextAt(clock, { actor: { id: 'system:surveys.incident-follow-up', roles: [] }, ...context }),
      data: {
        incidentId,
        level,
        targetPercent,
        surveys: Array.from({ length: to - from + 1 }, (_, i) => ({
          surveyId: surveyIdOf(from + i),
          customerRef: customerOf(from + i),
        })),
      },
    }),
    answer: (n: number, satisfied: boolean, context?: Partial<CommandContext>): RecordAnswer => ({
      type: 'RecordAnswer',
      context: contextAt(clock, context),
      data: { incidentId, surveyId: surveyIdOf(n), satisfied },
    }),
  };
}
