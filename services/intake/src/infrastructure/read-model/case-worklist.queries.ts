import { Inject, Injectable } from '@nestjs/common';
import type { ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { CaseChannel, EscalationRung, ProblemType } from '@aftersales/contracts';
import type { CaseStatus, WaitingParty } from '../../domain/case.values';
import type { SlaState, WorklistItemView } from './case-reads.views';
import { dueOrderOf, type WorklistPosition } from './worklist-cursor';

/** A worklist query, its filters already checked. */
export interface WorklistFilter {
  /** The stages listed (at least one). */
  readonly statuses: readonly CaseStatus[];
  readonly slaStates?: readonly SlaState[];
  /** The agent the case is assigned to. */
  readonly assignee?: string;
  readonly team?: string;
  readonly queue?: string;
  /** Cases whose nearest due time is at or before this instant (overdue ones included). */
  readonly dueBefore?: Date;
  readonly limit: number;
  /** Start after this position (the last item of the previous page). */
  readonly after?: WorklistPosition;
}

/** A page of the worklist and where the next one starts (`null` on the last page). */
export interface WorklistPage {
  readonly items: readonly WorklistItemView[];
  readonly last: WorklistPosition | null;
}

type WorklistRow = {
  case_id: string;
  status: CaseStatus;
  channel: CaseChannel;
  problem_type: ProblemType;
  category: ProblemType | null;
  order_id: string;
  queue: string | null;
  team: string | null;
  agent_id: string | null;
  waiting_on: WaitingParty | null;
  waiting_since: Date | null;
  escalation_rung: EscalationRung | null;
  sla_state: SlaState;
  next_due_at: Date | null;
  opened_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  reopen_count: number;
  updated_at: Date;
};

const COLUMNS = `case_id, status, channel, problem_type, category, order_id, queue, team, agent_id, waiting_on,
  waiting_since, escalation_rung, sla_state, next_due_at, opened_at, first_response_at, resolved_at, closed_at,
  reopen_count, updated_at`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function itemOf(row: WorklistRow): WorklistItemView {
  return {
    caseId: row.case_id,
    status: row.status,
    channel: row.channel,
    problemType: row.problem_type,
    category: row.category,
    orderId: row.order_id,
    assignment:
      row.queue !== null && row.team !== null ? { queue: row.queue, team: row.team, agentId: row.agent_id } : null,
    waiting:
      row.waiting_on !== null && row.waiting_since !== null
        ? { on: row.waiting_on, since: iso(row.waiting_since) as string }
        : null,
    escalationRung: row.escalation_rung,
    sla: { state: row.sla_state, nextDueAt: iso(row.next_due_at) },
    openedAt: row.opened_at.toISOString(),
    firstResponseAt: iso(row.first_response_at),
    resolvedAt: iso(row.resolved_at),
    closedAt: iso(row.closed_at),
    reopenCount: row.reopen_count,
    updatedAt: row.updated_at.toISOString(),
    link: `/cases/${row.case_id}`,
  };
}

/**
 * The worklist over the case read model (`case_worklist`), always within one tenant: cases by nearest SLA due time
 * (cases without a running clock after every due one), then opening time, then id. The order is total and the page
 * boundary is a keyset position, so paging is stable while cases change: a case that did not move is listed once, in
 * order, and cases added or moved behind the position appear on later pages.
 */
@Injectable()
export class CaseWorklistQueries {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async page(tenant: string, filter: WorklistFilter): Promise<WorklistPage> {
    const values: unknown[] = [tenant, filter.statuses];
    const conditions = ['tenant = $1', 'status = ANY($2::text[])'];
    const where = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (filter.slaStates) where((p) => `sla_state = ANY(${p}::text[])`, filter.slaStates);
    if (filter.assignee !== undefined) where((p) => `agent_id = ${p}`, filter.assignee);
    if (filter.team !== undefined) where((p) => `team = ${p}`, filter.team);
    if (filter.queue !== undefined) where((p) => `queue = ${p}`, filter.queue);
    if (filter.dueBefore) where((p) => `next_due_at <= ${p}::timestamptz`, filter.dueBefore);
    if (filter.after) {
      const { dueOrder, openedAt, caseId } = filter.after;
      values.push(dueOrder, openedAt, caseId);
      const n = values.length;
      conditions.push(
        `(due_order, opened_at, case_id) > ($${n - 2}::timestamptz, $${n - 1}::timestamptz, $${n}::text)`,
      );
    }
    values.push(filter.limit + 1);
    const { rows } = await this.database.pool.query<WorklistRow>(
      `SELECT ${COLUMNS} FROM case_worklist WHERE ${conditions.join(' AND ')}
        ORDER BY due_order, opened_at, case_id LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    return {
      items: page.map(itemOf),
      last:
        rows.length > filter.limit && last
          ? { dueOrder: dueOrderOf(last.next_due_at), openedAt: last.opened_at.toISOString(), caseId: last.case_id }
          : null,
    };
  }
}
