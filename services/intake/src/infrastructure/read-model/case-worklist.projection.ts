import type { Pool } from 'pg';
import { assertNever } from '@aftersales/domain';
import {
  projectionSubscription,
  type DurableSubscription,
  type ProjectionDefinition,
  type Queryable,
  type StoredEvent,
} from '@aftersales/eventstore';
import type { BackgroundWorker, WorkerContext } from '@aftersales/service-runtime';
import type { CaseEvent, SlaClockEvent } from '../../domain/case.events';
import type { ComplaintEvent } from '../../domain/complaint.events';
import { foldCaseStream } from './case-worklist.fold';

/** Name (and checkpoint key) of the subscription that feeds intake's case read model. */
export const CASE_WORKLIST_PROJECTION = 'case-worklist';

type ProjectedEvent = CaseEvent | ComplaintEvent;

// A Record, not a list: a new case or complaint event type is a compile error here until the projection knows it.
const projectedTypes: Record<ProjectedEvent['type'], true> = {
  CaseOpened: true,
  CaseAcknowledged: true,
  CaseFirstResponseGiven: true,
  CaseClassified: true,
  CaseAssigned: true,
  CaseInvestigationStarted: true,
  CaseFactRecorded: true,
  CaseResponsibilityDetermined: true,
  CaseSolutionsProposed: true,
  CaseSolutionAccepted: true,
  CaseSolutionsRejected: true,
  CaseCollaborationRequested: true,
  CaseCollaborationCompleted: true,
  CaseResolved: true,
  CaseClosed: true,
  CaseReopened: true,
  CaseWaitingStarted: true,
  CaseWaitingEnded: true,
  CaseEscalated: true,
  CustomerIdentityVerified: true,
  CaseOrderChangeRequested: true,
  CaseCommunicationRecorded: true,
  SlaClockStarted: true,
  SlaClockPaused: true,
  SlaClockResumed: true,
  SlaClockWarned: true,
  SlaClockBreached: true,
  SlaClockMet: true,
  ComplaintRegistered: true,
};

/**
 * Whether a stored event is one the read model takes: the Case aggregate's, and complaints (which may name a case).
 * Intake's store also holds case policies, customer-data erasures and other aggregates' events.
 */
export function isProjectedCaseEvent(event: Pick<StoredEvent, 'type'>): boolean {
  return Object.prototype.hasOwnProperty.call(projectedTypes, event.type);
}

/** Which row an event changes, at which stream version, and when it was decided. */
interface Target {
  readonly caseId: string;
  readonly version: number;
  readonly at: string;
}

/**
 * Applies `assignments` (SQL using `$4`, `$5`, … for `values`) to the case's row unless the row already reflects this
 * stream version. `$1` is the case id, `$2` the version, `$3` the event's decision time.
 */
async function update(tx: Queryable, target: Target, assignments = '', values: unknown[] = []): Promise<void> {
  await tx.query(
    `UPDATE case_worklist
        SET ${assignments ? `${assignments}, ` : ''}version = $2::bigint, updated_at = greatest(updated_at, $3::timestamptz)
      WHERE case_id = $1 AND version < $2::bigint`,
    [target.caseId, target.version, target.at, ...values],
  );
}

/** `status` moves to `to` when it is one of `from` (as the decider's `evolve` does); otherwise it stays. */
const move = (from: readonly string[], to: string) =>
  `status = CASE WHEN status IN (${from.map((s) => `'${s}'`).join(', ')}) THEN '${to}' ELSE status END`;

/**
 * The current start of the event's clock (`$1` the case, `$4` the clock), while it is not met: what a pause, resumption,
 * warning, breach or meeting changes (as the decider's `evolveSlaClocks` does; an event that does not fit changes
 * nothing).
 */
const CURRENT_CLOCK = `case_id = $1 AND clock_id = $4 AND status <> 'met'
  AND instance = (SELECT max(instance) FROM case_sla_clocks WHERE case_id = $1 AND clock_id = $4)`;

/**
 * Applies a change of the case's SLA clocks (`change`: a statement that runs only when the guard, a CTE named
 * `guard` returning the case's tenant, moved the case's version), then recomputes the case's SLA summary.
 */
async function clockChange(tx: Queryable, target: Target, change: string, values: unknown[]): Promise<void> {
  await tx.query(
    `WITH guard AS (UPDATE case_worklist SET version = $2::bigint, updated_at = greatest(updated_at, $3::timestamptz)
                     WHERE case_id = $1 AND version < $2::bigint RETURNING tenant)
     ${change}`,
    [target.caseId, target.version, target.at, ...values],
  );
  await tx.query(
    `UPDATE case_worklist w SET sla_state = s.state, next_due_at = s.due
       FROM (SELECT CASE
                      WHEN bool_or(status <> 'met' AND breached_at IS NOT NULL) THEN 'breached'
                      WHEN bool_or(status = 'running' AND warned_at IS NOT NULL) THEN 'warned'
                      WHEN bool_or(status = 'running') THEN 'on_track'
                      WHEN bool_or(status = 'paused') THEN 'paused'
                      WHEN bool_or(status = 'met') THEN 'met'
                      ELSE 'none'
                    END AS state,
                    min(due_at) FILTER (WHERE status = 'running') AS due
               FROM (SELECT DISTINCT ON (clock_id) status, due_at, warned_at, breached_at
                       FROM case_sla_clocks WHERE case_id = $1 ORDER BY clock_id, instance DESC) latest) s
      WHERE w.case_id = $1 AND (w.sla_state, w.next_due_at) IS DISTINCT FROM (s.state, s.due)`,
    [target.caseId],
  );
}

