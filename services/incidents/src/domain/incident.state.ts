import { assertNever, GrowingSet } from '@aftersales/domain';
import type { SolutionKind } from './incident.commands';
import type { IncidentEvent, IncidentSource } from './incident.events';
import type { IncidentCategory, IncidentLevel } from './incident.values';

/** What every opened incident knows, whatever its phase. */
export interface IncidentFacts {
  readonly incidentId: string;
  readonly tenant: string;
  readonly category: IncidentCategory;
  readonly summary: string;
  readonly source: IncidentSource;
  readonly openedAt: string;
  readonly level: IncidentLevel;
  /** The current contact deadline; `null` only between `IncidentOpened` and `ContactDeadlineSet` of one decision. */
  readonly contactDueAt: string | null;
  /** Contacts from this time on count toward the current deadline (activation, or the upgrade that restarted it). */
  readonly contactDeadlineStartedAt: string | null;
  /** Whether the current deadline was breached (a new deadline starts unbreached). */
  readonly contactDeadlineBreached: boolean;
  /** The affected customers: those of the attached complaints, then anyone contacted, distinct, in order. */
  readonly affectedCustomers: GrowingSet<string>;
  /** When each customer was contacted, every time. */
  readonly contactedAt: ReadonlyMap<string, readonly string[]>;
  /** Duplicates merged into this incident. */
  readonly absorbed: readonly string[];
  /** Ids of the complaints attached to the incident. */
  readonly attachedComplaints: ReadonlySet<string>;
  /** The after-sales cases the incident concerns (those of its complaints), distinct, in the order they came. */
  readonly caseIds: GrowingSet<string>;
  /** The quality group's latest check of the fix; `null` until one is recorded. */
  readonly qualityCheckPassed: boolean | null;
  /** The latest recall-compliance check (product quality); `null` until one is recorded. */
  readonly recallCompliant: boolean | null;
  /** PR statements recorded. */
  readonly prStatements: number;
}

/** The first customer contact, which started containment. */
export interface ContactRecord {
  readonly firstContactAt: string;
  readonly withinDeadline: boolean;
  readonly customersContacted: number;
}

/** Root and direct cause, as last recorded by the responsible group. */
export interface CauseAnalysis {
  readonly rootCause: string;
  readonly directCause: string;
}

/** An approved solution. */
export interface ApprovedSolution {
  readonly kind: SolutionKind;
  readonly description: string;
}

/** Where resolution stands: cause analysed → solution approved → solution implemented (and confirmed). */
export type ResolutionProgress =
  | { readonly step: 'root-caused'; readonly cause: CauseAnalysis }
  | { readonly step: 'approved'; readonly cause: CauseAnalysis; readonly solution: ApprovedSolution }
  | {
      readonly step: 'implemented';
      readonly cause: CauseAnalysis;
      readonly solution: ApprovedSolution;
      readonly confirmations: number;
      /** Distinct customers who confirmed. */
      readonly confirmedCustomers: ReadonlySet<string>;
    };

/** Where follow-up stands. */
export interface FollowUpProgress {
  readonly resolvedAt: string;
  /** The level's target recorded at resolution (what surveys measure against); `null` in events recorded before. */
  readonly targetPercent: number | null;
  readonly retrospectiveDueAt: string;
  /** The latest measurement; `null` until surveys report. */
  readonly satisfaction: { readonly percent: number; readonly targetPercent: number } | null;
  /** Satisfaction is below target and no follow-up has been recorded since. */
  readonly followUpOutstanding: boolean;
  /** Follow-ups recorded since resolution (absent in fixtures made before: 0). */
  readonly followUpsRecorded: number;
  readonly retrospectiveRecordedAt: string | null;
  /** When the team is reminded (`null` for incidents resolved before reminders). */
  readonly retrospectiveReminderAt: string | null;
  /** Whether the reminder was paged, and whether the retrospective was flagged overdue. */
  readonly retrospectiveReminded: boolean;
  readonly retrospectiveOverdue: boolean;
}

