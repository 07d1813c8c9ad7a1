import { BusinessCalendarInvalid, type CalendarFieldError } from './errors';
import { isoWeekdayOf, isTimeZone, parseLocalDate } from './time-zone';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/**
 * One shift of a working day, in local wall-clock time `HH:MM` (00:00–23:59). `end <= start` means the shift crosses
 * midnight and ends on the next day (`22:00`–`06:00`; `00:00`–`00:00` is a whole day). A shift belongs to the day it
 * starts on: a Friday night shift runs into Saturday even when Saturday is not a working day or is a holiday.
 */
export interface Shift {
  readonly start: string;
  readonly end: string;
}

/**
 * A tenant's business hours. Business time is the union of the shifts of every working date: a date is a working date
 * when its weekday is one of `workingDays` or it is one of `extraWorkingDays`, and it is not one of `holidays`.
 * Overlapping shifts count once.
 *
 * @example
 * ```ts
 * const berlinOffice: BusinessCalendar = {
 *   timeZone: 'Europe/Berlin',
 *   workingDays: [1, 2, 3, 4, 5],
 *   shifts: [{ start: '09:00', end: '17:30' }],
 *   holidays: ['2026-12-25', '2026-12-26'],
 *   extraWorkingDays: ['2026-12-19'],
 * };
 * ```
 */
export interface BusinessCalendar {
  /** IANA time zone the shifts and dates are read in, e.g. `Asia/Shanghai`. */
  readonly timeZone: string;
  readonly workingDays: readonly IsoWeekday[];
  readonly shifts: readonly Shift[];
  /** Local dates `YYYY-MM-DD` on which no shift starts. */
  readonly holidays: readonly string[];
  /** Local dates `YYYY-MM-DD` worked although their weekday is not a working day (make-up days). */
  readonly extraWorkingDays?: readonly string[];
}

/**
 * The shop rules' business hours, the default of every tenant's calendar.
 *
 * - Shifts: seed `001_b9512cd4d57d9bcd.txt`, 客服行为准则 §1 (line 305): 「上班时间:白班9:00-17:30,晚班13:30-22:30」
 *   (day shift 09:00–17:30, evening shift 13:30–22:30). They overlap from 13:30 to 17:30 (the hand-over of the
 *   same rules' next paragraph), so customer service is staffed 09:00–22:30 without a break: 13.5 hours a day.
 *   The same line says the evening shift leaves "in principle at 23:00" and stays on while a customer is still being
 *   served; that is overtime around the schedule, not business hours the clocks may count on, so 22:30 it is.
 * - Working days: every day of the week. The same line gives each agent 「每月2天休息,休息时间由当月排班表执行」
 *   (two rest days a month, on the monthly roster): rest days are staggered per agent, the desk itself never closes.
 * - Holidays: none. No seed names a public holiday on which the desk closes; a tenant lists its own.
 * - Time zone: Asia/Shanghai. The seeds are rules of shops in mainland China (Taobao, seeds 001 and 002) and state
 *   their hours in local time, which there is China Standard Time (UTC+8, no daylight saving).
 */
