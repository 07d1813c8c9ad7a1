import { CaseOpenedV1, ComplaintRegisteredV1, ReviewFlaggedMaliciousV1 } from '@aftersales/contracts';
import type { IntegrationEventMapper } from '@aftersales/messaging';
import type { CaseEvent } from '../../domain/case.events';
import type { ComplaintEvent } from '../../domain/complaint.events';
import type { ReviewEvent } from '../../domain/review.events';

/**
 * Domain → contract mapping at the edge: what integrators see of intake's events. Fields are copied
 * explicitly so an internal rename never leaks onto the wire. Customer contact details leave only as the
 * vault's ciphertext; `CustomerDataErased` stays internal (see libs/privacy/README.md). Of reviews only the malicious
 * flag is published (the shop's integration appeals with it); `ReviewRegistered` stays internal.
 */
export const intakeIntegrationEvents: IntegrationEventMapper = (stored) => {
  const event = { type: stored.type, data: stored.data } as CaseEvent | ComplaintEvent | ReviewEvent;
  switch (event.type) {
    case 'CaseOpened': {
      const d = event.data;
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
      };
      return { type: CaseOpenedV1.type, subject: d.caseId, data };
    }
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
        flags: {
          personalInjury: d.flags.personalInjury,
          propertyLoss: d.flags.propertyLoss,
          mediaExposure: d.flags.mediaExposure,
          legalThreat: d.flags.legalThreat,
        },
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
