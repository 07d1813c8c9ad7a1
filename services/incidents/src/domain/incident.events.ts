import type { DomainEvent } from '@aftersales/domain';
import type { KnowledgeEntry } from './incident-archive';
import type {
  ConfirmationSatisfaction,
  ImprovementAction,
  SolutionKind,
  TemporaryMeasureKind,
  TimelineEntry,
} from './incident.commands';
import type {
  ActorRef,
  IncidentCategory,
  IncidentLevel,
  RecordedComplaintFlags,
  ResponseTeam,
  Role,
} from './incident.values';

/** What every incident event records, so that the stream is the audit trail: which incident, who, when. */
export interface AuditFields {
  readonly incidentId: string;
  readonly actor: ActorRef;
  /** When it was decided (the command's injected `now`), ISO 8601. */
  readonly at: string;
}

type Event<Type extends string, Data> = DomainEvent<Type, Data & AuditFields>;

/**
 * The after-sales cases an event of the incident concerns (architecture: every event that concerns a case carries its
 * id): the cases of its complaints when it was decided, distinct, absent when none. Carried by the events integrators
 * see (opening, level changes, merge, pages, breach, resolution, closure) and published as their `caseIds`.
 */
export interface CaseRefs {
  readonly caseIds?: readonly string[];
}

/** Where an incident came from. */
export type IncidentSource =
  | {
      readonly kind: 'cluster';
      readonly clusterKey: string;
      readonly complaintCount: number;
      /** The flags any complaint of the window raised; `groupEvent` is absent from incidents opened before it was read. */
      readonly flags: RecordedComplaintFlags;
    }
  | { readonly kind: 'manual'; readonly clusterKey?: string };

/** Activation: the incident was identified and graded (the grading form). Followed by paging and the deadline. */
export type IncidentOpened = Event<
  'IncidentOpened',
  CaseRefs & {
    readonly tenant: string;
    readonly category: IncidentCategory;
    readonly summary: string;
    readonly source: IncidentSource;
    readonly level: IncidentLevel;
    readonly reason: string;
  }
>;

/** A response team (or, on a breach, the escalation rung) was notified. */
export type ResponseTeamPaged = Event<
  'ResponseTeamPaged',
  CaseRefs & {
    readonly level: IncidentLevel;
    readonly team: ResponseTeam;
    /**
     * `level-one-proposal`: someone without level-1 authority asked for level 1; the level-1 team (emergency
     * leadership) is paged to decide, and the incident's team stays as it is.
     */
    readonly trigger:
      | 'activation'
      | 'upgrade'
      | 'contact-deadline-breach'
      | 'level-one-proposal'
      | 'retrospective-reminder'
      | 'retrospective-overdue';
    readonly reason: string;
  }
>;

/**
 * The contact deadline was set (activation), tightened (an upgrade or absorbed duplicate before the first contact), or
 * started anew for the new level (an upgrade after the first contact: the new level's team contacts the customers
 * again, from `startedAt`).
 */
export type ContactDeadlineSet = Event<
  'ContactDeadlineSet',
  {
    readonly level: IncidentLevel;
    readonly dueAt: string;
    readonly previousDueAt: string | null;
    /** Contacts from this time on count toward the deadline; absent in events recorded before (= activation). */
    readonly startedAt?: string;
    readonly reason: string;
  }
>;

/**
 * Someone without level-1 authority (policy `levelOneAuthority`) asked for level 1: the incident stays at (or is graded)
 * `level`, and emergency leadership is paged with the proposal.
 */
export type LevelOneProposed = Event<'LevelOneProposed', { readonly level: IncidentLevel; readonly reason: string }>;

/** The level was raised. */
export type IncidentUpgraded = Event<
  'IncidentUpgraded',
  CaseRefs & { readonly from: IncidentLevel; readonly to: IncidentLevel; readonly reason: string }
>;

/** The level was lowered by an allowed role; the contact deadline stays as it was. */
export type IncidentDowngraded = Event<
  'IncidentDowngraded',
  CaseRefs & { readonly from: IncidentLevel; readonly to: IncidentLevel; readonly reason: string }
>;

