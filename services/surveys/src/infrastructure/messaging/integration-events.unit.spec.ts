import { SatisfactionBelowTargetV1, SatisfactionMeasuredV1, validateEvent } from '@aftersales/contracts';
import type { StoredEvent } from '@aftersales/eventstore';
import { historyOf } from '@aftersales/testing/decider';
import { incidentSatisfactionDecider } from '../../domain/incident-satisfaction.decider';
import { surveyDecider } from '../../domain/survey.decider';
import { answerSurvey, incidentId, satisfactionCommands, sendSurvey } from '../../domain/testing/builders';
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
    });
  });

  it('keeps surveys, answers (customer references, free text) and the surveyed list internal', () => {
    const survey = historyOf(surveyDecider, [sendSurvey(clock), answerSurvey(clock, { suggestion: 'Call me' })]);
    for (const e of [...survey, events[0]!]) expect(surveysIntegrationEvents(stored(e))).toBeNull();
  });
});
