import { assertNever } from '@aftersales/domain';
import type { ProjectionRows, StoredEvent } from '@aftersales/eventstore';
import type { CaseEvent, SlaClockEvent } from '../../domain/case.events';
import type { ComplaintEvent } from '../../domain/complaint.events';

/** A row of `case_worklist` as the projection's SQL leaves it (`case-worklist.projection.ts`), `due_order` aside. */
interface CaseRow {
  tenant: string;
  case_id: string;
  status: string;
  channel: string;
  problem_type: string;
  order_id: string;
  category: string | null;
  queue: string | null;
  team: string | null;
  agent_id: string | null;
  reassignments: number;
  waiting_on: string | null;
  waiting_since: string | null;
  escalation_rung: string | null;
  opened_at: string;
  acknowledged_at: string | null;
  first_response_at: string | null;
  first_resolved_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  reopen_count: number;
  responses_before_resolution: number;
  sla_state: string;
  next_due_at: string | null;
  version: number;
  updated_at: string;
}

/** A row of `case_sla_clocks`: one start of one SLA clock. */
interface ClockRow {
  tenant: string;
  case_id: string;
  clock_id: string;
  instance: number;
  basis: string;
  budget_ms: number;
  status: 'running' | 'paused' | 'met';
  started_at: string;
  due_at: string | null;
  warn_at: string | null;
  warned_at: string | null;
  breached_at: string | null;
  met_at: string | null;
  late: boolean | null;
  consumed_ms: number | null;
}

const instant = (iso: string) => Date.parse(iso);
/** The later of two times (SQL `greatest`). */
const later = (a: string, b: string) => (instant(b) > instant(a) ? b : a);

/** `status` moves to `to` when it is one of `from` (as the decider's `evolve` does); otherwise it stays. */
function move(row: CaseRow, from: readonly string[], to: string): void {
  if (from.includes(row.status)) row.status = to;
}

/** The SLA states in the summary's precedence, each with what makes a clock's latest start count for it. */
const SLA_STATES: ReadonlyArray<readonly [string, (clock: ClockRow) => boolean]> = [
  ['breached', (c) => c.status !== 'met' && c.breached_at !== null],
  ['warned', (c) => c.status === 'running' && c.warned_at !== null],
  ['on_track', (c) => c.status === 'running'],
  ['paused', (c) => c.status === 'paused'],
  ['met', (c) => c.status === 'met'],
];

/** The nearest due time of the running clocks, or null. */
function nearestDue(starts: readonly ClockRow[]): string | null {
  let due: string | null = null;
  for (const c of starts) {
    if (c.status !== 'running' || c.due_at === null) continue;
    if (due === null || instant(c.due_at) < instant(due)) due = c.due_at;
  }
  return due;
}

/**
 * The case's SLA summary over the latest start of each clock (the SQL of `clockChange`): breached over warned over on
 * track over paused over met, and the nearest due time of the running clocks.
 */
function summarise(row: CaseRow, clocks: readonly ClockRow[]): void {
  const latest = new Map<string, ClockRow>();
  for (const clock of clocks) {
    const seen = latest.get(clock.clock_id);
    if (!seen || clock.instance > seen.instance) latest.set(clock.clock_id, clock);
  }
  const starts = [...latest.values()];
  row.sla_state = SLA_STATES.find(([, counts]) => starts.some(counts))?.[0] ?? 'none';
  row.next_due_at = nearestDue(starts);
}

/** One SLA clock event on the case's clocks (a new start, or the current start of the clock while it is not met). */
function applyClockEvent(row: CaseRow, clocks: ClockRow[], event: SlaClockEvent): void {
  const { clockId, at } = event.data;
  const ofClock = clocks.filter((c) => c.clock_id === clockId);
  if (event.type === 'SlaClockStarted') {
    const { basis, budgetMs, dueAt, warnAt } = event.data;
    clocks.push({
      tenant: row.tenant,
      case_id: row.case_id,
      clock_id: clockId,
      instance: Math.max(0, ...ofClock.map((c) => c.instance)) + 1,
      basis,
      budget_ms: budgetMs,
      status: 'running',
      started_at: at,
      due_at: dueAt,
      warn_at: warnAt,
      warned_at: null,
      breached_at: null,
      met_at: null,
      late: null,
      consumed_ms: null,
    });
    return;
  }
  const newest = ofClock.reduce<ClockRow | null>((a, c) => (a === null || c.instance > a.instance ? c : a), null);
  const current = newest !== null && newest.status !== 'met' ? newest : null;
  if (current === null) return;
  switch (event.type) {
    case 'SlaClockPaused':
      // Paused with budget left: no due instant until it runs again; paused once overdue: the instant it fell due.
      if (current.status !== 'running') return;
      current.status = 'paused';
      current.due_at = current.due_at !== null && instant(current.due_at) <= instant(at) ? current.due_at : null;
      return;
    case 'SlaClockResumed':
      if (current.status !== 'paused') return;
      current.status = 'running';
      current.due_at = event.data.dueAt;
      return;
    case 'SlaClockWarned':
      current.warned_at = at;
      return;
    case 'SlaClockBreached':
      current.breached_at = event.data.dueAt;
      current.due_at = event.data.dueAt;
      return;
    case 'SlaClockMet':
      current.status = 'met';
      current.met_at = at;
      current.late = event.data.late;
      current.consumed_ms = event.data.consumedMs;
      return;
    default:
      return assertNever(event);
  }
}

