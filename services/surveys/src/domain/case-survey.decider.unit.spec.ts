import { historyOf, specOf } from '@aftersales/testing/decider';
import { caseSurveyDecider, createCaseSurveyDecider } from './case-survey.decider';
import type { CaseSurveyEvent } from './case-survey.events';
import { defaultSurveyPolicy, resolveSurveyPolicy, InvalidSurveyPolicy } from './survey-policy';
import {
  CaseSurveyExpired,
  CaseSurveyNotSent,
  FollowUpCallAlreadyMade,
  InvalidSurveyAnswer,
  NoFollowUpCall,
  SurveyAlreadyAnswered,
  SurveyIdTaken,
  SurveyNotFound,
} from './survey.errors';
import { caseId, caseSurveyCommands, caseSurveyId, tenant } from './testing/case-survey.builders';
import { TestClock } from './testing/test-clock';

const given = specOf(caseSurveyDecider);

// Resolved Wednesday 25 November 2026 08:00 UTC = 16:00 in Shanghai (the default calendar: 09:00–22:30 every day).
describe('CaseSurvey decider: every resolved case is surveyed (domain §6; seed 000 §3.4 客戶回訪與滿意度調查)', () => {
  let clock: TestClock;
  let c: ReturnType<typeof caseSurveyCommands>;

  beforeEach(() => {
    clock = new TestClock('2026-11-25T08:00:00.000Z');
    c = caseSurveyCommands(clock);
  });

  describe('ScheduleCaseSurvey (on CaseResolvedV1, under the tenant policy: channel, delay, which cases)', () => {
    it('schedules the invitation after the policy delay (60 min), a reminder 24 h and the expiry 72 h after it', () => {
      given([])
        .when(c.schedule())
        .then([
          {
            type: 'CaseSurveyScheduled',
            data: {
              surveyId: caseSurveyId,
              tenant,
              caseId,
              customerRef: 'cus-1',
              orderId: 'ORD-1',
              problemType: 'quality',
              caseChannel: 'chat',
              priority: 'normal',
              agentId: 'agent-7',
              team: 'after-sales-east',
              channel: 'sms',
              resolvedAt: '2026-11-25T08:00:00.000Z',
              sendAt: '2026-11-25T09:00:00.000Z',
              remindAt: '2026-11-26T09:00:00.000Z',
              expiresAt: '2026-11-28T09:00:00.000Z',
              scheduledAt: '2026-11-25T08:00:00.000Z',
            },
          },
        ]);
    });

    it('follows the tenant policy: channel, delay, no reminder', () => {
      const custom = specOf(
        createCaseSurveyDecider(
          resolveSurveyPolicy({ cases: { channel: 'app', delayMinutes: 0, reminderAfterHours: 0 } }),
        ),
      );
      custom([])
        .when(c.schedule())
        .thenMatches([{ data: { channel: 'app', sendAt: '2026-11-25T08:00:00.000Z', remindAt: null } }]);
    });

    it('surveys only the cases the policy names (problem types, channels); a disabled policy surveys none', () => {
      const onlyLogistics = specOf(
        createCaseSurveyDecider(resolveSurveyPolicy({ cases: { problemTypes: ['logistics'] } })),
      );
      onlyLogistics([]).when(c.schedule()).thenNothing();
      onlyLogistics([])
        .when(c.schedule({ problemType: 'logistics' }))
        .thenMatches([{ type: 'CaseSurveyScheduled' }]);
      const onlyPhone = specOf(createCaseSurveyDecider(resolveSurveyPolicy({ cases: { caseChannels: ['phone'] } })));
      onlyPhone([]).when(c.schedule()).thenNothing();
      const off = specOf(createCaseSurveyDecider(resolveSurveyPolicy({ cases: { enabled: false } })));
      off([]).when(c.schedule()).thenNothing();
    });

    // CONTEXT: a redelivered CaseResolvedV1 derives the same survey id (tenant, case, resolution time).
    it('schedules nothing the second time; refuses an id that belongs to another case', () => {
      const scheduled = historyOf(caseSurveyDecider, [c.schedule()]);
      given(scheduled).when(c.schedule()).thenNothing();
      given(scheduled)
        .when(c.schedule({ caseId: '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c' }))
        .thenThrows(SurveyIdTaken, { kind: 'conflict' });
    });
  });

  describe('significant or complex cases get a proactive follow-up call within X working days (seed 000 §3.4 主動回訪)', () => {
    it('books the call 3 working days after the resolution for an urgent case (13.5 h a working day, Shanghai)', () => {
      // Wednesday 16:00 Shanghai + 3 × 13.5 h: 6.5 h Wednesday, 13.5 h Thursday, 13.5 h Friday, 7 h Saturday → 16:00.
      given([])
        .when(c.schedule({ priority: 'urgent' }))
        .thenMatches([
          { type: 'CaseSurveyScheduled' },
          {
            type: 'FollowUpCallScheduled',
            data: {
              surveyId: caseSurveyId,
              caseId,
              reasons: ['priority'],
              workingDays: 3,
              dueBy: '2026-11-28T08:00:00.000Z',
            },
          },
        ]);
    });

    it('counts working days on the tenant calendar: weekends and holidays do not count', () => {
      const weekdays = specOf(
        createCaseSurveyDecider(
          resolveSurveyPolicy({
            cases: { followUpCall: { workingDays: 2 } },
            calendar: {
              timeZone: 'Asia/Shanghai',
              workingDays: [1, 2, 3, 4, 5],
              shifts: [{ start: '09:00', end: '18:00' }],
              holidays: ['2026-11-27'],
            },
          }),
        ),
      );
      // Wednesday 16:00: 2 h Wednesday, Thursday 9 h, Friday a holiday, the weekend off → Monday 16:00 Shanghai.
      weekdays([])
        .when(c.schedule({ escalated: true, reopened: true }))
        .thenMatches([
          { type: 'CaseSurveyScheduled' },
          {
            type: 'FollowUpCallScheduled',
            data: { reasons: ['escalated', 'reopened'], dueBy: '2026-11-30T08:00:00.000Z' },
          },
        ]);
    });

    it('books a call for a high-priority case, none for an ordinary one', () => {
      given([])
        .when(c.schedule({ priority: 'high', escalated: false }))
        .thenMatches([{ type: 'CaseSurveyScheduled' }, { type: 'FollowUpCallScheduled' }]);
      given([])
        .when(c.schedule())
        .thenMatches([{ type: 'CaseSurveyScheduled' }]);
    });

    it('records the call once, late when after its due time; flags it overdue when its timer fires first', () => {
      const booked = historyOf(caseSurveyDecider, [c.schedule({ priority: 'urgent' })]);
      given(booked)
        .when(c.call({ note: '  Customer happy with the replacement  ' }))
        .thenMatches([
          {
            type: 'FollowUpCallMade',
            data: { outcome: 'reached', note: 'Customer happy with the replacement', late: false, calledBy: 'agent-7' },
          },
        ]);
      clock.advance(4 * 24 * 60);
      const overdue = historyOf(caseSurveyDecider, [c.overdue()], booked);
      expect(overdue.at(-1)).toMatchObject({
        type: 'FollowUpCallOverdue',
        data: { dueBy: '2026-11-28T08:00:00.000Z' },
      });
      given(overdue).when(c.overdue()).thenNothing();
      const made = historyOf(caseSurveyDecider, [c.call({ outcome: 'unreachable' })], overdue);
      expect(made.at(-1)).toMatchObject({ type: 'FollowUpCallMade', data: { late: true, outcome: 'unreachable' } });
      given(made).when(c.call()).thenThrows(FollowUpCallAlreadyMade, { kind: 'conflict' });
      given(made).when(c.overdue()).thenNothing();
    });

    it('refuses a call for a case that needs none', () => {
      given(historyOf(caseSurveyDecider, [c.schedule()]))
        .when(c.call())
        .thenThrows(NoFollowUpCall, { kind: 'conflict' });
    });
  });

  describe('invitation, reminder, expiry (durable timers; each re-checks the survey)', () => {
    let scheduled: CaseSurveyEvent[];
    beforeEach(() => {
      scheduled = historyOf(caseSurveyDecider, [c.schedule()]);
      clock.advance(60);
    });

    it('invites once, reminds once while unanswered, expires unanswered', () => {
      given(scheduled)
        .when(c.invite())
        .then([
          {
            type: 'CaseSurveyInvited',
            data: { surveyId: caseSurveyId, tenant, caseId, invitedAt: '2026-11-25T09:00:00.000Z' },
          },
        ]);
      const invited = historyOf(caseSurveyDecider, [c.invite()], scheduled);
      given(invited).when(c.invite()).thenNothing();
      const reminded = historyOf(caseSurveyDecider, [c.remind()], invited);
      expect(reminded.at(-1)?.type).toBe('CaseSurveyReminded');
      given(reminded).when(c.remind()).thenNothing();
      given(reminded)
        .when(c.expire())
        .thenMatches([{ type: 'CaseSurveyExpired' }]);
    });

    it('neither reminds nor expires an answered survey', () => {
      const answered = historyOf(caseSurveyDecider, [c.schedule(), c.invite(), c.answer()]);
      given(answered).when(c.remind()).thenNothing();
      given(answered).when(c.expire()).thenNothing();
    });
  });

  describe('AnswerCaseSurvey: response speed, result and attitude 1–5 and a suggestion', () => {
    let invited: CaseSurveyEvent[];
    beforeEach(() => {
      invited = historyOf(caseSurveyDecider, [c.schedule(), c.invite()]);
      clock.advance(120);
    });

    it('records a satisfied answer (mean 4.67 ≥ 4) with no improvement input', () => {
      given(invited)
        .when(c.answer())
        .then([
          {
            type: 'CaseSurveyAnswered',
            data: {
              surveyId: caseSurveyId,
              tenant,
              caseId,
              customerRef: 'cus-1',
              agentId: 'agent-7',
              team: 'after-sales-east',
              scores: { responseSpeed: 5, result: 5, attitude: 4 },
              averageScore: 4.67,
              satisfied: true,
              satisfiedRule: defaultSurveyPolicy.satisfied,
              unsatisfiedDimensions: [],
              unsatisfiedAtOrBelow: 2,
              answeredVia: 'sms',
              answeredAt: '2026-11-25T10:00:00.000Z',
              answeredBy: 'sms-gateway',
            },
          },
        ]);
    });

    // Seed 000 §3.4 反饋處理: 「對于客戶反饋的不滿意項或新的建議,應記錄並及時反饋給相關部門,作為服務改進的依據」.
    it('routes an answer unsatisfied on any dimension (≤ 2) to the responsible team as a follow-up case', () => {
      given(invited)
        .when(c.answer({ responseSpeed: 2, result: 5, attitude: 5 }))
        .thenMatches([
          { type: 'CaseSurveyAnswered', data: { satisfied: true, unsatisfiedDimensions: ['responseSpeed'] } },
          {
            type: 'ImprovementInputRaised',
            data: {
              surveyId: caseSurveyId,
              caseId,
              customerRef: 'cus-1',
              orderId: 'ORD-1',
              problemType: 'quality',
              team: 'after-sales-east',
              agentId: 'agent-7',
              reasons: ['unsatisfied'],
              unsatisfiedDimensions: ['responseSpeed'],
              route: 'follow-up-case',
              raisedAt: '2026-11-25T10:00:00.000Z',
            },
          },
        ]);
    });

    it('routes a suggestion of a satisfied customer to a quality review; the threshold is the tenant’s', () => {
      given(invited)
        .when(c.answer({ suggestion: '  Send tracking numbers by SMS  ' }))
        .thenMatches([
          { type: 'CaseSurveyAnswered', data: { suggestion: 'Send tracking numbers by SMS' } },
          { type: 'ImprovementInputRaised', data: { reasons: ['suggestion'], route: 'quality-review' } },
        ]);
      const strict = specOf(createCaseSurveyDecider(resolveSurveyPolicy({ cases: { unsatisfiedAtOrBelow: 3 } })));
      strict(invited)
        .when(c.answer({ attitude: 3, suggestion: 'Be nicer' }))
        .thenMatches([
          { type: 'CaseSurveyAnswered', data: { unsatisfiedDimensions: ['attitude'], unsatisfiedAtOrBelow: 3 } },
          { type: 'ImprovementInputRaised', data: { reasons: ['unsatisfied', 'suggestion'], route: 'follow-up-case' } },
        ]);
    });

    it('keeps the sealed contact the customer left, never plaintext', () => {
      given(invited)
        .when(c.answer({ contact: { ciphertext: 'c2VhbGVk', keyVersion: 1 } }))
        .thenMatches([{ type: 'CaseSurveyAnswered', data: { contact: { ciphertext: 'c2VhbGVk', keyVersion: 1 } } }]);
    });

    it('refuses scores outside 1–5, before the invitation, twice, after expiry, and in another tenant', () => {
      given(invited)
        .when(c.answer({ result: 6 }))
        .thenThrows(InvalidSurveyAnswer, { kind: 'invalid' });
      given(historyOf(caseSurveyDecider, [c.schedule()]))
        .when(c.answer())
        .thenThrows(CaseSurveyNotSent, { kind: 'conflict', code: 'SURVEY.NOT_SENT' });
      const answered = historyOf(caseSurveyDecider, [c.answer()], invited);
      given(answered).when(c.answer()).thenThrows(SurveyAlreadyAnswered, { kind: 'conflict' });
      const expired = historyOf(caseSurveyDecider, [c.expire()], invited);
      given(expired).when(c.answer()).thenThrows(CaseSurveyExpired, { kind: 'conflict', code: 'SURVEY.EXPIRED' });
      given(invited)
        .when(c.answer({}, { tenant: 'shop-2' }))
        .thenThrows(SurveyNotFound, { kind: 'not_found' });
    });
  });

  it('refuses a policy whose reminder comes after the expiry, or an unknown problem type', () => {
    expect(() => resolveSurveyPolicy({ cases: { reminderAfterHours: 80 } })).toThrow(InvalidSurveyPolicy);
    expect(() => resolveSurveyPolicy({ cases: { problemTypes: ['nonsense' as never] } })).toThrow(InvalidSurveyPolicy);
  });
});
