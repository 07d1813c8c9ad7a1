import { historyOf, specOf } from '@aftersales/testing/decider';
import {
  incidentSatisfactionDecider as decider,
  isBelowTarget,
  satisfactionPercent,
} from './incident-satisfaction.decider';
import {
  AnswerAlreadyCounted,
  IncidentNotSurveyed,
  IncidentOfAnotherTenant,
  SatisfactionTargetChanged,
  SurveyNotOfIncident,
} from './incident-satisfaction.errors';
import type { IncidentSatisfactionEvent } from './incident-satisfaction.events';
import { customerOf, incidentId, satisfactionCommands, surveyIdOf, tenant } from './testing/builders';
import { TestClock } from './testing/test-clock';

const given = specOf(decider);

/** History of an incident with `surveyed` customers, who answered `answers` in order (true = satisfied). */
function answered(
  clock: TestClock,
  surveyed: number,
  answers: readonly boolean[],
  level: 'L1' | 'L2' | 'L3' = 'L1',
  target = 90,
) {
  const c = satisfactionCommands(clock, level, target);
  return historyOf(decider, [c.survey(surveyed), ...answers.map((satisfied, i) => c.answer(i + 1, satisfied))]);
}

const times = (n: number, value: boolean) => Array.from({ length: n }, () => value);
const belowTargetEvents = (events: readonly IncidentSatisfactionEvent[]) =>
  events.filter((e) => e.type === 'SatisfactionBelowTarget');

