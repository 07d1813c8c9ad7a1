import {
  AllowancePaidV1,
  CompensationAcceptedV1,
  CompensationCancelledV1,
  CompensationOfferedV1,
  CompensationPaidV1,
  CompensationRefusedV1,
  CompensationOrderRequestedV1,
  InvoiceExpediteRequestedV1,
  InvoiceIssuedV1,
  PayoutManualReviewRequiredV1,
  RefundFailedV1,
  RefundPaidV1,
  type CompensationCancellationReason,
  type RefundFailureReason,
} from '@aftersales/contracts';
import type { IntegrationEvent, IntegrationEventMapper } from '@aftersales/messaging';
import type { InvoiceEvent } from '../../domain/invoice-request.decider';
import { PAID_OUTSIDE, type CompensationEvent, type OrderRef } from '../../domain/compensation-order.decider';

const caseOf = (caseId: string | null) => (caseId ? { caseId } : {});
const headOf = (compensationId: string, tenantId: string, ref: OrderRef) => ({
  compensationId,
  tenantId,
  ...caseOf(ref.caseId),
  cause: { kind: ref.cause.kind, id: ref.cause.id, ...(ref.cause.reason ? { reason: ref.cause.reason } : {}) },
  instrument: ref.instrument,
  requestKey: ref.requestKey,
});
const money = (ref: OrderRef) => ({ amountMinor: ref.amount.amountMinor, currency: ref.amount.currency });

/** A return's refund (ADR 14): requested by returns, for a return, money back on its order. */
const isReturnRefund = (ref: OrderRef) =>
  ref.source === 'returns' &&
  ref.cause.kind === 'return' &&
  (ref.instrument === 'full_refund' || ref.instrument === 'partial_refund');
const isReturnAllowance = (ref: OrderRef) =>
  ref.source === 'returns' && ref.cause.kind === 'return' && ref.instrument === 'allowance';

const refundFailureOf = (reason: CompensationCancellationReason): RefundFailureReason => {
  if (reason === 'exceeds_amount_paid' || reason === 'budget_exhausted') return reason;
  // Given up after the provider failed it again and again.
  if (reason === 'payout_abandoned') return 'payment_declined';
  return 'approval_refused';
};

function paid(id: string, tenantId: string, ref: OrderRef, paymentChannel: string, paidAt: string): IntegrationEvent {
  const common = {
    compensationId: id,
    tenantId,
    ...caseOf(ref.caseId),
    idempotencyKey: ref.requestKey,
    amount: money(ref),
  };
  if (isReturnRefund(ref)) {
    const data: RefundPaidV1 = { ...common, returnId: ref.cause.id, paymentChannel, paidAt };
    return { type: RefundPaidV1.type, subject: id, data };
  }
  if (isReturnAllowance(ref)) {
    const data: AllowancePaidV1 = { ...common, returnId: ref.cause.id, paymentChannel, paidAt };
    return { type: AllowancePaidV1.type, subject: id, data };
  }
  const data: CompensationPaidV1 = {
    ...headOf(id, tenantId, ref),
    amount: money(ref),
    settlement: 'paid',
    paymentChannel,
    paidAt,
  };
  return { type: CompensationPaidV1.type, subject: id, data };
}

function cancelled(
  id: string,
  tenantId: string,
  ref: OrderRef,
  reason: CompensationCancellationReason,
  at: string,
): IntegrationEvent {
  if (
    isReturnRefund(ref) &&
    reason !== 'approval_rejected' &&
    reason !== 'approval_expired' &&
    reason !== 'offer_expired'
  ) {
    const data: RefundFailedV1 = {
      compensationId: id,
      tenantId,
      ...caseOf(ref.caseId),
      returnId: ref.cause.id,
      idempotencyKey: ref.requestKey,
      amount: money(ref),
      failureReason: refundFailureOf(reason),
      failedAt: at,
    };
    return { type: RefundFailedV1.type, subject: id, data };
  }
  const data: CompensationCancelledV1 = { ...headOf(id, tenantId, ref), amount: money(ref), reason, cancelledAt: at };
  return { type: CompensationCancelledV1.type, subject: id, data };
}

/** Invoice requests: finance is told of an urgent one; an issued invoice shows on its case's timeline. */
function invoiceEventOf(event: InvoiceEvent, tenantId: string): IntegrationEvent | null {
  switch (event.type) {
    case 'InvoiceExpediteRequested': {
      const d = event.data;
      const data: InvoiceExpediteRequestedV1 = {
        invoiceRequestId: d.invoiceRequestId,
        tenantId,
        ...caseOf(d.caseId),
        orderId: d.orderId,
        customerId: d.customerId,
        queuePosition: d.sequence,
        reason: d.reason,
        requestedAt: d.at,
      };
      return { type: InvoiceExpediteRequestedV1.type, subject: d.invoiceRequestId, data };
    }
    case 'InvoiceIssued': {
      const d = event.data;
      const data: InvoiceIssuedV1 = {
        invoiceRequestId: d.invoiceRequestId,
        tenantId,
        ...caseOf(d.caseId),
        orderId: d.orderId,
        amount: { amountMinor: d.amount.amountMinor, currency: d.amount.currency },
        invoiceNumber: d.invoiceNumber,
        expedited: d.expedited,
        issuedAt: d.issuedAt,
      };
      return { type: InvoiceIssuedV1.type, subject: d.invoiceRequestId, data };
    }
    case 'InvoiceRequested':
      return null;
    default:
      return null;
  }
}

