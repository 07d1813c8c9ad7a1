import { addTime, epochMsOf, timeBetween, type ClockBasis, type Instant } from './business-time';
import type { BusinessCalendar } from './calendar';
import {
  SlaClockAlreadyBreached,
  SlaClockAlreadyMet,
  SlaClockAlreadyPaused,
  SlaClockAlreadyWarned,
  SlaClockHasNoWarning,
  SlaClockNotPaused,
  SlaClockTimeReversed,
  SlaTargetInvalid,
  SlaThresholdNotReached,
} from './errors';

/**
 * What a clock measures: a budget of time (business or elapsed, see {@link ClockBasis}) for one target of a policy,
 * e.g. `{ id: 'first-response', budgetMs: 3_600_000, basis: 'business', warnAtShare: 0.8 }`.
 */
export interface SlaTarget {
  /** The policy's name for the target (`first-response`, `resolution`, …); clocks are told apart by it. */
  readonly id: string;
  /** Whole milliseconds, more than 0. */
  readonly budgetMs: number;
  readonly basis: ClockBasis;
  /** Share of the budget (strictly between 0 and 1) whose use raises a warning, e.g. 0.8; no warning without it. */
  readonly warnAtShare?: number;
}

/** A stretch during which the clock ran, `[from, until)`, as ISO-8601 UTC instants. */
export interface SlaClockRun {
  readonly from: string;
  readonly until: string;
}

interface SlaClockRecord {
  readonly target: SlaTarget;
  readonly startedAt: string;
  /** Closed running stretches, oldest first; the one still running is `runningSince`. */
  readonly runs: readonly SlaClockRun[];
  /** The instant the warning share of the budget was used up, once a warning was recorded. */
  readonly warnedAt: string | null;
  /** The instant the whole budget was used up (the due time), once a breach was recorded or the clock was met late. */
  readonly breachedAt: string | null;
}

/** Running: `active` before its budget is used up, `breached` once a breach was recorded (it runs on, overdue). */
export interface RunningSlaClock extends SlaClockRecord {
  readonly status: 'active' | 'breached';
  readonly runningSince: string;
}

/** Stopped while waiting on the customer or a third party; uses none of its budget until resumed. */
export interface PausedSlaClock extends SlaClockRecord {
  readonly status: 'paused';
  readonly pausedSince: string;
}

/** Final: the target was achieved at `metAt`, `late` when its whole budget had been used by then. */
export interface MetSlaClock extends SlaClockRecord {
  readonly status: 'met';
  readonly metAt: string;
  readonly late: boolean;
}

/**
 * One SLA clock as plain, immutable, JSON-serialisable data (instants are ISO-8601 UTC strings), to keep inside
 * event-sourced state and events. Every change is a pure function returning a new clock; what depends on the
 * calendar (consumed time, due time) is derived with the calendar passed in, so a clock never stores a calendar.
 */
export type SlaClock = RunningSlaClock | PausedSlaClock | MetSlaClock;
export type SlaClockStatus = SlaClock['status'];

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (text: string) => Date.parse(text);

function validTarget(target: SlaTarget): SlaTarget {
  const { id, budgetMs, basis, warnAtShare } = target;
  if (typeof id !== 'string' || id.trim().length === 0) throw new SlaTargetInvalid('the id is empty');
  if (typeof budgetMs !== 'number' || !Number.isSafeInteger(budgetMs) || budgetMs <= 0)
    throw new SlaTargetInvalid(`the budget must be a positive whole number of ms (got ${String(budgetMs)})`);
  if (basis !== 'business' && basis !== 'elapsed')
    throw new SlaTargetInvalid(`the basis must be business or elapsed (got ${String(basis)})`);
  if (warnAtShare === undefined) return { id, budgetMs, basis };
  if (typeof warnAtShare !== 'number' || !(warnAtShare > 0 && warnAtShare < 1))
    throw new SlaTargetInvalid(`the warning share must be between 0 and 1 (got ${String(warnAtShare)})`);
  return { id, budgetMs, basis, warnAtShare };
}

/** The budget at which the target warns: its share of the budget, at least 1 ms; `null` without a share. */
function warningBudgetMs(target: SlaTarget): number | null {
  if (target.warnAtShare === undefined) return null;
  return Math.max(1, Math.round(target.budgetMs * target.warnAtShare));
}

function assertNotMet(clock: SlaClock): asserts clock is RunningSlaClock | PausedSlaClock {
  if (clock.status === 'met') throw new SlaClockAlreadyMet(clock.target.id, clock.metAt);
}

/** The instant of the clock's latest start, pause or resume: changes are dated at or after it. */
function latestChange(clock: RunningSlaClock | PausedSlaClock): string {
  return clock.status === 'paused' ? clock.pausedSince : clock.runningSince;
}

