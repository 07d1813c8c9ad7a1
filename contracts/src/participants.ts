import type { AnyEventContract } from './define-event';
import { EventCatalogue } from './catalogue';
import { refersToCases } from './case-references';
import { CaseAssignedV1 } from './events/intake/case-assigned.v1';
import { CaseClassifiedV1 } from './events/intake/case-classified.v1';
import { CaseEscalatedV1 } from './events/intake/case-escalated.v1';
import { CaseOpenedV1 } from './events/intake/case-opened.v1';
import { CaseReopenedV1 } from './events/intake/case-reopened.v1';
import { CaseResolvedV1 } from './events/intake/case-resolved.v1';
import { CustomerDataErasedV1 } from './events/intake/customer-data-erased.v1';
import { ImprovementInputRaisedV1 } from './events/surveys/improvement-input-raised.v1';
import { ComplaintRegisteredV1 } from './events/intake/complaint-registered.v1';
import { ComplaintAttachedV1 } from './events/incidents/complaint-attached.v1';
import { IncidentEscalatedV1 } from './events/incidents/incident-escalated.v1';
import { IncidentOpenedV1 } from './events/incidents/incident-opened.v1';
import { IncidentResolvedV1 } from './events/incidents/incident-resolved.v1';
import { SatisfactionBelowTargetV1 } from './events/surveys/satisfaction-below-target.v1';
import { SatisfactionMeasuredV1 } from './events/surveys/satisfaction-measured.v1';
import { AllowanceAcceptedV1 } from './events/returns/allowance-accepted.v1';
import { RefundRequestedV1 } from './events/returns/refund-requested.v1';
import { ReturnCancelledV1 } from './events/returns/return-cancelled.v1';
import { ReturnShipmentRequestedV1 } from './events/returns/return-shipment-requested.v1';
import { ReplacementShipmentRequestedV1 } from './events/returns/replacement-shipment-requested.v1';
import { CarrierScansReportedV1 } from './events/logistics/carrier-scans-reported.v1';
import { CompensationRequestedV1 } from './events/logistics/compensation-requested.v1';
import { RegionalAlarmRaisedV1 } from './events/logistics/regional-alarm-raised.v1';
import { ReplacementShippedV1 } from './events/logistics/replacement-shipped.v1';
import { ShipmentDeliveredV1 } from './events/logistics/shipment-delivered.v1';
import { AllowancePaidV1 } from './events/compensation/allowance-paid.v1';
import { RefundFailedV1 } from './events/compensation/refund-failed.v1';
import { RefundPaidV1 } from './events/compensation/refund-paid.v1';
import type { Service } from './services';

/**
 * One inbox consumer of a service as integrators and operators see it: Kafka group `<service>.<consumer>`, dead-letter
 * topic `aftersales.<service>.<consumer>.dlq`, the contracts it handles (its topics follow from them).
 */
export interface ConsumerManifest {
  /** Kebab-case consumer name, unique within its service. */
  readonly consumer: string;
  /** What it does with what it receives, one sentence. */
  readonly summary: string;
  readonly handles: readonly AnyEventContract[];
}

/**
 * What a service puts on Kafka and what it reads, for the AsyncAPI document's send and receive operations and the
 * catalogue. Declared here (contracts import no service); `test/contract/participants.spec.ts` checks it against the
 * services' real declarations: the consumers of each `defineService` with their `@Handles` contracts, and the contracts
 * each service's integration-event mapper publishes.
 */
export interface ServiceManifest {
  readonly service: Service;
  /** The contracts the service's outbox relay publishes on its topic. */
  readonly publishes: readonly AnyEventContract[];
  readonly consumers: readonly ConsumerManifest[];
}

/** Someone outside the platform that produces onto a platform topic (an ingress), with the contracts it may send. */
export interface ExternalProducer {
  /** camelCase id, used in operation ids. */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly publishes: readonly AnyEventContract[];
}

/** The carrier integrations that push scans onto the logistics topic instead of calling its signed webhook. */
export const CarrierIntegrations: ExternalProducer = {
  id: 'carrierIntegrations',
  title: 'Carrier integrations',
  summary:
    "A carrier integration pushes batches of its scans for one tenant onto aftersales.logistics.events (the Kafka ingress beside logistics' signed webhook POST /carrier-events); topic ACLs authenticate it.",
  publishes: [CarrierScansReportedV1],
};

/** Every producer from outside the platform. */
export const ExternalProducers: readonly ExternalProducer[] = [CarrierIntegrations];

const ingress = new Set<AnyEventContract>(ExternalProducers.flatMap((producer) => producer.publishes));

/** The contracts of a service's own namespace that it publishes itself: all but the ingress ones. */
const ownEvents = (service: Service): AnyEventContract[] =>
  EventCatalogue.filter((contract) => contract.service === service && !ingress.has(contract));

