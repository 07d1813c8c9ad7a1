import { cancelTimer, scheduleTimer, type Queryable } from '@aftersales/eventstore';
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
 * when it is met; a breach's notice to the supervisor, due at once.
 */
export async function scheduleDeadlineTimers(
  tx: Queryable,
  tenant: string,
  events: readonly ReturnEvent[],
  now: Date,
): Promise<void> {
  for (const event of events) {
    if (event.type === 'ReturnDeadlineSet') {
      const { returnId, deadline, dueAt } = event.data;
      const payload: DeadlineTimerPayload = { returnId, deadline };
      await scheduleTimer(tx, {
        id: deadlineTimerId(returnId, deadline),
        tenant,
        kind: returnTimerKinds.deadline,
        dueAt: new Date(dueAt),
        payload,
      });
    } else if (event.type === 'ReturnDeadlineMet') {
      await cancelTimer(tx, deadlineTimerId(event.data.returnId, event.data.deadline));
    } else if (event.type === 'ReturnDeadlineBreached') {
      const { returnId, caseId, deadline, dueAt } = event.data;
      const key = `notify:${deadlineTimerId(returnId, deadline)}`;
      const notice: DeadlineNotice = { key, tenant, returnId, caseId, deadline, dueAt, rung: 'supervisor' };
      await scheduleTimer(tx, { id: key, tenant, kind: returnTimerKinds.notice, dueAt: now, payload: notice });
    }
  }
}
