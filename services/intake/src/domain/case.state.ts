import { assertNever } from '@aftersales/domain';
import type {
  CaseChannel,
  CollaborationParty,
  EscalationReason,
  EscalationRung,
  ProblemType,
} from '@aftersales/contracts';
import type {
  Assignment,
  CaseEvent,
  CaseOpened,
  CaseSolutionAccepted,
  Responsibility,
  SlaClockEvent,
  Solution,
} from './case.events';
import type {
  CommunicationDirection,
  FactKind,
  OrderChangeKind,
  SealedData,
  VerificationMethod,
  WaitingParty,
} from './case.values';
import { evolveSlaClocks, type CaseSlaClocks } from './sla-clocks';

/** Who did something to the case, and when. */
export interface Stamp {
  readonly at: string;
  readonly by: string;
}

export interface Acknowledgement extends Stamp {
  readonly message: string;
  readonly expectedCycle: string | null;
  readonly nextStep: string | null;
  readonly automatic: boolean;
  readonly handledFrom: string | null;
}

export interface Classification extends Stamp {
  readonly category: ProblemType;
  /** Categories it had before, oldest first. */
  readonly previous: readonly ProblemType[];
}

export interface CurrentAssignment extends Assignment, Stamp {
  /** How many times it was reassigned. */
  readonly reassignments: number;
}

export interface FirstResponse extends Stamp {
  readonly via: 'acknowledgement' | 'communication';
  readonly communicationId: string | null;
}

/** What the conversation holds: counts, the last message each way, and the sealed contact data it recorded. */
export interface Conversation {
  readonly inbound: number;
  readonly outbound: number;
  readonly lastInboundAt: string | null;
  readonly lastOutboundAt: string | null;
  readonly communicationIds: ReadonlySet<string>;
  readonly contacts: ReadonlyArray<{
    readonly communicationId: string;
    readonly channel: CaseChannel;
    readonly direction: CommunicationDirection;
    readonly at: string;
    readonly contact: SealedData;
  }>;
}

/** The sub-state that pauses the clocks and keeps the stage. */
export interface Waiting {
  readonly on: WaitingParty;
  readonly since: string;
  readonly reason: string;
}

export interface Verification extends Stamp {
  readonly method: VerificationMethod;
  readonly reference: string | null;
  readonly validUntil: string;
}

export interface Escalation extends Stamp {
  readonly rung: EscalationRung;
  readonly reason: EscalationReason;
  readonly note: string | null;
}

export interface Fact extends Stamp {
  readonly kind: FactKind;
  readonly summary: string;
  readonly source: string;
  readonly sourceRef: string | null;
}

export interface Proposal extends Stamp {
  readonly proposal: number;
  readonly solutions: readonly Solution[];
}

export interface Rejection extends Stamp {
  readonly proposal: number;
  readonly reason: string;
}

export interface AcceptedSolution extends Stamp {
  readonly proposal: number;
  readonly option: number;
  readonly solution: CaseSolutionAccepted['data']['solution'];
}

export interface Collaboration extends Stamp {
  readonly collaborationId: string;
  readonly party: CollaborationParty;
  readonly requirement: string;
  readonly deadline: string;
  readonly owner: string;
  readonly completion: (Stamp & { readonly result: string; readonly withinDeadline: boolean }) | null;
}

export interface Resolution extends Stamp {
  readonly solutionKind: Solution['kind'];
  readonly outcome: string;
  readonly basis: string;
  readonly objectionRoute: string;
  readonly reopenableUntil: string;
}

export interface Reopening extends Stamp {
  readonly objection: string;
  readonly from: 'resolved' | 'closed';
}

export interface OrderChange extends Stamp {
  readonly changeId: string;
  readonly kind: OrderChangeKind;
  readonly details: SealedData;
  readonly note: string | null;
}

