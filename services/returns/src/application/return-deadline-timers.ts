import { cancelTimers, scheduleTimers, type Queryable, type Timer } from '@aftersales/eventstore';
import type { ReturnDeadline } from '@aftersales/contracts';
import type { ReturnEvent } from '../domain/return-request.decider';

/** The kinds of the service's durable timers. */
export const returnTimerKinds = {
  /** A deadline's due instant: `RecordDeadlineBreach` on the return. */
  deadline: 'return-deadline',
  /** A breached deadline's notice to the supervisor, delivered once. */
  notice: 'return-deadline-notice',
} as const;

export interface DeadlineTimerPayload {
  readonly returnId: string;
  readonly deadline: ReturnDeadline;
}

/** What the supervisor's webhook receives about a breached deadline (ids and instants only: no personal data). */
export interface DeadlineNotice {
  readonly key: string;
  readonly tenant: string;
  readonly returnId: string;
  readonly caseId: string | null;
  readonly deadline: ReturnDeadline;
  readonly dueAt: string;
  readonly rung: 'supervisor';
}

const deadlineTimerId = (returnId: string, deadline: ReturnDeadline) => `return-deadline:${returnId}:${deadline}`;

/**
 * The durable timers a return's new events ask for, in the transaction that appends them (so they exist exactly when
 * the events do; a retried command schedules the same ids): a started deadline's timer at its due instant, cancelled
 * when it is met; a breach's notice to the supervisor, due at once. What the events ask of one timer is decided in
 * their order (the last word counts), then written in at most two statements: the cancels, then the schedules.
 */
export async function scheduleDeadlineTimers(
  tx: Queryable,
  tenant: string,
  events: readonly ReturnEvent[],
  now: Date,
): Promise<void> {
  const plans = new Map<string, Timer | 'cancel'>();
  for (const event of events) {
    if (event.type === 'ReturnDeadlineSet') {
      const { returnId, deadline, dueAt } = event.data;
      const payload: DeadlineTimerPayload = { returnId, deadline };
      const id = deadlineTimerId(returnId, deadline);
      plans.set(id, { id, tenant, kind: returnTimerKinds.deadline, dueAt: new Date(dueAt), payload });
    } else if (event.type === 'ReturnDeadlineMet') {
      plans.set(deadlineTimerId(event.data.returnId, event.data.deadline), 'cancel');
    } else if (event.type === 'ReturnDeadlineBreached') {
      const { returnId, caseId, deadline, dueAt } = event.data;
      const key = `notify:${deadlineTimerId(returnId, deadline)}`;
      const notice: DeadlineNotice = { key, tenant, returnId, caseId, deadline, dueAt, rung: 'supervisor' };
      plans.set(key, { id: key, tenant, kind: returnTimerKinds.notice, dueAt: now, payload: notice });
    }
  }
  const cancels: string[] = [];
  const schedules: Timer[] = [];
  for (const [id, plan] of plans)
    if (plan === 'cancel') cancels.push(id);
    else schedules.push(plan);
  await cancelTimers(tx, cancels);
  if (schedules.length > 0) await scheduleTimers(tx, schedules);
}
