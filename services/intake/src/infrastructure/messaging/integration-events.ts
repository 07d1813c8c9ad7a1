import {
  CaseAcknowledgedV1,
  CaseAssignedV1,
  CaseClassifiedV1,
  CaseClosedV1,
  CaseCollaborationRequestedV1,
  CaseEscalatedV1,
  CaseOpenedV1,
  CaseReopenedV1,
  CaseResolvedV1,
  CaseSolutionAcceptedV1,
  ComplaintRegisteredV1,
  ReviewFlaggedMaliciousV1,
  CustomerDataErasedV1,
  SlaClockBreachedV1,
  SlaClockMetV1,
  SlaClockPausedV1,
  SlaClockResumedV1,
  SlaClockStartedV1,
  SlaClockWarnedV1,
} from '@aftersales/contracts';
import type { IntegrationEvent, IntegrationEventMapper } from '@aftersales/messaging';
import type { CaseEvent } from '../../domain/case.events';
import type { ComplaintEvent, ComplaintFlags } from '../../domain/complaint.events';
import type { CustomerDataEvent } from '../../domain/customer-data.events';
import type { ReviewEvent } from '../../domain/review.events';

/**
 * Domain → contract mapping at the edge: what integrators see of intake's events. Fields are copied
 * explicitly so an internal rename never leaks onto the wire. Customer contact details leave only as the
 * vault's ciphertext; `CustomerDataErased` is published as the customer and the time only (never the reason or the
 * actor), so services keeping personal data under keys of their own destroy them too (see libs/privacy/README.md). Of reviews only the malicious
 * flag is published (the shop's integration appeals with it); `ReviewRegistered` stays internal.
 *
 * Of the case lifecycle, the steps other services act on or show are published (acknowledged, classified, assigned,
 * solution accepted, collaboration requested, resolved, closed, reopened, escalated); the work inside the case (facts,
 * responsibility, proposals, the conversation, waiting, identity checks, order change requests with their sealed
 * details) stays in intake's event store, where the case timeline reads it.
 */
export const intakeIntegrationEvents: IntegrationEventMapper = (stored) => {
  const event = { type: stored.type, data: stored.data } as
    CaseEvent | ComplaintEvent | ReviewEvent | CustomerDataEvent;
  if (event.type === 'CustomerDataErased') {
    const d = event.data;
    const data: CustomerDataErasedV1 = { customerId: d.customerId, tenantId: d.tenant, erasedAt: d.erasedAt };
    return { type: CustomerDataErasedV1.type, subject: d.customerId, data };
  }
  const lifecycle = caseLifecycleEvent(event, stored.metadata.tenant);
  if (lifecycle !== undefined) return lifecycle;
  const clock = slaClockEvent(event, stored.metadata.tenant);
  if (clock !== undefined) return clock;
  switch (event.type) {
    case 'CaseOpened':
      return caseOpened(event.data);
    case 'ComplaintRegistered': {
      const d = event.data;
      const data: ComplaintRegisteredV1 = {
        complaintId: d.complaintId,
        tenantId: d.tenant,
        customerId: d.customerId,
        orderId: d.orderId,
        category: d.category,
        description: d.description,
        evidenceRefs: [...d.evidenceRefs],
        flags: complaintFlags(d.flags),
        registeredAt: d.registeredAt,
        ...(d.caseId ? { caseId: d.caseId } : {}),
        ...(d.customerData
          ? { customerData: { ciphertext: d.customerData.ciphertext, keyVersion: d.customerData.keyVersion } }
          : {}),
        ...(d.productSku ? { productSku: d.productSku } : {}),
        ...(d.batch ? { batch: d.batch } : {}),
        ...(d.region ? { region: d.region } : {}),
      };
      return { type: ComplaintRegisteredV1.type, subject: d.complaintId, data };
    }
    case 'ReviewFlaggedMalicious': {
      const d = event.data;
      const data: ReviewFlaggedMaliciousV1 = {
        reviewId: d.reviewId,
        tenantId: d.tenant,
        shopReviewId: d.shopReviewId,
        orderId: d.orderId,
        reason: d.reason,
        evidenceRefs: [...d.evidenceRefs],
        flaggedAt: d.flaggedAt,
        ...(d.caseId ? { caseId: d.caseId } : {}),
      };
      return { type: ReviewFlaggedMaliciousV1.type, subject: d.reviewId, data };
    }
    default:
      return null;
  }
};