/**
 * Domain → contract mapping at the edge. A return's refund and allowance answer with the v1 events returns declared
 * (ADR 14: `refund-paid`, `refund-failed`, `allowance-paid`, the same answer again when asked again); every other order
 * with compensation's own events, each naming its case. Payout attempts (sent, failed and retried) stay internal.
 */
export const compensationIntegrationEvents: IntegrationEventMapper = (stored) => {
  if (stored.streamId.startsWith('invoice-'))
    return invoiceEventOf({ type: stored.type, data: stored.data } as InvoiceEvent, stored.metadata.tenant);
  if (!stored.streamId.startsWith('compensation-') || stored.streamId.startsWith('compensation-policy-')) return null;
  const event = { type: stored.type, data: stored.data } as CompensationEvent;
  const tenantId = stored.metadata.tenant;
  switch (event.type) {
    case 'CompensationRequested': {
      const d = event.data;
      const ref: OrderRef = d;
      const data: CompensationOrderRequestedV1 = {
        ...headOf(d.compensationId, tenantId, ref),
        amount: money(ref),
        requiredRole: d.requiredRole,
        requestedAt: d.requestedAt,
      };
      return { type: CompensationOrderRequestedV1.type, subject: d.compensationId, data };
    }
    case 'CompensationDeclined': {
      const d = event.data;
      return cancelled(d.compensationId, tenantId, d, d.reason, d.declinedAt);
    }
    case 'CompensationApproved': {
      const d = event.data;
      const data: CompensationOfferedV1 = {
        ...headOf(d.compensationId, tenantId, d.ref),
        amount: money(d.ref),
        approvedBy: d.approvedBy,
        ...(d.approverRole ? { approverRole: d.approverRole } : {}),
        offerExpiresAt: d.offerExpiresAt,
        offeredAt: d.approvedAt,
      };
      return { type: CompensationOfferedV1.type, subject: d.compensationId, data };
    }
    case 'CompensationRejected':
      return cancelled(event.data.compensationId, tenantId, event.data.ref, 'approval_rejected', event.data.rejectedAt);
    case 'ApprovalExpired':
      return cancelled(event.data.compensationId, tenantId, event.data.ref, 'approval_expired', event.data.expiredAt);
    case 'OfferExpired':
      return cancelled(event.data.compensationId, tenantId, event.data.ref, 'offer_expired', event.data.expiredAt);
    case 'CompensationAccepted': {
      const d = event.data;
      const data: CompensationAcceptedV1 = {
        ...headOf(d.compensationId, tenantId, d.ref),
        amount: money(d.ref),
        acceptedAt: d.acceptedAt,
      };
      return { type: CompensationAcceptedV1.type, subject: d.compensationId, data };
    }
    case 'CompensationRefused': {
      const d = event.data;
      const data: CompensationRefusedV1 = {
        ...headOf(d.compensationId, tenantId, d.ref),
        amount: money(d.ref),
        nextStep: d.nextStep,
        refusedAt: d.refusedAt,
      };
      return { type: CompensationRefusedV1.type, subject: d.compensationId, data };
    }
    case 'CompensationIssued': {
      const d = event.data;
      const data: CompensationPaidV1 = {
        ...headOf(d.compensationId, tenantId, d.ref),
        amount: money(d.ref),
        settlement: 'issued',
        ...(d.warrantyMonths ? { warrantyMonths: d.warrantyMonths } : {}),
        paidAt: d.issuedAt,
      };
      return { type: CompensationPaidV1.type, subject: d.compensationId, data };
    }
    case 'PayoutConfirmed':
      return paid(
        event.data.compensationId,
        tenantId,
        event.data.ref,
        event.data.paymentChannel,
        event.data.confirmedAt,
      );
    case 'PayoutManualReviewRequired': {
      const d = event.data;
      const data: PayoutManualReviewRequiredV1 = {
        ...headOf(d.compensationId, tenantId, d.ref),
        amount: money(d.ref),
        attempts: d.attempts,
        lastError: d.lastError,
        at: d.at,
      };
      return { type: PayoutManualReviewRequiredV1.type, subject: d.compensationId, data };
    }
    case 'PayoutSettledOutside':
      return paid(event.data.compensationId, tenantId, event.data.ref, PAID_OUTSIDE, event.data.settledAt);
    case 'PayoutAbandoned':
      return cancelled(event.data.compensationId, tenantId, event.data.ref, 'payout_abandoned', event.data.abandonedAt);
    case 'CompensationAnswerRepeated': {
      const { compensationId, ref, answer } = event.data;
      return answer.outcome === 'paid'
        ? paid(compensationId, tenantId, ref, answer.paymentChannel, answer.paidAt)
        : cancelled(compensationId, tenantId, ref, answer.reason, answer.declinedAt);
    }
    case 'ApprovalRequested':
    case 'PayoutRequested':
    case 'PayoutSent':
    case 'PayoutFailed':
    case 'PayoutRetried':
      return null;
    default:
      return null;
  }
};
