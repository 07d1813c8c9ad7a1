import { addBusinessTime, type Instant } from './business-time';
import type { BusinessCalendar } from './calendar';
import { InvalidDuration } from './errors';

const DAY_MINUTES = 24 * 60;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Business time of one working day of the calendar, in ms: the union of its shifts, a shift ending at or before its
 * start running into the next day, measured over the 24 hours of a day among working days (a night shift's tail that
 * overlaps the next day's early shift counts once). A daylight-saving day is counted as an ordinary one.
 *
 * @example
 * ```ts
 * workingDayMs(DEFAULT_BUSINESS_CALENDAR); // 09:00–22:30 → 13.5 h in ms
 * ```
 */
export function workingDayMs(calendar: BusinessCalendar): number {
  const shifts = calendar.shifts.map((s) => {
    const start = minutesOf(s.start);
    const end = minutesOf(s.end);
    return [start, end <= start ? end + DAY_MINUTES : end] as const;
  });
  // The shifts of the day before, the day and the day after, clipped to the day, merged.
  const intervals = [-DAY_MINUTES, 0, DAY_MINUTES]
    .flatMap((offset) =>
      shifts.map(([start, end]) => [Math.max(start + offset, 0), Math.min(end + offset, DAY_MINUTES)] as const),
    )
    .filter(([start, end]) => start < end)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let reached = 0;
  for (const [start, end] of intervals) {
    const from = Math.max(start, reached);
    if (end > from) total += end - from;
    reached = Math.max(reached, end);
  }
  return total * 60_000;
}

/**
 * The instant by which `days` working days of business time have elapsed since `from` ("within X working days"): the
 * business time of `days` ordinary working days ({@link workingDayMs}) added on the calendar, so nights, weekends and
 * holidays do not count.
 *
 * @throws {@link InvalidDuration} for a negative or non-integer number of days.
 * @example
 * ```ts
 * // Friday 18:00 in a Monday–Friday 09:00–17:30 calendar, 2 working days → Tuesday 17:30.
 * addWorkingDays(officeHours, new Date('2026-03-06T18:00:00+01:00'), 2);
 * ```
 */
export function addWorkingDays(calendar: BusinessCalendar, from: Instant, days: number): Date {
  if (!(Number.isInteger(days) && days >= 0)) throw new InvalidDuration(days);
  return addBusinessTime(calendar, from, days * workingDayMs(calendar));
}