/** `CaseOpened` as published: optional properties absent rather than empty. */
function caseOpened(d: Extract<CaseEvent, { type: 'CaseOpened' }>['data']): IntegrationEvent {
  const data: CaseOpenedV1 = {
    caseId: d.caseId,
    tenantId: d.tenant,
    channel: d.channel,
    orderId: d.orderId,
    customerId: d.customerId,
    problemType: d.problemType,
    description: d.description,
    evidence: d.evidence.map((e) => ({ kind: e.kind, uri: e.uri })),
    openedAt: d.openedAt,
    ...(d.desiredResolution ? { desiredResolution: d.desiredResolution } : {}),
    ...(d.purchasedAt ? { purchasedAt: d.purchasedAt } : {}),
    ...(d.priority ? { priority: d.priority } : {}),
  };
  return { type: CaseOpenedV1.type, subject: d.caseId, data };
}

/** A complaint's severity flags as published (the group-event flag only when raised: it is optional in v1). */
function complaintFlags(flags: ComplaintFlags): ComplaintRegisteredV1['flags'] {
  const { personalInjury, propertyLoss, mediaExposure, legalThreat, groupEvent } = flags;
  return { personalInjury, propertyLoss, mediaExposure, legalThreat, ...(groupEvent ? { groupEvent: true } : {}) };
}

