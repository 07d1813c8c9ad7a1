import {
  AllowanceAcceptedV1,
  AllowanceOfferedV1,
  ExchangeDifferenceDueV1,
  RefundRequestedV1,
  ReplacementShipmentRequestedV1,
  ReturnApprovedV1,
  ReturnCancelledV1,
  ReturnClosedV1,
  ReturnDeadlineBreachedV1,
  ReturnInspectedV1,
  ReturnReceivedV1,
  ReturnRefusedV1,
  ReturnRequestedV1,
  ReturnShipmentRequestedV1,
} from '@aftersales/contracts';
import type { IntegrationEventMapper } from '@aftersales/messaging';
import type { ExchangeTerms, ReturnEvent } from '../../domain/return-request.decider';

const caseOf = (caseId: string | null) => (caseId ? { caseId } : {});
const termsOf = (terms: ExchangeTerms): ExchangeDifferenceDueV1['terms'] => ({
  items: terms.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
  returnedValue: terms.returnedValue,
  replacementValue: terms.replacementValue,
  settlement: terms.settlement,
  difference: terms.difference,
});

/**
 * Domain → contract mapping at the edge (ADR 14): what logistics, compensation and the case timeline see of a return.
 * Fields are copied explicitly so an internal change never leaks onto the wire; every event is keyed by the return id
 * and names its case when it has one. Internal steps (a declined allowance, deadlines started and met, the payments and
 * shipments other services reported) are not published again: their own services published them.
 */