/** This incident ended as a duplicate of `survivorId`; the survivor is told through `AbsorbDuplicate`. */
export type IncidentMerged = Event<
  'IncidentMerged',
  CaseRefs & {
    readonly survivorId: string;
    readonly level: IncidentLevel;
    readonly contactDueAt: string | null;
    readonly reason: string;
  }
>;

/** The survivor absorbed a duplicate incident. */
export type DuplicateAbsorbed = Event<
  'DuplicateAbsorbed',
  { readonly duplicateId: string; readonly duplicateLevel: IncidentLevel; readonly reason: string }
>;

/** Customers were contacted; the first contact moves the incident to containment. */
export type CustomersContacted = Event<
  'CustomersContacted',
  {
    readonly customerRefs: readonly string[];
    readonly summary: string;
    readonly dueAt: string | null;
    /** Whether this contact happened at or before the contact deadline. */
    readonly withinDeadline: boolean;
  }
>;

/** A temporary measure was taken. */
export type TemporaryMeasureRecorded = Event<
  'TemporaryMeasureRecorded',
  { readonly measure: TemporaryMeasureKind; readonly description: string; readonly customerRefs: readonly string[] }
>;

/** A complaint (and its customer) became part of the incident; recorded once per complaint. */
export type ComplaintAttached = Event<
  'ComplaintAttached',
  {
    readonly complaintId: string;
    readonly customerRef: string;
    /** The after-sales case the complaint arose from, when it did; the incident concerns that case from now on. */
    readonly caseId?: string;
    /** The order the complaint is about (absent when unknown, and in events recorded before incidents kept it). */
    readonly orderId?: string;
  }
>;

/**
 * Fewer than the policy's share of the affected customers were contacted by the deadline; `escalatedTo` is paged next.
 * Recorded once per deadline.
 */
export type ContactDeadlineBreached = Event<
  'ContactDeadlineBreached',
  CaseRefs & {
    readonly level: IncidentLevel;
    readonly dueAt: string;
    readonly escalatedTo: Role;
    /** Affected customers contacted in time, and how many the policy's share required (absent in older events). */
    readonly contacted?: number;
    readonly required?: number;
  }
>;

/** Cause analysis by the responsible group; the first one moves the incident to resolution. */
export type RootCauseRecorded = Event<
  'RootCauseRecorded',
  { readonly rootCause: string; readonly directCause: string; readonly revision: boolean }
>;

/** The solution was approved (the approval form); `actor.role` is the approving role. */
export type SolutionApproved = Event<
  'SolutionApproved',
  { readonly level: IncidentLevel; readonly solution: { readonly kind: SolutionKind; readonly description: string } }
>;

/** Implementation progress of the approved solution. */
export type ImplementationRecorded = Event<
  'ImplementationRecorded',
  { readonly progress: string; readonly completed: boolean }
>;

/** A customer's confirmation of the resolution. */
export type CustomerConfirmationRecorded = Event<
  'CustomerConfirmationRecorded',
  { readonly customerRef: string; readonly satisfaction: ConfirmationSatisfaction; readonly note?: string }
>;

/** Resolution ended; follow-up starts and the retrospective is due at `retrospectiveDueAt`. */
export type IncidentResolved = Event<
  'IncidentResolved',
  CaseRefs & {
    readonly level: IncidentLevel;
    readonly summary: string;
    readonly retrospectiveDueAt: string;
    /** When the team is reminded of a retrospective not yet recorded (absent in older events: no reminder). */
    readonly retrospectiveReminderAt?: string;
    /** The level's satisfaction target (policy) when resolved, which surveys measure against. */
    readonly satisfactionTargetPercent: number;
    /** Distinct customers who confirmed, and how many the policy's share required (absent in older events). */
    readonly confirmations?: { readonly confirmed: number; readonly required: number };
    /** Resolved with fewer confirmations than required: who decided and why. */
    readonly confirmationOverride?: { readonly reason: string; readonly by: ActorRef };
    /** The approved solution that resolved it (absent in events recorded before issue 12 published it). */
    readonly solution?: { readonly kind: SolutionKind; readonly description: string };
  }
>;

/** Satisfaction from surveys, with the target that applied. */
export type SatisfactionRecorded = Event<
  'SatisfactionRecorded',
  {
    readonly level: IncidentLevel;
    readonly percent: number;
    readonly responses: number;
    readonly surveyRef: string;
    readonly targetPercent: number;
    readonly meetsTarget: boolean;
  }
