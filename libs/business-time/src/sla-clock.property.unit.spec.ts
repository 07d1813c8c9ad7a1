import fc from 'fast-check';
import { SlaClock, timeBetween, type BusinessCalendar, type SlaTarget } from '@aftersales/business-time';
import { DAY, duration, HOUR, runs, scenario } from './testing/arbitraries';

const target: fc.Arbitrary<SlaTarget> = fc.record(
  {
    id: fc.constantFrom('first-response', 'next-response', 'resolution'),
    budgetMs: fc.integer({ min: 1, max: 5 * DAY }),
    basis: fc.constantFrom('business' as const, 'elapsed' as const),
    warnAtShare: fc.integer({ min: 1, max: 99 }).map((percent) => percent / 100),
  },
  { requiredKeys: ['id', 'budgetMs', 'basis'] },
);

/** Wall-clock gaps between a clock's start and its alternating pauses and resumes. */
const gaps = fc.array(fc.integer({ min: 0, max: 2 * DAY }), { maxLength: 6 });

interface History {
  readonly calendar: BusinessCalendar;
  readonly target: SlaTarget;
  readonly startedAt: number;
  readonly clock: SlaClock;
  /** The instant of the latest start, pause or resume. */
  readonly latest: number;
  /** Pauses as [from, until), `until` null while the clock is paused. */
  readonly pauses: readonly (readonly [number, number | null])[];
}

/** A clock started at the scenario's `from`, then paused and resumed alternately after each gap. */
const history: fc.Arbitrary<History> = fc
  .record({ scenario: scenario(), target, gaps })
  .map(({ scenario: { calendar, from }, target: t, gaps: steps }) => {
    let clock: SlaClock = SlaClock.start(t, from);
    let latest = from;
    const pauses: [number, number | null][] = [];
    for (const gap of steps) {
      latest += gap;
      if (clock.status === 'paused') {
        clock = SlaClock.resume(clock, latest);
        (pauses[pauses.length - 1] as [number, number | null])[1] = latest;
      } else {
        clock = SlaClock.pause(clock, latest);
        pauses.push([latest, null]);
      }
    }
    return { calendar, target: t, startedAt: from, clock, latest, pauses };
  });

describe('SLA clock (properties)', () => {
  it('uses the time since its start less the time of its pauses, on its basis', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 14 * DAY }), (h, offset) => {
        const at = h.startedAt + offset;
        const paused = h.pauses
          .filter(([from]) => from < at)
          .reduce(
            (sum, [from, until]) => sum + timeBetween(h.target.basis, h.calendar, from, Math.min(until ?? at, at)),
            0,
          );
        const expected = timeBetween(h.target.basis, h.calendar, h.startedAt, at) - paused;
        expect(SlaClock.consumed(h.clock, h.calendar, at)).toBe(expected);
        expect(SlaClock.remaining(h.clock, h.calendar, at)).toBe(h.target.budgetMs - expected);
      }),
      runs(100),
    );
  });

  it('uses no time while paused, however long the pause', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 30 * DAY }), (h, wait) => {
        const paused = h.clock.status === 'paused' ? h.clock : SlaClock.pause(h.clock, h.latest);
        expect(SlaClock.consumed(paused, h.calendar, h.latest + wait)).toBe(
          SlaClock.consumed(paused, h.calendar, h.latest),
        );
      }),
      runs(100),
    );
  });

  it('falls due the moment it has used its budget', () => {
    fc.assert(
      fc.property(history, (h) => {
        const due = SlaClock.dueAt(h.clock, h.calendar);
        if (due === null) {
          expect(h.clock.status).toBe('paused');
          expect(SlaClock.consumed(h.clock, h.calendar, h.latest)).toBeLessThan(h.target.budgetMs);
          return;
        }
        expect(SlaClock.consumed(h.clock, h.calendar, due)).toBe(h.target.budgetMs);
        expect(SlaClock.consumed(h.clock, h.calendar, due.getTime() - 1)).toBe(h.target.budgetMs - 1);
        expect(SlaClock.breached(h.clock, h.calendar, due)).toBe(true);
        expect(SlaClock.breached(h.clock, h.calendar, due.getTime() - 1)).toBe(false);
      }),
      runs(100),
    );
  });

  it('falls due later by exactly the time of a pause taken before it was due', () => {
    fc.assert(
      fc.property(history, duration, duration, (h, beforePause, pauseLength) => {
        const running = h.clock.status === 'paused' ? SlaClock.resume(h.clock, h.latest) : h.clock;
        const due = SlaClock.dueAt(running, h.calendar) as Date;
        const pausedAt = h.latest + beforePause;
        fc.pre(pausedAt < due.getTime());
        const resumedAt = pausedAt + pauseLength;
        const resumed = SlaClock.resume(SlaClock.pause(running, pausedAt), resumedAt);
        const later = SlaClock.dueAt(resumed, h.calendar) as Date;
        const { basis } = h.target;
        expect(timeBetween(basis, h.calendar, due, later)).toBe(timeBetween(basis, h.calendar, pausedAt, resumedAt));
        if (basis === 'elapsed') expect(later.getTime() - due.getTime()).toBe(resumedAt - pausedAt);
      }),
      runs(100),
    );
  });

  it('warns before it falls due, at its share of the budget', () => {
    fc.assert(
      fc.property(history, (h) => {
        const warnAt = SlaClock.warnAt(h.clock, h.calendar);
        const due = SlaClock.dueAt(h.clock, h.calendar);
        const share = SlaClock.warningBudgetMs(h.target);
        if (share === null) return expect(warnAt).toBeNull();
        if (warnAt === null) return expect(due).toBeNull();
        expect(SlaClock.consumed(h.clock, h.calendar, warnAt)).toBe(share);
        if (due) expect(warnAt.getTime()).toBeLessThanOrEqual(due.getTime());
      }),
      runs(100),
    );
  });

  it('is met late exactly when its budget was used by then, and records when it fell due', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 7 * DAY }), (h, after) => {
        const metAt = h.latest + after;
        const due = SlaClock.dueAt(h.clock, h.calendar);
        const met = SlaClock.meet(h.clock, h.calendar, metAt);
        const late = SlaClock.consumed(h.clock, h.calendar, metAt) >= h.target.budgetMs;
        expect(met.late).toBe(late);
        expect(met.breachedAt).toBe(late ? (due as Date).toISOString() : null);
        expect(SlaClock.consumed(met, h.calendar, metAt + 30 * DAY)).toBe(
          SlaClock.consumed(h.clock, h.calendar, metAt),
        );
      }),
      runs(100),
    );
  });

  it('survives JSON unchanged, whatever happened to it', () => {
    fc.assert(
      fc.property(history, fc.boolean(), fc.integer({ min: 0, max: 2 * HOUR }), (h, meet, after) => {
        const clock = meet ? SlaClock.meet(h.clock, h.calendar, h.latest + after) : h.clock;
        const copy = JSON.parse(JSON.stringify(clock)) as SlaClock;
        expect(copy).toEqual(clock);
        expect(SlaClock.dueAt(copy, h.calendar)).toEqual(SlaClock.dueAt(clock, h.calendar));
      }),
      runs(100),
    );
  });
});
