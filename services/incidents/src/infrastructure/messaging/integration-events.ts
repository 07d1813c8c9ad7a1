import {
  ComplaintAttachedV1,
  IncidentClosedV1,
  IncidentDowngradedV1,
  IncidentEscalatedV1,
  IncidentMergedV1,
  IncidentOpenedV1,
  IncidentResolvedV1,
  ResponseDeadlineBreachedV1,
  ResponseTeamPagedV1,
} from '@aftersales/contracts';
import type { IntegrationEventMapper } from '@aftersales/messaging';
import type { CaseRefs, IncidentEvent } from '../../domain';
import { incidentIdOfStream } from '../../application/incident-streams';

/**
 * Domain → contract mapping at the edge: what integrators see of the incidents service. Fields are copied explicitly
 * so an internal change never leaks onto the wire. Every published event's subject (and Kafka key) is the incident id;
 * the tenant comes from the stored event's metadata. ComplaintCluster events, and the incident's internal working
 * events (deadlines, contacts, measures, cause analysis, approvals, retrospective…), are not published. Of a merge only
 * the duplicate's `IncidentMerged` is published (it names the survivor); the survivor's `DuplicateAbsorbed` stays
 * internal, its consequences reach integrators as the survivor's own escalation and page.
 */
export const incidentsIntegrationEvents: IntegrationEventMapper = (stored) => {
  if (incidentIdOfStream(stored.streamId) === null) return null;
  const event = { type: stored.type, data: stored.data } as IncidentEvent;
  const tenantId = stored.metadata.tenant;
  const subject = event.data.incidentId;
  switch (event.type) {
    case 'IncidentOpened': {
      const d = event.data;
      const data: IncidentOpenedV1 = {
        incidentId: d.incidentId,
        tenantId,
        category: d.category,
        level: d.level,
        summary: d.summary,
        reason: d.reason,
        openedAt: d.at,
        ...(d.source.clusterKey ? { clusterKey: d.source.clusterKey } : {}),
        ...casesOf(d),
      };
      return { type: IncidentOpenedV1.type, subject, data };
    }
    case 'IncidentUpgraded': {
      const d = event.data;
      const data: IncidentEscalatedV1 = {
        incidentId: d.incidentId,
        tenantId,
        fromLevel: d.from,
        toLevel: d.to,
        reason: d.reason,
        escalatedAt: d.at,
        ...casesOf(d),
      };
      return { type: IncidentEscalatedV1.type, subject, data };
    }
    case 'IncidentDowngraded': {
      const d = event.data;
      const data: IncidentDowngradedV1 = {
        incidentId: d.incidentId,
        tenantId,
        fromLevel: d.from,
        toLevel: d.to,
        reason: d.reason,
        // The audit actor of the event: its role is the one the downgrade policy accepted.
        decidedBy: { id: d.actor.id, role: d.actor.role },
        downgradedAt: d.at,
        ...casesOf(d),
      };
      return { type: IncidentDowngradedV1.type, subject, data };
    }
    case 'IncidentMerged': {
      const d = event.data;
      const data: IncidentMergedV1 = {
        incidentId: d.incidentId,
        tenantId,
        survivorIncidentId: d.survivorId,
        level: d.level,
        reason: d.reason,
        mergedAt: d.at,
        ...casesOf(d),
      };
      return { type: IncidentMergedV1.type, subject, data };
    }
    case 'ResponseTeamPaged': {
      const d = event.data;
      const data: ResponseTeamPagedV1 = {
        incidentId: d.incidentId,
        tenantId,
        // Stable: pager integrations deduplicate on it (the webhook's Idempotency-Key is the same id).
        pageId: stored.id,
        level: d.level,
        trigger: d.trigger,
        team: { lead: d.team.lead, members: [...d.team.members] },
        reason: d.reason,
        pagedAt: d.at,
        ...casesOf(d),
      };
      return { type: ResponseTeamPagedV1.type, subject, data };
    }
    case 'ContactDeadlineBreached': {
      const d = event.data;
      const data: ResponseDeadlineBreachedV1 = {
        incidentId: d.incidentId,
        tenantId,
        level: d.level,
        dueAt: d.dueAt,
        escalatedTo: d.escalatedTo,
        breachedAt: d.at,
        ...casesOf(d),
      };
      return { type: ResponseDeadlineBreachedV1.type, subject, data };
    }
    case 'ComplaintAttached': {
      const d = event.data;
      const data: ComplaintAttachedV1 = {
        incidentId: d.incidentId,
        tenantId,
        complaintId: d.complaintId,
        customerId: d.customerRef,
        attachedAt: d.at,
        ...(d.caseId ? { caseId: d.caseId } : {}),
      };
      return { type: ComplaintAttachedV1.type, subject, data };
    }
    case 'IncidentResolved': {
      const d = event.data;
      const data: IncidentResolvedV1 = {
        incidentId: d.incidentId,
        tenantId,
        level: d.level,
        summary: d.summary,
        satisfactionTarget: d.satisfactionTargetPercent,
        retrospectiveDueAt: d.retrospectiveDueAt,
        resolvedAt: d.at,
        ...casesOf(d),
        ...(d.solution ? { solution: { kind: d.solution.kind, description: d.solution.description } } : {}),
      };
      return { type: IncidentResolvedV1.type, subject, data };
    }
    case 'IncidentClosed': {
      const d = event.data;
      const data: IncidentClosedV1 = {
        incidentId: d.incidentId,
        tenantId,
        level: d.level,
        closedAt: d.at,
        ...casesOf(d),
      };
      return { type: IncidentClosedV1.type, subject, data };
    }
    default:
      return null;
  }
};

/**
 * The cases an incident event concerns, as contracts carry them (`caseIds`): a copy, absent when it concerns none (and
 * in events stored before incidents recorded them).
 */
function casesOf({ caseIds }: CaseRefs): { caseIds?: string[] } {
  return caseIds && caseIds.length > 0 ? { caseIds: [...caseIds] } : {};
}
