import type { Command } from '@aftersales/domain';
import type {
  CaseAcknowledged,
  CaseAssigned,
  CaseClassified,
  CaseCollaborationRequested,
  CaseCommunicationRecorded,
  CaseEscalated,
  CaseFactRecorded,
  CaseOpened,
  CaseOrderChangeRequested,
  CaseWaitingStarted,
  CustomerIdentityVerified,
  Responsibility,
  Solution,
} from './case.events';
import type { SlaClockId, SlaLadderRung } from './sla-policy';

/** What a command says; the case, the time and the actor come from the stream and the command's context. */
type Said<E extends { readonly data: unknown }, Omitted extends string = never> = Omit<
  E['data'],
  'caseId' | 'at' | 'by' | Omitted
>;

/** Opens an after-sales case (ticket) received on a customer channel. */
export type OpenCase = Command<'OpenCase', Omit<CaseOpened['data'], 'tenant' | 'openedAt' | 'openedBy'>>;

/** Tells the customer the case is accepted (seed 000 §2.1); `automatic` off hours, with `handledFrom` (seed 002 §1.1). */
export type AcknowledgeCase = Command<'AcknowledgeCase', Said<CaseAcknowledged>>;

/** Classifies the case in one of the 12 categories; again to reclassify, with a reason. */
export type ClassifyCase = Command<'ClassifyCase', Said<CaseClassified, 'previousCategory'>>;

/** Assigns the case to a queue, a team and possibly an agent; again to reassign. */
export type AssignCase = Command<'AssignCase', Said<CaseAssigned, 'previous'>>;

/** Starts investigating an assigned (or reopened) case. */
export type StartInvestigation = Command<'StartInvestigation', Record<string, never>>;

/** Records a fact of the investigation: order, logistics, product or customer history (seed 000 §3.2.1). */
export type RecordFact = Command<'RecordFact', Said<CaseFactRecorded>>;

/** Determines who is responsible, on the facts gathered (seed 000 §3.2.3). */
export type DetermineResponsibility = Command<'DetermineResponsibility', Responsibility>;

/** Proposes 1–3 solutions with their basis, time and what the customer must do (seed 000 §3.2.4, §3.3.1). */
export type ProposeSolutions = Command<'ProposeSolutions', { readonly solutions: readonly Solution[] }>;

/** The customer accepts option `option` (1-based) of the current proposal: execution starts. */
export type AcceptSolution = Command<'AcceptSolution', { readonly option: number }>;

/** The customer rejects the current proposal: back to investigating, with the reason. */
export type RejectSolutions = Command<'RejectSolutions', { readonly reason: string }>;

/** Asks the merchant, the warehouse or logistics to help execute the solution (seed 000 §3.3.3). */
export type RequestCollaboration = Command<'RequestCollaboration', Said<CaseCollaborationRequested>>;

/** Records that a collaboration was done. */
export type CompleteCollaboration = Command<
  'CompleteCollaboration',
  { readonly collaborationId: string; readonly result: string }
>;

/** Resolves the case, telling the customer the outcome, its basis and the route to object (seed 000 §2.3). */
export type ResolveCase = Command<
  'ResolveCase',
  { readonly outcome: string; readonly basis: string; readonly objectionRoute: string }
>;

/** Closes a resolved case. */
export type CloseCase = Command<'CloseCase', { readonly note: string | null }>;

/** Reopens a resolved or closed case on the customer's objection, within the tenant's reopen window. */
export type ReopenCase = Command<'ReopenCase', { readonly objection: string }>;

/** The case waits on the customer or a third party: the stage is kept, the clocks pause. */
export type StartWaiting = Command<'StartWaiting', Said<CaseWaitingStarted>>;

/** The awaited reply came. */
export type EndWaiting = Command<'EndWaiting', { readonly note: string | null }>;

/** Takes the case up its escalation ladder (supervisor, complaint team, senior management). */
export type EscalateCase = Command<'EscalateCase', Said<CaseEscalated, 'previousRung'>>;

/** Records that the customer proved who they are, and how (seed 000 §2.2). */
export type VerifyCustomerIdentity = Command<'VerifyCustomerIdentity', Said<CustomerIdentityVerified, 'validUntil'>>;

/** Asks for a change of the order's shipping address or contact phone: sensitive, needs a verified identity. */
export type RequestOrderChange = Command<'RequestOrderChange', Said<CaseOrderChangeRequested, 'orderId'>>;

/** Records one communication with the customer (or a third party), objectively; contact data sealed. */
export type RecordCommunication = Command<'RecordCommunication', Said<CaseCommunicationRecorded>>;

/** Which clock a durable timer was set for: the clock and its start (1 for its first, 2 after a restart, …). */
export interface SlaClockRef {
  readonly clockId: SlaClockId;
  readonly instance: number;
}

/** The warning timer of a clock fired: records the warning if the clock, re-checked now, used its warning share. */
export type RecordSlaWarning = Command<'RecordSlaWarning', SlaClockRef>;

/** The breach timer of a clock fired: records the breach if the clock, re-checked now, used its whole budget. */
export type RecordSlaBreach = Command<'RecordSlaBreach', SlaClockRef>;

/**
 * A rung's deadline after a breach passed: the case goes up to that rung (reason `sla_breach`) if the clock is still
 * breached and not met.
 */
export type EscalateSlaBreach = Command<'EscalateSlaBreach', SlaClockRef & { readonly rung: SlaLadderRung }>;

export type CaseCommand =
  | OpenCase
  | AcknowledgeCase
  | ClassifyCase
  | AssignCase
  | StartInvestigation
  | RecordFact
  | DetermineResponsibility
  | ProposeSolutions
  | AcceptSolution
  | RejectSolutions
  | RequestCollaboration
  | CompleteCollaboration
  | ResolveCase
  | CloseCase
  | ReopenCase
  | StartWaiting
  | EndWaiting
  | EscalateCase
  | VerifyCustomerIdentity
  | RequestOrderChange
  | RecordCommunication
  | RecordSlaWarning
  | RecordSlaBreach
  | EscalateSlaBreach;