export const DEFAULT_BUSINESS_CALENDAR: BusinessCalendar = Object.freeze({
  timeZone: 'Asia/Shanghai',
  workingDays: Object.freeze([1, 2, 3, 4, 5, 6, 7] as const),
  shifts: Object.freeze([
    Object.freeze({ start: '09:00', end: '17:30' }),
    Object.freeze({ start: '13:30', end: '22:30' }),
  ]),
  holidays: Object.freeze([] as string[]),
});

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `'HH:MM'` → minutes past midnight, or `undefined` when it is not a time of day from 00:00 to 23:59. */
export function parseTimeOfDay(text: string): number | undefined {
  const match = HH_MM.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

type FieldErrors = CalendarFieldError[];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every problem of a candidate calendar, as field errors (JSON pointers into it); an empty list when it is valid.
 * Checks the time zone (an IANA name `Intl` knows), the working days (ISO weekdays 1–7, at least one, no repeats),
 * the shifts (at least one, `HH:MM` times, no repeats), the holidays and extra working days (real dates `YYYY-MM-DD`,
 * no repeats, no date both a holiday and an extra working day, no extra working day that is a working weekday anyway).
 *
 * @example
 * ```ts
 * validateBusinessCalendar({ ...DEFAULT_BUSINESS_CALENDAR, shifts: [{ start: '9:00', end: '17:30' }] });
 * // [{ pointer: '/shifts/0/start', detail: 'must be a time HH:MM from 00:00 to 23:59' }]
 * ```
 */
export function validateBusinessCalendar(candidate: unknown): CalendarFieldError[] {
  if (!isObject(candidate)) return [{ pointer: '/', detail: 'must be an object' }];
  const errors: FieldErrors = [];
  validateTimeZone(candidate.timeZone, errors);
  const workingDays = validateWorkingDays(candidate.workingDays, errors);
  validateShifts(candidate.shifts, errors);
  const holidays = validateDates(candidate.holidays, '/holidays', errors);
  if (candidate.extraWorkingDays !== undefined) {
    const extra = validateDates(candidate.extraWorkingDays, '/extraWorkingDays', errors);
    extra.forEach(({ text, day, index }) => {
      const pointer = `/extraWorkingDays/${index}`;
      if (holidays.some((h) => h.day === day)) errors.push({ pointer, detail: `${text} is also a holiday` });
      else if (workingDays.has(isoWeekdayOf(day)))
        errors.push({ pointer, detail: `${text} falls on a working weekday (${isoWeekdayOf(day)}) already` });
    });
  }
  return errors;
}

/** Throws {@link BusinessCalendarInvalid} with every field error unless `candidate` is a valid calendar. */
export function assertValidBusinessCalendar(candidate: unknown): asserts candidate is BusinessCalendar {
  const errors = validateBusinessCalendar(candidate);
  if (errors.length > 0) throw new BusinessCalendarInvalid(errors);
}

function validateTimeZone(value: unknown, errors: FieldErrors): void {
  if (typeof value !== 'string' || !isTimeZone(value))
    errors.push({ pointer: '/timeZone', detail: 'must be an IANA time zone name, e.g. Asia/Shanghai' });
}

function validateWorkingDays(value: unknown, errors: FieldErrors): Set<number> {
  const days = new Set<number>();
  if (!Array.isArray(value)) {
    errors.push({ pointer: '/workingDays', detail: 'must be a list of ISO weekdays (1 = Monday … 7 = Sunday)' });
    return days;
  }
  if (value.length === 0) errors.push({ pointer: '/workingDays', detail: 'must name at least one weekday' });
  value.forEach((day: unknown, index) => {
    const pointer = `/workingDays/${index}`;
    if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7)
      errors.push({ pointer, detail: 'must be an ISO weekday from 1 (Monday) to 7 (Sunday)' });
    else if (days.has(day)) errors.push({ pointer, detail: `repeats weekday ${day}` });
    else days.add(day);
  });
  return days;
}

function validateShifts(value: unknown, errors: FieldErrors): void {
  if (!Array.isArray(value)) {
    errors.push({ pointer: '/shifts', detail: 'must be a list of shifts { start: HH:MM, end: HH:MM }' });
    return;
  }
  if (value.length === 0) errors.push({ pointer: '/shifts', detail: 'must name at least one shift' });
  const seen = new Set<string>();
  value.forEach((shift: unknown, index) => {
    const pointer = `/shifts/${index}`;
    if (!isObject(shift)) {
      errors.push({ pointer, detail: 'must be a shift { start: HH:MM, end: HH:MM }' });
      return;
    }
    const times = (['start', 'end'] as const).map((field) => {
      const text = shift[field];
      const minutes = typeof text === 'string' ? parseTimeOfDay(text) : undefined;
      if (minutes === undefined)
        errors.push({ pointer: `${pointer}/${field}`, detail: 'must be a time HH:MM from 00:00 to 23:59' });
      return minutes;
    });
    if (times.some((t) => t === undefined)) return;
    const key = times.join('-');
    if (seen.has(key))
      errors.push({ pointer, detail: `repeats the shift ${String(shift.start)}–${String(shift.end)}` });
    seen.add(key);
  });
}