>;

/** Satisfaction fell below target: customers must be followed up again before the incident closes. */
export type FollowUpRequired = Event<
  'FollowUpRequired',
  { readonly percent: number; readonly targetPercent: number; readonly reason: string }
>;

/** A follow-up was made. */
export type FollowUpRecorded = Event<
  'FollowUpRecorded',
  { readonly action: string; readonly description: string; readonly wasRequired: boolean }
>;

/** The retrospective (5W1H) with the timeline taken from the stream, and whether it was on time. */
export type RetrospectiveRecorded = Event<
  'RetrospectiveRecorded',
  {
    readonly what: string;
    readonly why: string;
    readonly who: string;
    readonly when: {
      readonly detectedAt: string;
      readonly firstContactAt: string;
      readonly resolvedAt: string;
      readonly entries: readonly TimelineEntry[];
    };
    readonly where: string;
    readonly how: string;
    readonly improvementActions: readonly ImprovementAction[];
    readonly dueAt: string;
    readonly onTime: boolean;
  }
>;

/** The retrospective was not recorded by its due time; `escalatedTo` is paged. Recorded once. */
export type RetrospectiveOverdue = Event<
  'RetrospectiveOverdue',
  CaseRefs & { readonly level: IncidentLevel; readonly dueAt: string; readonly escalatedTo: Role }
>;

/** The quality group's check of the fix (the latest one governs closing). */
export type QualityCheckRecorded = Event<
  'QualityCheckRecorded',
  { readonly passed: boolean; readonly findings: string }
>;

/** The recall-compliance check of a product-quality incident. */
export type RecallComplianceChecked = Event<
  'RecallComplianceChecked',
  { readonly recallRequired: boolean; readonly compliant: boolean; readonly basis: string }
>;

/** PR's statement on a level-1 incident. */
export type PrStatementRecorded = Event<
  'PrStatementRecorded',
  { readonly level: IncidentLevel; readonly statement: string; readonly channels: readonly string[] }
>;

/**
 * How satisfaction stood at closure: `measured` by surveys; `not-surveyed`, an incident without complaints (declared by
 * hand), whose customers surveys never learnt of; `survey-unanswered`, the survey window expired without answers and a
 * follow-up was recorded instead.
 */
export type SatisfactionAtClosure = 'measured' | 'not-surveyed' | 'survey-unanswered';

/** The incident was closed and its forms archived. */
export type IncidentClosed = Event<
  'IncidentClosed',
  CaseRefs & {
    readonly level: IncidentLevel;
    readonly reason?: string;
    /** Absent in events recorded before closures without a measurement (= `measured`). */
    readonly satisfaction?: SatisfactionAtClosure;
  }
>;

/**
 * The closed incident's forms were archived (seed 004 §4(四)4): `archiveHash` is the SHA-256 (hex) of the archive's
 * canonical JSON, kept in `incident_archives`; being in the hash-chained stream, it proves the archive unchanged.
 * `knowledge` is the knowledge-base entry drawn from the archive.
 */
export type IncidentArchived = Event<
  'IncidentArchived',
  {
    readonly archiveHash: string;
    readonly algorithm: 'sha-256';
    readonly format: string;
    readonly knowledge: KnowledgeEntry;
  }
>;

/** Every event of the Incident aggregate. */
export type IncidentEvent =
  | IncidentOpened
  | ResponseTeamPaged
  | ContactDeadlineSet
  | LevelOneProposed
  | IncidentUpgraded
  | IncidentDowngraded
  | IncidentMerged
  | DuplicateAbsorbed
  | CustomersContacted
  | TemporaryMeasureRecorded
  | ComplaintAttached
  | ContactDeadlineBreached
  | RootCauseRecorded
  | SolutionApproved
  | ImplementationRecorded
  | CustomerConfirmationRecorded
  | IncidentResolved
  | SatisfactionRecorded
  | FollowUpRequired
  | FollowUpRecorded
  | RetrospectiveRecorded
  | RetrospectiveOverdue
  | QualityCheckRecorded
  | RecallComplianceChecked
  | PrStatementRecorded
  | IncidentClosed
  | IncidentArchived;
