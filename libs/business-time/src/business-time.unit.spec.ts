import {
  addBusinessTime,
  addTime,
  businessIntervals,
  businessTimeBetween,
  DEFAULT_BUSINESS_CALENDAR,
  isBusinessTime,
  localDateOf,
  nextBusinessInstant,
  timeBetween,
  type BusinessCalendar,
} from '@aftersales/business-time';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (iso: string) => new Date(iso);

/** A Berlin office: Monday–Friday 09:00–17:30, no holidays unless a test adds them. */
const berlinOffice = (extra: Partial<BusinessCalendar> = {}): BusinessCalendar => ({
  timeZone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5],
  shifts: [{ start: '09:00', end: '17:30' }],
  holidays: [],
  ...extra,
});

/** A night desk in Shanghai: Monday–Friday nights, 22:00 to 06:00 the next morning. */
const shanghaiNightDesk = (extra: Partial<BusinessCalendar> = {}): BusinessCalendar => ({
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  shifts: [{ start: '22:00', end: '06:00' }],
  holidays: [],
  ...extra,
});

const roundTheClock = (timeZone: string): BusinessCalendar => ({
  timeZone,
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  shifts: [{ start: '00:00', end: '00:00' }],
  holidays: [],
});

describe('business time on a weekday calendar (Berlin office, 09:00–17:30 Monday–Friday)', () => {
  it('carries a Friday 17:00 + 2 h over the weekend to Monday 10:30', () => {
    // Friday 17:00–17:30 uses 30 min; Saturday and Sunday are not working days; Monday 09:00 + 1 h 30 = 10:30.
    const due = addBusinessTime(berlinOffice(), at('2026-03-06T17:00:00+01:00'), 2 * HOUR);
    expect(due).toEqual(at('2026-03-09T10:30:00+01:00'));
    expect(businessTimeBetween(berlinOffice(), at('2026-03-06T17:00:00+01:00'), due)).toBe(2 * HOUR);
  });

  it('skips a holiday: the same addition lands on Tuesday when Monday is a holiday', () => {
    const calendar = berlinOffice({ holidays: ['2026-03-09'] });
    expect(addBusinessTime(calendar, at('2026-03-06T17:00:00+01:00'), 2 * HOUR)).toEqual(
      at('2026-03-10T10:30:00+01:00'),
    );
    expect(isBusinessTime(calendar, at('2026-03-09T12:00:00+01:00'))).toBe(false);
  });

  it('works an extra working day: a make-up Saturday takes the remaining 1 h 30', () => {
    const calendar = berlinOffice({ extraWorkingDays: ['2026-03-07'] });
    expect(addBusinessTime(calendar, at('2026-03-06T17:00:00+01:00'), 2 * HOUR)).toEqual(
      at('2026-03-07T10:30:00+01:00'),
    );
  });

  it('keeps shifts on local wall-clock time across the spring change (CET → CEST on Sunday 29 March 2026)', () => {
    // Friday 27 March 17:00 CET + 1 h: 30 min on Friday, 30 min on Monday from 09:00 CEST (07:00Z).
    expect(addBusinessTime(berlinOffice(), at('2026-03-27T17:00:00+01:00'), HOUR)).toEqual(at('2026-03-30T07:30:00Z'));
    // A week across the change still has five days of 8 h 30.
    expect(businessTimeBetween(berlinOffice(), at('2026-03-23T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(
      5 * 8.5 * HOUR,
    );
  });

  it('counts 0 outside business hours and the overlap of [from, to) with a shift inside them', () => {
    const calendar = berlinOffice();
    expect(businessTimeBetween(calendar, at('2026-03-06T18:00:00+01:00'), at('2026-03-09T08:59:00+01:00'))).toBe(0);
    expect(businessTimeBetween(calendar, at('2026-03-06T16:00:00+01:00'), at('2026-03-09T10:00:00+01:00'))).toBe(
      2.5 * HOUR,
    );
    expect(businessTimeBetween(calendar, at('2026-03-09T10:00:00+01:00'), at('2026-03-06T16:00:00+01:00'))).toBe(0);
  });

  it('treats a shift as [start, end): its start is business time, its end is not', () => {
    const calendar = berlinOffice();
    expect(isBusinessTime(calendar, at('2026-03-09T09:00:00+01:00'))).toBe(true);
    expect(isBusinessTime(calendar, at('2026-03-09T17:29:59.999+01:00'))).toBe(true);
    expect(isBusinessTime(calendar, at('2026-03-09T17:30:00+01:00'))).toBe(false);
    expect(isBusinessTime(calendar, at('2026-03-07T12:00:00+01:00'))).toBe(false);
  });

  it('names the next business instant: the instant itself inside hours, the next shift start outside', () => {
    const calendar = berlinOffice();
    expect(nextBusinessInstant(calendar, at('2026-03-09T11:00:00+01:00'))).toEqual(at('2026-03-09T11:00:00+01:00'));
    expect(nextBusinessInstant(calendar, at('2026-03-06T17:30:00+01:00'))).toEqual(at('2026-03-09T09:00:00+01:00'));
  });

  it('ends an addition that uses up a shift exactly at the shift end, not at the next shift start', () => {
    expect(addBusinessTime(berlinOffice(), at('2026-03-06T17:00:00+01:00'), 30 * MINUTE)).toEqual(
      at('2026-03-06T17:30:00+01:00'),
    );
    expect(addBusinessTime(berlinOffice(), at('2026-03-07T12:00:00+01:00'), 0)).toEqual(
      at('2026-03-07T12:00:00+01:00'),
    );
  });
});

describe('shifts crossing midnight (Shanghai night desk, 22:00–06:00 Monday–Friday nights)', () => {
  it("runs Friday night's shift into Saturday morning, then waits for Monday night", () => {
    // Friday 23:00 + 8 h: 7 h until Saturday 06:00, then Monday 22:00 + 1 h.
    expect(addBusinessTime(shanghaiNightDesk(), at('2026-03-06T23:00:00+08:00'), 8 * HOUR)).toEqual(
      at('2026-03-09T23:00:00+08:00'),
    );
    expect(isBusinessTime(shanghaiNightDesk(), at('2026-03-07T05:59:00+08:00'))).toBe(true);
    expect(isBusinessTime(shanghaiNightDesk(), at('2026-03-07T22:30:00+08:00'))).toBe(false);
  });

  it('gives a shift to the day it starts on: a holiday cancels its own night, not the one running into it', () => {
    const calendar = shanghaiNightDesk({ holidays: ['2026-03-06'] });
    // Thursday's night still runs until Friday 06:00; Friday night (a holiday) is off.
    expect(isBusinessTime(calendar, at('2026-03-06T05:00:00+08:00'))).toBe(true);
    expect(isBusinessTime(calendar, at('2026-03-06T23:00:00+08:00'))).toBe(false);
    expect(isBusinessTime(calendar, at('2026-03-07T05:00:00+08:00'))).toBe(false);
    // And a Saturday holiday does not cut Friday's night short.
    const saturdayOff = shanghaiNightDesk({ holidays: ['2026-03-07'] });
    expect(isBusinessTime(saturdayOff, at('2026-03-07T05:00:00+08:00'))).toBe(true);
  });

  it('lists one interval per night across the midnight it crosses', () => {
    expect(
      businessIntervals(shanghaiNightDesk(), at('2026-03-05T00:00:00+08:00'), at('2026-03-07T12:00:00+08:00')),
    ).toEqual([
      { start: at('2026-03-05T00:00:00+08:00'), end: at('2026-03-05T06:00:00+08:00') },
      { start: at('2026-03-05T22:00:00+08:00'), end: at('2026-03-06T06:00:00+08:00') },
      { start: at('2026-03-06T22:00:00+08:00'), end: at('2026-03-07T06:00:00+08:00') },
    ]);
  });
});

describe('daylight-saving changes (America/New_York: 8 March 2026 02:00 → 03:00, 1 November 2026 02:00 → 01:00)', () => {
  const nightShift: BusinessCalendar = {
    timeZone: 'America/New_York',
    workingDays: [6],
    shifts: [{ start: '22:00', end: '06:00' }],
    holidays: [],
  };

  it('gives the Saturday night shift 7 real hours when the clocks spring forward, 9 when they fall back', () => {
    const spring = businessIntervals(nightShift, at('2026-03-07T12:00:00-05:00'), at('2026-03-08T12:00:00-04:00'));
    expect(spring).toEqual([{ start: at('2026-03-07T22:00:00-05:00'), end: at('2026-03-08T06:00:00-04:00') }]);
    expect(businessTimeBetween(nightShift, at('2026-03-07T12:00:00-05:00'), at('2026-03-08T12:00:00-04:00'))).toBe(
      7 * HOUR,
    );
    expect(businessTimeBetween(nightShift, at('2026-10-31T12:00:00-04:00'), at('2026-11-01T12:00:00-05:00'))).toBe(
      9 * HOUR,
    );
  });

  it('has 23 h on the spring-forward day and 25 h on the fall-back day of a round-the-clock calendar', () => {
    const calendar = roundTheClock('America/New_York');
    expect(businessTimeBetween(calendar, at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'))).toBe(
      23 * HOUR,
    );
    expect(businessTimeBetween(calendar, at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00'))).toBe(
      25 * HOUR,
    );
  });

  it('moves a shift boundary in the skipped hour forward, and reads a repeated time at its first occurrence', () => {
    const sunday = (shifts: BusinessCalendar['shifts']): BusinessCalendar => ({
      ...nightShift,
      workingDays: [7],
      shifts,
    });
    // 01:30–02:30 on 8 March: 02:30 does not exist and names 03:30 EDT, so the shift is 01:30 EST–03:30 EDT = 1 h.
    expect(
      businessIntervals(
        sunday([{ start: '01:30', end: '02:30' }]),
        at('2026-03-08T00:00:00-05:00'),
        at('2026-03-09T00:00:00-04:00'),
      ),
    ).toEqual([{ start: at('2026-03-08T01:30:00-05:00'), end: at('2026-03-08T03:30:00-04:00') }]);
    // 02:30–03:00 lies wholly in the skipped hour: 03:30 EDT to 03:00 EDT names no time at all.
    expect(
      businessTimeBetween(
        sunday([{ start: '02:30', end: '03:00' }]),
        at('2026-03-08T00:00:00-05:00'),
        at('2026-03-09T00:00:00-04:00'),
      ),
    ).toBe(0);
    // 01:30–02:00 on 1 November: 01:30 happens twice (EDT, then EST); the shift starts at the first, so it is 1 h 30.
    expect(
      businessIntervals(
        sunday([{ start: '01:30', end: '02:00' }]),
        at('2026-11-01T00:00:00-04:00'),
        at('2026-11-02T00:00:00-05:00'),
      ),
    ).toEqual([{ start: at('2026-11-01T01:30:00-04:00'), end: at('2026-11-01T02:00:00-05:00') }]);
  });
});

describe('the default calendar (seed 001: 09:00–17:30 and 13:30–22:30 every day, Asia/Shanghai)', () => {
  it('counts the overlapping shifts once: 09:00–22:30 is 13 h 30 a day', () => {
    expect(
      businessTimeBetween(DEFAULT_BUSINESS_CALENDAR, at('2026-03-02T00:00:00+08:00'), at('2026-03-03T00:00:00+08:00')),
    ).toBe(13.5 * HOUR);
    expect(
      businessIntervals(DEFAULT_BUSINESS_CALENDAR, at('2026-03-07T00:00:00+08:00'), at('2026-03-09T00:00:00+08:00')),
    ).toEqual([
      { start: at('2026-03-07T09:00:00+08:00'), end: at('2026-03-07T22:30:00+08:00') },
      { start: at('2026-03-08T09:00:00+08:00'), end: at('2026-03-08T22:30:00+08:00') },
    ]);
  });

  it('answers an after-sales application of 22:00 (1 working hour) at 09:30 the next morning', () => {
    // 22:00–22:30 uses 30 min; the desk reopens at 09:00 (on a Sunday too) and the other 30 min end at 09:30.
    expect(addBusinessTime(DEFAULT_BUSINESS_CALENDAR, at('2026-03-07T22:00:00+08:00'), HOUR)).toEqual(
      at('2026-03-08T09:30:00+08:00'),
    );
    expect(nextBusinessInstant(DEFAULT_BUSINESS_CALENDAR, at('2026-03-07T23:15:00+08:00'))).toEqual(
      at('2026-03-08T09:00:00+08:00'),
    );
  });

  it('adds a year of business days by the day: 365 × 13 h 30 from a Monday 09:00 ends 364 days later at 22:30', () => {
    expect(addBusinessTime(DEFAULT_BUSINESS_CALENDAR, at('2026-03-02T09:00:00+08:00'), 365 * 13.5 * HOUR)).toEqual(
      at('2027-03-01T22:30:00+08:00'),
    );
  });

  it('dates an instant on the calendar’s local day', () => {
    expect(localDateOf(DEFAULT_BUSINESS_CALENDAR, at('2026-03-01T17:00:00Z'))).toBe('2026-03-02');
    expect(localDateOf(berlinOffice(), at('2026-03-01T17:00:00Z'))).toBe('2026-03-01');
  });
});

describe('clock basis', () => {
  it('adds wall-clock time on the elapsed basis, business time on the business basis', () => {
    const night = at('2026-03-07T23:00:00+08:00');
    expect(addTime('elapsed', DEFAULT_BUSINESS_CALENDAR, night, 15_000)).toEqual(at('2026-03-07T23:00:15+08:00'));
    expect(addTime('business', DEFAULT_BUSINESS_CALENDAR, night, 15_000)).toEqual(at('2026-03-08T09:00:15+08:00'));
    expect(timeBetween('elapsed', DEFAULT_BUSINESS_CALENDAR, night, night.getTime() + DAY)).toBe(DAY);
    expect(timeBetween('business', DEFAULT_BUSINESS_CALENDAR, night, night.getTime() + DAY)).toBe(13.5 * HOUR);
  });
});

describe('refusals', () => {
  it('refuses a negative, fractional or non-finite duration', () => {
    for (const ms of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addBusinessTime(DEFAULT_BUSINESS_CALENDAR, at('2026-03-02T09:00:00Z'), ms)).toThrow(
        expect.objectContaining({ code: 'BUSINESS_TIME.INVALID_DURATION' }),
      );
    }
  });

  it('refuses an invalid date and instants outside 1900–9999', () => {
    for (const instant of [new Date('not a date'), Date.UTC(1899, 11, 31), Number.NaN]) {
      expect(() => isBusinessTime(DEFAULT_BUSINESS_CALENDAR, instant)).toThrow(
        expect.objectContaining({ code: 'BUSINESS_TIME.INVALID_INSTANT' }),
      );
    }
  });

  it('refuses an invalid calendar with its field errors', () => {
    const calendar = { ...DEFAULT_BUSINESS_CALENDAR, timeZone: 'Mars/Olympus_Mons' };
    expect(() => businessTimeBetween(calendar, at('2026-03-02T09:00:00Z'), at('2026-03-03T09:00:00Z'))).toThrow(
      expect.objectContaining({
        code: 'BUSINESS_CALENDAR.INVALID',
        kind: 'invalid',
        errors: [{ pointer: '/timeZone', detail: 'must be an IANA time zone name, e.g. Asia/Shanghai' }],
      }),
    );
  });
});
