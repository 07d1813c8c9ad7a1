import {
  EventCatalogue,
  findEventContract,
  parseCeType,
  refersToCases,
  Services,
  type CatalogueEventType,
  type EventDataByType,
  type Service,
} from '@aftersales/contracts';

/**
 * One entry of a case's timeline: something that happened to the case, in intake or in another service. The summary is
 * objective and carries no personal data (domain §1: every communication recorded objectively; §7: no unnecessary
 * copying of customer data): it is built from codes, levels and figures, never from free text a person wrote.
 */
export interface CaseTimelineEntry {
  /** The event's id: intake's stored event id, or the CloudEvent id (`ce_id`) of another service's event. */
  readonly id: string;
  /** When it happened (recorded by the service that owns it), ISO 8601 with milliseconds. */
  readonly at: string;
  readonly service: Service;
  /** Intake's event type (`CaseOpened`, `ComplaintRegistered`, …) or the CloudEvents type of another service's event. */
  readonly eventType: string;
  readonly actor: TimelineActor;
  readonly summary: string;
  /** Path of the resource the event belongs to, in the owning service's API (`/cases/<id>`, `/incidents/<id>`, …). */
  readonly link: string;
}

/**
 * Who did it: a person (`user`, the subject of their token), a shop or channel integration (`integration`), a
 * component of intake acting on its own (`system`), or another service whose events name no person (`service`, its
 * name as the id).
 */
export interface TimelineActor {
  readonly kind: 'user' | 'integration' | 'system' | 'service';
  readonly id?: string;
}

/** An event of intake's own store that concerns the case (its stream, or another stream's event naming the case). */
export interface IntakeCaseEvent {
  readonly id: string;
  readonly streamId: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly actor: { readonly id: string; readonly roles?: readonly string[] };
  readonly recordedAt: Date;
}

/** Another service's published event that names the case, as the `case-timeline` consumer stored it. */
export interface PublishedCaseEvent {
  /** `ce_id`. */
  readonly id: string;
  /** `ce_type`, e.g. `aftersales.incidents.incident-opened.v1`. */
  readonly type: string;
  readonly occurredAt: Date;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * The contracts whose events reach the case timeline: every contract of every other service (`Services`) that may name
 * a case (`caseId` or `caseIds`, see `refersToCases`). A contract added later (returns, logistics, compensation) joins
 * by naming cases; nothing here names event types.
 */
export const caseTimelineContracts = EventCatalogue.filter(
  (contract) => contract.service !== 'intake' && Services.includes(contract.service) && refersToCases(contract),
);

/** Where intake's own resources live, by the stream an event belongs to. */
const intakeResources: ReadonlyArray<{ readonly streamPrefix: string; readonly path: string }> = [
  { streamPrefix: 'case-', path: '/cases/' },
  { streamPrefix: 'complaint-', path: '/complaints/' },
  { streamPrefix: 'review-', path: '/reviews/' },
];

/** The timeline entry of one of intake's own events: generic, so lifecycle events added later appear unchanged. */
export function intakeEntry(caseId: string, event: IntakeCaseEvent): CaseTimelineEntry {
  const resource = intakeResources.find((r) => event.streamId.startsWith(r.streamPrefix));
  return {
    id: event.id,
    at: event.recordedAt.toISOString(),
    service: 'intake',
    eventType: event.type,
    actor: actorOf(event.actor),
    summary: intakeSummaries[event.type]?.(event.data) ?? sentenceOf(event.type),
    link: resource ? `${resource.path}${event.streamId.slice(resource.streamPrefix.length)}` : `/cases/${caseId}`,
  };
}

/** The timeline entry of another service's published event. */
export function publishedEntry(event: PublishedCaseEvent): CaseTimelineEntry {
  const contract = findEventContract(event.type);
  // The consumer stores only events whose ce_type it validated against the catalogue: always a platform type.
  const service = parseCeType(event.type)?.service;
  if (!service) throw new Error(`${event.type} on a case timeline is not a platform event type`);
  const describe = publishedSummaries[event.type as CatalogueEventType] as
    ((payload: Readonly<Record<string, unknown>>) => string) | undefined;
  return {
    id: event.id,
    at: event.occurredAt.toISOString(),
    service,
    eventType: event.type,
    actor: publishedActorOf(service, event.payload),
    summary: describe?.(event.payload) ?? contract?.summary ?? event.type,
    link: publishedLinkOf(event.type, event.payload),
  };
}

/** Intake's actors as its events record them (`metadata.actor`): system components, integrations, people. */
function actorOf(actor: IntakeCaseEvent['actor']): TimelineActor {
  if (actor.id.startsWith('system:')) return { kind: 'system', id: actor.id.slice('system:'.length) };
  if (actor.roles?.includes('integrator')) return { kind: 'integration', id: actor.id };
  return { kind: 'user', id: actor.id };
}

/** Other services publish no actor header: a person only where the payload names who decided (`decidedBy`). */
function publishedActorOf(service: Service, payload: Readonly<Record<string, unknown>>): TimelineActor {
  const decidedBy = payload.decidedBy as { id?: unknown } | undefined;
  return typeof decidedBy?.id === 'string' ? { kind: 'user', id: decidedBy.id } : { kind: 'service', id: service };
}

/** `CaseAcknowledged` → `Case acknowledged`: the objective fallback for an event without a summary of its own. */
function sentenceOf(type: string): string {
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An amount in minor units read in its currency's own decimals: `{ 19900, CNY }` → `199.00 CNY`, `{ 500, JPY }` → `500 JPY`. */
function money(amount: { amountMinor: number; currency: string }): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency: amount.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return `${(amount.amountMinor / 10 ** digits).toFixed(digits)} ${amount.currency}`;
}

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '?');

