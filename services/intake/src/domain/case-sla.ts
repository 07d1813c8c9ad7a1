import type { CommandContext } from '@aftersales/domain';
import { isBusinessTime, nextBusinessInstant, SlaClock, type SlaTarget } from '@aftersales/business-time';
import type { SolutionKind } from '@aftersales/contracts';
import type { AcknowledgeCase, SlaClockRef } from './case.commands';
import { CaseRuleBroken } from './case.errors';
import type { CaseEvent, SlaClockEvent } from './case.events';
import { evolve, type CaseState, type OpenedCaseState } from './case.state';
import { isOpenClock, isRunningClock, type CaseSlaClock } from './sla-clocks';
import { budgetMs, slaClockIds, targetFor, type SlaClockId, type SlaFacts, type SlaPolicy } from './sla-policy';

/**
 * The SLA clock rules of a case (domain.md §1; seed 000 §2.1, §2.3), applied by the Case decider after each decision
 * with the tenant's {@link SlaPolicy} (calendar included), so the decider stays pure:
 *
 * | clock             | starts                                                                   | met by                                  |
 * | ----------------- | ------------------------------------------------------------------------ | --------------------------------------- |
 * | `first_response`  | opening                                                                  | the first response                      |
 * | `next_response`   | a customer's message once the case had its first response, none waiting | the agent's next outbound message       |
 * | `first_dispatch`  | the case needs another department (its category, or the solution kind)   | the first collaboration request         |
 * | `resolution`      | opening, reopening                                                       | the resolution                          |
 * | `progress_update` | while the case is complex (its category, or a collaboration requested)   | each outbound update, which restarts it |
 *
 * A clock starts only when a target of the policy matches the case (channel, category, priority, off hours at the
 * start). Every running clock pauses when the case starts waiting on the customer or a third party and resumes when
 * the wait ends; a clock started while the case waits starts paused. The resolution tells the customer the outcome:
 * every clock still counting is met then (late if its budget was used up).
 */
export function clockReactions(
  before: CaseState,
  decided: readonly CaseEvent[],
  policy: SlaPolicy,
  now: Date,
): SlaClockEvent[] {
  const after = decided.reduce(evolve, before);
  if (after.status === 'none') return [];
  const run = new Reactions(after, policy, now);
  run.followWaiting(before.status !== 'none' && before.case.waiting !== null);
  run.meetOn(decided);
  run.startOn(decided);
  return run.events;
}

/** The SLA events of one decision, each applied to the case as it is emitted so the next rule sees it. */
class Reactions {
  readonly events: SlaClockEvent[] = [];
  private readonly at: string;

  constructor(
    private state: OpenedCaseState,
    private readonly policy: SlaPolicy,
    private readonly now: Date,
  ) {
    this.at = now.toISOString();
  }

  private get caseId(): string {
    return this.state.case.caseId;
  }

  private clockOf(clockId: SlaClockId): CaseSlaClock | undefined {
    return this.state.case.slaClocks[clockId];
  }

  private emit(event: SlaClockEvent): void {
    this.events.push(event);
    this.state = evolve(this.state, event) as OpenedCaseState;
  }

  /** Waiting on the customer or a third party pauses every running clock; its end resumes them. */
  followWaiting(wasWaiting: boolean): void {
    const waits = this.state.case.waiting !== null;
    if (wasWaiting === waits) return;
    const { caseId, at } = this;
    for (const clockId of slaClockIds) {
      const current = this.clockOf(clockId);
      if (waits && isRunningClock(current)) {
        this.emit({ type: 'SlaClockPaused', data: { caseId, clockId, at } });
      } else if (!waits && current?.clock.status === 'paused') {
        const resumed = SlaClock.resume(current.clock, this.now);
        const dueAt = isoOf(SlaClock.dueAt(resumed, this.policy.calendar));
        this.emit({ type: 'SlaClockResumed', data: { caseId, clockId, at, dueAt } });
      }
    }
  }

  /** The first response, an agent's reply, the first collaboration request and the resolution meet their clocks. */
  meetOn(decided: readonly CaseEvent[]): void {
    for (const event of decided) {
      switch (event.type) {
        case 'CaseFirstResponseGiven':
          this.meet('first_response');
          break;
        case 'CaseCommunicationRecorded':
          if (event.data.direction === 'outbound' && event.data.author.kind === 'agent') {
            this.meet('next_response');
            this.meet('progress_update');
          }
          break;
        case 'CaseCollaborationRequested':
          this.meet('first_dispatch');
          break;
        case 'CaseResolved':
          for (const clockId of slaClockIds) this.meet(clockId);
          break;
        default:
          break;
      }
    }
  }