/**
 * The Incident aggregate's state, by phase: activation → containment → resolution → follow-up → closed, or merged
 * into another incident. Each phase carries exactly what it has (no contact before containment, no solution before
 * approval), so illegal states cannot be built.
 */
export type IncidentState =
  | { readonly status: 'none' }
  | { readonly status: 'activation'; readonly incident: IncidentFacts }
  | { readonly status: 'containment'; readonly incident: IncidentFacts; readonly contact: ContactRecord }
  | {
      readonly status: 'resolution';
      readonly incident: IncidentFacts;
      readonly contact: ContactRecord;
      readonly resolution: ResolutionProgress;
    }
  | {
      readonly status: 'follow-up';
      readonly incident: IncidentFacts;
      readonly contact: ContactRecord;
      readonly resolution: Extract<ResolutionProgress, { step: 'implemented' }>;
      readonly followUp: FollowUpProgress;
    }
  | {
      readonly status: 'closed';
      readonly incident: IncidentFacts;
      readonly closedAt: string;
      /** The archive's hash once `IncidentArchived` recorded it. */
      readonly archiveHash: string | null;
    }
  | { readonly status: 'merged'; readonly incident: IncidentFacts; readonly survivorId: string };

/** A phase of an incident. */
export type IncidentStatus = IncidentState['status'];

/** The phases of an opened incident, in lifecycle order (the read API and its documentation list them). */
export const incidentPhases = [
  'activation',
  'containment',
  'resolution',
  'follow-up',
  'closed',
  'merged',
] as const satisfies ReadonlyArray<Exclude<IncidentStatus, 'none'>>;

/** The state of an incident in one of the given phases. */
export type IncidentIn<S extends IncidentStatus> = Extract<IncidentState, { readonly status: S }>;

/**
 * Phases in which an incident is still being handled: its level may change (upgrade, downgrade, absorbing a
 * duplicate), it may be merged, customers may be contacted. A complaint cluster raises only such an incident.
 */
export const handlingPhases = ['activation', 'containment', 'resolution'] as const;

/** Phases in which an incident takes complaints (`AttachComplaint`): every phase but closed and merged. */
export const complaintTakingPhases = [...handlingPhases, 'follow-up'] as const;

/** Whether the incident is in one of `phases` (a narrowing guard). */
export function isInPhase<S extends IncidentStatus>(
  state: IncidentState,
  phases: readonly S[],
): state is IncidentIn<S> {
  return (phases as readonly IncidentStatus[]).includes(state.status);
}

/** The state of a stream without events. */
export const initialState = (): IncidentState => ({ status: 'none' });

function withFacts(state: IncidentState, change: Partial<IncidentFacts>): IncidentState {
  return state.status === 'none' ? state : { ...state, incident: { ...state.incident, ...change } };
}

/**
 * Applies one event. Events are facts already decided: `evolve` never throws, and an event that does not fit the
 * phase (impossible for a stream written by `decide`) leaves the state as it is.
 */