const flagNames: Readonly<Record<string, string>> = {
  personalInjury: 'personal injury',
  propertyLoss: 'property loss',
  mediaExposure: 'media exposure',
  legalThreat: 'legal threat',
  groupEvent: 'group event',
};

/** Intake's events with a summary of their own (codes and figures only); every other type reads as a sentence. */
const intakeSummaries: Readonly<Record<string, (data: Readonly<Record<string, unknown>>) => string>> = {
  CaseOpened: (d) => `Case opened on ${text(d.channel)}: ${text(d.problemType)}`,
  ComplaintRegistered: (d) => {
    const flags = Object.entries((d.flags ?? {}) as Record<string, unknown>)
      .filter(([, raised]) => raised === true)
      .map(([flag]) => flagNames[flag] ?? flag);
    return `Complaint registered: ${text(d.category)}${flags.length ? ` (${flags.join(', ')})` : ''}`;
  },
  ReviewRegistered: (d) =>
    `Review registered: ${text(d.sentiment)}${typeof d.rating === 'number' ? `, rated ${d.rating}/5` : ''}`,
  SlaClockStarted: (d) => `SLA clock ${text(d.clockId)} started, due ${text(d.dueAt)}`,
  SlaClockPaused: (d) => `SLA clock ${text(d.clockId)} paused`,
  SlaClockResumed: (d) => `SLA clock ${text(d.clockId)} resumed, due ${text(d.dueAt)}`,
  SlaClockWarned: (d) => `SLA clock ${text(d.clockId)} used its warning share, due ${text(d.dueAt)}`,
  SlaClockBreached: (d) => `SLA clock ${text(d.clockId)} breached at ${text(d.dueAt)}`,
  SlaClockMet: (d) =>
    `SLA clock ${text(d.clockId)} met${d.late === true ? ' late' : ''} after ${text(d.consumedMs)} ms`,
  ReviewFlaggedMalicious: (d) =>
    `Review flagged as malicious with ${Array.isArray(d.evidenceRefs) ? d.evidenceRefs.length : 0} piece(s) of evidence`,
};

type Summaries = { readonly [T in CatalogueEventType]?: (data: EventDataByType[T]) => string };

