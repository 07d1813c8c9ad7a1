import type { Timer } from './index';
import { deliveryAttempt, failedAttempts, TimerBackoff } from './index';

const at = new Date('2026-12-01T10:00:00Z');
const aTimer = (payload: unknown): Timer => ({
  id: 'notify:1',
  tenant: 'shop-1',
  kind: 'page-delivery',
  dueAt: at,
  payload,
});

describe('TimerBackoff (the retry of a failing delivery timer)', () => {
  const backoff = new TimerBackoff({ baseMs: 1_000, maxMs: 5_000 }, () => at);

  it('moves a failed timer base × 2^(failures − 1) later, capped, counting the failures in its payload', () => {
    // 1 s, 2 s, 4 s, then the 5 s cap.
    let timer = aTimer({ pageId: 'p-1' });
    const delays: number[] = [];
    for (let failure = 1; failure <= 5; failure++) {
      const retry = backoff.retry(timer);
      delays.push(retry.dueAt.getTime() - at.getTime());
      expect(retry.payload).toEqual({ pageId: 'p-1', attempts: failure });
      timer = { ...timer, payload: retry.payload };
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('counts attempts from the payload, whatever else it holds', () => {
    expect(failedAttempts(aTimer({ attempts: 3 }))).toBe(3);
    expect(deliveryAttempt(aTimer({ attempts: 3 }))).toBe(4);
    expect(deliveryAttempt(aTimer({}))).toBe(1);
    expect(deliveryAttempt(aTimer(null))).toBe(1);
    expect(deliveryAttempt(aTimer({ attempts: 'two' }))).toBe(1);
    expect(backoff.retry(aTimer(null)).payload).toEqual({ attempts: 1 });
  });
});