function atOrAfterLatestChange(clock: RunningSlaClock | PausedSlaClock, at: Instant): number {
  const atMs = epochMsOf(at);
  const latest = latestChange(clock);
  if (atMs < ms(latest)) throw new SlaClockTimeReversed(clock.target.id, iso(atMs), latest);
  return atMs;
}

/**
 * Starts a clock for `target` at `at`.
 *
 * @example
 * ```ts
 * const clock = SlaClock.start({ id: 'first-response', budgetMs: 3_600_000, basis: 'business', warnAtShare: 0.8 }, openedAt);
 * ```
 */
function start(target: SlaTarget, at: Instant): RunningSlaClock {
  const startedAt = iso(epochMsOf(at));
  return {
    status: 'active',
    target: validTarget(target),
    startedAt,
    runs: [],
    runningSince: startedAt,
    warnedAt: null,
    breachedAt: null,
  };
}

/** Stops the clock at `at` (waiting on the customer or a third party). Refused when paused already or met. */
function pause(clock: SlaClock, at: Instant): PausedSlaClock {
  assertNotMet(clock);
  if (clock.status === 'paused') throw new SlaClockAlreadyPaused(clock.target.id, clock.pausedSince);
  const pausedSince = iso(atOrAfterLatestChange(clock, at));
  const { runningSince, status: _status, ...record } = clock;
  return {
    ...record,
    status: 'paused',
    runs: [...clock.runs, { from: runningSince, until: pausedSince }],
    pausedSince,
  };
}

/** Runs the clock again from `at` (the reply came). Refused when it is running or met. */
function resume(clock: SlaClock, at: Instant): RunningSlaClock {
  assertNotMet(clock);
  if (clock.status !== 'paused') throw new SlaClockNotPaused(clock.target.id);
  const runningSince = iso(atOrAfterLatestChange(clock, at));
  const { pausedSince: _pausedSince, status: _status, ...record } = clock;
  return { ...record, status: clock.breachedAt === null ? 'active' : 'breached', runningSince };
}

/**
 * The target is achieved at `at`: the clock stops for good. It is met `late` when its whole budget was used by then
 * (a breach recorded or not); a late clock also records when it fell due (`breachedAt`).
 */
function meet(clock: SlaClock, calendar: BusinessCalendar, at: Instant): MetSlaClock {
  assertNotMet(clock);
  const metAtMs = atOrAfterLatestChange(clock, at);
  const metAt = iso(metAtMs);
  const runs = clock.status === 'paused' ? clock.runs : [...clock.runs, { from: clock.runningSince, until: metAt }];
  const used = runsConsumed(clock.target.basis, calendar, runs, null, metAtMs);
  const late = clock.breachedAt !== null || used >= clock.target.budgetMs;
  const breachedAt =
    clock.breachedAt ?? (late ? instantOfUse(clock.target, calendar, runs, null, clock.target.budgetMs) : null);
  return {
    status: 'met',
    target: clock.target,
    startedAt: clock.startedAt,
    runs,
    warnedAt: clock.warnedAt,
    breachedAt,
    metAt,
    late,
  };
}

/**
 * Records the warning, once: refused before the warning share of the budget is used, without a share, or when met.
 * `warnedAt` is the instant the share ran out, which a late timer does not move.
 */
function recordWarning(clock: SlaClock, calendar: BusinessCalendar, at: Instant): SlaClock {
  assertNotMet(clock);
  const threshold = warningBudgetMs(clock.target);
  if (threshold === null) throw new SlaClockHasNoWarning(clock.target.id);
  if (clock.warnedAt !== null) throw new SlaClockAlreadyWarned(clock.target.id, clock.warnedAt);
  const used = consumed(clock, calendar, at);
  if (used < threshold) throw new SlaThresholdNotReached(clock.target.id, 'warning', used, threshold);
  return { ...clock, warnedAt: thresholdInstant(clock, calendar, threshold) };
}

/**
 * Records the breach, once: refused before the whole budget is used or when met. A running clock becomes `breached`
 * and runs on; a paused one (paused after its budget ran out, before the breach was recorded) stays paused.
 * `breachedAt` is the due time, which a late timer does not move.
 */
function recordBreach(clock: SlaClock, calendar: BusinessCalendar, at: Instant): SlaClock {
  assertNotMet(clock);
  if (clock.breachedAt !== null) throw new SlaClockAlreadyBreached(clock.target.id, clock.breachedAt);
  const used = consumed(clock, calendar, at);
  if (used < clock.target.budgetMs)
    throw new SlaThresholdNotReached(clock.target.id, 'breach', used, clock.target.budgetMs);
  const breachedAt = thresholdInstant(clock, calendar, clock.target.budgetMs);
  return clock.status === 'paused' ? { ...clock, breachedAt } : { ...clock, status: 'breached', breachedAt };
}

function openRunStart(clock: SlaClock): number | null {
  return clock.status === 'active' || clock.status === 'breached' ? ms(clock.runningSince) : null;
}

