import { Type, type Static } from '@sinclair/typebox';
import { IncidentCategories, IncidentLevels, StringEnum } from '@aftersales/contracts';
import { DateTime, Nullable, ReadonlyList } from '@aftersales/platform-http';
import { incidentPhases, type IncidentStatus } from '../../domain';

/**
 * The views of the incidents read API (TypeBox): the queries build them, the controller returns them and `@Responds`
 * documents them in `GET /docs/openapi.json`. Times are ISO 8601; `null` until they happen.
 */

const Level = StringEnum(IncidentLevels);
const Category = StringEnum(IncidentCategories);

/** The phases an incident can be in once opened. */
export const IncidentPhases = incidentPhases;
export type IncidentPhase = Exclude<IncidentStatus, 'none'>;
const Phase = StringEnum(IncidentPhases);

/** The team answering an incident: the level's lead and members, and the escalation rung paged on a breach. */
export const IncidentTeamView = Type.Object(
  {
    level: Level,
    lead: Type.String(),
    members: ReadonlyList(Type.String()),
    escalatedTo: Type.Optional(Type.String()),
  },
  { title: 'IncidentTeamView' },
);
export type IncidentTeamView = Static<typeof IncidentTeamView>;

const summaryProperties = {
  incidentId: Type.String({ format: 'uuid' }),
  category: Category,
  level: Level,
  phase: Phase,
  summary: Type.String(),
  clusterKey: Nullable(Type.String()),
  openedAt: DateTime(),
  contactDueAt: Nullable(DateTime()),
  firstContactAt: Nullable(DateTime()),
  breached: Type.Boolean(),
  complaintCount: Type.Integer({ minimum: 0 }),
  updatedAt: DateTime(),
};

/** One incident in a list. */
export const IncidentSummaryView = Type.Object(summaryProperties, { title: 'IncidentSummaryView' });
export type IncidentSummaryView = Static<typeof IncidentSummaryView>;

/** A page of incidents; pass `nextCursor` as `cursor` for the next one (`null` on the last page). */
export const IncidentPageView = Type.Object(
  { items: ReadonlyList(IncidentSummaryView), nextCursor: Nullable(Type.String()) },
  { title: 'IncidentPageView' },
);
export type IncidentPageView = Static<typeof IncidentPageView>;

/** Who did something: the id and the role under which it was allowed. */
export const ActorView = Type.Object({ id: Type.String(), role: Nullable(Type.String()) }, { title: 'ActorView' });
export type ActorView = Static<typeof ActorView>;

/** An event as the incident page lists it (the full trail is the timeline). */
export const RecentEventView = Type.Object(
  {
    eventId: Type.String({ format: 'uuid' }),
    type: Type.String(),
    at: DateTime(),
    actor: ActorView,
    streamVersion: Type.Integer({ minimum: 1 }),
  },
  { title: 'RecentEventView' },
);
export type RecentEventView = Static<typeof RecentEventView>;

/** The incident page: the summary with its team, complaints, pages, deadlines, follow-up and latest events. */
export const IncidentDetailView = Type.Object(
  {
    ...summaryProperties,
    team: Nullable(IncidentTeamView),
    complaints: ReadonlyList(
      Type.Object({ complaintId: Type.String(), customerRef: Type.String(), attachedAt: DateTime() }),
    ),
    pages: ReadonlyList(
      Type.Object({
        eventId: Type.String({ format: 'uuid' }),
        level: Level,
        trigger: Type.String(),
        team: Type.Object({ lead: Type.String(), members: ReadonlyList(Type.String()) }),
        pagedAt: DateTime(),
      }),
    ),
    deadlines: Type.Object({
      contactDueAt: Nullable(DateTime()),
      contactDeadlineBreached: Type.Boolean(),
      breachCount: Type.Integer({ minimum: 0 }),
      retrospectiveDueAt: Nullable(DateTime()),
      retrospectiveRecordedAt: Nullable(DateTime()),
    }),
    firstPagedAt: Nullable(DateTime()),
    resolvedAt: Nullable(DateTime()),
    closedAt: Nullable(DateTime()),
    mergedInto: Nullable(Type.String({ format: 'uuid' })),
    satisfaction: Nullable(Type.Object({ percent: Type.Number(), targetPercent: Nullable(Type.Number()) })),
    followUpRequired: Type.Boolean(),
    version: Type.Integer({ minimum: 1, description: 'Stream version of the last event the read model applied' }),
    lastEvents: ReadonlyList(RecentEventView, { description: 'The latest events, newest first' }),
  },
  { title: 'IncidentDetailView' },
);
export type IncidentDetailView = Static<typeof IncidentDetailView>;

