import { assertNever } from '@aftersales/domain';
import type { ProjectionRows, StoredEvent } from '@aftersales/eventstore';
import { productOfClusterKey, type IncidentEvent } from '../../domain';

/** A row of `incidents_view`, as the projection's SQL leaves it (`incidents.projection.ts`). */
interface IncidentRow {
  tenant: string;
  incident_id: string;
  category: string;
  level: string;
  status: string;
  summary: string;
  cluster_key: string | null;
  product: string | null;
  opened_at: string;
  first_paged_at: string | null;
  first_contact_at: string | null;
  contact_due_at: string | null;
  breached: boolean;
  breach_count: number;
  resolved_at: string | null;
  retrospective_due_at: string | null;
  retrospective_at: string | null;
  closed_at: string | null;
  merged_into: string | null;
  satisfaction: number | null;
  satisfaction_target: number | null;
  follow_up_required: boolean;
  complaint_count: number;
  team: Record<string, unknown> | null;
  version: number;
  updated_at: string;
}

/**
 * The rows one incident stream makes, folded in memory for the set-based rebuild (ADR 20): exactly what
 * `projectIncidentEvent` leaves after applying the same events in stream order to empty tables (the rebuild tests compare
 * the two on the same store). Every row belongs to the stream: the incident's `incidents_view` row, its pages (keyed by
 * the paging event), its attached complaints (keyed by incident and complaint) and its knowledge-base entry.
 */
export function foldIncidentStream(events: readonly StoredEvent[]): ProjectionRows {
  let row: IncidentRow | null = null;
  const pages: Array<Record<string, unknown>> = [];
  const complaints = new Map<string, Record<string, unknown>>();
  let knowledge: Record<string, unknown> | null = null;
  for (const stored of events) {
    const event = { type: stored.type, data: stored.data } as IncidentEvent;
    const { incidentId, at } = event.data;
    if (event.type === 'IncidentOpened') {
      const { category, level, summary, source } = event.data;
      row ??= {
        tenant: event.data.tenant,
        incident_id: incidentId,
        category,
        level,
        status: 'activation',
        summary,
        cluster_key: source.clusterKey ?? null,
        product: productOfClusterKey(source.clusterKey),
        opened_at: at,
        first_paged_at: null,
        first_contact_at: null,
        contact_due_at: null,
        breached: false,
        breach_count: 0,
        resolved_at: null,
        retrospective_due_at: null,
        retrospective_at: null,
        closed_at: null,
        merged_into: null,
        satisfaction: null,
        satisfaction_target: null,
        follow_up_required: false,
        complaint_count: 0,
        team: null,
        version: stored.streamVersion,
        updated_at: at,
      };
      continue;
    }
    // Rows keyed by the event, written whether or not the incident's row exists (as the SQL does).
    let attached = 0;
    if (event.type === 'ResponseTeamPaged') {
      const { level, team, trigger } = event.data;
      pages.push({
        event_id: stored.id,
        tenant: stored.metadata.tenant,
        incident_id: incidentId,
        level,
        trigger,
        team,
        paged_at: at,
      });
    } else if (event.type === 'IncidentArchived' && row !== null && knowledge === null) {
      // The closed incident's knowledge-base entry, with the view's level and closing time (as the SQL reads them).
      const { category, product, problem, cause, solution, prevention } = event.data.knowledge;
      knowledge = {
        incident_id: incidentId,
        tenant: stored.metadata.tenant,
        category,
        product,
        level: row.level,
        problem,
        cause,
        solution,
        prevention,
        closed_at: row.closed_at ?? at,
      };
    } else if (event.type === 'ComplaintAttached') {
      const { complaintId, customerRef } = event.data;
      if (!complaints.has(complaintId)) {
        complaints.set(complaintId, {
          tenant: stored.metadata.tenant,
          incident_id: incidentId,
          complaint_id: complaintId,
          customer_ref: customerRef,
          attached_at: at,
        });
        attached = 1;
      }
    }
    // The incident's row changes only for a stream version it has not seen.
    if (row === null || row.version >= stored.streamVersion) continue;
    applyToRow(row, event, attached);
    row.version = stored.streamVersion;
    row.updated_at = at;
  }
  return {
    incidents_view: row ? [{ ...row }] : [],
    incident_pages: pages,
    incident_complaints: [...complaints.values()],
    incident_knowledge_base: knowledge ? [knowledge] : [],
  };
}

/** What one event changes in the incident's row (besides its version and time), as the projection's SQL does. */
function applyToRow(row: IncidentRow, event: IncidentEvent, attached: number): void {
  const { at } = event.data;
  switch (event.type) {
    case 'ResponseTeamPaged': {
      const { level, team, trigger } = event.data;
      if (trigger === 'level-one-proposal' || trigger.startsWith('retrospective-')) return;
      row.first_paged_at ??= at;
      row.team =
        trigger === 'contact-deadline-breach' ? { ...(row.team ?? {}), escalatedTo: team.lead } : { level, ...team };
      return;
    }
    case 'ContactDeadlineSet':
      row.contact_due_at = event.data.dueAt;
      return;
    case 'IncidentUpgraded':
    case 'IncidentDowngraded':
      row.level = event.data.to;
      return;
    case 'IncidentMerged':
      row.status = 'merged';
      row.merged_into = event.data.survivorId;
      return;
    case 'CustomersContacted':
      row.first_contact_at ??= at;
      if (row.status === 'activation') row.status = 'containment';
      return;
    case 'ContactDeadlineBreached':
      row.breached = true;
      row.breach_count += 1;
      return;
    case 'RootCauseRecorded':
      if (row.status === 'containment') row.status = 'resolution';
      return;
    case 'IncidentResolved':
      if (row.status === 'resolution') row.status = 'follow-up';
      row.resolved_at = at;
      row.retrospective_due_at = event.data.retrospectiveDueAt;
      // Events stored before the target was recorded on resolution have none.
      row.satisfaction_target = event.data.satisfactionTargetPercent ?? row.satisfaction_target;
      return;
    case 'SatisfactionRecorded':
      row.satisfaction = event.data.percent;
      row.satisfaction_target = event.data.targetPercent;
      if (event.data.meetsTarget) row.follow_up_required = false;
      return;
    case 'FollowUpRequired':
      row.follow_up_required = true;
      return;
    case 'FollowUpRecorded':
      row.follow_up_required = false;
      return;
    case 'RetrospectiveRecorded':
      row.retrospective_at = at;
      return;
    case 'IncidentClosed':
      row.status = 'closed';
      row.closed_at = at;
      return;
    case 'ComplaintAttached':
      row.complaint_count += attached;
      return;
    case 'IncidentOpened':
    case 'IncidentArchived':
    case 'DuplicateAbsorbed':
    case 'LevelOneProposed':
    case 'RetrospectiveOverdue':
    case 'QualityCheckRecorded':
    case 'RecallComplianceChecked':
    case 'PrStatementRecorded':
    case 'TemporaryMeasureRecorded':
    case 'SolutionApproved':
    case 'ImplementationRecorded':
    case 'CustomerConfirmationRecorded':
      return;
    default:
      assertNever(event);
  }
}
