import fc from 'fast-check';
import { isBelowTarget, isFigureBelowTarget, satisfactionPercent, satisfiedCountOf } from './satisfaction';

/** A survey result: `satisfied` of `responses` (fewer than 10 000, the published figure's exact range). */
const figure = fc
  .integer({ min: 1, max: 9_999 })
  .chain((responses) =>
    fc.record({ responses: fc.constant(responses), satisfied: fc.integer({ min: 0, max: responses }) }),
  );
/** A target as policies hold it: a percent with at most two decimals. */
const target = fc.integer({ min: 0, max: 10_000 }).map((hundredths) => hundredths / 100);

describe('below target: one rule for surveys and incidents (domain §6, seed 004 follow-up targets)', () => {
  it('is decided on the exact ratio, not on the rounded figure', () => {
    expect(isBelowTarget(9, 10, 90)).toBe(false); // 90 % exactly meets 90 %
    expect(isBelowTarget(8, 10, 90)).toBe(true);
    expect(satisfactionPercent(8, 9)).toBe(88.89);
    expect(isBelowTarget(8, 9, 88.89)).toBe(true); // 88.888… % < 88.89 %, although the figure reads 88.89
    expect(isFigureBelowTarget(88.89, 9, 88.89)).toBe(true);
    // A percent no count of 40 responses rounds to (recorded by hand) is compared as it stands.
    expect(isFigureBelowTarget(79.5, 40, 80)).toBe(true);
    expect(isFigureBelowTarget(80, 40, 80)).toBe(false);
    expect(isBelowTarget(17, 20, 85)).toBe(false); // L2: 85 % of 20
    expect(isBelowTarget(4, 5, 80)).toBe(false); // L3: 80 % of 5
    // 0.1 × 3 is 0.30000000000000004 in floating point: whole hundredths keep 1 of 3 at 33.33 % met, not below.
    expect(isBelowTarget(1, 3, 33.33)).toBe(false);
  });

  it('gives the same verdict from the published figure (rounded percent, responses) as from the counts', () => {
    fc.assert(
      fc.property(figure, target, ({ satisfied, responses }, t) => {
        const published = satisfactionPercent(satisfied, responses);
        expect(satisfiedCountOf(published, responses)).toBe(satisfied);
        expect(isFigureBelowTarget(published, responses, t)).toBe(isBelowTarget(satisfied, responses, t));
      }),
    );
  });

  it('agrees with exact rational arithmetic at every target', () => {
    fc.assert(
      fc.property(figure, target, ({ satisfied, responses }, t) => {
        // satisfied / responses < hundredths / 10 000, in BigInt: no float anywhere.
        const exact = BigInt(satisfied) * 10_000n < BigInt(Math.round(t * 100)) * BigInt(responses);
        expect(isBelowTarget(satisfied, responses, t)).toBe(exact);
      }),
    );
  });

  it('is monotonic: a higher target never turns "below" into "met", one more satisfied answer never the reverse', () => {
    fc.assert(
      fc.property(figure, target, target, ({ satisfied, responses }, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        if (isBelowTarget(satisfied, responses, low)) expect(isBelowTarget(satisfied, responses, high)).toBe(true);
        if (satisfied < responses && !isBelowTarget(satisfied, responses, low)) {
          expect(isBelowTarget(satisfied + 1, responses, low)).toBe(false);
        }
      }),
    );
  });
});
