import type { AnyEventContract, EventData } from './define-event';
import { CaseAcknowledgedV1 } from './events/intake/case-acknowledged.v1';
import { CaseAssignedV1 } from './events/intake/case-assigned.v1';
import { CaseClassifiedV1 } from './events/intake/case-classified.v1';
import { CaseClosedV1 } from './events/intake/case-closed.v1';
import { CaseCollaborationRequestedV1 } from './events/intake/case-collaboration-requested.v1';
import { CaseEscalatedV1 } from './events/intake/case-escalated.v1';
import { CaseOpenedV1 } from './events/intake/case-opened.v1';
import { CaseReopenedV1 } from './events/intake/case-reopened.v1';
import { CaseResolvedV1 } from './events/intake/case-resolved.v1';
import { CaseSolutionAcceptedV1 } from './events/intake/case-solution-accepted.v1';
import { ComplaintRegisteredV1 } from './events/intake/complaint-registered.v1';
import { ReviewFlaggedMaliciousV1 } from './events/intake/review-flagged-malicious.v1';
import { CustomerDataErasedV1 } from './events/intake/customer-data-erased.v1';
import { SlaClockBreachedV1 } from './events/intake/sla-clock-breached.v1';
import { SlaClockMetV1 } from './events/intake/sla-clock-met.v1';
import { SlaClockPausedV1 } from './events/intake/sla-clock-paused.v1';
import { SlaClockResumedV1 } from './events/intake/sla-clock-resumed.v1';
import { SlaClockStartedV1 } from './events/intake/sla-clock-started.v1';
import { SlaClockWarnedV1 } from './events/intake/sla-clock-warned.v1';
import { ComplaintAttachedV1 } from './events/incidents/complaint-attached.v1';
import { IncidentClosedV1 } from './events/incidents/incident-closed.v1';
import { IncidentDowngradedV1 } from './events/incidents/incident-downgraded.v1';
import { IncidentEscalatedV1 } from './events/incidents/incident-escalated.v1';
import { IncidentMergedV1 } from './events/incidents/incident-merged.v1';
import { IncidentOpenedV1 } from './events/incidents/incident-opened.v1';
import { IncidentResolvedV1 } from './events/incidents/incident-resolved.v1';
import { ResponseDeadlineBreachedV1 } from './events/incidents/response-deadline-breached.v1';
import { ResponseTeamPagedV1 } from './events/incidents/response-team-paged.v1';
import { SatisfactionBelowTargetV1 } from './events/surveys/satisfaction-below-target.v1';
import { SatisfactionMeasuredV1 } from './events/surveys/satisfaction-measured.v1';
import { ImprovementInputRaisedV1 } from './events/surveys/improvement-input-raised.v1';
import { ReturnRequestedV1 } from './events/returns/return-requested.v1';
import { ReturnApprovedV1 } from './events/returns/return-approved.v1';
import { ReturnRefusedV1 } from './events/returns/return-refused.v1';
import { AllowanceOfferedV1 } from './events/returns/allowance-offered.v1';
import { AllowanceAcceptedV1 } from './events/returns/allowance-accepted.v1';
import { ReturnShipmentRequestedV1 } from './events/returns/return-shipment-requested.v1';
import { ReplacementShipmentRequestedV1 } from './events/returns/replacement-shipment-requested.v1';
import { ReturnReceivedV1 } from './events/returns/return-received.v1';
import { ReturnInspectedV1 } from './events/returns/return-inspected.v1';
import { RefundRequestedV1 } from './events/returns/refund-requested.v1';
import { ReturnClosedV1 } from './events/returns/return-closed.v1';
import { ReturnCancelledV1 } from './events/returns/return-cancelled.v1';
import { ReturnDeadlineBreachedV1 } from './events/returns/return-deadline-breached.v1';
import { ExchangeDifferenceDueV1 } from './events/returns/exchange-difference-due.v1';
import { ShipmentDeliveredV1 } from './events/logistics/shipment-delivered.v1';
import { ReplacementShippedV1 } from './events/logistics/replacement-shipped.v1';
import { CompensationRequestedV1 } from './events/logistics/compensation-requested.v1';
import { RegionalAlarmRaisedV1 } from './events/logistics/regional-alarm-raised.v1';
import { ShipmentStalledV1 } from './events/logistics/shipment-stalled.v1';
import { ShipmentLostV1 } from './events/logistics/shipment-lost.v1';
import { ShipmentReshippedV1 } from './events/logistics/shipment-reshipped.v1';
import { CarrierScansReportedV1 } from './events/logistics/carrier-scans-reported.v1';
import { RefundPaidV1 } from './events/compensation/refund-paid.v1';
import { RefundFailedV1 } from './events/compensation/refund-failed.v1';
import { AllowancePaidV1 } from './events/compensation/allowance-paid.v1';
import { CompensationOrderRequestedV1 } from './events/compensation/compensation-order-requested.v1';
import { CompensationOfferedV1 } from './events/compensation/compensation-offered.v1';
import { CompensationAcceptedV1 } from './events/compensation/compensation-accepted.v1';
import { CompensationRefusedV1 } from './events/compensation/compensation-refused.v1';
import { CompensationCancelledV1 } from './events/compensation/compensation-cancelled.v1';
import { CompensationPaidV1 } from './events/compensation/compensation-paid.v1';
import { PayoutManualReviewRequiredV1 } from './events/compensation/payout-manual-review-required.v1';
import { InvoiceExpediteRequestedV1 } from './events/compensation/invoice-expedite-requested.v1';
import { InvoiceIssuedV1 } from './events/compensation/invoice-issued.v1';

