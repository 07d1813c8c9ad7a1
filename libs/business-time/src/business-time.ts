import { compileCalendar, DAY_PLAN_LIMIT, type BusinessCalendar, type CompiledCalendar } from './calendar';
import { InvalidDuration, InvalidInstant } from './errors';
import {
  DAY_MS,
  EARLIEST_INSTANT_MS,
  formatLocalDate,
  instantOf,
  isoWeekdayOf,
  LATEST_INSTANT_MS,
  localDayOf,
  localMsAt,
  MAX_OFFSET_MS,
} from './time-zone';

/** A point in time: a `Date` or epoch milliseconds. */
export type Instant = Date | number;

/**
 * What a clock counts: `business` time (only inside the calendar's shifts) or `elapsed` wall time (every millisecond,
 * e.g. a 15 s chat first response). The policy decides per target.
 */
export type ClockBasis = 'business' | 'elapsed';

/** A stretch of business time, `[start, end)`. */
export interface BusinessInterval {
  readonly start: Date;
  readonly end: Date;
}

type Span = readonly [start: number, end: number];

/** Epoch ms of an {@link Instant}; throws {@link InvalidInstant} for an invalid date or one outside 1900–9999. */
export function epochMsOf(at: Instant, what = 'An instant'): number {
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < EARLIEST_INSTANT_MS || ms > LATEST_INSTANT_MS)
    throw new InvalidInstant(what, at instanceof Date ? 'an invalid Date' : at);
  return ms;
}

function durationOf(ms: number): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) throw new InvalidDuration(ms);
  return ms;
}

function isWorkingDay(calendar: CompiledCalendar, day: number): boolean {
  if (calendar.holidays.has(day)) return false;
  return calendar.workingWeekdays.has(isoWeekdayOf(day)) || calendar.extraWorkingDays.has(day);
}

/** The business intervals of the shifts that start on local `day`, sorted by start (they may overlap). */
function dayPlan(calendar: CompiledCalendar, day: number): readonly Span[] {
  const known = calendar.dayPlans.get(day);
  if (known) return known;
  const plan: Span[] = [];
  if (isWorkingDay(calendar, day)) {
    for (const shift of calendar.shifts) {
      const start = instantOf(calendar.timeZone, localMsAt(day, shift.start));
      const end = instantOf(calendar.timeZone, localMsAt(day, shift.end));
      // A shift inside a daylight-saving gap can collapse (02:30–03:00 on a spring-forward night names no time).
      if (end > start) plan.push([start, end]);
    }
    plan.sort((a, b) => a[0] - b[0]);
  }
  if (calendar.dayPlans.size >= DAY_PLAN_LIMIT) calendar.dayPlans.clear();
  calendar.dayPlans.set(day, plan);
  return plan;
}

/**
 * The calendar's business time from `fromMs` on, as intervals in increasing order that neither overlap nor leave out
 * any business time (overlapping shifts merged), the first one clipped to start no earlier than `fromMs`. Consecutive
 * intervals may touch: business time without an end (a 24/7 calendar) comes a day at a time. Endless: callers stop
 * when they have enough.
 *
 * Days are walked one at a time. A shift of day `d` can start before local midnight of `d` (daylight-saving gaps move
 * local times forward, and a shift crossing midnight reaches into `d + 1`), but never before `d`'s midnight minus
 * {@link MAX_OFFSET_MS}: once a day is read, every interval starting before that horizon is known.
 */
function* spansFrom(calendar: CompiledCalendar, fromMs: number): Generator<Span, never> {
  // Two days back: a shift that started yesterday (or the day before, read through a daylight-saving gap) may still run.
  let day = localDayOf(calendar.timeZone, fromMs) - 2;
  let pending: Span[] = [];
  let current: [number, number] | undefined;
  for (;;) {
    pending.push(...dayPlan(calendar, day));
    day += 1;
    const horizon = day * DAY_MS - MAX_OFFSET_MS; // no shift of `day` or later starts before this instant
    pending.sort((a, b) => a[0] - b[0]);
    let taken = 0;
    while (taken < pending.length && (pending[taken] as Span)[0] < horizon) {
      const [start, end] = pending[taken++] as Span;
      if (current && start <= current[1]) {
        current[1] = Math.max(current[1], end);
        continue;
      }
      if (current && current[1] > Math.max(current[0], fromMs)) yield [Math.max(current[0], fromMs), current[1]];
      current = [start, end];
    }
    pending = pending.slice(taken);
    if (current) {
      // Hand out what is known; a later shift can only extend it, so carry on from its end.
      if (current[1] > Math.max(current[0], fromMs)) yield [Math.max(current[0], fromMs), current[1]];
      current = current[1] < horizon ? undefined : [current[1], current[1]];
    }
  }
}

/**
 * Whether `at` is inside business time (in a shift of a working date; a shift's end is outside it).
 *
 * @example
 * ```ts
 * isBusinessTime(DEFAULT_BUSINESS_CALENDAR, new Date('2026-03-02T01:00:00Z')); // true: 09:00 in Shanghai
 * ```
 */
