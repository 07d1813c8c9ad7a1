import type { IncidentCategory, IncidentLevel, IncidentStatus } from '../../domain';
import type { AuditVerification } from './audit-verification';

/** The phases an incident can be in once opened. */
export type IncidentPhase = Exclude<IncidentStatus, 'none'>;

/** The team answering an incident: the level's lead and members, and the escalation rung paged on a breach. */
export interface IncidentTeamView {
  readonly level: IncidentLevel;
  readonly lead: string;
  readonly members: readonly string[];
  readonly escalatedTo?: string;
}

/** One incident in a list. Times are ISO 8601; `null` until they happen. */
export interface IncidentSummaryView {
  readonly incidentId: string;
  readonly category: IncidentCategory;
  readonly level: IncidentLevel;
  readonly phase: IncidentPhase;
  readonly summary: string;
  readonly clusterKey: string | null;
  readonly openedAt: string;
  readonly contactDueAt: string | null;
  readonly firstContactAt: string | null;
  readonly breached: boolean;
  readonly complaintCount: number;
  readonly updatedAt: string;
}

/** A page of incidents; pass `nextCursor` as `cursor` for the next one (`null` on the last page). */
export interface IncidentPageView {
  readonly items: readonly IncidentSummaryView[];
  readonly nextCursor: string | null;
}

/** An event as the incident page lists it (the full trail is the timeline). */
export interface RecentEventView {
  readonly eventId: string;
  readonly type: string;
  readonly at: string;
  readonly actor: ActorView;
  readonly streamVersion: number;
}

/** The incident page: the summary with its team, complaints, pages, deadlines, follow-up and latest events. */
export interface IncidentDetailView extends IncidentSummaryView {
  readonly team: IncidentTeamView | null;
  readonly complaints: ReadonlyArray<{
    readonly complaintId: string;
    readonly customerRef: string;
    readonly attachedAt: string;
  }>;
  readonly pages: ReadonlyArray<{
    readonly eventId: string;
    readonly level: IncidentLevel;
    readonly trigger: string;
    readonly team: { readonly lead: string; readonly members: readonly string[] };
    readonly pagedAt: string;
  }>;
  readonly deadlines: {
    readonly contactDueAt: string | null;
    readonly contactDeadlineBreached: boolean;
    readonly breachCount: number;
    readonly retrospectiveDueAt: string | null;
    readonly retrospectiveRecordedAt: string | null;
  };
  readonly firstPagedAt: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly mergedInto: string | null;
  readonly satisfaction: { readonly percent: number; readonly targetPercent: number | null } | null;
  readonly followUpRequired: boolean;
  /** Stream version of the last event the read model applied. */
  readonly version: number;
  /** The latest events, newest first. */
  readonly lastEvents: readonly RecentEventView[];
}

/** Who did something: the id and the role under which it was allowed. */
export interface ActorView {
  readonly id: string;
  readonly role: string | null;
}

/** What an entry of the timeline compares before and after each event (folded with the domain's `evolve`). */
export interface IncidentSnapshot {
  readonly phase: IncidentStatus;
  readonly level: IncidentLevel | null;
  readonly contactDueAt: string | null;
  readonly contactDeadlineBreached: boolean;
}

/** One event of the audit trail, straight from the event stream. */
export interface TimelineEntryView {
  readonly eventId: string;
  readonly type: string;
  /** When it was decided. */
  readonly at: string;
  /** When the store recorded it. */
  readonly recordedAt: string;
  readonly actor: ActorView;
  readonly reason: string | null;
  readonly before: IncidentSnapshot;
  readonly after: IncidentSnapshot;
  /** The snapshot fields this event changed (`phase`, `level`, `contactDueAt`, `contactDeadlineBreached`). */
  readonly changed: ReadonlyArray<keyof IncidentSnapshot>;
  /** The event's own facts (without the audit fields shown above). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly streamVersion: number;
  readonly position: number;
}

/** The audit trail of one incident. */
export interface IncidentTimelineView {
  readonly incidentId: string;
  readonly streamId: string;
  readonly entries: readonly TimelineEntryView[];
}

/** `GET /incidents/:id/audit/verify`. */
export type AuditVerificationView =
  | Omit<Extract<AuditVerification, { ok: true }>, 'streamId'>
  | Omit<Extract<AuditVerification, { ok: false }>, 'streamId'>;

/** A duration statistic in seconds over the incidents where it was measured. */
export interface DurationStats {
  readonly measured: number;
  readonly medianSeconds: number | null;
  readonly averageSeconds: number | null;
}

/** Response KPIs of one level over incidents opened in the period. */
export interface LevelKpis {
  readonly level: IncidentLevel;
  readonly incidents: number;
  /** Opening to the first page of a response team. */
  readonly timeToPage: DurationStats;
  /** Opening to the first customer contact. */
  readonly timeToFirstContact: DurationStats;
  /** Opening to resolution. */
  readonly timeToResolve: DurationStats;
  /** Incidents whose contact deadline was breached. */
  readonly breachedIncidents: number;
  /** Contact-deadline breaches recorded. */
  readonly breaches: number;
}

/** `GET /kpis`: per level, incidents opened in `[from, to)`, merged duplicates left out. */
export interface IncidentKpisView {
  readonly from: string;
  readonly to: string;
  readonly levels: readonly LevelKpis[];
}