/** `{ [key]: value }`, or nothing for `null` (optional contract properties are absent, never null). */
function present<K extends string, V>(key: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A published case lifecycle event; `undefined` for the events this function does not map. */
function caseLifecycleEvent(
  event: CaseEvent | ComplaintEvent | ReviewEvent,
  tenantId: string,
): IntegrationEvent | null | undefined {
  switch (event.type) {
    case 'CaseAcknowledged': {
      const d = event.data;
      const data: CaseAcknowledgedV1 = {
        caseId: d.caseId,
        tenantId,
        automatic: d.automatic,
        acknowledgedAt: d.at,
        ...present('expectedCycle', d.expectedCycle),
        ...present('nextStep', d.nextStep),
        ...present('handledFrom', d.handledFrom),
      };
      return { type: CaseAcknowledgedV1.type, subject: d.caseId, data };
    }
    case 'CaseClassified': {
      const d = event.data;
      const data: CaseClassifiedV1 = {
        caseId: d.caseId,
        tenantId,
        category: d.category,
        classifiedAt: d.at,
        ...present('previousCategory', d.previousCategory),
        ...present('reason', d.reason),
      };
      return { type: CaseClassifiedV1.type, subject: d.caseId, data };
    }
    case 'CaseAssigned': {
      const d = event.data;
      const data: CaseAssignedV1 = {
        caseId: d.caseId,
        tenantId,
        queue: d.queue,
        team: d.team,
        assignedAt: d.at,
        ...present('agentId', d.agentId),
        ...(d.previous
          ? {
              previous: {
                queue: d.previous.queue,
                team: d.previous.team,
                ...present('agentId', d.previous.agentId),
              },
            }
          : {}),
      };
      return { type: CaseAssignedV1.type, subject: d.caseId, data };
    }
    case 'CaseSolutionAccepted': {
      const d = event.data;
      const { kind, description, expectedTime, amount } = d.solution;
      const data: CaseSolutionAcceptedV1 = {
        caseId: d.caseId,
        tenantId,
        proposal: d.proposal,
        option: d.option,
        solution: {
          kind,
          description,
          expectedTime,
          ...(amount ? { amount: { amountMinor: amount.amountMinor, currency: amount.currency } } : {}),
        },
        acceptedAt: d.at,
      };
      return { type: CaseSolutionAcceptedV1.type, subject: d.caseId, data };
    }
    case 'CaseCollaborationRequested': {
      const d = event.data;
      const data: CaseCollaborationRequestedV1 = {
        caseId: d.caseId,
        tenantId,
        collaborationId: d.collaborationId,
        party: d.party,
        requirement: d.requirement,
        deadline: d.deadline,
        owner: d.owner,
        requestedAt: d.at,
      };
      return { type: CaseCollaborationRequestedV1.type, subject: d.caseId, data };
    }
    case 'CaseResolved': {
      const d = event.data;
      const data: CaseResolvedV1 = {
        caseId: d.caseId,
        tenantId,
        solutionKind: d.solutionKind,
        outcome: d.outcome,
        basis: d.basis,
        objectionRoute: d.objectionRoute,
        reopenableUntil: d.reopenableUntil,
        resolvedAt: d.at,
      };
      return { type: CaseResolvedV1.type, subject: d.caseId, data };
    }
    case 'CaseClosed': {
      const d = event.data;
      const data: CaseClosedV1 = { caseId: d.caseId, tenantId, reopenableUntil: d.reopenableUntil, closedAt: d.at };
      return { type: CaseClosedV1.type, subject: d.caseId, data };
    }
    case 'CaseReopened': {
      const d = event.data;
      const data: CaseReopenedV1 = {
        caseId: d.caseId,
        tenantId,
        objection: d.objection,
        reopening: d.reopening,
        reopenedAt: d.at,
      };
      return { type: CaseReopenedV1.type, subject: d.caseId, data };
    }
    case 'CaseEscalated': {
      const d = event.data;
      const data: CaseEscalatedV1 = {
        caseId: d.caseId,
        tenantId,
        rung: d.rung,
        reason: d.reason,
        escalatedAt: d.at,
        ...present('previousRung', d.previousRung),
      };
      return { type: CaseEscalatedV1.type, subject: d.caseId, data };
    }
    case 'CaseFirstResponseGiven':
    case 'CaseInvestigationStarted':
    case 'CaseFactRecorded':
    case 'CaseResponsibilityDetermined':
    case 'CaseSolutionsProposed':
    case 'CaseSolutionsRejected':
    case 'CaseCollaborationCompleted':
    case 'CaseWaitingStarted':
    case 'CaseWaitingEnded':
    case 'CustomerIdentityVerified':
    case 'CaseOrderChangeRequested':
    case 'CaseCommunicationRecorded':
      return null;
    default:
      return undefined;
  }
}

/**
 * A published SLA clock event (every change of a case's clocks: other services and the case worklist follow due times
 * and breaches); `undefined` for the events this function does not map. Ids, the clock and instants only.
 */
function slaClockEvent(
  event: CaseEvent | ComplaintEvent | ReviewEvent,
  tenantId: string,
): IntegrationEvent | undefined {
  switch (event.type) {
    case 'SlaClockStarted': {
      const { caseId, clockId, basis, budgetMs, at, dueAt, warnAt } = event.data;
      const data: SlaClockStartedV1 = { caseId, tenantId, clockId, basis, budgetMs, startedAt: at, dueAt, warnAt };
      return { type: SlaClockStartedV1.type, subject: caseId, data };
    }
    case 'SlaClockPaused': {
      const { caseId, clockId, at } = event.data;
      const data: SlaClockPausedV1 = { caseId, tenantId, clockId, pausedAt: at };
      return { type: SlaClockPausedV1.type, subject: caseId, data };
    }
    case 'SlaClockResumed': {
      const { caseId, clockId, at, dueAt } = event.data;
      const data: SlaClockResumedV1 = { caseId, tenantId, clockId, resumedAt: at, dueAt };
      return { type: SlaClockResumedV1.type, subject: caseId, data };
    }
    case 'SlaClockWarned': {
      const { caseId, clockId, at, dueAt } = event.data;
      const data: SlaClockWarnedV1 = { caseId, tenantId, clockId, warnedAt: at, dueAt };
      return { type: SlaClockWarnedV1.type, subject: caseId, data };
    }
    case 'SlaClockBreached': {
      const { caseId, clockId, dueAt } = event.data;
      const data: SlaClockBreachedV1 = { caseId, tenantId, clockId, breachedAt: dueAt };
      return { type: SlaClockBreachedV1.type, subject: caseId, data };
    }
    case 'SlaClockMet': {
      const { caseId, clockId, at, late, consumedMs } = event.data;
      const data: SlaClockMetV1 = { caseId, tenantId, clockId, metAt: at, late, consumedMs };
      return { type: SlaClockMetV1.type, subject: caseId, data };
    }
    default:
      return undefined;
  }
}