export function evolve(state: IncidentState, event: IncidentEvent): IncidentState {
  switch (event.type) {
    case 'IncidentOpened': {
      const { incidentId, tenant, category, summary, source, level, at, caseIds = [] } = event.data;
      const incident: IncidentFacts = {
        incidentId,
        tenant,
        category,
        summary,
        source,
        openedAt: at,
        level,
        contactDueAt: null,
        contactDeadlineStartedAt: at,
        contactDeadlineBreached: false,
        affectedCustomers: GrowingSet.empty(),
        contactedAt: new Map(),
        absorbed: [],
        attachedComplaints: GrowingSet.empty(),
        caseIds: GrowingSet.of(caseIds),
        qualityCheckPassed: null,
        recallCompliant: null,
        prStatements: 0,
      };
      return { status: 'activation', incident };
    }
    case 'ResponseTeamPaged':
      return event.data.trigger === 'retrospective-reminder' && state.status === 'follow-up'
        ? { ...state, followUp: { ...state.followUp, retrospectiveReminded: true } }
        : state;
    case 'RetrospectiveOverdue':
      return state.status === 'follow-up'
        ? { ...state, followUp: { ...state.followUp, retrospectiveOverdue: true } }
        : state;
    case 'TemporaryMeasureRecorded':
    case 'LevelOneProposed':
      return state;
    case 'QualityCheckRecorded':
      return withFacts(state, { qualityCheckPassed: event.data.passed });
    case 'RecallComplianceChecked':
      return withFacts(state, { recallCompliant: event.data.compliant });
    case 'PrStatementRecorded':
      return state.status === 'none' ? state : withFacts(state, { prStatements: state.incident.prStatements + 1 });
    case 'ContactDeadlineSet':
      return deadlineSet(state, event.data);
    case 'IncidentUpgraded':
    case 'IncidentDowngraded':
      return withFacts(state, { level: event.data.to });
    case 'ContactDeadlineBreached':
      return withFacts(state, { contactDeadlineBreached: true });
    case 'DuplicateAbsorbed':
      return state.status === 'none'
        ? state
        : withFacts(state, { absorbed: [...state.incident.absorbed, event.data.duplicateId] });
    case 'ComplaintAttached':
      return complaintAttached(state, event.data);
    case 'IncidentMerged':
      return state.status === 'none'
        ? state
        : { status: 'merged', incident: state.incident, survivorId: event.data.survivorId };
    case 'CustomersContacted':
      return contacted(state, event.data);
    case 'RootCauseRecorded':
    case 'SolutionApproved':
    case 'ImplementationRecorded':
    case 'CustomerConfirmationRecorded':
    case 'IncidentResolved':
      return state.status === 'containment' || state.status === 'resolution' ? resolving(state, event) : state;
    case 'SatisfactionRecorded':
    case 'FollowUpRequired':
    case 'FollowUpRecorded':
    case 'RetrospectiveRecorded':
      return state.status === 'follow-up' ? { ...state, followUp: followingUp(state.followUp, event) } : state;
    case 'IncidentClosed':
      return state.status === 'none'
        ? state
        : { status: 'closed', incident: state.incident, closedAt: event.data.at, archiveHash: null };
    case 'IncidentArchived':
      return state.status === 'closed' ? { ...state, archiveHash: event.data.archiveHash } : state;
    default:
      return assertNever(event);
  }
}

function deadlineSet(
  state: IncidentState,
  { dueAt, startedAt }: { dueAt: string; startedAt?: string | undefined },
): IncidentState {
  if (state.status === 'none') return state;
  // A tightened deadline keeps counting from where it started; a restarted one counts from its start, unbreached.
  const restarted = startedAt !== undefined && startedAt !== state.incident.contactDeadlineStartedAt;
  return withFacts(state, {
    contactDueAt: dueAt,
    contactDeadlineStartedAt: startedAt ?? state.incident.contactDeadlineStartedAt,
    ...(restarted ? { contactDeadlineBreached: false } : {}),
  });
}

function complaintAttached(
  state: IncidentState,
  { complaintId, caseId, customerRef }: { complaintId: string; caseId?: string | undefined; customerRef: string },
): IncidentState {
  if (state.status === 'none') return state;
  const { caseIds, affectedCustomers, attachedComplaints } = state.incident;
  return withFacts(state, {
    // Grown, not copied: an incident of n complaints folds in O(n), not O(n²) (ADR 31).
    attachedComplaints: GrowingSet.of(attachedComplaints).with(complaintId),
    affectedCustomers: affectedCustomers.with(customerRef),
    ...(caseId ? { caseIds: caseIds.with(caseId) } : {}),
  });
}