function validateDates(
  value: unknown,
  pointer: string,
  errors: FieldErrors,
): { text: string; day: number; index: number }[] {
  if (!Array.isArray(value)) {
    errors.push({ pointer, detail: 'must be a list of local dates YYYY-MM-DD' });
    return [];
  }
  const dates: { text: string; day: number; index: number }[] = [];
  value.forEach((text: unknown, index) => {
    const day = typeof text === 'string' ? parseLocalDate(text) : undefined;
    if (typeof text !== 'string' || day === undefined)
      errors.push({ pointer: `${pointer}/${index}`, detail: 'must be a date YYYY-MM-DD from 1900 on' });
    else if (dates.some((d) => d.day === day))
      errors.push({ pointer: `${pointer}/${index}`, detail: `repeats ${text}` });
    else dates.push({ text, day, index });
  });
  return dates;
}

/** A validated calendar in the form the arithmetic reads: minutes, day numbers and sets. */
export interface CompiledCalendar {
  readonly timeZone: string;
  readonly workingWeekdays: ReadonlySet<number>;
  /** Minutes from the start of the shift's own day; `end > start`, up to 2 × 1440 for a shift crossing midnight. */
  readonly shifts: readonly { readonly start: number; readonly end: number }[];
  readonly holidays: ReadonlySet<number>;
  readonly extraWorkingDays: ReadonlySet<number>;
  /** Business intervals (epoch ms) of the shifts starting on a local day, sorted by start; filled on demand. */
  readonly dayPlans: Map<number, readonly (readonly [number, number])[]>;
}

const byIdentity = new WeakMap<object, CompiledCalendar>();
const byContent = new Map<string, CompiledCalendar>();
const COMPILED_LIMIT = 256;
export const DAY_PLAN_LIMIT = 8_192;

/**
 * The compiled form of `calendar`, validated once and cached (by identity, and by content for calendars rebuilt from
 * JSON on every command), so repeated arithmetic on one tenant's calendar reuses its computed days.
 */
export function compileCalendar(calendar: BusinessCalendar): CompiledCalendar {
  const known = byIdentity.get(calendar);
  if (known) return known;
  const key = JSON.stringify([
    calendar.timeZone,
    calendar.workingDays,
    calendar.shifts,
    calendar.holidays,
    calendar.extraWorkingDays ?? [],
  ]);
  let compiled = byContent.get(key);
  if (compiled) {
    // Most recently used last, so the oldest is dropped first.
    byContent.delete(key);
  } else {
    assertValidBusinessCalendar(calendar);
    compiled = {
      timeZone: calendar.timeZone,
      workingWeekdays: new Set(calendar.workingDays),
      shifts: calendar.shifts.map(({ start, end }) => {
        const from = parseTimeOfDay(start) as number;
        const to = parseTimeOfDay(end) as number;
        return { start: from, end: to <= from ? to + 24 * 60 : to };
      }),
      holidays: new Set(calendar.holidays.map((d) => parseLocalDate(d) as number)),
      extraWorkingDays: new Set((calendar.extraWorkingDays ?? []).map((d) => parseLocalDate(d) as number)),
      dayPlans: new Map(),
    };
    if (byContent.size >= COMPILED_LIMIT) byContent.delete(byContent.keys().next().value as string);
  }
  byContent.set(key, compiled);
  byIdentity.set(calendar, compiled);
  return compiled;
}