/** What one case event changes in the case's row (besides its version and time), as the projection's SQL does. */
function applyCaseEvent(row: CaseRow, clocks: ClockRow[], event: Exclude<CaseEvent, { type: 'CaseOpened' }>): void {
  const { at } = event.data;
  switch (event.type) {
    case 'CaseAcknowledged':
      move(row, ['opened'], 'acknowledged');
      row.acknowledged_at ??= at;
      return;
    case 'CaseFirstResponseGiven':
      row.first_response_at ??= at;
      return;
    case 'CaseClassified':
      move(row, ['acknowledged'], 'classified');
      row.category = event.data.category;
      return;
    case 'CaseAssigned': {
      const { queue, team, agentId, previous } = event.data;
      move(row, ['classified'], 'assigned');
      row.queue = queue;
      row.team = team;
      row.agent_id = agentId;
      row.reassignments = previous === null ? 0 : row.reassignments + 1;
      return;
    }
    case 'CaseInvestigationStarted':
      return move(row, ['assigned', 'reopened'], 'investigating');
    case 'CaseSolutionsProposed':
      return move(row, ['investigating'], 'solution_proposed');
    case 'CaseSolutionAccepted':
      return move(row, ['solution_proposed'], 'in_execution');
    case 'CaseSolutionsRejected':
      return move(row, ['solution_proposed'], 'investigating');
    case 'CaseResolved':
      move(row, ['in_execution'], 'resolved');
      row.resolved_at = at;
      row.first_resolved_at ??= at;
      return;
    case 'CaseClosed':
      move(row, ['resolved'], 'closed');
      row.closed_at = at;
      return;
    case 'CaseReopened':
      // Back to work: the last resolution and the closure no longer stand; the first resolution stays (KPIs).
      move(row, ['resolved', 'closed'], 'reopened');
      row.reopen_count += 1;
      row.resolved_at = null;
      row.closed_at = null;
      return;
    case 'CaseWaitingStarted':
      row.waiting_on = event.data.on;
      row.waiting_since = at;
      return;
    case 'CaseWaitingEnded':
      row.waiting_on = null;
      row.waiting_since = null;
      return;
    case 'CaseEscalated':
      row.escalation_rung = event.data.rung;
      return;
    case 'CaseCommunicationRecorded':
      // An agent's answer to the customer before the case was first resolved (first-contact resolution counts them).
      if (event.data.direction === 'outbound' && event.data.author.kind === 'agent' && row.first_resolved_at === null) {
        row.responses_before_resolution += 1;
      }
      return;
    case 'SlaClockStarted':
    case 'SlaClockPaused':
    case 'SlaClockResumed':
    case 'SlaClockWarned':
    case 'SlaClockBreached':
    case 'SlaClockMet':
      applyClockEvent(row, clocks, event);
      return summarise(row, clocks);
    case 'CaseFactRecorded':
    case 'CaseResponsibilityDetermined':
    case 'CaseCollaborationRequested':
    case 'CaseCollaborationCompleted':
    case 'CustomerIdentityVerified':
    case 'CaseOrderChangeRequested':
      return;
    default:
      return assertNever(event);
  }
}

/**
 * The rows one stream makes in intake's case read model, folded in memory for the set-based rebuild (ADR 20):
 * exactly what `projectCaseEvent` leaves after applying the same events in stream order to empty tables (the rebuild
 * tests compare the two on the same store). A case stream makes its `case_worklist` row and its `case_sla_clocks`; a
 * complaint stream its `case_complaint_links` row (keyed by the complaint).
 */
export function foldCaseStream(events: readonly StoredEvent[]): ProjectionRows {
  let row: CaseRow | null = null;
  const clocks: ClockRow[] = [];
  const links = new Map<string, Record<string, unknown>>();
  for (const stored of events) {
    const event = { type: stored.type, data: stored.data } as CaseEvent | ComplaintEvent;
    if (event.type === 'ComplaintRegistered') {
      const { complaintId, caseId, tenant, registeredAt } = event.data;
      if (caseId !== undefined && !links.has(complaintId)) {
        links.set(complaintId, { complaint_id: complaintId, tenant, case_id: caseId, registered_at: registeredAt });
      }
      continue;
    }
    if (event.type === 'CaseOpened') {
      const d = event.data;
      row ??= {
        tenant: d.tenant,
        case_id: d.caseId,
        status: 'opened',
        channel: d.channel,
        problem_type: d.problemType,
        order_id: d.orderId,
        category: null,
        queue: null,
        team: null,
        agent_id: null,
        reassignments: 0,
        waiting_on: null,
        waiting_since: null,
        escalation_rung: null,
        opened_at: d.openedAt,
        acknowledged_at: null,
        first_response_at: null,
        first_resolved_at: null,
        resolved_at: null,
        closed_at: null,
        reopen_count: 0,
        responses_before_resolution: 0,
        sla_state: 'none',
        next_due_at: null,
        version: stored.streamVersion,
        updated_at: d.openedAt,
      };
      continue;
    }
    // The case's row (and its clocks) change only for a stream version it has not seen.
    if (row === null || row.version >= stored.streamVersion) continue;
    applyCaseEvent(row, clocks, event);
    row.version = stored.streamVersion;
    row.updated_at = later(row.updated_at, event.data.at);
  }
  return {
    case_worklist: row ? [{ ...row }] : [],
    case_sla_clocks: row ? clocks.map((c) => ({ ...c })) : [],
    case_complaint_links: [...links.values()],
  };
}