function runsConsumed(
  basis: ClockBasis,
  calendar: BusinessCalendar,
  runs: readonly SlaClockRun[],
  runningSince: number | null,
  atMs: number,
): number {
  let total = 0;
  for (const run of runs) {
    const from = ms(run.from);
    if (from >= atMs) break;
    total += timeBetween(basis, calendar, from, Math.min(ms(run.until), atMs));
  }
  if (runningSince !== null && runningSince < atMs) total += timeBetween(basis, calendar, runningSince, atMs);
  return total;
}

/**
 * Time the clock has used by `at`, in ms of its basis: the running stretches up to `at`, pauses excluded (a met
 * clock's stops growing at `metAt`).
 */
function consumed(clock: SlaClock, calendar: BusinessCalendar, at: Instant): number {
  return runsConsumed(clock.target.basis, calendar, clock.runs, openRunStart(clock), epochMsOf(at));
}

/** Budget left at `at` in ms of the clock's basis; negative once overdue. */
function remaining(clock: SlaClock, calendar: BusinessCalendar, at: Instant): number {
  return clock.target.budgetMs - consumed(clock, calendar, at);
}

/** The instant the clock's use reaches `budget`, or `null` when it has not and the clock is not running. */
function instantOfUse(
  target: SlaTarget,
  calendar: BusinessCalendar,
  runs: readonly SlaClockRun[],
  runningSince: number | null,
  budget: number,
): string | null {
  let used = 0;
  for (const run of runs) {
    const inRun = timeBetween(target.basis, calendar, ms(run.from), ms(run.until));
    if (used + inRun >= budget) return addTime(target.basis, calendar, ms(run.from), budget - used).toISOString();
    used += inRun;
  }
  if (runningSince === null) return null;
  return addTime(target.basis, calendar, runningSince, budget - used).toISOString();
}

function thresholdInstant(clock: SlaClock, calendar: BusinessCalendar, budget: number): string {
  const instant = instantOfUse(clock.target, calendar, clock.runs, openRunStart(clock), budget);
  // Only called once `consumed` reached `budget`, so the runs reach it too.
  if (instant === null) throw new Error(`unreachable: ${budget} ms were consumed but never reached`);
  return instant;
}

/**
 * When the whole budget is (or was) used up if the clock runs on without another pause: the time its breach timer
 * is set for. `null` while it is paused, or met, with budget left.
 */
function dueAt(clock: SlaClock, calendar: BusinessCalendar): Date | null {
  const instant = instantOfUse(clock.target, calendar, clock.runs, openRunStart(clock), clock.target.budgetMs);
  return instant === null ? null : new Date(instant);
}

/** When the warning share of the budget is (or was) used up, like {@link dueAt}; `null` also without a share. */
function warnAt(clock: SlaClock, calendar: BusinessCalendar): Date | null {
  const threshold = warningBudgetMs(clock.target);
  if (threshold === null) return null;
  const instant = instantOfUse(clock.target, calendar, clock.runs, openRunStart(clock), threshold);
  return instant === null ? null : new Date(instant);
}

/**
 * Whether the clock is breached at `at`: its whole budget used without being met (a breach recorded or not), or met
 * late. At its due instant a clock is breached: being met exactly then is late.
 */
function breached(clock: SlaClock, calendar: BusinessCalendar, at: Instant): boolean {
  if (clock.breachedAt !== null) return true;
  if (clock.status === 'met') return clock.late;
  return consumed(clock, calendar, at) >= clock.target.budgetMs;
}

/**
 * The status at `at`: the recorded one, except that a running clock whose budget is used up is `breached` before
 * its breach is recorded (between the due time and the timer that records it).
 */
function statusAt(clock: SlaClock, calendar: BusinessCalendar, at: Instant): SlaClockStatus {
  if (clock.status !== 'active') return clock.status;
  return consumed(clock, calendar, at) >= clock.target.budgetMs ? 'breached' : 'active';
}

/**
 * The SLA clock's functions, over {@link SlaClock} values: `start`, `pause`, `resume`, `meet`, `recordWarning` and
 * `recordBreach` return a new clock (or throw a `DomainError` naming the rule); `consumed`, `remaining`, `dueAt`,
 * `warnAt`, `breached` and `statusAt` derive figures with a calendar.
 *
 * @example
 * ```ts
 * let clock = SlaClock.start({ id: 'resolution', budgetMs: 8 * 3_600_000, basis: 'business' }, openedAt);
 * clock = SlaClock.pause(clock, askedCustomerAt);
 * clock = SlaClock.resume(clock, customerRepliedAt);
 * SlaClock.dueAt(clock, calendar); // later by exactly the business time the customer took to reply
 * ```
 */
export const SlaClock = {
  start,
  pause,
  resume,
  meet,
  recordWarning,
  recordBreach,
  consumed,
  remaining,
  dueAt,
  warnAt,
  breached,
  statusAt,
  warningBudgetMs,
} as const;
