import type { Command } from '@aftersales/domain';
import type { KnowledgeEntry } from './incident-archive';
import type { ComplaintFlags, IncidentCategory, IncidentLevel, Role } from './incident.values';

/** Temporary measures taken while containing an incident (domain §5, Containment). */
export type TemporaryMeasureKind =
  | 'spare-product'
  | 'on-site-repair'
  | 'temporary-refund'
  | 'apology-coupon'
  | 'expedited-handling'
  | 'changed-service-time'
  | 'alternative-pickup';

/** Kinds of solution (domain §5, Resolution). A `recall` needs emergency leadership whatever the level. */
export type SolutionKind =
  'repair' | 'replace' | 'recall' | 'process-change' | 'training' | 'compensation' | 'capacity';

/** A customer's answer when asked to confirm the resolution. */
export type ConfirmationSatisfaction = 'satisfied' | 'neutral' | 'dissatisfied';

/** An improvement action decided in the retrospective. */
export interface ImprovementAction {
  readonly action: string;
  readonly owner: Role;
  readonly dueAt?: string;
}

/** A point of the incident's timeline the retrospective adds to the recorded ones. */
export interface TimelineEntry {
  readonly at: string;
  readonly what: string;
}

/** Opens an incident because a complaint cluster crossed a threshold (sent by the clustering process manager). */
export type OpenIncident = Command<
  'OpenIncident',
  {
    readonly incidentId: string;
    readonly category: IncidentCategory;
    readonly clusterKey: string;
    readonly level: IncidentLevel;
    readonly complaintCount: number;
    readonly flags: ComplaintFlags;
    /** The grading basis, e.g. the crossing's reason. */
    readonly reason: string;
    /** The after-sales cases of the complaints it is opened with (distinct; none when no complaint came from a case). */
    readonly caseIds?: readonly string[];
  }
>;

/** Declares an incident by hand (staff report, internal alarm); the declarer grades it. */
export type DeclareIncident = Command<
  'DeclareIncident',
  {
    readonly incidentId: string;
    readonly category: IncidentCategory;
    readonly level: IncidentLevel;
    readonly summary: string;
    readonly reason: string;
    readonly clusterKey?: string;
  }
>;

/** Raises the level; an upgrade to the current level is a no-op (cluster and humans may both raise it). */
export type UpgradeIncident = Command<'UpgradeIncident', { readonly toLevel: IncidentLevel; readonly reason: string }>;

/** Lowers the level; only roles of `policy.downgradeApprovers` for the level being left may. */
export type DowngradeIncident = Command<
  'DowngradeIncident',
  { readonly toLevel: IncidentLevel; readonly reason: string }
>;

/** Ends this incident as a duplicate of `survivorId`. */
export type MergeIncident = Command<'MergeIncident', { readonly survivorId: string; readonly reason: string }>;

/**
 * Tells the survivor of a merge what it absorbed (copied from the duplicate's `IncidentMerged`): a more severe level
 * upgrades the survivor, an earlier contact deadline tightens it.
 */
export type AbsorbDuplicate = Command<
  'AbsorbDuplicate',
  {
    readonly duplicateId: string;
    readonly level: IncidentLevel;
    readonly contactDueAt: string | null;
    readonly reason: string;
  }
>;

/** Affected customers were contacted (apology, explanation, need asked, time committed). */
export type RecordCustomersContacted = Command<
  'RecordCustomersContacted',
  { readonly customerRefs: readonly string[]; readonly summary: string }
>;

/** A temporary measure was taken for affected customers. */
export type RecordTemporaryMeasure = Command<
  'RecordTemporaryMeasure',
  { readonly measure: TemporaryMeasureKind; readonly description: string; readonly customerRefs?: readonly string[] }
>;

/**
 * Attaches a complaint (and so its customer) to the incident, e.g. every complaint of the incident's cluster. Allowed
 * in every open phase (activation to follow-up); attaching the same `complaintId` again adds nothing.
 */
export type AttachComplaint = Command<
  'AttachComplaint',
  {
    readonly complaintId: string;
    readonly customerRef: string;
    /** The after-sales case the complaint arose from, when it did. */
    readonly caseId?: string;
    /** The order the complaint is about, when known. */
    readonly orderId?: string;
  }
>;

/** Fired by the durable timer at the contact deadline; `context.now` is the firing time. */
export type FlagContactDeadlineBreach = Command<'FlagContactDeadlineBreach', Record<string, never>>;

/** The responsible group (policy `rootCauseGroups`) records root cause and direct cause. */
export type RecordRootCause = Command<'RecordRootCause', { readonly rootCause: string; readonly directCause: string }>;

/** Approves the solution; L1 needs emergency leadership, L2/L3 the department head (policy `solutionApprovers`). */
export type ApproveSolution = Command<
  'ApproveSolution',
  { readonly solution: { readonly kind: SolutionKind; readonly description: string } }
>;

