import type { CommandContext } from '@aftersales/domain';
import type {
  AnswerCaseSurvey,
  CaseSurveyCommand,
  RecordFollowUpCall,
  ScheduleCaseSurvey,
} from '../case-survey.decider';
import { contextAt, tenant } from './builders';
import type { TestClock } from './test-clock';

export const caseId = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
export const caseSurveyId = '3e7a9c1b-5d2f-4a8e-9b6c-1d0e2f3a4b5c';
export const timerActor = { id: 'system:surveys.timers', roles: ['system'] };

/** Commands of one resolved case's survey, at the clock's current time. */
export function caseSurveyCommands(clock: TestClock) {
  const ctx = (overrides: Partial<CommandContext> = {}) => contextAt(clock, overrides);
  const byTimer = <T extends CaseSurveyCommand['type']>(type: T) =>
    ({ type, context: ctx({ actor: timerActor }), data: { surveyId: caseSurveyId } }) as Extract<
      CaseSurveyCommand,
      { type: T }
    >;
  return {
    schedule: (data: Partial<ScheduleCaseSurvey['data']> = {}): ScheduleCaseSurvey => ({
      type: 'ScheduleCaseSurvey',
      context: ctx({ actor: { id: 'system:surveys.case-register', roles: [] } }),
      data: {
        surveyId: caseSurveyId,
        caseId,
        customerRef: 'cus-1',
        orderId: 'ORD-1',
        problemType: 'quality',
        caseChannel: 'chat',
        priority: 'normal',
        agentId: 'agent-7',
        team: 'after-sales-east',
        resolvedAt: clock.now().toISOString(),
        escalated: false,
        reopened: false,
        ...data,
      },
    }),
    invite: () => byTimer('InviteToCaseSurvey'),
    remind: () => byTimer('RemindCaseSurvey'),
    expire: () => byTimer('ExpireCaseSurvey'),
    overdue: () => byTimer('FlagFollowUpCallOverdue'),
    answer: (data: Partial<AnswerCaseSurvey['data']> = {}, context?: Partial<CommandContext>): AnswerCaseSurvey => ({
      type: 'AnswerCaseSurvey',
      context: ctx({ actor: { id: 'sms-gateway', roles: ['integrator'] }, ...context }),
      data: { surveyId: caseSurveyId, responseSpeed: 5, result: 5, attitude: 4, ...data },
    }),
    call: (data: Partial<RecordFollowUpCall['data']> = {}): RecordFollowUpCall => ({
      type: 'RecordFollowUpCall',
      context: ctx(),
      data: { surveyId: caseSurveyId, outcome: 'reached', ...data },
    }),
  };
}

export { tenant };