  private meet(clockId: SlaClockId): void {
    const current = this.clockOf(clockId);
    if (!isOpenClock(current)) return;
    const { calendar } = this.policy;
    const met = SlaClock.meet(current.clock, calendar, this.now);
    const consumedMs = SlaClock.consumed(met, calendar, this.now);
    this.emit({ type: 'SlaClockMet', data: { caseId: this.caseId, clockId, at: this.at, late: met.late, consumedMs } });
  }

  /** Starts the clocks the decision calls for, on a case still being worked on. */
  startOn(decided: readonly CaseEvent[]): void {
    if (this.state.status === 'resolved' || this.state.status === 'closed') return;
    const happened = (type: CaseEvent['type']) => decided.some((e) => e.type === type);
    const customerWrote = decided.some((e) => e.type === 'CaseCommunicationRecorded' && e.data.direction === 'inbound');
    if (happened('CaseOpened')) this.start('first_response');
    if (happened('CaseOpened') || happened('CaseReopened')) this.start('resolution');
    if (customerWrote && this.state.case.firstResponse && !isOpenClock(this.clockOf('next_response'))) {
      this.start('next_response');
    }
    if (needsDispatch(this.state, this.policy) && this.clockOf('first_dispatch') === undefined) {
      this.start('first_dispatch');
    }
    if (isComplex(this.state, this.policy) && !isOpenClock(this.clockOf('progress_update'))) {
      this.start('progress_update');
    }
  }

  /** Starts `clockId` if a target of the policy matches the case now; paused at once while the case waits. */
  private start(clockId: SlaClockId): void {
    const { policy, now, caseId, at } = this;
    const rule = targetFor(policy, clockId, factsOf(this.state, now, policy));
    if (!rule) return;
    const target: SlaTarget = {
      id: clockId,
      budgetMs: budgetMs(rule.budget, policy.calendar),
      basis: rule.basis,
      warnAtShare: policy.warningShare,
    };
    const clock = SlaClock.start(target, now);
    this.emit({
      type: 'SlaClockStarted',
      data: {
        caseId,
        clockId,
        basis: target.basis,
        budgetMs: target.budgetMs,
        at,
        dueAt: isoOf(SlaClock.dueAt(clock, policy.calendar)),
        warnAt: isoOf(SlaClock.warnAt(clock, policy.calendar)),
        warnAtShare: policy.warningShare,
      },
    });
    if (this.state.case.waiting) this.emit({ type: 'SlaClockPaused', data: { caseId, clockId, at } });
  }
}

const isoOf = (instant: Date | null): string => {
  // A running clock always has a due and (with the policy's share) a warning instant.
  if (instant === null) throw new Error('unreachable: a running clock without a due instant');
  return instant.toISOString();
};

/** What a clock's target is chosen by, now. */
export function factsOf(state: OpenedCaseState, now: Date, policy: SlaPolicy): SlaFacts {
  const { opened, classification } = state.case;
  return {
    channel: opened.channel,
    category: classification?.category ?? opened.problemType,
    priority: opened.priority ?? 'normal',
    offHours: !isBusinessTime(policy.calendar, now),
  };
}

/**
 * Solutions carried out by another department (warehouse, logistics, merchant): goods move, are repaired or shipped
 * faster. A refund, a compensation, an order change, an invoice or an explanation is the customer service's own act.
 */
export const dispatchSolutionKinds: readonly SolutionKind[] = [
  'return_and_refund',
  'exchange',
  'repair',
  'reship',
  'expedite_shipping',
];

/** The case needs another department and none was asked yet (seed 000 §2.1 「需要內部流轉處理的複雜問題」). */
export function needsDispatch(state: OpenedCaseState, policy: SlaPolicy): boolean {
  const { collaborations, acceptedSolution } = state.case;
  if (collaborations.length > 0) return false;
  const category = state.case.classification?.category ?? state.case.opened.problemType;
  return (
    policy.dispatchCategories.includes(category) ||
    (acceptedSolution !== null && dispatchSolutionKinds.includes(acceptedSolution.solution.kind))
  );
}

