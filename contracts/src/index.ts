/**
 * `@aftersales/contracts` — the published event contracts of the after-sales platform.
 *
 * Import from the package root only:
 * ```ts
 * import { CaseOpenedV1, Topics, validateEvent } from '@aftersales/contracts';
 * ```
 *
 * @packageDocumentation
 */
export { Services, isService, type Service } from './services';
export {
  Topics,
  TopicSettingsByKind,
  eventTopic,
  dlqTopic,
  type EventTopic,
  type DeadLetterTopic,
  type TopicSettings,
} from './topics';
export {
  CloudEventHeaders,
  CloudEventExtensions,
  LegacyCloudEventHeaders,
  extensionHeader,
  CLOUDEVENTS_SPEC_VERSION,
  EVENT_CONTENT_TYPE,
  eventSource,
  DeadLetterHeaders,
  DeadLetterHeader,
  DeadLetterCodes,
  type DeadLetterCode,
  type CloudEventHeaderName,
  type CloudEventMetadata,
  type EventSource,
  type DeadLetterHeaderName,
  type DeadLetterMetadata,
} from './headers';
export {
  defineEvent,
  eventType,
  eventKey,
  eventSubject,
  parseCeType,
  type AnyEventContract,
  type EventContract,
  type EventData,
  type EventDefinition,
  type EventType,
  type ParsedCeType,
  type PartitionKey,
  type RequiredStringKeys,
} from './define-event';
export { StringEnum } from './schema';
export {
  CarrierIntegrations,
  ExternalProducers,
  ServiceManifests,
  serviceManifest,
  type ConsumerManifest,
  type ExternalProducer,
  type ServiceManifest,
} from './participants';
export { CaseIds, CaseReferenceProperties, casesNamedBy, refersToCases } from './case-references';
export {
  EventCatalogue,
  type CatalogueEvent,
  type CatalogueEventType,
  type ContractOf,
  type EventDataByType,
} from './catalogue';
export {
  findEventContract,
  validateEvent,
  type EventValidationErrorCode,
  type EventValidationResult,
  type SchemaViolation,
} from './registry';
export { isBelowTarget, isFigureBelowTarget, satisfactionPercent, satisfiedCountOf } from './satisfaction';
export { findBreakingChanges, toJSONSchema, type JSONSchema, type JSONSchemaTypeName } from './compatibility';

