import fc from 'fast-check';
import {
  addBusinessTime,
  businessIntervals,
  businessTimeBetween,
  isBusinessTime,
  nextBusinessInstant,
  type BusinessCalendar,
} from '@aftersales/business-time';
import { DAY, duration, FIXED_ZONES, HOUR, runs, scenario, ZONES } from './testing/arbitraries';

// CONTEXT: calendars are drawn in zones with daylight saving (both hemispheres, 30-minute and midnight changes, a
// skipped day), with shifts crossing midnight and overlapping, holidays and extra days around the transitions.

/** A share from 0 to 1 in thousandths. */
const share = fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000);

/** Instants up to `span` after the scenario's `from`. */
const later = (span: number) => fc.integer({ min: 0, max: span });

describe('business-time arithmetic (properties)', () => {
  it('round-trips: the business time between from and from + ms is ms', () => {
    fc.assert(
      fc.property(scenario(), duration, ({ calendar, from }, ms) => {
        const due = addBusinessTime(calendar, from, ms);
        expect(businessTimeBetween(calendar, from, due)).toBe(ms);
      }),
      runs(150),
    );
  });

  it('adds up to the earliest such instant: one millisecond earlier, the budget is not yet used', () => {
    fc.assert(
      fc.property(scenario(), duration, ({ calendar, from }, ms) => {
        fc.pre(ms > 0);
        const due = addBusinessTime(calendar, from, ms).getTime();
        expect(businessTimeBetween(calendar, from, due - 1)).toBe(ms - 1);
        expect(isBusinessTime(calendar, due - 1)).toBe(true);
      }),
      runs(100),
    );
  });

  it('is monotonic in the duration and never faster than the wall clock', () => {
    fc.assert(
      fc.property(scenario(), duration, duration, ({ calendar, from }, a, b) => {
        const [shorter, longer] = a <= b ? [a, b] : [b, a];
        const early = addBusinessTime(calendar, from, shorter).getTime();
        const late = addBusinessTime(calendar, from, longer).getTime();
        expect(early).toBeLessThanOrEqual(late);
        expect(late - from).toBeGreaterThanOrEqual(longer);
      }),
      runs(100),
    );
  });

  it('is additive over any split point, and never more than the wall-clock time', () => {
    fc.assert(
      fc.property(scenario(), later(10 * DAY), later(10 * DAY), ({ calendar, from }, x, y) => {
        const [mid, to] = [from + Math.min(x, y), from + Math.max(x, y)];
        const whole = businessTimeBetween(calendar, from, to);
        expect(businessTimeBetween(calendar, from, mid) + businessTimeBetween(calendar, mid, to)).toBe(whole);
        expect(whole).toBeLessThanOrEqual(to - from);
      }),
      runs(100),
    );
  });

  it('lists intervals in order, apart from each other, inside business time, adding up to the total', () => {
    fc.assert(
      fc.property(scenario(), later(6 * DAY), ({ calendar, from }, span) => {
        const to = from + span;
        const intervals = businessIntervals(calendar, from, to).map((i) => [i.start.getTime(), i.end.getTime()]);
        let total = 0;
        intervals.forEach(([start, end], index) => {
          expect(start).toBeGreaterThanOrEqual(from);
          expect(end).toBeGreaterThan(start as number);
          expect(end).toBeLessThanOrEqual(to);
          expect(isBusinessTime(calendar, start as number)).toBe(true);
          expect(isBusinessTime(calendar, (end as number) - 1)).toBe(true);
          if (end !== to) expect(isBusinessTime(calendar, end as number)).toBe(false);
          const next = intervals[index + 1];
          if (next) expect(next[0]).toBeGreaterThan(end as number);
          total += (end as number) - (start as number);
        });
        expect(total).toBe(businessTimeBetween(calendar, from, to));
      }),
      runs(100),
    );
  });

  it('resumes at the next business instant: inside business time, with none in between', () => {
    fc.assert(
      fc.property(scenario(), ({ calendar, from }) => {
        const next = nextBusinessInstant(calendar, from).getTime();
        expect(next).toBeGreaterThanOrEqual(from);
        expect(isBusinessTime(calendar, next)).toBe(true);
        expect(businessTimeBetween(calendar, from, next)).toBe(0);
        expect(next === from).toBe(isBusinessTime(calendar, from));
      }),
      runs(150),
    );
  });

  it('counts overlapping shifts once: a shift inside another adds nothing', () => {
    // In zones without offset changes: across a daylight-saving gap a "contained" local shift may start earlier.
    const withInnerShift = scenario(FIXED_ZONES).chain(({ calendar, from }) =>
      fc
        .record({
          outer: fc.constantFrom(...calendar.shifts),
          a: share,
          b: share,
        })
        .map(({ outer, a, b }) => ({ calendar, from, inner: innerShift(outer, Math.min(a, b), Math.max(a, b)) })),
    );
    fc.assert(
      fc.property(withInnerShift, later(8 * DAY), ({ calendar, from, inner }, span) => {
        fc.pre(inner !== undefined && !calendar.shifts.some((s) => s.start === inner.start && s.end === inner.end));
        const more: BusinessCalendar = {
          ...calendar,
          shifts: [...calendar.shifts, inner as { start: string; end: string }],
        };
        expect(businessTimeBetween(more, from, from + span)).toBe(businessTimeBetween(calendar, from, from + span));
      }),
      runs(100),
    );
  });

  it('never gains business time from a holiday, nor loses any to an extra working day', () => {
    fc.assert(
      fc.property(
        scenario(),
        fc.integer({ min: -3, max: 10 }),
        later(10 * DAY),
        ({ calendar, from }, dayOffset, span) => {
          const date = new Date(from + dayOffset * DAY).toISOString().slice(0, 10);
          const base = businessTimeBetween(calendar, from, from + span);
          if (!calendar.holidays.includes(date) && !(calendar.extraWorkingDays ?? []).includes(date)) {
            const holiday = { ...calendar, holidays: [...calendar.holidays, date] };
            expect(businessTimeBetween(holiday, from, from + span)).toBeLessThanOrEqual(base);
          }
          const weekday = ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
          if (calendar.holidays.includes(date)) {
            const worked = { ...calendar, holidays: calendar.holidays.filter((h) => h !== date) };
            expect(businessTimeBetween(worked, from, from + span)).toBeGreaterThanOrEqual(base);
          } else if (
            !calendar.workingDays.includes(weekday as never) &&
            !(calendar.extraWorkingDays ?? []).includes(date)
          ) {
            const extra = { ...calendar, extraWorkingDays: [...(calendar.extraWorkingDays ?? []), date] };
            expect(businessTimeBetween(extra, from, from + span)).toBeGreaterThanOrEqual(base);
          }
        },
      ),
      runs(100),
    );
  });

  it('is the wall clock in every time zone when the calendar is open round the clock', () => {
    const roundTheClock = (timeZone: string): BusinessCalendar => ({
      timeZone,
      workingDays: [1, 2, 3, 4, 5, 6, 7],
      shifts: [{ start: '00:00', end: '00:00' }],
      holidays: [],
    });
    fc.assert(
      fc.property(scenario(), fc.constantFrom(...ZONES), later(20 * DAY), ({ from }, zone, ms) => {
        const calendar = roundTheClock(zone);
        expect(addBusinessTime(calendar, from, ms).getTime()).toBe(from + ms);
        expect(businessTimeBetween(calendar, from, from + ms)).toBe(ms);
        expect(isBusinessTime(calendar, from)).toBe(true);
        if (ms > 0)
          expect(businessIntervals(calendar, from, from + ms)).toEqual([
            { start: new Date(from), end: new Date(from + ms) },
          ]);
      }),
      runs(100),
    );
  });

  it('adds a year in the same time as it counts it (whole days at a time, not minutes)', () => {
    fc.assert(
      fc.property(scenario(), fc.integer({ min: 0, max: 2000 * HOUR }), ({ calendar, from }, ms) => {
        expect(businessTimeBetween(calendar, from, addBusinessTime(calendar, from, ms))).toBe(ms);
      }),
      runs(10),
    );
  });
});

/** A shift inside `outer` (same day, not crossing midnight), from share `a` to share `b` of it; none if too short. */
function innerShift(
  outer: { start: string; end: string },
  a: number,
  b: number,
): { start: string; end: string } | undefined {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const [start, end] = [minutes(outer.start), minutes(outer.end)];
  if (end <= start) return undefined;
  const innerStart = start + Math.floor(a * (end - start));
  const innerEnd = start + Math.ceil(b * (end - start));
  if (innerEnd <= innerStart) return undefined;
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return { start: hhmm(innerStart), end: hhmm(innerEnd) };
}