export function isBusinessTime(calendar: BusinessCalendar, at: Instant): boolean {
  const atMs = epochMsOf(at);
  return nextBusinessMs(compileCalendar(calendar), atMs) === atMs;
}

function nextBusinessMs(calendar: CompiledCalendar, fromMs: number): number {
  const first = spansFrom(calendar, fromMs).next().value;
  return first[0];
}

/**
 * `at` itself when it is inside business time, otherwise the start of the next shift: when work resumes, e.g. the
 * "we will handle it at …" of an off-hours acknowledgement.
 *
 * @example
 * ```ts
 * nextBusinessInstant(DEFAULT_BUSINESS_CALENDAR, new Date('2026-03-02T15:00:00Z')); // 2026-03-03T01:00:00Z (09:00)
 * ```
 */
export function nextBusinessInstant(calendar: BusinessCalendar, at: Instant): Date {
  return new Date(nextBusinessMs(compileCalendar(calendar), epochMsOf(at)));
}

/**
 * The earliest instant by which `ms` of business time has elapsed since `from` (`from` itself for 0 ms). The result
 * is never outside business time unless `ms` is 0, and it is the end of a shift when the budget runs out exactly there.
 *
 * @example
 * ```ts
 * // Friday 17:00 + 2 h in a 09:00–17:30 Monday–Friday calendar: 30 min on Friday, 1 h 30 on Monday → Monday 10:30.
 * addBusinessTime(officeHours, new Date('2026-03-06T17:00:00+01:00'), 2 * 3_600_000); // 2026-03-09T10:30:00+01:00
 * ```
 */
export function addBusinessTime(calendar: BusinessCalendar, from: Instant, ms: number): Date {
  const fromMs = epochMsOf(from, 'from');
  let left = durationOf(ms);
  if (left === 0) return new Date(fromMs);
  for (const [start, end] of spansFrom(compileCalendar(calendar), fromMs)) {
    if (end - start >= left) return new Date(start + left);
    left -= end - start;
  }
  throw new Error('unreachable: business spans never end');
}

/**
 * Milliseconds of business time in `[from, to)`; 0 when `to` is not after `from`.
 *
 * @example
 * ```ts
 * businessTimeBetween(DEFAULT_BUSINESS_CALENDAR, monday0800Shanghai, tuesday0800Shanghai); // 13.5 h in ms
 * ```
 */
export function businessTimeBetween(calendar: BusinessCalendar, from: Instant, to: Instant): number {
  let total = 0;
  for (const interval of intervals(calendar, from, to)) total += interval[1] - interval[0];
  return total;
}

/** The business time of `[from, to)` as disjoint intervals in order (shifts merged where they overlap or touch). */
export function businessIntervals(calendar: BusinessCalendar, from: Instant, to: Instant): BusinessInterval[] {
  return intervals(calendar, from, to).map(([start, end]) => ({ start: new Date(start), end: new Date(end) }));
}

function intervals(calendar: BusinessCalendar, from: Instant, to: Instant): Span[] {
  const fromMs = epochMsOf(from, 'from');
  const toMs = epochMsOf(to, 'to');
  const found: Span[] = [];
  if (toMs <= fromMs) return found;
  for (const [start, end] of spansFrom(compileCalendar(calendar), fromMs)) {
    if (start >= toMs) break;
    const last = found[found.length - 1];
    if (last && last[1] === start) found[found.length - 1] = [last[0], Math.min(end, toMs)];
    else found.push([start, Math.min(end, toMs)]);
  }
  return found;
}

/**
 * {@link addBusinessTime} for the `business` basis, plain addition for `elapsed`.
 *
 * @example
 * ```ts
 * addTime('elapsed', calendar, firstContactAt, 15_000); // chat first response: 15 s of wall time
 * addTime('business', calendar, openedAt, 3_600_000); // after-sales application: 1 working hour
 * ```
 */
export function addTime(basis: ClockBasis, calendar: BusinessCalendar, from: Instant, ms: number): Date {
  if (basis === 'business') return addBusinessTime(calendar, from, ms);
  return new Date(epochMsOf(from, 'from') + durationOf(ms));
}

/** {@link businessTimeBetween} for the `business` basis, wall-clock milliseconds in `[from, to)` for `elapsed`. */
export function timeBetween(basis: ClockBasis, calendar: BusinessCalendar, from: Instant, to: Instant): number {
  if (basis === 'business') return businessTimeBetween(calendar, from, to);
  return Math.max(0, epochMsOf(to, 'to') - epochMsOf(from, 'from'));
}

/**
 * The local date (`YYYY-MM-DD`) of `at` in the calendar's time zone: the day a KPI or a holiday list counts it on.
 *
 * @example
 * ```ts
 * localDateOf(DEFAULT_BUSINESS_CALENDAR, new Date('2026-03-01T17:00:00Z')); // '2026-03-02' (01:00 in Shanghai)
 * ```
 */
export function localDateOf(calendar: BusinessCalendar, at: Instant): string {
  return formatLocalDate(localDayOf(compileCalendar(calendar).timeZone, epochMsOf(at)));
}