/**
 * Every published event contract, all versions. Adding a contract here publishes it: the
 * AsyncAPI document and the compatibility baselines are derived from this list.
 *
 * @example
 * ```ts
 * import { EventCatalogue } from '@aftersales/contracts';
 * EventCatalogue.map((contract) => contract.type); // ['aftersales.intake.case-opened.v1', …]
 * ```
 */
export const EventCatalogue = [
  CaseOpenedV1,
  CaseAcknowledgedV1,
  CaseClassifiedV1,
  CaseAssignedV1,
  CaseSolutionAcceptedV1,
  CaseCollaborationRequestedV1,
  CaseResolvedV1,
  CaseClosedV1,
  CaseReopenedV1,
  CaseEscalatedV1,
  SlaClockStartedV1,
  SlaClockPausedV1,
  SlaClockResumedV1,
  SlaClockWarnedV1,
  SlaClockBreachedV1,
  SlaClockMetV1,
  ComplaintRegisteredV1,
  ReviewFlaggedMaliciousV1,
  CustomerDataErasedV1,
  IncidentOpenedV1,
  IncidentEscalatedV1,
  ResponseTeamPagedV1,
  ResponseDeadlineBreachedV1,
  ComplaintAttachedV1,
  IncidentResolvedV1,
  IncidentClosedV1,
  IncidentDowngradedV1,
  IncidentMergedV1,
  SatisfactionMeasuredV1,
  SatisfactionBelowTargetV1,
  ImprovementInputRaisedV1,
  ReturnRequestedV1,
  ReturnApprovedV1,
  ReturnRefusedV1,
  AllowanceOfferedV1,
  AllowanceAcceptedV1,
  ReturnShipmentRequestedV1,
  ReplacementShipmentRequestedV1,
  ReturnReceivedV1,
  ReturnInspectedV1,
  RefundRequestedV1,
  ReturnClosedV1,
  ReturnCancelledV1,
  ReturnDeadlineBreachedV1,
  ExchangeDifferenceDueV1,
  ShipmentDeliveredV1,
  ReplacementShippedV1,
  CompensationRequestedV1,
  RegionalAlarmRaisedV1,
  ShipmentStalledV1,
  ShipmentLostV1,
  ShipmentReshippedV1,
  CarrierScansReportedV1,
  RefundPaidV1,
  RefundFailedV1,
  AllowancePaidV1,
  CompensationOrderRequestedV1,
  CompensationOfferedV1,
  CompensationAcceptedV1,
  CompensationRefusedV1,
  CompensationCancelledV1,
  CompensationPaidV1,
  PayoutManualReviewRequiredV1,
  InvoiceExpediteRequestedV1,
  InvoiceIssuedV1,
] as const satisfies readonly AnyEventContract[];

/** Union of all contracts in the {@link EventCatalogue}. */
export type CatalogueEvent = (typeof EventCatalogue)[number];

/** Union of all known `ce_type` values. */
export type CatalogueEventType = CatalogueEvent['type'];

/** The contract of a known `ce_type`. */
export type ContractOf<T extends CatalogueEventType> = Extract<CatalogueEvent, { readonly type: T }>;

/**
 * Payload type by `ce_type`.
 *
 * @example
 * ```ts
 * type Data = EventDataByType['aftersales.intake.case-opened.v1']; // = CaseOpenedV1
 * ```
 */
export type EventDataByType = { [T in CatalogueEventType]: EventData<ContractOf<T>> };
