/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl` (no time-zone database of our own): the offset of
 * a zone at an instant, the local day an instant falls on, and the instant a local wall-clock time names.
 *
 * Local times are handled as "local milliseconds": the wall-clock reading written as if it were UTC
 * (`Date.UTC(y, m - 1, d, hh, mm)`), so a local day is `floor(localMs / DAY)` and day arithmetic is integer arithmetic.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * No zone's offset from UTC exceeds this (today's extremes are −12 h and +14 h; the largest historical local mean
 * times stay below 16 h). An instant named by a local time `L` therefore lies within `L ± MAX_OFFSET_MS`.
 */
export const MAX_OFFSET_MS = 16 * HOUR_MS;

/** Instants this library computes with: 1900-01-01 to 9999-12-30 (UTC), four-digit years in every zone. */
export const EARLIEST_INSTANT_MS = Date.UTC(1900, 0, 1);
export const LATEST_INSTANT_MS = Date.UTC(9999, 11, 30);

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Whether `name` is an IANA time zone (`Asia/Shanghai`, `Europe/Berlin`, `UTC`) that this runtime's `Intl` knows.
 * Fixed offsets such as `+08:00` are refused: they have no daylight-saving rules, so a calendar in one would silently
 * drift by an hour twice a year in every region that has them.
 */
export function isTimeZone(name: string): boolean {
  if (name.length === 0 || /^[+-]/.test(name)) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The offset of `timeZone` from UTC at `epochMs`, in ms (local = UTC + offset; Asia/Shanghai: +8 h). */
export function offsetAt(timeZone: string, epochMs: number): number {
  const parts = formatterFor(timeZone).formatToParts(epochMs);
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  // The formatter shows whole seconds; compare with the instant truncated to its second.
  return wall - (epochMs - mod(epochMs, 1000));
}

/** The local wall-clock reading of `epochMs` in `timeZone`, as local milliseconds. */
export function localMsOf(timeZone: string, epochMs: number): number {
  return epochMs + offsetAt(timeZone, epochMs);
}

/** The local day (days since 1970-01-01 on the zone's calendar) that `epochMs` falls on. */
export function localDayOf(timeZone: string, epochMs: number): number {
  return Math.floor(localMsOf(timeZone, epochMs) / DAY_MS);
}

const instantCache = new Map<string, Map<number, number>>();
const INSTANT_CACHE_LIMIT = 50_000;

/**
 * The instant a local wall-clock time names in `timeZone`, with the disambiguation of Temporal's `'compatible'`
 * (and of most calendar software):
 * - a time that occurs twice (clocks turned back) names its **earlier** occurrence;
 * - a time that never occurs (clocks turned forward) is moved **forward by the gap**: 02:30 on the day New York
 *   springs from 02:00 to 03:00 names 03:30 EDT.
 * Assumes a zone changes its offset at most once within 48 hours, which holds for every zone in the IANA database.
 */
export function instantOf(timeZone: string, localMs: number): number {
  let cache = instantCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    instantCache.set(timeZone, cache);
  }
  const cached = cache.get(localMs);
  if (cached !== undefined) return cached;
  const instant = resolveLocal(timeZone, localMs);
  if (cache.size >= INSTANT_CACHE_LIMIT) cache.clear();
  cache.set(localMs, instant);
  return instant;
}

function resolveLocal(timeZone: string, localMs: number): number {
  // A day either side of any instant `localMs` can name: the offsets in force before and after a nearby transition.
  const before = offsetAt(timeZone, localMs - DAY_MS);
  const after = offsetAt(timeZone, localMs + DAY_MS);
  const earlier = localMs - before;
  const earlierValid = offsetAt(timeZone, earlier) === before;
  if (before === after && earlierValid) return earlier;
  const later = localMs - after;
  const laterValid = offsetAt(timeZone, later) === after;
  if (earlierValid && laterValid) return Math.min(earlier, later);
  if (earlierValid) return earlier;
  if (laterValid) return later;
  // In the gap: read with the offset from before the transition, the wall time lands as far after the gap's end as
  // it was after the gap's start.
  return earlier;
}

/** Local milliseconds of `day` (days since 1970-01-01) at `minutes` past local midnight. */
export function localMsAt(day: number, minutes: number): number {
  return day * DAY_MS + minutes * MINUTE_MS;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a local day; 1970-01-01 was a Thursday. */
export function isoWeekdayOf(day: number): number {
  return mod(day + 3, 7) + 1;
}

/** `'YYYY-MM-DD'` → local day number, or `undefined` when it is not a date of the Gregorian calendar. */
export function parseLocalDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

/** Local day number → `'YYYY-MM-DD'`. */
export function formatLocalDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