/** What every opened case knows, whatever its stage; what a stage guarantees is narrowed in {@link CaseState}. */
export interface CaseRecord {
  readonly caseId: string;
  readonly tenant: string;
  readonly opened: CaseOpened['data'];
  readonly acknowledgement: Acknowledgement | null;
  readonly classification: Classification | null;
  readonly assignment: CurrentAssignment | null;
  readonly firstResponse: FirstResponse | null;
  readonly conversation: Conversation;
  readonly waiting: Waiting | null;
  readonly verification: Verification | null;
  readonly escalation: Escalation | null;
  readonly facts: readonly Fact[];
  readonly responsibility: (Responsibility & Stamp) | null;
  /** The proposal on the table, or the last one accepted; `null` after a rejection or a reopening. */
  readonly proposal: Proposal | null;
  /** Proposals made so far (the next one is number `proposals + 1`). */
  readonly proposals: number;
  readonly rejections: readonly Rejection[];
  readonly acceptedSolution: AcceptedSolution | null;
  readonly collaborations: readonly Collaboration[];
  readonly resolution: Resolution | null;
  readonly closure: (Stamp & { readonly note: string | null }) | null;
  readonly reopenings: readonly Reopening[];
  readonly orderChanges: readonly OrderChange[];
  /** The case's SLA clocks (the latest instance of each), see `sla-clocks.ts`. */
  readonly slaClocks: CaseSlaClocks;
}

type With<R, K extends keyof R> = R & { readonly [P in K]-?: NonNullable<R[P]> };

export type AcknowledgedCase = With<CaseRecord, 'acknowledgement'>;
export type ClassifiedCase = With<AcknowledgedCase, 'classification'>;
export type AssignedCase = With<ClassifiedCase, 'assignment'>;
export type ProposedCase = With<AssignedCase, 'responsibility' | 'proposal'>;
export type ExecutingCase = With<AssignedCase, 'responsibility' | 'acceptedSolution'>;
export type ResolvedCase = With<ExecutingCase, 'resolution'>;
export type ClosedCase = With<ResolvedCase, 'closure'>;

/**
 * The Case aggregate's state by stage: each stage carries what it guarantees (no assignment before `assigned`, no
 * accepted solution before `in_execution`, a resolution from `resolved` on). `reopened` is back to work with the
 * assignment kept and the resolution cleared.
 */
export type CaseState =
  | { readonly status: 'none' }
  | { readonly status: 'opened'; readonly case: CaseRecord }
  | { readonly status: 'acknowledged'; readonly case: AcknowledgedCase }
  | { readonly status: 'classified'; readonly case: ClassifiedCase }
  | { readonly status: 'assigned'; readonly case: AssignedCase }
  | { readonly status: 'investigating'; readonly case: AssignedCase }
  | { readonly status: 'reopened'; readonly case: AssignedCase }
  | { readonly status: 'solution_proposed'; readonly case: ProposedCase }
  | { readonly status: 'in_execution'; readonly case: ExecutingCase }
  | { readonly status: 'resolved'; readonly case: ResolvedCase }
  | { readonly status: 'closed'; readonly case: ClosedCase };

/** A case that exists. */
export type OpenedCaseState = Exclude<CaseState, { readonly status: 'none' }>;

/** The state of a case in one of the given statuses. */
export type CaseIn<S extends CaseState['status']> = Extract<CaseState, { readonly status: S }>;

export const initialState = (): CaseState => ({ status: 'none' });

/** The same stage with some record fields changed (events that do not move the case). */
function amend(state: OpenedCaseState, change: Partial<CaseRecord>): CaseState {
  return { ...state, case: { ...state.case, ...change } } as CaseState;
}

const stamp = (data: Stamp): Stamp => ({ at: data.at, by: data.by });

/**
 * Applies one event. Events are facts already decided: `evolve` never throws, and an event that does not fit the
 * stage (impossible in a stream written by `decide`) leaves the state as it is.
 */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (event.type === 'CaseOpened') return opened(event.data);
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CaseAcknowledged':
    case 'CaseClassified':
    case 'CaseAssigned':
    case 'CaseInvestigationStarted':
      return intake(state, event);
    case 'CaseSolutionsProposed':
    case 'CaseSolutionAccepted':
    case 'CaseSolutionsRejected':
    case 'CaseResolved':
    case 'CaseClosed':
    case 'CaseReopened':
      return outcome(state, event);
    case 'CaseFirstResponseGiven':
    case 'CaseFactRecorded':
    case 'CaseResponsibilityDetermined':
    case 'CaseCollaborationRequested':
    case 'CaseCollaborationCompleted':
    case 'CaseWaitingStarted':
    case 'CaseWaitingEnded':
    case 'CaseEscalated':
    case 'CustomerIdentityVerified':
    case 'CaseOrderChangeRequested':
    case 'CaseCommunicationRecorded':
      return amend(state, recorded(state.case, event));
    case 'SlaClockStarted':
    case 'SlaClockPaused':
    case 'SlaClockResumed':
    case 'SlaClockWarned':
    case 'SlaClockBreached':
    case 'SlaClockMet':
      return amend(state, { slaClocks: evolveSlaClocks(state.case.slaClocks, event) });
    default:
      return assertNever(event);
  }
}