describe('IncidentSatisfaction decider', () => {
  let clock: TestClock;
  let l1: ReturnType<typeof satisfactionCommands>;

  beforeEach(() => {
    clock = new TestClock('2026-11-26T08:00:00.000Z');
    l1 = satisfactionCommands(clock, 'L1', 90);
  });

  describe('SurveyCustomers', () => {
    it('records the surveyed customers with the level and target the incident was resolved with', () => {
      given([])
        .when(l1.survey(2))
        .then([
          {
            type: 'CustomersSurveyed',
            data: {
              incidentId,
              tenant,
              level: 'L1',
              targetPercent: 90,
              surveys: [
                { surveyId: surveyIdOf(1), customerRef: customerOf(1) },
                { surveyId: surveyIdOf(2), customerRef: customerOf(2) },
              ],
              surveyedAt: '2026-11-26T08:00:00.000Z',
            },
          },
        ]);
    });

    it('on a repeat (a redelivered resolution) records nothing, and only customers not surveyed yet otherwise', () => {
      const history = historyOf(decider, [l1.survey(10)]);
      given(history).when(l1.survey(10)).thenNothing();
      given(history)
        .when(l1.survey(12, 9))
        .thenMatches([
          {
            type: 'CustomersSurveyed',
            data: { surveys: [{ customerRef: customerOf(11) }, { customerRef: customerOf(12) }] },
          },
        ]);
    });

    it('surveys a customer once even when listed twice', () => {
      const twice = l1.survey(1);
      const command = {
        ...twice,
        data: { ...twice.data, surveys: [...twice.data.surveys, { surveyId: 'other', customerRef: customerOf(1) }] },
      };
      given([])
        .when(command)
        .thenMatches([{ data: { surveys: [{ surveyId: surveyIdOf(1) }] } }]);
    });

    it('records a resolution with nobody to survey: it fixes the target', () => {
      given([])
        .when(l1.survey(0))
        .thenMatches([{ type: 'CustomersSurveyed', data: { surveys: [], targetPercent: 90 } }]);
    });

    it('refuses another target for the same incident, and the same incident id from another tenant', () => {
      const history = historyOf(decider, [l1.survey(1)]);
      given(history)
        .when(satisfactionCommands(clock, 'L2', 85).survey(2))
        .thenThrows(SatisfactionTargetChanged, { kind: 'conflict' });
      given(history)
        .when(l1.survey(2, 1, { tenant: 'shop-2' }))
        .thenThrows(IncidentOfAnotherTenant, { kind: 'conflict' });
    });
  });

  describe('RecordAnswer: satisfied respondents / respondents, against the target', () => {
    it('measures after every answer: 1 of 1 satisfied = 100 % ≥ 90 % → not below', () => {
      given(answered(clock, 10, []))
        .when(l1.answer(1, true))
        .then([
          {
            type: 'SatisfactionMeasured',
            data: {
              incidentId,
              tenant,
              level: 'L1',
              surveyId: surveyIdOf(1),
              answerSatisfied: true,
              satisfied: 1,
              responses: 1,
              surveyed: 10,
              satisfactionPercent: 100,
              targetPercent: 90,
              belowTarget: false,
              measuredAt: '2026-11-26T08:00:00.000Z',
            },
          },
        ]);
    });

    it('9 of 10 satisfied = 90 % ≥ 90 % (L1) → not below: the target is met exactly', () => {
      // 9 satisfied first (9 / 9 = 100 %), then one unsatisfied: 9 / 10 = 90 %, 900 < 90 × 10 = 900 is false.
      const history = answered(clock, 10, times(9, true));
      given(history)
        .when(l1.answer(10, false))
        .thenMatches([
          {
            type: 'SatisfactionMeasured',
            data: { satisfied: 9, responses: 10, satisfactionPercent: 90, belowTarget: false },
          },
        ]);
      expect(belowTargetEvents(history)).toEqual([]);
    });

    it('8 of 10 satisfied = 80 % < 90 % (L1) → below; the fall is signalled once, at the 9th answer (8 / 9 = 88.89 %)', () => {
      // answers 1–8 satisfied: 8 / 8 = 100 % → met
      const history = answered(clock, 10, times(8, true));
      // 9th unsatisfied: 8 / 9 = 88.89 % < 90 % → falls below → SatisfactionBelowTarget
      given(history)
        .when(l1.answer(9, false))
        .thenMatches([
          {
            type: 'SatisfactionMeasured',
            data: { satisfied: 8, responses: 9, satisfactionPercent: 88.89, belowTarget: true },
          },
          {
            type: 'SatisfactionBelowTarget',
            data: {
              incidentId,
              satisfactionPercent: 88.89,
              targetPercent: 90,
              responses: 9,
              surveyed: 10,
              reason: '8 of 9 respondents satisfied (88.89 %) is below the L1 target of 90 %',
            },
          },
        ]);
      // 10th unsatisfied: 8 / 10 = 80 % → still below: measured, no second request for a follow-up
      given(answered(clock, 10, [...times(8, true), false]))
        .when(l1.answer(10, false))
        .thenMatches([
          {
            type: 'SatisfactionMeasured',
            data: { satisfied: 8, responses: 10, satisfactionPercent: 80, belowTarget: true },
          },
        ]);
    });

    it('signals again when the figure recovers and falls again (L3, target 80 %)', () => {
      const l3 = satisfactionCommands(clock, 'L3', 80);
      // 0 / 1 = 0 % → below (signal 1); then 4 satisfied: 4 / 5 = 80 % ≥ 80 % → met again
      const history = historyOf(decider, [
        l3.survey(6),
        l3.answer(1, false),
        ...[2, 3, 4, 5].map((n) => l3.answer(n, true)),
      ]);
      expect(belowTargetEvents(history)).toHaveLength(1);
      // 6th unsatisfied: 4 / 6 = 66.67 % < 80 % → below again (signal 2)
      given(history)
        .when(l3.answer(6, false))
        .thenMatches([
          { type: 'SatisfactionMeasured', data: { satisfactionPercent: 66.67 } },
          { type: 'SatisfactionBelowTarget' },
        ]);
    });

    it('17 of 20 satisfied = 85 % meets the L2 target of 85 %; 16 of 20 = 80 % does not', () => {
      const l2 = satisfactionCommands(clock, 'L2', 85);
      given(
        answered(
          clock,
          20,
          times(19, true).map((_, i) => i < 17),
          'L2',
          85,
        ),
      )
        .when(l2.answer(20, false))
        // 17 / 20 = 85 % → 1700 < 85 × 20 = 1700 is false → met
        .thenMatches([{ data: { satisfied: 17, responses: 20, satisfactionPercent: 85, belowTarget: false } }]);
      given(
        answered(
          clock,
          20,
          times(19, true).map((_, i) => i < 16),
          'L2',
          85,
        ),
      )
        .when(l2.answer(20, false))
        // 16 / 20 = 80 % → 1600 < 1700 → below (it fell at the 19th answer: 16 / 17 = 94.1 %, 16 / 18 = 88.9 %, 16 / 19 = 84.2 % < 85 %)
        .thenMatches([{ data: { satisfied: 16, responses: 20, satisfactionPercent: 80, belowTarget: true } }]);
    });

    it('counts each answer once, only for surveys of this incident, only in its tenant', () => {
      const history = answered(clock, 2, [true]);
      given(history).when(l1.answer(1, false)).thenThrows(AnswerAlreadyCounted, { kind: 'conflict' });
      given(history).when(l1.answer(3, true)).thenThrows(SurveyNotOfIncident, { kind: 'not_found' });
      given([])
        .when(l1.answer(1, true))
        .thenThrows(IncidentNotSurveyed, { kind: 'not_found', code: 'SATISFACTION.NOT_SURVEYED' });
      given(history)
        .when(l1.answer(2, true, { tenant: 'shop-2' }))
        .thenThrows(IncidentNotSurveyed, { kind: 'not_found' });
    });
  });

  describe('arithmetic', () => {
    it.each([
      [9, 10, 90, false], // 900 < 900? no
      [8, 10, 90, true], // 800 < 900
      [17, 20, 85, false], // 1700 < 1700? no
      [4, 5, 80, false], // 400 < 400? no
      [7, 9, 80, true], // 700 < 720
    ])('%i of %i satisfied against %i %% → below: %s', (satisfied, responses, target, below) => {
      expect(isBelowTarget(satisfied, responses, target)).toBe(below);
    });

    it('rounds the published figure to 2 decimals: 8 / 9 → 88.89, 2 / 3 → 66.67', () => {
      expect(satisfactionPercent(8, 9)).toBe(88.89);
      expect(satisfactionPercent(2, 3)).toBe(66.67);
    });
  });

  // Architecture: every event that concerns a case carries its id. The answer handler reads them from the complaints
  // incidents attached (ComplaintAttachedV1.caseId).
  describe('the after-sales cases a measurement concerns', () => {
    const caseA = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
    const caseB = '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c';

    it("names the answering customer's cases on the measurement and the incident's on the fall below target", () => {
      const answer = l1.answer(1, false);
      given(historyOf(decider, [l1.survey(2)]))
        .when({ ...answer, data: { ...answer.data, answerCaseIds: [caseA, caseA], incidentCaseIds: [caseA, caseB] } })
        .thenMatches([
          { type: 'SatisfactionMeasured', data: { surveyId: surveyIdOf(1), caseIds: [caseA] } },
          { type: 'SatisfactionBelowTarget', data: { caseIds: [caseA, caseB] } },
        ]);
    });

    it('names none when the customers came from no case (the property is absent)', () => {
      const events = given(historyOf(decider, [l1.survey(1)]))
        .when(l1.answer(1, false))
        .thenMatches([{ type: 'SatisfactionMeasured' }, { type: 'SatisfactionBelowTarget' }]);
      for (const event of events) expect(event.data).not.toHaveProperty('caseIds');
    });
  });
});