// Event contracts, one export per event version.
export {
  CaseChannels,
  CasePriorities,
  ProblemTypes,
  DesiredResolutions,
  EvidenceKinds,
  type CaseChannel,
  type CasePriority,
  type ProblemType,
  type DesiredResolution,
  type EvidenceKind,
} from './events/intake/vocabulary';
export { CaseOpenedV1 } from './events/intake/case-opened.v1';
export {
  CollaborationParties,
  EscalationReasons,
  EscalationRungs,
  Money,
  ResponsibleParties,
  SolutionKinds,
  type CollaborationParty,
  type EscalationReason,
  type EscalationRung,
  type ResponsibleParty,
  type SolutionKind,
} from './events/intake/case-lifecycle.vocabulary';
export { CaseAcknowledgedV1 } from './events/intake/case-acknowledged.v1';
export { CaseClassifiedV1 } from './events/intake/case-classified.v1';
export { CaseAssignedV1 } from './events/intake/case-assigned.v1';
export { CaseSolutionAcceptedV1 } from './events/intake/case-solution-accepted.v1';
export { CaseCollaborationRequestedV1 } from './events/intake/case-collaboration-requested.v1';
export { CaseResolvedV1 } from './events/intake/case-resolved.v1';
export { CaseClosedV1 } from './events/intake/case-closed.v1';
export { CaseReopenedV1 } from './events/intake/case-reopened.v1';
export { CaseEscalatedV1 } from './events/intake/case-escalated.v1';
export {
  SlaClockBases,
  SlaClockIds,
  type SlaClockBasisV1,
  type SlaClockIdV1,
} from './events/intake/sla-clock.vocabulary';
export { SlaClockStartedV1 } from './events/intake/sla-clock-started.v1';
export { SlaClockPausedV1 } from './events/intake/sla-clock-paused.v1';
export { SlaClockResumedV1 } from './events/intake/sla-clock-resumed.v1';
export { SlaClockWarnedV1 } from './events/intake/sla-clock-warned.v1';
export { SlaClockBreachedV1 } from './events/intake/sla-clock-breached.v1';
export { SlaClockMetV1 } from './events/intake/sla-clock-met.v1';
export {
  ComplaintRegisteredV1,
  ComplaintCategories,
  type ComplaintCategory,
  complaintPartitionKey,
} from './events/intake/complaint-registered.v1';
export { ReviewFlaggedMaliciousV1 } from './events/intake/review-flagged-malicious.v1';
export { CustomerDataErasedV1 } from './events/intake/customer-data-erased.v1';
export {
  IncidentLevels,
  IncidentCategories,
  PageTriggers,
  IncidentSolutionKinds,
  type IncidentLevelValue,
  type IncidentCategoryValue,
  type PageTrigger,
  type IncidentSolutionKind,
} from './events/incidents/vocabulary';
export { IncidentOpenedV1 } from './events/incidents/incident-opened.v1';
export { IncidentEscalatedV1 } from './events/incidents/incident-escalated.v1';
export { ResponseTeamPagedV1 } from './events/incidents/response-team-paged.v1';
export { ResponseDeadlineBreachedV1 } from './events/incidents/response-deadline-breached.v1';
export { ComplaintAttachedV1 } from './events/incidents/complaint-attached.v1';
export { IncidentResolvedV1 } from './events/incidents/incident-resolved.v1';
export { IncidentClosedV1 } from './events/incidents/incident-closed.v1';
export { IncidentDowngradedV1 } from './events/incidents/incident-downgraded.v1';
export { IncidentMergedV1 } from './events/incidents/incident-merged.v1';
export { SatisfactionMeasuredV1 } from './events/surveys/satisfaction-measured.v1';
export { SatisfactionBelowTargetV1 } from './events/surveys/satisfaction-below-target.v1';
export {
  ImprovementInputRaisedV1,
  ImprovementReasons,
  ImprovementRoutes,
  SurveyDimensions,
} from './events/surveys/improvement-input-raised.v1';
export {
  ReturnKinds,
  ReturnReasons,
  ProblemSeverities,
  MismatchKinds,
  ReturnResolutions,
  ReturnRules,
  ShippingPayers,
  InspectionGrades,
  Dispositions,
  ReturnClosures,
  ReturnDeadlines,
  ReturnLine,
  PricedReturnLine,
  DifferenceSettlements,
  type DifferenceSettlement,
  type ReturnKind,
  type ReturnReason,
  type ProblemSeverity,
  type MismatchKind,
  type ReturnResolution,
  type ReturnRule,
  type ShippingPayer,
  type InspectionGrade,
  type Disposition,
  type ReturnClosure,
  type ReturnDeadline,
} from './events/returns/vocabulary';
export { ReturnRequestedV1 } from './events/returns/return-requested.v1';
export { ReturnApprovedV1 } from './events/returns/return-approved.v1';
export { ReturnRefusedV1 } from './events/returns/return-refused.v1';
export { AllowanceOfferedV1 } from './events/returns/allowance-offered.v1';
export { AllowanceAcceptedV1 } from './events/returns/allowance-accepted.v1';
export { ReturnShipmentRequestedV1 } from './events/returns/return-shipment-requested.v1';
export { ReplacementShipmentRequestedV1 } from './events/returns/replacement-shipment-requested.v1';
export { ReturnReceivedV1 } from './events/returns/return-received.v1';
export { ReturnInspectedV1 } from './events/returns/return-inspected.v1';
export { RefundRequestedV1 } from './events/returns/refund-requested.v1';
export { ReturnClosedV1 } from './events/returns/return-closed.v1';
export { ReturnCancelledV1 } from './events/returns/return-cancelled.v1';
export { ReturnDeadlineBreachedV1 } from './events/returns/return-deadline-breached.v1';
export { ExchangeDifferenceDueV1 } from './events/returns/exchange-difference-due.v1';
export { ShipmentDeliveredV1 } from './events/logistics/shipment-delivered.v1';
export { ReplacementShippedV1 } from './events/logistics/replacement-shipped.v1';
export { CompensationRequestedV1 } from './events/logistics/compensation-requested.v1';
export { RegionalAlarmRaisedV1 } from './events/logistics/regional-alarm-raised.v1';
export { ShipmentStalledV1 } from './events/logistics/shipment-stalled.v1';
export { ShipmentLostV1 } from './events/logistics/shipment-lost.v1';
export { ShipmentReshippedV1 } from './events/logistics/shipment-reshipped.v1';
export { CarrierScansReportedV1, CarrierScanLine } from './events/logistics/carrier-scans-reported.v1';
export { RefundPaidV1 } from './events/compensation/refund-paid.v1';
export { RefundFailedV1 } from './events/compensation/refund-failed.v1';
export { AllowancePaidV1 } from './events/compensation/allowance-paid.v1';
export { CompensationOrderRequestedV1 } from './events/compensation/compensation-order-requested.v1';
export { CompensationOfferedV1 } from './events/compensation/compensation-offered.v1';
export { CompensationAcceptedV1 } from './events/compensation/compensation-accepted.v1';
export { CompensationRefusedV1 } from './events/compensation/compensation-refused.v1';
export { CompensationCancelledV1 } from './events/compensation/compensation-cancelled.v1';
export { CompensationPaidV1 } from './events/compensation/compensation-paid.v1';
export { PayoutManualReviewRequiredV1 } from './events/compensation/payout-manual-review-required.v1';
export { InvoiceExpediteRequestedV1 } from './events/compensation/invoice-expedite-requested.v1';
export { InvoiceIssuedV1 } from './events/compensation/invoice-issued.v1';
export {
  ShipmentPurposes,
  type ShipmentPurpose,
  LogisticsCompensationReasons,
  type LogisticsCompensationReason,
  LogisticsCompensationInstruments,
  type LogisticsCompensationInstrument,
  RegionalAlarmCauses,
  type RegionalAlarmCause,
  StallReasons,
  type StallReason,
  ReshipmentCauses,
  type ReshipmentCause,
} from './events/logistics/vocabulary';
export {
  RefundFailureReasons,
  type RefundFailureReason,
  CompensationInstruments,
  type CompensationInstrument,
  CompensationCauseKinds,
  type CompensationCauseKind,
  CompensationApproverRoles,
  type CompensationApproverRole,
  CompensationCancellationReasons,
  type CompensationCancellationReason,
} from './events/compensation/vocabulary';