/** What an entry of the timeline compares before and after each event (folded with the domain's `evolve`). */
export const IncidentSnapshot = Type.Object(
  {
    phase: StringEnum(['none', ...IncidentPhases] as const satisfies readonly IncidentStatus[]),
    level: Nullable(Level),
    contactDueAt: Nullable(DateTime()),
    contactDeadlineBreached: Type.Boolean(),
  },
  { title: 'IncidentSnapshot' },
);
export type IncidentSnapshot = Static<typeof IncidentSnapshot>;

/** One event of the audit trail, straight from the event stream. */
export const TimelineEntryView = Type.Object(
  {
    eventId: Type.String({ format: 'uuid' }),
    type: Type.String(),
    at: DateTime({ description: 'When it was decided' }),
    recordedAt: DateTime({ description: 'When the store recorded it' }),
    actor: ActorView,
    reason: Nullable(Type.String()),
    before: IncidentSnapshot,
    after: IncidentSnapshot,
    changed: ReadonlyList(StringEnum(['phase', 'level', 'contactDueAt', 'contactDeadlineBreached'] as const), {
      description: 'The snapshot fields this event changed',
    }),
    data: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The event’s own facts (without the audit fields shown above)',
    }),
    correlationId: Nullable(Type.String()),
    causationId: Nullable(Type.String()),
    streamVersion: Type.Integer({ minimum: 1 }),
    position: Type.Integer({ minimum: 1 }),
  },
  { title: 'TimelineEntryView' },
);
export type TimelineEntryView = Static<typeof TimelineEntryView>;

/** The audit trail of one incident. */
export const IncidentTimelineView = Type.Object(
  { incidentId: Type.String({ format: 'uuid' }), streamId: Type.String(), entries: ReadonlyList(TimelineEntryView) },
  { title: 'IncidentTimelineView' },
);
export type IncidentTimelineView = Static<typeof IncidentTimelineView>;

/** `GET /incidents/:id/audit/verify`: `ok`, or the first event whose tamper evidence fails and why. */
export const AuditVerificationView = Type.Union(
  [
    Type.Object({ ok: Type.Literal(true), events: Type.Integer({ minimum: 0 }) }),
    Type.Object({
      ok: Type.Literal(false),
      events: Type.Integer({ minimum: 0 }),
      firstInvalid: Type.Object({
        eventId: Nullable(Type.String()),
        streamVersion: Type.Integer(),
        position: Nullable(Type.Integer()),
      }),
      reason: Type.String(),
    }),
  ],
  { title: 'AuditVerificationView' },
);
export type AuditVerificationView = Static<typeof AuditVerificationView>;

/** A duration statistic in seconds over the incidents where it was measured. */
export const DurationStats = Type.Object(
  {
    measured: Type.Integer({ minimum: 0 }),
    medianSeconds: Nullable(Type.Number()),
    averageSeconds: Nullable(Type.Number()),
  },
  { title: 'DurationStats' },
);
export type DurationStats = Static<typeof DurationStats>;

/** Response KPIs of one level over incidents opened in the period. */
export const LevelKpis = Type.Object(
  {
    level: Level,
    incidents: Type.Integer({ minimum: 0 }),
    timeToPage: DurationStats,
    timeToFirstContact: DurationStats,
    timeToResolve: DurationStats,
    breachedIncidents: Type.Integer({ minimum: 0, description: 'Incidents whose contact deadline was breached' }),
    breaches: Type.Integer({ minimum: 0, description: 'Contact-deadline breaches recorded' }),
  },
  { title: 'LevelKpis' },
);
export type LevelKpis = Static<typeof LevelKpis>;

