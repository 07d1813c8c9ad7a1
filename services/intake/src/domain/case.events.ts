import type { ClockBasis } from '@aftersales/business-time';
import type {
  CaseChannel,
  CollaborationParty,
  DesiredResolution,
  EscalationReason,
  EscalationRung,
  EvidenceKind,
  Money,
  ProblemType,
  ResponsibleParty,
  SolutionKind,
} from '@aftersales/contracts';
import type {
  AuthorKind,
  CommunicationDirection,
  FactKind,
  OrderChangeKind,
  SealedData,
  VerificationMethod,
  WaitEnding,
  WaitingParty,
} from './case.values';
import type { CasePriority, SlaClockId } from './sla-policy';

/**
 * Domain events of the Case aggregate (internal; the published ones are mapped to contract events at the edge, in
 * `infrastructure/messaging/integration-events.ts`). Every event after `CaseOpened` says when (`at`) and by whom
 * (`by`, the actor's id) it happened; the event's metadata carries the rest of the origin.
 */
type CaseEventOf<Type extends string, Data> = {
  readonly type: Type;
  readonly data: { readonly caseId: string; readonly at: string; readonly by: string } & Data;
};

export type CaseOpened = {
  readonly type: 'CaseOpened';
  readonly data: {
    readonly caseId: string;
    readonly tenant: string;
    readonly channel: CaseChannel;
    readonly orderId: string;
    readonly customerId: string;
    readonly problemType: ProblemType;
    readonly description: string;
    readonly desiredResolution?: DesiredResolution;
    readonly evidence: ReadonlyArray<{ readonly kind: EvidenceKind; readonly uri: string }>;
    readonly purchasedAt?: string;
    /** How urgent the case is; absent: `normal`. SLA targets may depend on it. */
    readonly priority?: CasePriority;
    readonly openedAt: string;
    readonly openedBy: string;
  };
};

/** The customer was told the case is accepted, with the expected cycle or next step (or, off hours, from when). */
export type CaseAcknowledged = CaseEventOf<
  'CaseAcknowledged',
  {
    /** What the customer was told. */
    readonly message: string;
    readonly expectedCycle: string | null;
    readonly nextStep: string | null;
    /** An automatic (off-hours) acknowledgement: no first response. */
    readonly automatic: boolean;
    /** Automatic acknowledgements: when the case will be handled. */
    readonly handledFrom: string | null;
  }
>;

/** The customer got the case's first response (an agent's acknowledgement or outbound message); once per case. */
export type CaseFirstResponseGiven = CaseEventOf<
  'CaseFirstResponseGiven',
  {
    readonly via: 'acknowledgement' | 'communication';
    /** The communication that was the first response. */
    readonly communicationId: string | null;
  }
>;

export type CaseClassified = CaseEventOf<
  'CaseClassified',
  { readonly category: ProblemType; readonly previousCategory: ProblemType | null; readonly reason: string | null }
>;

/** Where a case is worked on: a queue, a team, and the agent when one is named. */
export interface Assignment {
  readonly queue: string;
  readonly team: string;
  readonly agentId: string | null;
}

export type CaseAssigned = CaseEventOf<
  'CaseAssigned',
  Assignment & { readonly previous: Assignment | null; readonly reason: string | null }
>;

export type CaseInvestigationStarted = CaseEventOf<'CaseInvestigationStarted', unknown>;

/** A fact gathered in the investigation, stated objectively, with where it comes from. */
export type CaseFactRecorded = CaseEventOf<
  'CaseFactRecorded',
  { readonly kind: FactKind; readonly summary: string; readonly source: string; readonly sourceRef: string | null }
>;

export interface Responsibility {
  readonly party: ResponsibleParty;
  readonly basis: string;
}

export type CaseResponsibilityDetermined = CaseEventOf<
  'CaseResponsibilityDetermined',
  Responsibility & { readonly previous: Responsibility | null }
>;

/** One option put to the customer: what, on what basis, how long, what the customer must do. */
export interface Solution {
  readonly kind: SolutionKind;
  readonly description: string;
  readonly basis: string;
  readonly expectedTime: string;
  readonly customerActions: string;
  readonly amount: Money | null;
}

export type CaseSolutionsProposed = CaseEventOf<
  'CaseSolutionsProposed',
  { readonly proposal: number; readonly solutions: readonly Solution[] }
>;

export type CaseSolutionAccepted = CaseEventOf<
  'CaseSolutionAccepted',
  { readonly proposal: number; readonly option: number; readonly solution: Solution }
>;

export type CaseSolutionsRejected = CaseEventOf<
  'CaseSolutionsRejected',
  { readonly proposal: number; readonly reason: string }
>;

export type CaseCollaborationRequested = CaseEventOf<
  'CaseCollaborationRequested',
  {
    readonly collaborationId: string;
    readonly party: CollaborationParty;
    readonly requirement: string;
    readonly deadline: string;
    readonly owner: string;
  }
>;

export type CaseCollaborationCompleted = CaseEventOf<
  'CaseCollaborationCompleted',
  { readonly collaborationId: string; readonly result: string; readonly withinDeadline: boolean }
>;

export type CaseResolved = CaseEventOf<
  'CaseResolved',
  {
    readonly solutionKind: SolutionKind;
    readonly outcome: string;
    readonly basis: string;
    readonly objectionRoute: string;
    /** Resolution + the tenant's reopen window, fixed now: a later policy change does not move it. */
    readonly reopenableUntil: string;
  }
>;