export const returnsIntegrationEvents: IntegrationEventMapper = (stored) => {
  if (!stored.streamId.startsWith('return-')) return null;
  const event = { type: stored.type, data: stored.data } as ReturnEvent;
  const tenantId = stored.metadata.tenant;
  const subject = event.data.returnId;
  const head = { returnId: subject, tenantId, ...caseOf(event.data.caseId) };
  switch (event.type) {
    case 'ReturnRequested': {
      const d = event.data;
      const data: ReturnRequestedV1 = {
        ...head,
        orderId: d.orderId,
        kind: d.kind,
        reason: d.reason,
        ...(d.severity ? { severity: d.severity } : {}),
        ...(d.mismatch ? { mismatch: d.mismatch } : {}),
        items: d.items.map(({ sku, quantity, unitPrice, specialPrice, deliveredAt }) => ({
          sku,
          quantity,
          unitPrice,
          specialPrice,
          deliveredAt,
        })),
        orderPaid: d.orderPaid,
        evidenceCount: d.evidenceRefs.length,
        requestedAt: d.requestedAt,
      };
      return { type: ReturnRequestedV1.type, subject, data };
    }
    case 'ReturnApproved': {
      const d = event.data;
      const data: ReturnApprovedV1 = {
        ...head,
        rule: d.rule,
        resolution: d.resolution,
        goodsReturn: d.goodsReturn,
        shippingPaidBy: d.shippingPaidBy,
        ...(d.exchange ? { exchange: termsOf(d.exchange) } : {}),
        approvedAt: d.approvedAt,
      };
      return { type: ReturnApprovedV1.type, subject, data };
    }
    case 'ReturnRefused': {
      const d = event.data;
      const data: ReturnRefusedV1 = {
        ...head,
        rule: d.rule,
        explanation: d.explanation,
        objectionRoute: d.objectionRoute,
        refusedAt: d.refusedAt,
      };
      return { type: ReturnRefusedV1.type, subject, data };
    }
    case 'AllowanceOffered': {
      const d = event.data;
      const data: AllowanceOfferedV1 = {
        ...head,
        amount: d.amount,
        orderPaid: d.orderPaid,
        ...(d.approvedBy ? { approvedBy: d.approvedBy } : {}),
        offeredAt: d.offeredAt,
      };
      return { type: AllowanceOfferedV1.type, subject, data };
    }
    case 'AllowanceAccepted': {
      const d = event.data;
      const data: AllowanceAcceptedV1 = {
        ...head,
        orderId: d.orderId,
        amount: d.amount,
        idempotencyKey: d.idempotencyKey,
        acceptedAt: d.acceptedAt,
      };
      return { type: AllowanceAcceptedV1.type, subject, data };
    }
    case 'ReturnShipmentRequested': {
      const d = event.data;
      const data: ReturnShipmentRequestedV1 = {
        ...head,
        orderId: d.orderId,
        items: d.items.map(({ sku, quantity }) => ({ sku, quantity })),
        pickupAddressRef: d.pickupAddressRef,
        returnAddressRef: d.returnAddressRef,
        method: d.method,
        packaging: d.packaging,
        shippingPaidBy: d.shippingPaidBy,
        requestedAt: d.requestedAt,
      };
      return { type: ReturnShipmentRequestedV1.type, subject, data };
    }
    case 'ReplacementShipmentRequested': {
      const d = event.data;
      const data: ReplacementShipmentRequestedV1 = {
        ...head,
        orderId: d.orderId,
        items: d.items.map(({ sku, quantity }) => ({ sku, quantity })),
        deliveryAddressRef: d.deliveryAddressRef,
        shippingPaidBy: d.shippingPaidBy,
        shipBy: d.shipBy,
        requestedAt: d.requestedAt,
      };
      return { type: ReplacementShipmentRequestedV1.type, subject, data };
    }
    case 'ReturnReceived': {
      const d = event.data;
      const data: ReturnReceivedV1 = {
        ...head,
        items: d.items.map(({ sku, quantity }) => ({ sku, quantity })),
        complete: d.complete,
        ...(d.shipmentId ? { shipmentId: d.shipmentId } : {}),
        receivedAt: d.receivedAt,
      };
      return { type: ReturnReceivedV1.type, subject, data };
    }
    case 'ReturnInspected': {
      const d = event.data;
      const data: ReturnInspectedV1 = {
        ...head,
        grade: d.grade,
        disposition: d.disposition,
        accepted: d.accepted,
        inspectedAt: d.inspectedAt,
      };
      return { type: ReturnInspectedV1.type, subject, data };
    }
    case 'RefundRequested': {
      const d = event.data;
      const data: RefundRequestedV1 = {
        ...head,
        orderId: d.orderId,
        amount: d.amount,
        paidAmount: d.paidAmount,
        resolution: d.resolution,
        idempotencyKey: d.idempotencyKey,
        requestedAt: d.requestedAt,
      };
      return { type: RefundRequestedV1.type, subject, data };
    }
    case 'ReturnClosed': {
      const data: ReturnClosedV1 = { ...head, closure: event.data.closure, closedAt: event.data.closedAt };
      return { type: ReturnClosedV1.type, subject, data };
    }
    case 'ReturnCancelled': {
      const data: ReturnCancelledV1 = { ...head, reason: event.data.reason, cancelledAt: event.data.cancelledAt };
      return { type: ReturnCancelledV1.type, subject, data };
    }
    case 'ReturnDeadlineBreached': {
      const { deadline, startedAt, dueAt, breachedAt } = event.data;
      const data: ReturnDeadlineBreachedV1 = { ...head, deadline, startedAt, dueAt, breachedAt };
      return { type: ReturnDeadlineBreachedV1.type, subject, data };
    }
    case 'ExchangeDifferenceDue': {
      const { orderId, terms, dueAt } = event.data;
      const data: ExchangeDifferenceDueV1 = {
        ...head,
        orderId,
        amount: terms.difference,
        terms: termsOf(terms),
        dueSince: dueAt,
      };
      return { type: ExchangeDifferenceDueV1.type, subject, data };
    }
    case 'ExchangeDifferencePaid':
    case 'ExchangeDifferenceDeclined':
    case 'ReturnDeadlineSet':
    case 'ReturnDeadlineMet':
    case 'AllowanceDeclined':
    case 'AllowancePaid':
    case 'RefundPaid':
    case 'RefundFailed':
    case 'ReplacementShipped':
      return null;
    default:
      return null;
  }
};
