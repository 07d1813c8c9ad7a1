import { CaseOpenedV1 } from '@aftersales/contracts';
import type { IntegrationEventMapper } from '@aftersales/messaging';
import type { CaseEvent } from '../../domain/case.events';

/**
 * Domain → contract mapping at the edge: what integrators see of intake's events. Fields are copied
 * explicitly so an internal rename never leaks onto the wire.
 */
export const intakeIntegrationEvents: IntegrationEventMapper = (stored) => {
  const event = { type: stored.type, data: stored.data } as CaseEvent;
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
    default:
      return null;
  }
};