/** One SLA clock event: the clock's row (a new one for each start), then the case's summary. */
function projectClockEvent(tx: Queryable, target: Target, event: SlaClockEvent): Promise<void> {
  const { clockId } = event.data;
  switch (event.type) {
    case 'SlaClockStarted': {
      const { basis, budgetMs, dueAt, warnAt } = event.data;
      return clockChange(
        tx,
        target,
        `INSERT INTO case_sla_clocks (tenant, case_id, clock_id, instance, basis, budget_ms, status, started_at, due_at,
                                      warn_at)
         SELECT guard.tenant, $1, $4,
                coalesce((SELECT max(instance) FROM case_sla_clocks WHERE case_id = $1 AND clock_id = $4), 0) + 1,
                $5, $6::bigint, 'running', $3::timestamptz, $7::timestamptz, $8::timestamptz
           FROM guard`,
        [clockId, basis, budgetMs, dueAt, warnAt],
      );
    }
    case 'SlaClockPaused':
      // Paused with budget left: no due instant until it runs again; paused once overdue: the instant it fell due.
      return clockChange(
        tx,
        target,
        `UPDATE case_sla_clocks SET status = 'paused',
                due_at = CASE WHEN due_at <= $3::timestamptz THEN due_at END
           FROM guard WHERE ${CURRENT_CLOCK} AND status = 'running'`,
        [clockId],
      );
    case 'SlaClockResumed':
      return clockChange(
        tx,
        target,
        `UPDATE case_sla_clocks SET status = 'running', due_at = $5::timestamptz
           FROM guard WHERE ${CURRENT_CLOCK} AND status = 'paused'`,
        [clockId, event.data.dueAt],
      );
    case 'SlaClockWarned':
      return clockChange(
        tx,
        target,
        `UPDATE case_sla_clocks SET warned_at = $3::timestamptz FROM guard WHERE ${CURRENT_CLOCK}`,
        [clockId],
      );
    case 'SlaClockBreached':
      return clockChange(
        tx,
        target,
        `UPDATE case_sla_clocks SET breached_at = $5::timestamptz, due_at = $5::timestamptz
           FROM guard WHERE ${CURRENT_CLOCK}`,
        [clockId, event.data.dueAt],
      );
    case 'SlaClockMet': {
      const { late, consumedMs } = event.data;
      return clockChange(
        tx,
        target,
        `UPDATE case_sla_clocks SET status = 'met', met_at = $3::timestamptz, late = $5::boolean,
                consumed_ms = $6::bigint
           FROM guard WHERE ${CURRENT_CLOCK}`,
        [clockId, late, consumedMs],
      );
    }
    default:
      return assertNever(event);
  }
}

/**
 * Applies one stored event to the case read model, inside the subscription's transaction. Idempotent: a case's row
 * changes only for a stream version it has not seen, complaint links are inserted once per complaint, so a replayed
 * event (reset checkpoint, rebuilt projection) leaves every table as it was. Stage changes follow the Case decider's
 * `evolve` (`domain/case.state.ts`): an event that does not fit the stage leaves the stage as it is.
 */