/** Summaries of other services' events, typed by their contracts; a contract without one reads as its summary. */
const publishedSummaries: Summaries = {
  'aftersales.incidents.incident-opened.v1': (d) => `Incident opened at ${d.level} (${d.category})`,
  'aftersales.incidents.incident-escalated.v1': (d) => `Incident escalated from ${d.fromLevel} to ${d.toLevel}`,
  'aftersales.incidents.incident-downgraded.v1': (d) => `Incident lowered from ${d.fromLevel} to ${d.toLevel}`,
  'aftersales.incidents.incident-merged.v1': (d) => `Incident merged into incident ${d.survivorIncidentId}`,
  'aftersales.incidents.response-team-paged.v1': (d) => `${d.level} response team paged (${d.trigger})`,
  'aftersales.incidents.response-deadline-breached.v1': (d) =>
    `${d.level} contact deadline passed without a customer contact; ${d.escalatedTo} paged`,
  'aftersales.incidents.complaint-attached.v1': (d) => `Complaint ${d.complaintId} attached to the incident`,
  'aftersales.incidents.incident-resolved.v1': (d) =>
    `Incident resolved at ${d.level}; satisfaction target ${d.satisfactionTarget} %`,
  'aftersales.incidents.incident-closed.v1': (d) => `Incident closed at ${d.level}`,
  'aftersales.surveys.satisfaction-measured.v1': (d) =>
    `Survey answered: satisfaction ${d.satisfactionPercent} % of ${d.responses} response(s), target ${d.targetPercent} %`,
  'aftersales.surveys.satisfaction-below-target.v1': (d) =>
    `Satisfaction ${d.satisfactionPercent} % fell below the target of ${d.targetPercent} %: follow-up needed`,
  'aftersales.surveys.improvement-input-raised.v1': (d) =>
    `Survey answered (speed ${d.scores.responseSpeed}, result ${d.scores.result}, attitude ${d.scores.attitude}): ` +
    `${d.reasons.join(' and ')}, routed to ${d.route === 'follow-up-case' ? 'a follow-up case' : 'quality review'}`,
  'aftersales.returns.return-requested.v1': (d) => `Return requested: ${d.kind} for ${d.reason}`,
  'aftersales.returns.return-approved.v1': (d) =>
    `Return approved (${d.rule}): ${d.resolution}, shipping paid by ${d.shippingPaidBy}`,
  'aftersales.returns.return-refused.v1': (d) => `Return refused (${d.rule})`,
  'aftersales.returns.allowance-offered.v1': (d) => `Allowance of ${money(d.amount)} offered to keep the goods`,
  'aftersales.returns.allowance-accepted.v1': (d) => `Allowance of ${money(d.amount)} accepted; the goods are kept`,
  'aftersales.returns.return-received.v1': (d) => `Returned goods received${d.complete ? '' : ' in part'}`,
  'aftersales.returns.return-inspected.v1': (d) =>
    `Returned goods inspected: ${d.grade}, ${d.disposition}${d.accepted ? '' : ', refused on receipt'}`,
  'aftersales.returns.refund-requested.v1': (d) => `Refund of ${money(d.amount)} requested`,
  'aftersales.returns.return-closed.v1': (d) => `Return closed: ${d.closure}`,
  'aftersales.returns.return-deadline-breached.v1': (d) => `Return deadline ${d.deadline} breached at ${d.dueAt}`,
  'aftersales.logistics.shipment-delivered.v1': (d) => `Shipment (${d.purpose}) delivered`,
  'aftersales.logistics.replacement-shipped.v1': (d) => `Replacement shipped with ${d.carrier}`,
  'aftersales.compensation.refund-paid.v1': (d) => `Refund of ${money(d.amount)} paid`,
  'aftersales.compensation.refund-failed.v1': (d) => `Refund of ${money(d.amount)} failed: ${d.failureReason}`,
  'aftersales.compensation.allowance-paid.v1': (d) => `Allowance of ${money(d.amount)} paid`,
};

/**
 * The owning service's resource of a published event. Surveys publishes about incidents' satisfaction: its resource is
 * the survey that was answered, or the incident's satisfaction. Any other event links to its subject's resource, named
 * after the subject field (`incidentId` → `/incidents/<id>`, `returnRequestId` → `/return-requests/<id>`).
 */
function publishedLinkOf(type: string, payload: Readonly<Record<string, unknown>>): string {
  const contract = findEventContract(type);
  if (contract?.service === 'surveys') {
    if (typeof payload.surveyId === 'string') return `/surveys/${payload.surveyId}`;
    if (typeof payload.incidentId === 'string') return `/incidents/${payload.incidentId}/satisfaction`;
  }
  const subjectField = contract?.subject ?? '';
  const subject = payload[subjectField];
  if (typeof subject !== 'string' || !subjectField.endsWith('Id')) return `/${contract?.service ?? 'events'}`;
  const resource = subjectField
    .slice(0, -'Id'.length)
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
  return `/${resource}s/${subject}`;
}