function contacted(
  before: IncidentState,
  { at, withinDeadline, customerRefs }: { at: string; withinDeadline: boolean; customerRefs: readonly string[] },
): IncidentState {
  if (before.status === 'none') return before;
  const { affectedCustomers, contactedAt } = before.incident;
  const state = withFacts(before, {
    affectedCustomers: affectedCustomers.withAll(customerRefs),
    contactedAt: new Map([
      ...contactedAt,
      ...customerRefs.map((ref) => [ref, [...(contactedAt.get(ref) ?? []), at]] as const),
    ]),
  });
  switch (state.status) {
    case 'activation':
      return {
        status: 'containment',
        incident: state.incident,
        contact: { firstContactAt: at, withinDeadline, customersContacted: customerRefs.length },
      };
    case 'containment':
    case 'resolution':
      return {
        ...state,
        contact: { ...state.contact, customersContacted: state.contact.customersContacted + customerRefs.length },
      };
    default:
      return state;
  }
}

type ResolutionEvent = Extract<
  IncidentEvent,
  {
    type:
      | 'RootCauseRecorded'
      | 'SolutionApproved'
      | 'ImplementationRecorded'
      | 'CustomerConfirmationRecorded'
      | 'IncidentResolved';
  }
>;

function resolving(state: IncidentIn<'containment' | 'resolution'>, event: ResolutionEvent): IncidentState {
  if (event.type === 'RootCauseRecorded') {
    const { rootCause, directCause } = event.data;
    return { ...state, status: 'resolution', resolution: { step: 'root-caused', cause: { rootCause, directCause } } };
  }
  if (state.status !== 'resolution') return state;
  const { resolution } = state;
  switch (event.type) {
    case 'SolutionApproved':
      if (resolution.step !== 'root-caused') return state;
      return { ...state, resolution: { step: 'approved', cause: resolution.cause, solution: event.data.solution } };
    case 'ImplementationRecorded':
      if (resolution.step !== 'approved' || !event.data.completed) return state;
      return {
        ...state,
        resolution: { ...resolution, step: 'implemented', confirmations: 0, confirmedCustomers: new Set() },
      };
    case 'CustomerConfirmationRecorded':
      if (resolution.step !== 'implemented') return state;
      return {
        ...state,
        resolution: {
          ...resolution,
          confirmations: resolution.confirmations + 1,
          confirmedCustomers: new Set([...resolution.confirmedCustomers, event.data.customerRef]),
        },
      };
    case 'IncidentResolved':
      if (resolution.step !== 'implemented') return state;
      return {
        status: 'follow-up',
        incident: state.incident,
        contact: state.contact,
        resolution,
        followUp: {
          resolvedAt: event.data.at,
          targetPercent: event.data.satisfactionTargetPercent ?? null,
          retrospectiveDueAt: event.data.retrospectiveDueAt,
          satisfaction: null,
          followUpOutstanding: false,
          followUpsRecorded: 0,
          retrospectiveRecordedAt: null,
          retrospectiveReminderAt: event.data.retrospectiveReminderAt ?? null,
          retrospectiveReminded: false,
          retrospectiveOverdue: false,
        },
      };
    default:
      return assertNever(event);
  }
}

type FollowUpEvent = Extract<
  IncidentEvent,
  { type: 'SatisfactionRecorded' | 'FollowUpRequired' | 'FollowUpRecorded' | 'RetrospectiveRecorded' }
>;

function followingUp(followUp: FollowUpProgress, event: FollowUpEvent): FollowUpProgress {
  switch (event.type) {
    case 'SatisfactionRecorded': {
      const { percent, targetPercent, meetsTarget } = event.data;
      // The latest measurement governs: at target it lifts an earlier requirement; below it FollowUpRequired follows.
      return {
        ...followUp,
        satisfaction: { percent, targetPercent },
        followUpOutstanding: meetsTarget ? false : followUp.followUpOutstanding,
      };
    }
    case 'FollowUpRequired':
      return { ...followUp, followUpOutstanding: true };
    case 'FollowUpRecorded':
      return { ...followUp, followUpOutstanding: false, followUpsRecorded: followUp.followUpsRecorded + 1 };
    case 'RetrospectiveRecorded':
      return { ...followUp, retrospectiveRecordedAt: event.data.at };
    default:
      return assertNever(event);
  }
}