type EventOf<T extends CaseEvent['type']> = Extract<CaseEvent, { type: T }>;

/** Acknowledgement, classification, assignment, investigation: the case moves forward, or is amended later on. */
function intake(
  state: OpenedCaseState,
  event: EventOf<'CaseAcknowledged' | 'CaseClassified' | 'CaseAssigned' | 'CaseInvestigationStarted'>,
): CaseState {
  const record = state.case;
  switch (event.type) {
    case 'CaseAcknowledged': {
      if (state.status !== 'opened') return state;
      const { message, expectedCycle, nextStep, automatic, handledFrom } = event.data;
      const acknowledgement = { ...stamp(event.data), message, expectedCycle, nextStep, automatic, handledFrom };
      return { status: 'acknowledged', case: { ...record, acknowledgement } };
    }
    case 'CaseClassified': {
      const { category, previousCategory } = event.data;
      const earlier = record.classification ? [...record.classification.previous, record.classification.category] : [];
      const previous = previousCategory === null ? [] : earlier;
      const classification: Classification = { ...stamp(event.data), category, previous };
      if (state.status === 'acknowledged') return { status: 'classified', case: { ...state.case, classification } };
      return record.classification ? amend(state, { classification }) : state;
    }
    case 'CaseAssigned': {
      const { queue, team, agentId, previous } = event.data;
      const reassignments = previous === null ? 0 : (record.assignment?.reassignments ?? 0) + 1;
      const assignment: CurrentAssignment = { ...stamp(event.data), queue, team, agentId, reassignments };
      if (state.status === 'classified') return { status: 'assigned', case: { ...state.case, assignment } };
      return record.assignment ? amend(state, { assignment }) : state;
    }
    case 'CaseInvestigationStarted':
      return state.status === 'assigned' || state.status === 'reopened'
        ? { status: 'investigating', case: state.case }
        : state;
    default:
      return assertNever(event);
  }
}

/** Proposals and the customer's decision, resolution, closure and reopening. */
function outcome(
  state: OpenedCaseState,
  event: EventOf<
    | 'CaseSolutionsProposed'
    | 'CaseSolutionAccepted'
    | 'CaseSolutionsRejected'
    | 'CaseResolved'
    | 'CaseClosed'
    | 'CaseReopened'
  >,
): CaseState {
  switch (event.type) {
    case 'CaseSolutionsProposed': {
      if (state.status !== 'investigating' || !state.case.responsibility) return state;
      const { proposal: number, solutions } = event.data;
      const proposal: Proposal = { ...stamp(event.data), proposal: number, solutions };
      const { responsibility } = state.case;
      return { status: 'solution_proposed', case: { ...state.case, responsibility, proposal, proposals: number } };
    }
    case 'CaseSolutionAccepted': {
      if (state.status !== 'solution_proposed') return state;
      const { proposal, option, solution } = event.data;
      const acceptedSolution: AcceptedSolution = { ...stamp(event.data), proposal, option, solution };
      return { status: 'in_execution', case: { ...state.case, acceptedSolution } };
    }
    case 'CaseSolutionsRejected': {
      if (state.status !== 'solution_proposed') return state;
      const { proposal, reason } = event.data;
      const rejections = [...state.case.rejections, { ...stamp(event.data), proposal, reason }];
      return { status: 'investigating', case: { ...state.case, proposal: null, rejections } };
    }
    case 'CaseResolved': {
      if (state.status !== 'in_execution') return state;
      const { solutionKind, outcome: told, basis, objectionRoute, reopenableUntil } = event.data;
      const resolution = { ...stamp(event.data), solutionKind, outcome: told, basis, objectionRoute, reopenableUntil };
      return { status: 'resolved', case: { ...state.case, resolution } };
    }
    case 'CaseClosed':
      if (state.status !== 'resolved') return state;
      return { status: 'closed', case: { ...state.case, closure: { ...stamp(event.data), note: event.data.note } } };
    case 'CaseReopened': {
      if (state.status !== 'resolved' && state.status !== 'closed') return state;
      const { objection, from } = event.data;
      const reopenings = [...state.case.reopenings, { ...stamp(event.data), objection, from }];
      const cleared = { proposal: null, acceptedSolution: null, resolution: null, closure: null };
      return { status: 'reopened', case: { ...state.case, ...cleared, reopenings } };
    }
    default:
      return assertNever(event);
  }
}

