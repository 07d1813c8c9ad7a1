import {
  ImprovementInputRaisedV1,
  SatisfactionBelowTargetV1,
  SatisfactionMeasuredV1,
  validateEvent,
} from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { historyOf } from '@aftersales/testing/decider';
import { caseSurveyDecider } from '../../domain/case-survey.decider';
import { incidentSatisfactionDecider } from '../../domain/incident-satisfaction.decider';
import { surveyDecider } from '../../domain/survey.decider';
import { answerSurvey, incidentId, satisfactionCommands, sendSurvey, surveyIdOf } from '../../domain/testing/builders';
import { caseId, caseSurveyCommands, caseSurveyId } from '../../domain/testing/case-survey.builders';
import { TestClock } from '../../domain/testing/test-clock';
import { surveysIntegrationEvents } from './integration-events';

const stored = (event: { type: string; data: unknown }): StoredEvent => ({
  id: 'e-1',
  type: event.type,
  data: event.data,
  metadata: { tenant: 'shop-1', actor: { id: 'agent-7' }, correlationId: 'c-1' },
  position: 1n,
  transactionId: '1',
  streamId: `incident-satisfaction-${incidentId}`,
  streamVersion: 1,
  recordedAt: new Date(),
});

describe('surveys integration events', () => {
  const clock = new TestClock();
  const c = satisfactionCommands(clock, 'L1', 90);
  // 1 surveyed, 1 unsatisfied answer: 0 / 1 = 0 % < 90 % → measured + below target
  const events = historyOf(incidentSatisfactionDecider, [c.survey(1), c.answer(1, false)]);

  it('publishes every measurement and each fall below the target, valid against their contracts, keyed by the incident', () => {
    const published = events.map((e) => surveysIntegrationEvents(stored(e))).filter((e) => e !== null);
    expect(published.map((e) => [e.type, e.subject])).toEqual([
      [SatisfactionMeasuredV1.type, incidentId],
      [SatisfactionBelowTargetV1.type, incidentId],
    ]);
    for (const e of published) expect(validateEvent(e.type, e.data)).toMatchObject({ ok: true });
    expect(published[0]?.data).toEqual({
      incidentId,
      tenantId: 'shop-1',
      satisfactionPercent: 0,
      targetPercent: 90,
      responses: 1,
      surveyed: 1,
      belowTarget: true,
      measuredAt: '2026-11-25T08:00:00.000Z',
      surveyId: surveyIdOf(1),
    });
  });

  // Architecture: every event that concerns a case carries its id (intake's case timeline is built from them).
  it("names the answering customer's cases on the measurement, and every case of the incident on the fall below target", () => {
    const caseA = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
    const caseB = '9b2e4d6f-8a1c-4e3b-9d5f-7c6b5a4e3d2c';
    const answer = c.answer(1, false);
    const withCases = historyOf(incidentSatisfactionDecider, [
      c.survey(2),
      { ...answer, data: { ...answer.data, answerCaseIds: [caseA], incidentCaseIds: [caseA, caseB] } },
    ]);
    const published = withCases.map((e) => surveysIntegrationEvents(stored(e))).filter((e) => e !== null);
    for (const e of published) expect(validateEvent(e.type, e.data)).toMatchObject({ ok: true });
    expect(published.map((e) => [e.type, (e.data as { caseIds?: string[] }).caseIds])).toEqual([
      [SatisfactionMeasuredV1.type, [caseA]],
      [SatisfactionBelowTargetV1.type, [caseA, caseB]],
    ]);
    expect(events.map((e) => surveysIntegrationEvents(stored(e))?.data)).not.toContainEqual(
      expect.objectContaining({ caseIds: expect.anything() }),
    );
  });

  it('keeps surveys, answers (customer references, free text) and the surveyed list internal', () => {
    const survey = historyOf(surveyDecider, [sendSurvey(clock), answerSurvey(clock, { suggestion: 'Call me' })]);
    for (const e of [...survey, events[0]!]) expect(surveysIntegrationEvents(stored(e))).toBeNull();
  });
});

describe('surveys integration events: case surveys', () => {
  it('publishes improvement input keyed by the survey, naming the case, valid against its contract, without the suggestion or contact', () => {
    const c = caseSurveyCommands(new TestClock());
    const events = historyOf(caseSurveyDecider, [
      c.schedule(),
      c.invite(),
      c.answer({
        result: 1,
        suggestion: 'Call me on 138 0000 0000',
        contact: { ciphertext: 'c2VhbGVk', keyVersion: 1 },
      }),
    ]);
    const published = events.map((e) => surveysIntegrationEvents(stored(e))).filter((e) => e !== null);
    expect(published.map((e) => [e.type, e.subject])).toEqual([[ImprovementInputRaisedV1.type, caseSurveyId]]);
    expect(validateEvent(published[0]!.type, published[0]!.data)).toMatchObject({ ok: true });
    expect(published[0]!.data).toMatchObject({
      caseId,
      customerId: 'cus-1',
      team: 'after-sales-east',
      reasons: ['unsatisfied', 'suggestion'],
      unsatisfiedDimensions: ['result'],
      route: 'follow-up-case',
    });
    expect(JSON.stringify(published[0]!.data)).not.toMatch(/138|c2VhbGVk/);
  });
});
