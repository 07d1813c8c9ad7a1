import { specOf } from '@aftersales/testing/decider';
import { drawQualitySample, InvalidIsoWeek, isRepeatOf, type SampleCandidate } from './quality-sampling';
import {
  CaseNotInSample,
  InvalidQualityScore,
  qualityReviewDecider,
  QualityReviewAlreadyRecorded,
} from './quality-review.decider';
import { contextAt, tenant } from './testing/builders';
import { TestClock } from './testing/test-clock';

const draw = { seed: 'quality', tenant, week: '2026-W48', perAgent: 3 };
const cases = (agentId: string, n: number): SampleCandidate[] =>
  Array.from({ length: n }, (_, i) => ({
    agentId,
    caseId: `00000000-0000-4000-8000-${agentId.slice(-1)}${String(i).padStart(11, '0')}`,
  }));

describe('quality sampling: a reproducible random sample per agent per week (seed 000 §5.1 日常抽檢 隨機抽查)', () => {
  const population = [...cases('agent-1', 10), ...cases('agent-2', 2)];

  it('draws the policy’s number per agent, all of an agent’s cases when fewer, agents in a stable order', () => {
    const sample = drawQualitySample(population, draw);
    expect(sample.map((a) => [a.agentId, a.population, a.caseIds.length])).toEqual([
      ['agent-1', 10, 3],
      ['agent-2', 2, 2],
    ]);
    for (const agent of sample) {
      const own = population.filter((c) => c.agentId === agent.agentId).map((c) => c.caseId);
      for (const caseId of agent.caseIds) expect(own).toContain(caseId);
    }
  });

  it('is reproducible: the same seed, week and cases draw the same sample, whatever their order', () => {
    const orders = [
      [...population].reverse(),
      [...population.slice(5), ...population.slice(0, 5)],
      [...population].sort((a, b) => (a.caseId < b.caseId ? 1 : -1)),
      [...population, ...population.slice(0, 3)], // a case listed twice counts once
    ];
    for (const order of orders) expect(drawQualitySample(order, draw)).toEqual(drawQualitySample(population, draw));
  });

  it('draws differently in another week or with another seed (it is not the first cases every time)', () => {
    const first = drawQualitySample(population, draw)[0]!.caseIds;
    const weeks = ['2026-W49', '2026-W50', '2026-W51', '2026-W52'].map(
      (week) => drawQualitySample(population, { ...draw, week })[0]!.caseIds,
    );
    expect(weeks.some((w) => JSON.stringify(w) !== JSON.stringify(first))).toBe(true);
    const reseeded = drawQualitySample(population, { ...draw, seed: 'another' })[0]!.caseIds;
    const draws = [first, ...weeks, reseeded].map((d) => JSON.stringify(d));
    expect(new Set(draws).size).toBeGreaterThan(1);
  });

  it('refuses a week that is not YYYY-Www', () => {
    expect(() => drawQualitySample(population, { ...draw, week: '2026-48' })).toThrow(InvalidIsoWeek);
  });
});

describe('repeat of the same problem (domain §6 KPI): same customer, order and problem within the window', () => {
  const earlier = {
    customerId: 'cus-1',
    orderId: 'ORD-1',
    problemType: 'quality',
    resolvedAt: '2026-11-01T00:00:00.000Z',
  };
  const later = { customerId: 'cus-1', orderId: 'ORD-1', problemType: 'quality', openedAt: '2026-11-20T00:00:00.000Z' };

  it('counts a case opened within the window after the earlier one was resolved', () => {
    expect(isRepeatOf(earlier, later, 30)).toBe(true);
    expect(isRepeatOf(earlier, { ...later, openedAt: '2026-12-01T00:00:00.000Z' }, 30)).toBe(true); // day 30
    expect(isRepeatOf(earlier, { ...later, openedAt: '2026-12-01T00:00:00.001Z' }, 30)).toBe(false);
    expect(isRepeatOf(earlier, { ...later, openedAt: '2026-10-31T00:00:00.000Z' }, 30)).toBe(false);
  });

  it('does not count another order, problem or customer, or an earlier case still open', () => {
    expect(isRepeatOf(earlier, { ...later, orderId: 'ORD-2' }, 30)).toBe(false);
    expect(isRepeatOf(earlier, { ...later, problemType: 'logistics' }, 30)).toBe(false);
    expect(isRepeatOf(earlier, { ...later, customerId: 'cus-2' }, 30)).toBe(false);
    expect(isRepeatOf({ ...earlier, resolvedAt: null }, later, 30)).toBe(false);
  });
});

describe('QualityReview decider: the reviewer’s score of a sampled case', () => {
  const clock = new TestClock('2026-11-30T02:00:00.000Z');
  const given = specOf(qualityReviewDecider);
  const review = (data: Partial<{ agentId: string | null; score: number; notes: string }> = {}) => ({
    type: 'RecordQualityReview' as const,
    context: contextAt(clock, { actor: { id: 'quality-1', roles: ['quality'] } }),
    data: { week: '2026-W48', caseId: 'case-1', agentId: 'agent-1', score: 85, ...data },
  });

  it('records the score, notes, reviewer and time', () => {
    given([])
      .when(review({ notes: '  Polite; explained the policy  ' }))
      .then([
        {
          type: 'QualityReviewRecorded',
          data: {
            tenant,
            week: '2026-W48',
            caseId: 'case-1',
            agentId: 'agent-1',
            score: 85,
            notes: 'Polite; explained the policy',
            reviewedBy: 'quality-1',
            reviewedAt: '2026-11-30T02:00:00.000Z',
          },
        },
      ]);
  });

  it('refuses a case the draw did not pick, a score outside 0–100, and a second review', () => {
    given([])
      .when(review({ agentId: null }))
      .thenThrows(CaseNotInSample, { kind: 'conflict' });
    given([])
      .when(review({ score: 101 }))
      .thenThrows(InvalidQualityScore, { kind: 'invalid' });
    const recorded = qualityReviewDecider.decide(review(), { status: 'none' });
    given(recorded).when(review()).thenThrows(QualityReviewAlreadyRecorded, { kind: 'conflict' });
  });
});
