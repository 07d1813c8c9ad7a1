import { assertNever } from '@aftersales/domain';
import {
  SlaClock,
  type MetSlaClock,
  type PausedSlaClock,
  type RunningSlaClock,
  type SlaTarget,
} from '@aftersales/business-time';
import type { SlaClockEvent } from './case.events';
import type { SlaClockId } from './sla-policy';

/**
 * One clock of a case as its state holds it: the clock (`SlaClock` of `@aftersales/business-time`, plain data), which
 * start of that clock it is (`instance`: 1, then 2 after a restart…; timers are set per instance), and its due instant as
 * of its latest start or resume (kept so that a clock met late records when it fell due without a calendar).
 */
export interface CaseSlaClock {
  readonly clockId: SlaClockId;
  readonly instance: number;
  readonly clock: SlaClock;
  /** When the whole budget is (or was) used if the clock runs on; `null` while paused with budget left. */
  readonly dueAt: string | null;
}

/** The case's clocks by id: the latest instance of each clock that was ever started. */
export type CaseSlaClocks = Readonly<Partial<Record<SlaClockId, CaseSlaClock>>>;

/** Whether the clock still counts: running (on time or breached) or paused. */
export const isOpenClock = (clock: CaseSlaClock | undefined): clock is CaseSlaClock =>
  clock !== undefined && clock.clock.status !== 'met';

/** Whether the clock is running now (on time or breached). */
export const isRunningClock = (clock: CaseSlaClock | undefined): clock is CaseSlaClock =>
  clock !== undefined && (clock.clock.status === 'active' || clock.clock.status === 'breached');

/**
 * Applies one SLA clock event to the case's clocks. Like the rest of `evolve` it never throws: an event that does not
 * fit the clock (impossible in a stream written by `decide`) leaves the clocks as they are. Nothing here needs the
 * calendar: the events carry what was derived with it (due instants, lateness, consumption).
 */
export function evolveSlaClocks(clocks: CaseSlaClocks, event: SlaClockEvent): CaseSlaClocks {
  const { clockId } = event.data;
  const current = clocks[clockId];
  if (event.type === 'SlaClockStarted') {
    const { budgetMs, basis, warnAtShare, dueAt, at } = event.data;
    const target: SlaTarget = { id: clockId, budgetMs, basis, warnAtShare };
    const started = {
      clockId,
      instance: (current?.instance ?? 0) + 1,
      clock: SlaClock.start(target, Date.parse(at)),
      dueAt,
    };
    return { ...clocks, [clockId]: started };
  }
  if (!current || current.clock.status === 'met') return clocks;
  const next = changed(current, current.clock, event);
  return next === current ? clocks : { ...clocks, [clockId]: next };
}

/** A started clock, not met yet, after `event`; itself when the event does not fit it. */
function changed(
  current: CaseSlaClock,
  clock: RunningSlaClock | PausedSlaClock,
  event: Exclude<SlaClockEvent, { type: 'SlaClockStarted' }>,
): CaseSlaClock {
  const atMs = Date.parse(event.data.at);
  switch (event.type) {
    case 'SlaClockPaused': {
      if (clock.status === 'paused' || atMs < Date.parse(clock.runningSince)) return current;
      // A pause after the due instant leaves it where it was: the budget ran out before the pause.
      const dueAt = current.dueAt !== null && Date.parse(current.dueAt) <= atMs ? current.dueAt : null;
      return { ...current, clock: SlaClock.pause(clock, atMs), dueAt };
    }
    case 'SlaClockResumed':
      if (clock.status !== 'paused' || atMs < Date.parse(clock.pausedSince)) return current;
      return { ...current, clock: SlaClock.resume(clock, atMs), dueAt: event.data.dueAt };
    case 'SlaClockWarned':
      return { ...current, clock: { ...clock, warnedAt: event.data.at } };
    case 'SlaClockBreached': {
      const breachedAt = event.data.dueAt;
      const breached: SlaClock =
        clock.status === 'paused' ? { ...clock, breachedAt } : { ...clock, status: 'breached', breachedAt };
      return { ...current, clock: breached, dueAt: breachedAt };
    }
    case 'SlaClockMet': {
      const { at, late } = event.data;
      const runs = clock.status === 'paused' ? clock.runs : [...clock.runs, { from: clock.runningSince, until: at }];
      const met: MetSlaClock = {
        status: 'met',
        target: clock.target,
        startedAt: clock.startedAt,
        runs,
        warnedAt: clock.warnedAt,
        breachedAt: clock.breachedAt ?? (late ? current.dueAt : null),
        metAt: at,
        late,
      };
      return { ...current, clock: met };
    }
    default:
      return assertNever(event);
  }
}