/** A complex case (seed 000 §2.3): its category needs investigation or a third party, or a third party was asked. */
export function isComplex(state: OpenedCaseState, policy: SlaPolicy): boolean {
  const category = state.case.classification?.category ?? state.case.opened.problemType;
  return policy.complexCategories.includes(category) || state.case.collaborations.length > 0;
}

/**
 * The clock a timer was set for, if it is still that start of it (a restarted clock has timers of its own) and the
 * tenant runs clocks.
 */
function timedClock(
  state: OpenedCaseState,
  ref: SlaClockRef,
  policy: SlaPolicy | null,
  command: string,
): { clock: CaseSlaClock; policy: SlaPolicy } {
  const current = state.case.slaClocks[ref.clockId];
  if (!policy || !current || current.instance !== ref.instance) {
    throw new CaseRuleBroken(
      'slaTimerStale',
      `${command}: ${ref.clockId} #${ref.instance} is not the case's clock (now ${current ? `#${current.instance}` : 'none'})`,
    );
  }
  return { clock: current, policy };
}

/**
 * The warning timer fired: the clock, re-checked now, used its warning share (`SLA_CLOCK.*` refusals of
 * `@aftersales/business-time` otherwise: met, warned already, share not used yet). A paused clock warns after it runs
 * again (its resumption sets a new timer).
 */
export function recordWarning(
  state: OpenedCaseState,
  ref: SlaClockRef,
  context: CommandContext,
  policy: SlaPolicy | null,
) {
  const { clock: current, policy: sla } = timedClock(state, ref, policy, 'RecordSlaWarning');
  if (current.clock.status === 'paused') {
    throw new CaseRuleBroken('slaClockPaused', `RecordSlaWarning: ${ref.clockId} is paused`);
  }
  const warned = SlaClock.recordWarning(current.clock, sla.calendar, context.now);
  const event: SlaClockEvent = {
    type: 'SlaClockWarned',
    data: {
      caseId: state.case.caseId,
      clockId: ref.clockId,
      at: warned.warnedAt as string,
      dueAt: isoOf(SlaClock.dueAt(warned, sla.calendar)),
    },
  };
  return [event];
}

/** The breach timer fired: the clock, re-checked now, used its whole budget without being met. */
export function recordBreach(
  state: OpenedCaseState,
  ref: SlaClockRef,
  context: CommandContext,
  policy: SlaPolicy | null,
) {
  const { clock: current, policy: sla } = timedClock(state, ref, policy, 'RecordSlaBreach');
  const breached = SlaClock.recordBreach(current.clock, sla.calendar, context.now);
  const dueAt = breached.breachedAt as string;
  const event: SlaClockEvent = {
    type: 'SlaClockBreached',
    data: { caseId: state.case.caseId, clockId: ref.clockId, at: dueAt, dueAt },
  };
  return [event];
}

/** A rung's deadline passed: the clock must still be breached and not met for the case to go up. */
export function overdueClock(state: OpenedCaseState, ref: SlaClockRef, policy: SlaPolicy | null): CaseSlaClock {
  const { clock: current } = timedClock(state, ref, policy, 'EscalateSlaBreach');
  if (current.clock.status === 'met' || current.clock.breachedAt === null) {
    throw new CaseRuleBroken(
      'slaClockNotBreached',
      `EscalateSlaBreach: ${ref.clockId} is ${current.clock.status === 'met' ? 'met' : 'not breached'}`,
    );
  }
  return current;
}

/**
 * A case opened outside the tenant's business hours is acknowledged at once, automatically, saying from when it will be
 * handled (seed 002 §1.1: 「在午休或下班时间,可设置自动回复告知买家会在特定时间内处理售后问题」): the next business
 * instant of the calendar. `null` within business hours: an agent acknowledges it.
 */
export function offHoursAcknowledgement(policy: SlaPolicy, now: Date): AcknowledgeCase['data'] | null {
  const { calendar } = policy;
  if (isBusinessTime(calendar, now)) return null;
  const handledFrom = nextBusinessInstant(calendar, now);
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: calendar.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(handledFrom);
  return {
    message: `We have received your request outside our service hours. It will be handled from ${local} (${calendar.timeZone}).`,
    expectedCycle: null,
    nextStep: 'An agent takes up your request when service hours start',
    automatic: true,
    handledFrom: handledFrom.toISOString(),
  };
}