/** What the events that keep the stage change in the record. */
function recorded(
  record: CaseRecord,
  event: Exclude<
    CaseEvent,
    EventOf<
      | 'CaseOpened'
      | 'CaseAcknowledged'
      | 'CaseClassified'
      | 'CaseAssigned'
      | 'CaseInvestigationStarted'
      | 'CaseSolutionsProposed'
      | 'CaseSolutionAccepted'
      | 'CaseSolutionsRejected'
      | 'CaseResolved'
      | 'CaseClosed'
      | 'CaseReopened'
      | SlaClockEvent['type']
    >
  >,
): Partial<CaseRecord> {
  const by = stamp(event.data);
  switch (event.type) {
    case 'CaseFirstResponseGiven':
      return { firstResponse: { ...by, via: event.data.via, communicationId: event.data.communicationId } };
    case 'CaseFactRecorded': {
      const { kind, summary, source, sourceRef } = event.data;
      return { facts: [...record.facts, { ...by, kind, summary, source, sourceRef }] };
    }
    case 'CaseResponsibilityDetermined':
      return { responsibility: { ...by, party: event.data.party, basis: event.data.basis } };
    case 'CaseCollaborationRequested': {
      const { collaborationId, party, requirement, deadline, owner } = event.data;
      const collaboration = { ...by, collaborationId, party, requirement, deadline, owner, completion: null };
      return { collaborations: [...record.collaborations, collaboration] };
    }
    case 'CaseCollaborationCompleted': {
      const { collaborationId, result, withinDeadline } = event.data;
      const completion = { ...by, result, withinDeadline };
      return {
        collaborations: record.collaborations.map((c) =>
          c.collaborationId === collaborationId ? { ...c, completion } : c,
        ),
      };
    }
    case 'CaseWaitingStarted':
      return { waiting: { on: event.data.on, since: event.data.at, reason: event.data.reason } };
    case 'CaseWaitingEnded':
      return { waiting: null };
    case 'CaseEscalated':
      return { escalation: { ...by, rung: event.data.rung, reason: event.data.reason, note: event.data.note } };
    case 'CustomerIdentityVerified': {
      const { method, reference, validUntil } = event.data;
      return { verification: { ...by, method, reference, validUntil } };
    }
    case 'CaseOrderChangeRequested': {
      const { changeId, kind, details, note } = event.data;
      return { orderChanges: [...record.orderChanges, { ...by, changeId, kind, details, note }] };
    }
    case 'CaseCommunicationRecorded':
      return { conversation: converse(record.conversation, event.data) };
    default:
      return assertNever(event);
  }
}

function opened(data: CaseOpened['data']): CaseState {
  return {
    status: 'opened',
    case: {
      caseId: data.caseId,
      tenant: data.tenant,
      opened: data,
      acknowledgement: null,
      classification: null,
      assignment: null,
      firstResponse: null,
      conversation: {
        inbound: 0,
        outbound: 0,
        lastInboundAt: null,
        lastOutboundAt: null,
        communicationIds: new Set(),
        contacts: [],
      },
      waiting: null,
      verification: null,
      escalation: null,
      facts: [],
      responsibility: null,
      proposal: null,
      proposals: 0,
      rejections: [],
      acceptedSolution: null,
      collaborations: [],
      resolution: null,
      closure: null,
      reopenings: [],
      orderChanges: [],
      slaClocks: {},
    },
  };
}

function converse(
  conversation: Conversation,
  data: Extract<CaseEvent, { type: 'CaseCommunicationRecorded' }>['data'],
): Conversation {
  const { communicationId, channel, direction, at, contact } = data;
  return {
    inbound: conversation.inbound + (direction === 'inbound' ? 1 : 0),
    outbound: conversation.outbound + (direction === 'outbound' ? 1 : 0),
    lastInboundAt: direction === 'inbound' ? at : conversation.lastInboundAt,
    lastOutboundAt: direction === 'outbound' ? at : conversation.lastOutboundAt,
    communicationIds: new Set([...conversation.communicationIds, communicationId]),
    contacts: contact
      ? [...conversation.contacts, { communicationId, channel, direction, at, contact }]
      : conversation.contacts,
  };
}