export async function projectCaseEvent(stored: StoredEvent, tx: Queryable): Promise<void> {
  if (!isProjectedCaseEvent(stored)) return;
  const event = { type: stored.type, data: stored.data } as ProjectedEvent;
  if (event.type === 'ComplaintRegistered') {
    const { complaintId, caseId, tenant, registeredAt } = event.data;
    if (caseId === undefined) return;
    await tx.query(
      `INSERT INTO case_complaint_links (complaint_id, tenant, case_id, registered_at)
       VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (complaint_id) DO NOTHING`,
      [complaintId, tenant, caseId, registeredAt],
    );
    return;
  }
  if (event.type === 'CaseOpened') {
    const d = event.data;
    await tx.query(
      `INSERT INTO case_worklist (tenant, case_id, status, channel, problem_type, order_id, opened_at, version,
                                  updated_at)
       VALUES ($1, $2, 'opened', $3, $4, $5, $6::timestamptz, $7::bigint, $6::timestamptz)
       ON CONFLICT (case_id) DO NOTHING`,
      [d.tenant, d.caseId, d.channel, d.problemType, d.orderId, d.openedAt, stored.streamVersion],
    );
    return;
  }
  const target: Target = { caseId: event.data.caseId, version: stored.streamVersion, at: event.data.at };
  switch (event.type) {
    case 'CaseAcknowledged':
      return update(tx, target, `${move(['opened'], 'acknowledged')}, acknowledged_at = coalesce(acknowledged_at, $3)`);
    case 'CaseFirstResponseGiven':
      return update(tx, target, 'first_response_at = coalesce(first_response_at, $3)');
    case 'CaseClassified':
      return update(tx, target, `${move(['acknowledged'], 'classified')}, category = $4`, [event.data.category]);
    case 'CaseAssigned': {
      const { queue, team, agentId, previous } = event.data;
      return update(
        tx,
        target,
        `${move(['classified'], 'assigned')}, queue = $4, team = $5, agent_id = $6,
         reassignments = CASE WHEN $7::boolean THEN 0 ELSE reassignments + 1 END`,
        [queue, team, agentId, previous === null],
      );
    }
    case 'CaseInvestigationStarted':
      return update(tx, target, move(['assigned', 'reopened'], 'investigating'));
    case 'CaseSolutionsProposed':
      return update(tx, target, move(['investigating'], 'solution_proposed'));
    case 'CaseSolutionAccepted':
      return update(tx, target, move(['solution_proposed'], 'in_execution'));
    case 'CaseSolutionsRejected':
      return update(tx, target, move(['solution_proposed'], 'investigating'));
    case 'CaseResolved':
      return update(
        tx,
        target,
        `${move(['in_execution'], 'resolved')}, resolved_at = $3, first_resolved_at = coalesce(first_resolved_at, $3)`,
      );
    case 'CaseClosed':
      return update(tx, target, `${move(['resolved'], 'closed')}, closed_at = $3`);
    case 'CaseReopened':
      // Back to work: the last resolution and the closure no longer stand; the first resolution stays (KPIs).
      return update(
        tx,
        target,
        `${move(['resolved', 'closed'], 'reopened')}, reopen_count = reopen_count + 1, resolved_at = NULL,
         closed_at = NULL`,
      );
    case 'CaseWaitingStarted':
      return update(tx, target, 'waiting_on = $4, waiting_since = $3', [event.data.on]);
    case 'CaseWaitingEnded':
      return update(tx, target, 'waiting_on = NULL, waiting_since = NULL');
    case 'CaseEscalated':
      return update(tx, target, 'escalation_rung = $4', [event.data.rung]);
    case 'CaseCommunicationRecorded': {
      // An agent's answer to the customer before the case was first resolved (first-contact resolution counts them).
      const answer = event.data.direction === 'outbound' && event.data.author.kind === 'agent';
      return update(
        tx,
        target,
        `responses_before_resolution = responses_before_resolution
           + CASE WHEN $4::boolean AND first_resolved_at IS NULL THEN 1 ELSE 0 END`,
        [answer],
      );
    }
    case 'SlaClockStarted':
    case 'SlaClockPaused':
    case 'SlaClockResumed':
    case 'SlaClockWarned':
    case 'SlaClockBreached':
    case 'SlaClockMet':
      return projectClockEvent(tx, target, event);
    case 'CaseFactRecorded':
    case 'CaseResponsibilityDetermined':
    case 'CaseCollaborationRequested':
    case 'CaseCollaborationCompleted':
    case 'CustomerIdentityVerified':
    case 'CaseOrderChangeRequested':
      return update(tx, target);
    default:
      return assertNever(event);
  }
}

/**
 * Intake's case read model as a projection: its tables, its live handler, and its set-based rebuild (each case and
 * complaint stream folded in memory, `case-worklist.fold.ts`) for `npm run ops -- projection rebuild intake
 * case-worklist`.
 */
export const caseWorklistReadModel: ProjectionDefinition = {
  name: CASE_WORKLIST_PROJECTION,
  description: 'cases: one row per case (worklists, KPIs), its SLA clocks and its complaints',
  tables: ['case_worklist', 'case_sla_clocks', 'case_complaint_links'],
  handle: projectCaseEvent,
  rebuild: { eventTypes: Object.keys(projectedTypes), foldStream: foldCaseStream, metadataKeys: [] },
};

/**
 * The checkpointed subscription that keeps the case read model up to date: every event of intake's store, in global
 * order, each batch applied in one transaction with its checkpoint (restart-safe: it resumes after the last batch).
 */
export function caseWorklistProjection(
  pool: Pool,
  options: {
    readonly onError?: (error: unknown) => void;
    readonly idleMs?: number;
    readonly batchSize?: number;
    readonly minPollIntervalMs?: number;
  } = {},
): DurableSubscription {
  return projectionSubscription(pool, caseWorklistReadModel, {
    // Under load, one transaction per 25 ms rather than per commit: the worklist trails by at most that much more.
    minPollIntervalMs: 25,
    ...options,
  });
}

/** The case read model's background worker, for the service definition's `workers`. */
export function caseWorklistWorkers(context: WorkerContext): BackgroundWorker[] {
  return [
    caseWorklistProjection(context.database.pool, {
      onError: (error) =>
        context.logger.error(
          { err: error, subscription: CASE_WORKLIST_PROJECTION },
          'case read model: batch failed; retrying',
        ),
    }),
  ];
}
