import fc from 'fast-check';
import type { BusinessCalendar, IsoWeekday, Shift } from '../calendar';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Zones with the awkward cases: daylight saving in both hemispheres (New York, Berlin, Lord Howe's 30-minute change),
 * São Paulo's old changes at midnight (local midnight skipped on 4 November 2018), Samoa skipping 30 December 2011
 * altogether, half-hour and quarter-hour offsets (Kolkata, Kathmandu), and zones without any change.
 */
export const ZONES = [
  'Asia/Shanghai',
  'Europe/Berlin',
  'America/New_York',
  'America/Sao_Paulo',
  'Australia/Lord_Howe',
  'Pacific/Apia',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'UTC',
] as const;

/** Zones whose offset never changed in the years the scenarios use. */
export const FIXED_ZONES = ['Asia/Shanghai', 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC'] as const;

/** Days around which scenarios are drawn: transitions of the zones above, and one quiet day. */
const AROUND = [
  '2011-12-29',
  '2018-11-03',
  '2019-02-16',
  '2026-03-08',
  '2026-03-29',
  '2026-04-05',
  '2026-10-04',
  '2026-10-25',
  '2026-11-01',
  '2026-06-15',
].map((date) => Date.parse(`${date}T00:00:00Z`));

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (minutes: number) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A time of day, with the hours daylight saving moves (00:00, 01:30, 02:00, 02:30, 03:00) drawn often. */
const timeOfDay = fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(0, 90, 120, 150, 180, 1410)).map(hhmm);

export const shift: fc.Arbitrary<Shift> = fc.record({ start: timeOfDay, end: timeOfDay });

export interface Scenario {
  readonly calendar: BusinessCalendar;
  /** An instant near the days the calendar's holidays and extra days fall on. */
  readonly from: number;
}

/** A valid calendar in one of `zones` with instants and dates around an awkward day. */
export function scenario(zones: readonly string[] = ZONES): fc.Arbitrary<Scenario> {
  return fc
    .record({
      around: fc.constantFrom(...AROUND),
      timeZone: fc.constantFrom(...zones),
      workingDays: fc.subarray<IsoWeekday>([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
      shifts: fc.uniqueArray(shift, { minLength: 1, maxLength: 3, selector: (s) => `${s.start}-${s.end}` }),
      holidayOffsets: fc.uniqueArray(fc.integer({ min: -12, max: 12 }), { maxLength: 4 }),
      extraOffsets: fc.uniqueArray(fc.integer({ min: -12, max: 12 }), { maxLength: 3 }),
      fromOffset: fc.integer({ min: -10 * DAY, max: 10 * DAY }),
    })
    .map(({ around, timeZone, workingDays, shifts, holidayOffsets, extraOffsets, fromOffset }) => {
      const holidays = holidayOffsets.map((offset) => around + offset * DAY);
      // An extra working day is neither a holiday nor a working weekday already (validation refuses both).
      const weekday = (ms: number) => (((new Date(ms).getUTCDay() + 6) % 7) + 1) as IsoWeekday;
      const extra = extraOffsets
        .map((offset) => around + offset * DAY)
        .filter((day) => !holidays.includes(day) && !workingDays.includes(weekday(day)));
      return {
        calendar: {
          timeZone,
          workingDays,
          shifts,
          holidays: holidays.map(isoDate),
          extraWorkingDays: extra.map(isoDate),
        },
        from: around + fromOffset,
      };
    });
}

/** Business-time durations: mostly within a few days, some up to three weeks. */
export const duration = fc.oneof(
  fc.integer({ min: 0, max: 8 * HOUR }),
  fc.integer({ min: 0, max: 3 * DAY }),
  fc.integer({ min: 0, max: 21 * DAY }),
);

const DEFAULT_SEED = 20_260_309;

/**
 * fast-check parameters: a fixed seed so every run of the suite checks the same cases (CI stays deterministic), or
 * `BUSINESS_TIME_SEED` to explore other cases; a failure prints the seed and path that replay it.
 */
export function runs(numRuns: number): fc.Parameters<unknown> {
  const fromEnv = Number(process.env.BUSINESS_TIME_SEED || Number.NaN);
  return { numRuns, seed: Number.isInteger(fromEnv) ? fromEnv : DEFAULT_SEED };
}
