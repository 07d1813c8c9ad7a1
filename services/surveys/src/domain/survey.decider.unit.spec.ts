import { historyOf, specOf } from '@aftersales/testing/decider';
import { createSurveyDecider, surveyDecider } from './survey.decider';
import {
  InvalidSurvey,
  InvalidSurveyAnswer,
  SurveyAlreadyAnswered,
  SurveyIdTaken,
  SurveyNotFound,
} from './survey.errors';
import type { SurveyEvent } from './survey.events';
import { defaultSurveyPolicy, InvalidSurveyPolicy, isSatisfied, resolveSurveyPolicy } from './survey-policy';
import { answerSurvey, customerOf, incidentId, sendSurvey, surveyIdOf, tenant } from './testing/builders';
import { TestClock } from './testing/test-clock';

const given = specOf(surveyDecider);

describe('Survey decider', () => {
  let clock: TestClock;
  let sent: SurveyEvent[];

  beforeEach(() => {
    clock = new TestClock('2026-11-25T08:00:00.000Z');
    sent = historyOf(surveyDecider, [sendSurvey(clock)]);
    clock.advance(90);
  });

  describe('SendSurvey', () => {
    it('sends the survey on the tenant policy channel (default SMS) with the incident target, at the injected time', () => {
      given([])
        .when(sendSurvey(clock))
        .then([
          {
            type: 'SurveySent',
            data: {
              surveyId: surveyIdOf(1),
              tenant,
              incidentId,
              customerRef: customerOf(1),
              level: 'L1',
              targetPercent: 90,
              channel: 'sms',
              sentAt: '2026-11-25T09:30:00.000Z',
              sentBy: 'system:surveys.incident-follow-up',
            },
          },
        ]);
    });

    it('uses a channel the command names, or the one of the tenant policy', () => {
      given([])
        .when(sendSurvey(clock, { channel: 'phone' }))
        .thenMatches([{ data: { channel: 'phone' } }]);
      const appFirst = specOf(createSurveyDecider(resolveSurveyPolicy({ channel: 'app' })));
      appFirst([])
        .when(sendSurvey(clock))
        .thenMatches([{ data: { channel: 'app' } }]);
    });

    // CONTEXT: a redelivered IncidentResolved derives the same survey id, so sending again must change nothing.
    it('sends nothing the second time (same incident and customer)', () => {
      given(sent).when(sendSurvey(clock)).thenNothing();
    });

    it('refuses an id that already belongs to another customer', () => {
      given(sent)
        .when(sendSurvey(clock, { customerRef: customerOf(2) }))
        .thenThrows(SurveyIdTaken, { kind: 'conflict' });
    });

    it('refuses a target outside 0–100 %', () => {
      given([])
        .when(sendSurvey(clock, { targetPercent: 120 }))
        .thenThrows(InvalidSurvey, { kind: 'invalid', code: 'SURVEY.INVALID' });
    });
  });

  describe('AnswerSurvey', () => {
    it('records the scores, the verdict, the rule it was judged by, and who recorded it when', () => {
      given(sent)
        .when(answerSurvey(clock, { responseSpeed: 5, result: 4, attitude: 4, suggestion: '  Call back sooner  ' }))
        .then([
          {
            type: 'SurveyAnswered',
            data: {
              surveyId: surveyIdOf(1),
              tenant,
              incidentId,
              customerRef: customerOf(1),
              scores: { responseSpeed: 5, result: 4, attitude: 4 },
              // (5 + 4 + 4) / 3 = 4.33 ≥ 4 → satisfied
              averageScore: 4.33,
              satisfied: true,
              satisfiedRule: { minAverage: 4, minEachScore: 1 },
              suggestion: 'Call back sooner',
              answeredVia: 'sms',
              answeredAt: '2026-11-25T09:30:00.000Z',
              answeredBy: 'agent-7',
            },
          },
        ]);
    });

    it.each([
      // sum ≥ 4 × 3 = 12 ⇔ mean ≥ 4
      [{ responseSpeed: 5, result: 4, attitude: 3 }, true], // 12 / 3 = 4.00 → satisfied (borderline)
      [{ responseSpeed: 4, result: 4, attitude: 3 }, false], // 11 / 3 = 3.67 → not
      [{ responseSpeed: 1, result: 5, attitude: 5 }, false], // 11 / 3 = 3.67 → not
      [{ responseSpeed: 5, result: 5, attitude: 2 }, true], // 12 / 3 = 4.00, no floor by default → satisfied
    ])('by default, %o is satisfied: %s', (scores, satisfied) => {
      given(sent)
        .when(answerSurvey(clock, scores))
        .thenMatches([{ data: { satisfied } }]);
    });

    it("judges by the tenant's rule: with a floor of 3 per score, (5, 5, 2) is not satisfied", () => {
      const strict = createSurveyDecider(resolveSurveyPolicy({ satisfied: { minEachScore: 3 } }));
      specOf(strict)(sent)
        .when(answerSurvey(clock, { responseSpeed: 5, result: 5, attitude: 2 }))
        .thenMatches([{ data: { satisfied: false, satisfiedRule: { minAverage: 4, minEachScore: 3 } } }]);
    });

    it('keeps how the answer came back when the agent says so', () => {
      given(sent)
        .when(answerSurvey(clock, { answeredVia: 'phone' }))
        .thenMatches([{ data: { answeredVia: 'phone' } }]);
    });

    it('drops a blank suggestion', () => {
      const [event] = given(sent)
        .when(answerSurvey(clock, { suggestion: '   ' }))
        .thenMatches([{ type: 'SurveyAnswered' }]);
      expect(event?.data).not.toHaveProperty('suggestion');
    });

    it('refuses a second answer (409): the first one stands', () => {
      const answered = historyOf(surveyDecider, [answerSurvey(clock)], sent);
      const error = given(answered)
        .when(answerSurvey(clock, { result: 1 }))
        .thenThrows(SurveyAlreadyAnswered, { kind: 'conflict', code: 'SURVEY.ALREADY_ANSWERED' });
      expect(error.message).toContain('2026-11-25T09:30:00.000Z');
    });

    it('does not know a survey that was never sent, nor one of another tenant', () => {
      given([]).when(answerSurvey(clock)).thenThrows(SurveyNotFound, { kind: 'not_found', code: 'SURVEY.NOT_FOUND' });
      given(sent)
        .when(answerSurvey(clock, {}, { tenant: 'shop-2' }))
        .thenThrows(SurveyNotFound, { kind: 'not_found' });
    });

    it('refuses scores that are not whole numbers from 1 to 5, naming each', () => {
      const error = given(sent)
        .when(answerSurvey(clock, { responseSpeed: 0, result: 6, attitude: 3.5 }))
        .thenThrows(InvalidSurveyAnswer, { kind: 'invalid', code: 'SURVEY.INVALID_ANSWER' });
      expect((error as InvalidSurveyAnswer).problems).toEqual([
        'responseSpeed must be a whole score from 1 to 5 (got 0)',
        'result must be a whole score from 1 to 5 (got 6)',
        'attitude must be a whole score from 1 to 5 (got 3.5)',
      ]);
    });

    it("refuses a suggestion longer than the tenant's limit", () => {
      const short = createSurveyDecider(resolveSurveyPolicy({ suggestionMaxLength: 10 }));
      specOf(short)(sent)
        .when(answerSurvey(clock, { suggestion: 'x'.repeat(11) }))
        .thenThrows(InvalidSurveyAnswer, { kind: 'invalid' });
    });
  });

  describe('survey policy', () => {
    it('overrides what a tenant changes and keeps the rest', () => {
      expect(resolveSurveyPolicy({ satisfied: { minEachScore: 3 } })).toEqual({
        ...defaultSurveyPolicy,
        satisfied: { minAverage: 4, minEachScore: 3 },
      });
      expect(resolveSurveyPolicy({ cases: { followUpCall: { workingDays: 5 } } }).cases).toEqual({
        ...defaultSurveyPolicy.cases,
        followUpCall: { ...defaultSurveyPolicy.cases.followUpCall, workingDays: 5 },
      });
    });

    it('refuses thresholds off the 1–5 scale and unknown channels', () => {
      expect(() => resolveSurveyPolicy({ satisfied: { minAverage: 6 } })).toThrow(InvalidSurveyPolicy);
      expect(() => resolveSurveyPolicy({ channel: 'fax' as never })).toThrow(InvalidSurveyPolicy);
    });

    it('a mean of 3.5 satisfies a tenant that sets minAverage 3.5: (4, 4, 3) → 11 / 3 = 3.67 ≥ 3.5', () => {
      expect(isSatisfied({ responseSpeed: 4, result: 4, attitude: 3 }, { minAverage: 3.5, minEachScore: 1 })).toBe(
        true,
      );
    });
  });
});