export type CaseClosed = CaseEventOf<'CaseClosed', { readonly reopenableUntil: string; readonly note: string | null }>;

export type CaseReopened = CaseEventOf<
  'CaseReopened',
  { readonly objection: string; readonly from: 'resolved' | 'closed'; readonly reopening: number }
>;

export type CaseWaitingStarted = CaseEventOf<
  'CaseWaitingStarted',
  { readonly on: WaitingParty; readonly reason: string }
>;

export type CaseWaitingEnded = CaseEventOf<
  'CaseWaitingEnded',
  {
    readonly on: WaitingParty;
    /** When the wait started: clocks pause from `since` to `at`. */
    readonly since: string;
    readonly endedBy: WaitEnding;
    readonly note: string | null;
    /** The customer's message that ended it. */
    readonly communicationId: string | null;
  }
>;

export type CaseEscalated = CaseEventOf<
  'CaseEscalated',
  {
    readonly rung: EscalationRung;
    readonly previousRung: EscalationRung | null;
    readonly reason: EscalationReason;
    readonly note: string | null;
  }
>;

export type CustomerIdentityVerified = CaseEventOf<
  'CustomerIdentityVerified',
  {
    readonly method: VerificationMethod;
    /** The verification's own reference (e.g. the SMS challenge id), never the code or document itself. */
    readonly reference: string | null;
    readonly validUntil: string;
  }
>;

export type CaseOrderChangeRequested = CaseEventOf<
  'CaseOrderChangeRequested',
  {
    readonly changeId: string;
    readonly orderId: string;
    readonly kind: OrderChangeKind;
    /** The new details (address, phone), sealed by the privacy vault. */
    readonly details: SealedData;
    readonly note: string | null;
  }
>;

export type CaseCommunicationRecorded = CaseEventOf<
  'CaseCommunicationRecorded',
  {
    readonly communicationId: string;
    readonly channel: CaseChannel;
    readonly direction: CommunicationDirection;
    readonly author: { readonly kind: AuthorKind; readonly ref: string | null };
    /** An objective summary, no personal judgement (seed 000 §2.2). */
    readonly summary: string;
    readonly attachmentRefs: readonly string[];
    /** The phone or e-mail used, sealed by the privacy vault. */
    readonly contact: SealedData | null;
  }
>;

/**
 * An SLA clock of the case started (domain.md §1; `sla-clocks.ts`): its target's budget and basis, the instant it
 * starts, and when it will warn and be due if it runs on without a pause. `warnAtShare` is the share of the budget that
 * warns, kept so that the warning instant after a pause follows the same target. Restarting a clock (the next
 * response after each customer message, the progress update after each update) is a new `SlaClockStarted`.
 */
export type SlaClockStarted = {
  readonly type: 'SlaClockStarted';
  readonly data: {
    readonly caseId: string;
    readonly clockId: SlaClockId;
    readonly basis: ClockBasis;
    readonly budgetMs: number;
    readonly at: string;
    readonly dueAt: string;
    readonly warnAt: string;
    readonly warnAtShare: number;
  };
};

/** The clock stopped: the case waits on the customer or a third party. */
export type SlaClockPaused = {
  readonly type: 'SlaClockPaused';
  readonly data: { readonly caseId: string; readonly clockId: SlaClockId; readonly at: string };
};

/** The clock runs again (the reply came); `dueAt` moved by the time the pause covered. */
export type SlaClockResumed = {
  readonly type: 'SlaClockResumed';
  readonly data: { readonly caseId: string; readonly clockId: SlaClockId; readonly at: string; readonly dueAt: string };
};

/**
 * The clock used its warning share: `at` is the instant the share ran out (a fact a late timer does not move), `dueAt`
 * when the whole budget will be used.
 */
export type SlaClockWarned = {
  readonly type: 'SlaClockWarned';
  readonly data: { readonly caseId: string; readonly clockId: SlaClockId; readonly at: string; readonly dueAt: string };
};

/** The clock used its whole budget without being met: `at` = `dueAt`, the instant it ran out (not the timer's). */
export type SlaClockBreached = {
  readonly type: 'SlaClockBreached';
  readonly data: { readonly caseId: string; readonly clockId: SlaClockId; readonly at: string; readonly dueAt: string };
};

/** The clock's target was achieved at `at`: `late` once its whole budget was used; `consumedMs` of its basis, pauses excluded. */
export type SlaClockMet = {
  readonly type: 'SlaClockMet';
  readonly data: {
    readonly caseId: string;
    readonly clockId: SlaClockId;
    readonly at: string;
    readonly late: boolean;
    readonly consumedMs: number;
  };
};

/** The SLA clock events of the case stream. */
export type SlaClockEvent =
  SlaClockStarted | SlaClockPaused | SlaClockResumed | SlaClockWarned | SlaClockBreached | SlaClockMet;

export type CaseEvent =
  | CaseOpened
  | CaseAcknowledged
  | CaseFirstResponseGiven
  | CaseClassified
  | CaseAssigned
  | CaseInvestigationStarted
  | CaseFactRecorded
  | CaseResponsibilityDetermined
  | CaseSolutionsProposed
  | CaseSolutionAccepted
  | CaseSolutionsRejected
  | CaseCollaborationRequested
  | CaseCollaborationCompleted
  | CaseResolved
  | CaseClosed
  | CaseReopened
  | CaseWaitingStarted
  | CaseWaitingEnded
  | CaseEscalated
  | CustomerIdentityVerified
  | CaseOrderChangeRequested
  | CaseCommunicationRecorded
  | SlaClockEvent;