/**
 * The manifest of every service, in `Services` order.
 *
 * @example
 * ```ts
 * import { ServiceManifests } from '@aftersales/contracts';
 * ServiceManifests.find((m) => m.service === 'returns')?.consumers.map((c) => c.consumer); // ['case-register', 'return-saga']
 * ```
 */
export const ServiceManifests: readonly ServiceManifest[] = [
  {
    service: 'intake',
    publishes: ownEvents('intake'),
    consumers: [
      {
        consumer: 'case-timeline',
        summary:
          'Puts every event of another service that names a case (`caseId` or `caseIds`) on the timeline of each case it names (GET /cases/:id/timeline).',
        handles: EventCatalogue.filter(
          (contract) => contract.service !== 'intake' && !ingress.has(contract) && refersToCases(contract),
        ),
      },
      {
        consumer: 'improvement-input',
        summary:
          "Opens a follow-up case (complaint) or a quality-review case (suggestion) for surveys' unsatisfied answers and suggestions, once per survey.",
        handles: [ImprovementInputRaisedV1],
      },
    ],
  },
  {
    service: 'returns',
    publishes: ownEvents('returns'),
    consumers: [
      {
        consumer: 'case-register',
        summary: "Registers intake's cases, so returns can be opened for them.",
        handles: [CaseOpenedV1],
      },
      {
        consumer: 'return-saga',
        summary:
          "Moves returns on by logistics' deliveries and shipments and compensation's refund and allowance outcomes (ADR 14).",
        handles: [ShipmentDeliveredV1, ReplacementShippedV1, RefundPaidV1, RefundFailedV1, AllowancePaidV1],
      },
    ],
  },
  {
    service: 'logistics',
    publishes: ownEvents('logistics'),
    consumers: [
      {
        consumer: 'case-register',
        summary: "Registers intake's cases, so shipments can name them.",
        handles: [CaseOpenedV1],
      },
      {
        consumer: 'returns-saga',
        summary: 'Books the return and replacement shipments returns asks for, and cancels a pending one (ADR 14).',
        handles: [ReturnShipmentRequestedV1, ReplacementShipmentRequestedV1, ReturnCancelledV1],
      },
      {
        consumer: 'carrier-scans',
        summary: "Records the carrier integrations' scans pushed onto the logistics topic, each once by its event id.",
        handles: [CarrierScansReportedV1],
      },
    ],
  },
  {
    service: 'compensation',
    publishes: ownEvents('compensation'),
    consumers: [
      {
        consumer: 'compensation-requests',
        summary:
          "Turns returns' refunds and allowances, logistics' and surveys' compensation requests into compensation orders.",
        handles: [RefundRequestedV1, AllowanceAcceptedV1, CompensationRequestedV1, SatisfactionBelowTargetV1],
      },
      {
        consumer: 'emergency-funds',
        summary:
          "Opens the tenant's emergency fund for level 1 and 2 incidents, offers the apology coupon to each case an incident names, and compensates an incident's cases once when its solution says so.",
        handles: [IncidentOpenedV1, IncidentEscalatedV1, IncidentResolvedV1],
      },
    ],
  },
  {
    service: 'incidents',
    publishes: ownEvents('incidents'),
    consumers: [
      {
        consumer: 'complaint-clustering',
        summary: "Clusters intake's complaints into incidents (level 3/2/1) and pages the response teams.",
        handles: [ComplaintRegisteredV1],
      },
      {
        consumer: 'regional-alarms',
        summary: "Feeds logistics' regional alarms to the clustering as special-scenario signals about their region.",
        handles: [RegionalAlarmRaisedV1],
      },
      {
        consumer: 'satisfaction',
        summary: "Records surveys' satisfaction measurements on the incident.",
        handles: [SatisfactionMeasuredV1],
      },
    ],
  },
  {
    service: 'surveys',
    publishes: ownEvents('surveys'),
    consumers: [
      {
        consumer: 'case-register',
        summary:
          "Projects intake's cases into the case register (opened, assigned, classified, escalated, reopened) and surveys each resolved case by the tenant's survey policy.",
        handles: [CaseOpenedV1, CaseAssignedV1, CaseClassifiedV1, CaseEscalatedV1, CaseReopenedV1, CaseResolvedV1],
      },
      {
        consumer: 'incident-follow-up',
        summary: 'Surveys the customers attached to an incident once it is resolved.',
        handles: [ComplaintAttachedV1, IncidentResolvedV1],
      },
      {
        consumer: 'customer-data',
        summary: "Destroys surveys' key for a customer whose data intake erased (crypto-shredding of sealed contacts).",
        handles: [CustomerDataErasedV1],
      },
    ],
  },
];

/** The manifest of one service. */
export function serviceManifest(service: Service): ServiceManifest {
  const manifest = ServiceManifests.find((candidate) => candidate.service === service);
  if (!manifest) throw new Error(`no manifest for service ${service}`);
  return manifest;
}
