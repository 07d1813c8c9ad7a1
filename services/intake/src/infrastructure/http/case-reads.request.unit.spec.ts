import { breachingWithinMs, MAX_BREACHING_WITHIN_MS } from './case-reads.request';

const MINUTE = 60_000;

describe('breachingWithin', () => {
  it.each([
    ['PT30M', 30 * MINUTE],
    ['PT4H', 240 * MINUTE],
    ['P1D', 1_440 * MINUTE],
    ['P1DT2H3M4S', (1_440 + 123) * MINUTE + 4_000],
    ['PT45S', 45_000],
    ['P366D', MAX_BREACHING_WITHIN_MS],
  ])('%s is %d ms', (value, ms) => {
    expect(breachingWithinMs(value)).toBe(ms);
  });

  it.each(['P', 'PT', 'P1DT', 'PT0M', 'P0D', 'P367D', 'PT8785H', '30M', 'P1W', 'PT1.5H', ''])('refuses %p', (value) => {
    expect(breachingWithinMs(value)).toBeNull();
  });
});