/** Tracks implementation of the approved solution; `completed: true` ends it. */
export type RecordImplementation = Command<
  'RecordImplementation',
  { readonly progress: string; readonly completed: boolean }
>;

/** A customer confirmed (or not) that the solution worked for them. */
export type RecordCustomerConfirmation = Command<
  'RecordCustomerConfirmation',
  { readonly customerRef: string; readonly satisfaction: ConfirmationSatisfaction; readonly note?: string }
>;

/**
 * Ends resolution and starts follow-up; the retrospective becomes due. Needs the policy's share of the affected
 * customers' confirmations, or `confirmationOverride`: the level's lead (or emergency leadership) resolving with fewer,
 * for the recorded reason (e.g. customers who cannot be reached).
 */
export type ResolveIncident = Command<
  'ResolveIncident',
  { readonly summary: string; readonly confirmationOverride?: { readonly reason: string } }
>;

/**
 * Satisfaction measured by surveys (percentage of satisfied respondents). `belowTarget` is surveys' verdict, decided on
 * the exact counts against the target the resolution recorded: one rule in one place, so the two services never
 * disagree at a rounding edge or after a policy change. Without it, the percentage is compared with that same target.
 */
export type RecordSatisfaction = Command<
  'RecordSatisfaction',
  { readonly percent: number; readonly responses: number; readonly surveyRef: string; readonly belowTarget?: boolean }
>;

/** A follow-up with customers (e.g. an additional compensation offer) was made. */
export type RecordFollowUp = Command<'RecordFollowUp', { readonly action: string; readonly description: string }>;

/**
 * The retrospective, 5W1H. The decider adds the recorded timeline (detection, first contact, resolution) to `when`,
 * so the timeline cannot contradict the event stream.
 */
export type RecordRetrospective = Command<
  'RecordRetrospective',
  {
    readonly what: string;
    readonly why: string;
    readonly who: string;
    readonly when: readonly TimelineEntry[];
    readonly where: string;
    readonly how: string;
    readonly improvementActions: readonly ImprovementAction[];
  }
>;

/**
 * The quality group checked the fix (seed 004 §4(三)3 「質量管控組負責監督解決方案實施…確保問題徹底解決」): closing
 * needs the latest check passed.
 */
export type RecordQualityCheck = Command<'RecordQualityCheck', { readonly passed: boolean; readonly findings: string }>;

/**
 * The recall-compliance check of a product-quality incident (seed 004 §4(三)2 「召回需符合《產品質量法》要求」): whether a
 * recall is required, and whether what was done complies, on which basis.
 */
export type RecordRecallComplianceCheck = Command<
  'RecordRecallComplianceCheck',
  { readonly recallRequired: boolean; readonly compliant: boolean; readonly basis: string }
>;

/** PR's public statement on a level-1 incident (seed 004 §5 公關組: 「制定公關方案(如發布聲明、回應媒體)」). */
export type RecordPrStatement = Command<
  'RecordPrStatement',
  { readonly statement: string; readonly channels: readonly string[] }
>;

/** Fired by the durable timer before the retrospective is due: reminds the level's team if it is not recorded. */
export type RemindRetrospective = Command<'RemindRetrospective', Record<string, never>>;

/** Fired by the durable timer when the retrospective is due: an unrecorded one is overdue and escalates. */
export type FlagRetrospectiveOverdue = Command<'FlagRetrospectiveOverdue', Record<string, never>>;

/** Closes the incident; the closure archives its forms (`ArchiveIncident`, in the same transaction). */
export type CloseIncident = Command<'CloseIncident', { readonly reason?: string }>;

/**
 * Records the archive of a closed incident (seed 004 §4(四)4): the SHA-256 of the canonical JSON of
 * `incidentArchiveOf(stream)`, stored beside the events, and the knowledge-base entry drawn from it. Sent once, by the
 * closure's effects; the hash in the hash-chained stream is what proves the stored archive unchanged.
 */
export type ArchiveIncident = Command<
  'ArchiveIncident',
  {
    readonly archiveHash: string;
    readonly format: string;
    readonly knowledge: KnowledgeEntry;
  }
>;

/** Every command of the Incident aggregate. */
export type IncidentCommand =
  | OpenIncident
  | DeclareIncident
  | UpgradeIncident
  | DowngradeIncident
  | MergeIncident
  | AbsorbDuplicate
  | RecordCustomersContacted
  | RecordTemporaryMeasure
  | AttachComplaint
  | FlagContactDeadlineBreach
  | RecordRootCause
  | ApproveSolution
  | RecordImplementation
  | RecordCustomerConfirmation
  | ResolveIncident
  | RecordSatisfaction
  | RecordFollowUp
  | RecordRetrospective
  | RecordQualityCheck
  | RecordRecallComplianceCheck
  | RecordPrStatement
  | RemindRetrospective
  | FlagRetrospectiveOverdue
  | CloseIncident
  | ArchiveIncident;