/** The recurrence of one category or one product over incidents resolved in the period. */
export const RecurrenceRate = Type.Object(
  {
    key: Type.String({ description: 'The category, or the product SKU' }),
    resolved: Type.Integer({ minimum: 0, description: 'Incidents of it resolved in [from, to), merged ones left out' }),
    recurred: Type.Integer({
      minimum: 0,
      description:
        'Of those, the ones followed by another incident of the same category (product) opened within the window after their resolution',
    }),
    ratePercent: Nullable(
      Type.Number({ minimum: 0, maximum: 100, description: '100 × recurred / resolved, 2 decimals' }),
    ),
  },
  { title: 'RecurrenceRate' },
);
export type RecurrenceRate = Static<typeof RecurrenceRate>;

/**
 * Recurrence (seed 004 §7(二) 「復發率」): an incident resolved at `t` recurred when another incident of the tenant, of the
 * same category (or the same product), was opened in `(t, t + windowDays]`. Rates per category and per product.
 */
export const RecurrenceKpis = Type.Object(
  {
    windowDays: Type.Integer({ minimum: 1, description: "The tenant policy's recurrenceWindowDays" }),
    byCategory: ReadonlyList(RecurrenceRate),
    byProduct: ReadonlyList(RecurrenceRate),
  },
  { title: 'RecurrenceKpis' },
);
export type RecurrenceKpis = Static<typeof RecurrenceKpis>;

/**
 * `GET /kpis`: per level, incidents opened in `[from, to)`, merged duplicates left out; and the recurrence of the
 * incidents resolved in `[from, to)` by category and product.
 */
export const IncidentKpisView = Type.Object(
  { from: DateTime(), to: DateTime(), levels: ReadonlyList(LevelKpis), recurrence: RecurrenceKpis },
  { title: 'IncidentKpisView' },
);
export type IncidentKpisView = Static<typeof IncidentKpisView>;

/** `GET /incidents/:id/archive`: the archive of a closed incident, with its hash and whether it still matches. */
export const IncidentArchiveView = Type.Object(
  {
    incidentId: Type.String({ format: 'uuid' }),
    format: Type.String(),
    algorithm: Type.Literal('sha-256'),
    archiveHash: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'SHA-256 (hex) of the canonical JSON of `archive`',
    }),
    archivedAt: DateTime(),
    archivedBy: Type.Object({ id: Type.String(), role: Nullable(Type.String()) }),
    /** The `IncidentArchived` event recording the hash in the hash-chained stream. */
    eventId: Type.String({ format: 'uuid' }),
    intact: Type.Boolean({
      description: 'The stored archive still hashes to the hash its stream recorded (and the stream verifies)',
    }),
    archive: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'The seven forms of the emergency guide (grading, customer problem information, cause analysis, solution approval, resolution confirmation, retrospective, improvement measures) and the closure; a field the incident never recorded is {"absent": reason}; personal data stays sealed in intake\'s vault',
    }),
  },
  { title: 'IncidentArchiveView' },
);
export type IncidentArchiveView = Static<typeof IncidentArchiveView>;

/** One knowledge-base entry: what a closed incident taught (seed 004 §4(四)4). */
export const KnowledgeEntryView = Type.Object(
  {
    incidentId: Type.String({ format: 'uuid' }),
    category: Category,
    product: Nullable(Type.String()),
    level: Level,
    problem: Type.String(),
    cause: Type.String(),
    solution: Type.String(),
    prevention: ReadonlyList(Type.String()),
    closedAt: DateTime(),
  },
  { title: 'KnowledgeEntryView' },
);
export type KnowledgeEntryView = Static<typeof KnowledgeEntryView>;

/** `GET /knowledge-base`: entries of the caller's tenant, latest first. */
export const KnowledgeBasePageView = Type.Object(
  { items: ReadonlyList(KnowledgeEntryView), nextCursor: Nullable(Type.String()) },
  { title: 'KnowledgeBasePageView' },
);
export type KnowledgeBasePageView = Static<typeof KnowledgeBasePageView>;
