import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, type ServiceDatabase, type StoredEvent } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import {
  evolveIncident,
  incidentLevels,
  initialIncidentState,
  resolvePolicy,
  type IncidentPolicyOverrides,
  type IncidentCategory,
  type IncidentEvent,
  type IncidentLevel,
  type IncidentState,
} from '../../domain';
import { streamTenant, verifyIncidentAudit } from './audit-verification';
import type {
  ActorView,
  AuditVerificationView,
  DurationStats,
  IncidentDetailView,
  IncidentArchiveView,
  IncidentKpisView,
  IncidentPageView,
  KnowledgeBasePageView,
  KnowledgeEntryView,
  RecurrenceKpis,
  RecurrenceRate,
  IncidentPhase,
  IncidentSnapshot,
  IncidentSummaryView,
  IncidentTeamView,
  IncidentTimelineView,
  TimelineEntryView,
} from './incident-views';
import { incidentStream } from '../../application/incident-streams';

/** Filters of the incident list; without `phase`, only open incidents (not closed, not merged). */
export interface IncidentListFilter {
  readonly level?: IncidentLevel;
  readonly phase?: IncidentPhase;
  readonly category?: IncidentCategory;
  readonly limit: number;
  readonly after?: IncidentCursor;
}

/** Position in the list order (level, opening time, id): most severe first, oldest first within a level. */
export interface IncidentCursor {
  readonly level: string;
  readonly openedAt: string;
  readonly incidentId: string;
}

/** Filters of the knowledge base: a category, a product (SKU, compared trimmed and upper-cased), or both. */
export interface KnowledgeBaseFilter {
  readonly category?: IncidentCategory;
  readonly product?: string;
  readonly limit: number;
  /** The last entry of the previous page (latest closures first). */
  readonly after?: { readonly closedAt: string; readonly incidentId: string };
}

/** `cursor` query value of the knowledge-base entry after which the next page starts. */
export function encodeKnowledgeCursor(cursor: { closedAt: string; incidentId: string }): string {
  return Buffer.from(JSON.stringify([cursor.closedAt, cursor.incidentId])).toString('base64url');
}

/** The knowledge-base cursor in a `cursor` query value, or `null` when it is not one this API issued. */
export function decodeKnowledgeCursor(value: string): { closedAt: string; incidentId: string } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) return null;
    const [closedAt, incidentId] = parsed as [string, string];
    return Number.isNaN(Date.parse(closedAt)) ? null : { closedAt, incidentId };
  } catch {
    return null;
  }
}

/** `cursor` query value of the row after which the next page starts. */
export function encodeIncidentCursor(cursor: IncidentCursor): string {
  return Buffer.from(JSON.stringify([cursor.level, cursor.openedAt, cursor.incidentId])).toString('base64url');
}

/** The cursor in a `cursor` query value, or `null` when it is not one this API issued. */
export function decodeIncidentCursor(value: string): IncidentCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((part) => typeof part === 'string')) return null;
    const [level, openedAt, incidentId] = parsed as [string, string, string];
    return Number.isNaN(Date.parse(openedAt)) ? null : { level, openedAt, incidentId };
  } catch {
    return null;
  }
}

type ViewRow = {
  incident_id: string;
  category: IncidentCategory;
  level: IncidentLevel;
  status: IncidentPhase;
  summary: string;
  cluster_key: string | null;
  opened_at: Date;
  first_paged_at: Date | null;
  first_contact_at: Date | null;
  contact_due_at: Date | null;
  breached: boolean;
  breach_count: number;
  resolved_at: Date | null;
  retrospective_due_at: Date | null;
  retrospective_at: Date | null;
  closed_at: Date | null;
  merged_into: string | null;
  satisfaction: string | null;
  satisfaction_target: string | null;
  follow_up_required: boolean;
  complaint_count: number;
  team: IncidentTeamView | null;
  version: string;
  updated_at: Date;
};

const SUMMARY_COLUMNS = `incident_id, category, level, status, summary, cluster_key, opened_at, contact_due_at,
  first_contact_at, breached, complaint_count, updated_at`;

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
const numberOrNull = (value: string | null): number | null => (value === null ? null : Number(value));

type SummaryRow = Pick<
  ViewRow,
  | 'incident_id'
  | 'category'
  | 'level'
  | 'status'
  | 'summary'
  | 'cluster_key'
  | 'opened_at'
  | 'contact_due_at'
  | 'first_contact_at'
  | 'breached'
  | 'complaint_count'
  | 'updated_at'
>;

function summaryOf(row: SummaryRow): IncidentSummaryView {
  return {
    incidentId: row.incident_id,
    category: row.category,
    level: row.level,
    phase: row.status,
    summary: row.summary,
    clusterKey: row.cluster_key,
    openedAt: row.opened_at.toISOString(),
    contactDueAt: iso(row.contact_due_at),
    firstContactAt: iso(row.first_contact_at),
    breached: row.breached,
    complaintCount: row.complaint_count,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** How many of the latest events the incident page shows. */
const LAST_EVENTS = 10;

/**
 * The incidents read side's queries. Every one is scoped to a tenant: another tenant's incident is `null`, exactly
 * like one that does not exist. Lists, the incident page and KPIs read the projection; the timeline and the audit
 * verification read the event stream itself.
 */
@Injectable()
export class IncidentsReadQueries {
  constructor(
    @Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase,
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
  ) {}

  async list(tenant: string, filter: IncidentListFilter): Promise<IncidentPageView> {
    const conditions = ['tenant = $1'];
    const values: unknown[] = [tenant];
    const where = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (filter.phase) where((p) => `status = ${p}`, filter.phase);
    else conditions.push(`status NOT IN ('closed', 'merged')`);
    if (filter.level) where((p) => `level = ${p}`, filter.level);
    if (filter.category) where((p) => `category = ${p}`, filter.category);
    if (filter.after) {
      const { level, openedAt, incidentId } = filter.after;
      values.push(level, openedAt, incidentId);
      const n = values.length;
      conditions.push(`(level, opened_at, incident_id) > ($${n - 2}::text, $${n - 1}::timestamptz, $${n}::text)`);
    }
    values.push(filter.limit + 1);
    const { rows } = await this.db.pool.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM incidents_view WHERE ${conditions.join(' AND ')}
        ORDER BY level, opened_at, incident_id LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > filter.limit && last
        ? encodeIncidentCursor({
            level: last.level,
            openedAt: last.opened_at.toISOString(),
            incidentId: last.incident_id,
          })
        : null;
    return { items: page.map(summaryOf), nextCursor };
  }

  async get(tenant: string, incidentId: string): Promise<IncidentDetailView | null> {
    const { rows } = await this.db.pool.query<ViewRow>(
      'SELECT * FROM incidents_view WHERE tenant = $1 AND incident_id = $2',
      [tenant, incidentId],
    );
    const row = rows[0];
    if (!row) return null;
    const version = Number(row.version);
    const [complaints, pages, recent] = await Promise.all([
      this.db.pool.query<{ complaint_id: string; customer_ref: string; attached_at: Date }>(
        `SELECT complaint_id, customer_ref, attached_at FROM incident_complaints
          WHERE tenant = $1 AND incident_id = $2 ORDER BY attached_at, complaint_id`,
        [tenant, incidentId],
      ),
      this.db.pool.query<{
        event_id: string;
        level: IncidentLevel;
        trigger: string;
        team: { lead: string; members: string[] };
        paged_at: Date;
      }>(
        `SELECT event_id, level, trigger, team, paged_at FROM incident_pages
          WHERE tenant = $1 AND incident_id = $2 ORDER BY paged_at, event_id`,
        [tenant, incidentId],
      ),
      this.store.readStream(incidentStream(incidentId), Math.max(0, version - LAST_EVENTS)),
    ]);
    const satisfaction = numberOrNull(row.satisfaction);
    return {
      ...summaryOf(row),
      team: row.team,
      complaints: complaints.rows.map((c) => ({
        complaintId: c.complaint_id,
        customerRef: c.customer_ref,
        attachedAt: c.attached_at.toISOString(),
      })),
      pages: pages.rows.map((p) => ({
        eventId: p.event_id,
        level: p.level,
        trigger: p.trigger,
        team: p.team,
        pagedAt: p.paged_at.toISOString(),
      })),
      deadlines: {
        contactDueAt: iso(row.contact_due_at),
        contactDeadlineBreached: row.breached,
        breachCount: row.breach_count,
        retrospectiveDueAt: iso(row.retrospective_due_at),
        retrospectiveRecordedAt: iso(row.retrospective_at),
      },
      firstPagedAt: iso(row.first_paged_at),
      resolvedAt: iso(row.resolved_at),
      closedAt: iso(row.closed_at),
      mergedInto: row.merged_into,
      satisfaction:
        satisfaction === null ? null : { percent: satisfaction, targetPercent: numberOrNull(row.satisfaction_target) },
      followUpRequired: row.follow_up_required,
      version,
      lastEvents: recent
        .map((e) => ({
          eventId: e.id,
          type: e.type,
          at: auditFieldsOf(e).at,
          actor: actorOf(e),
          streamVersion: e.streamVersion,
        }))
        .reverse(),
    };
  }

  /** The audit trail from the event stream; `null` when the incident does not exist in `tenant`. */
  async timeline(tenant: string, incidentId: string): Promise<IncidentTimelineView | null> {
    const streamId = incidentStream(incidentId);
    const events = await this.store.readStream(streamId);
    if (events.length === 0 || events[0]?.metadata.tenant !== tenant) return null;
    let state = initialIncidentState();
    const entries = events.map((event): TimelineEntryView => {
      const before = snapshotOf(state);
      state = evolveSafely(state, event);
      const after = snapshotOf(state);
      const { incidentId: _id, actor: _actor, at, reason, ...data } = event.data as Record<string, unknown>;
      return {
        eventId: event.id,
        type: event.type,
        at: typeof at === 'string' ? at : event.recordedAt.toISOString(),
        recordedAt: event.recordedAt.toISOString(),
        actor: actorOf(event),
        reason: typeof reason === 'string' ? reason : (event.metadata.reason ?? null),
        before,
        after,
        changed: (Object.keys(before) as Array<keyof IncidentSnapshot>).filter((key) => before[key] !== after[key]),
        data,
        correlationId: event.metadata.correlationId ?? null,
        causationId: event.metadata.causationId ?? null,
        streamVersion: event.streamVersion,
        position: Number(event.position),
      };
    });
    return { incidentId, streamId, entries };
  }

  /** The stream's tamper evidence; `null` when the incident does not exist in `tenant`. */
  async verify(tenant: string, incidentId: string): Promise<AuditVerificationView | null> {
    const streamId = incidentStream(incidentId);
    if ((await streamTenant(this.db.pool, streamId)) !== tenant) return null;
    const { streamId: _streamId, ...result } = await verifyIncidentAudit(this.store, this.db.pool, streamId);
    return result;
  }

  /**
   * The archive of a closed incident of `tenant` (`null`: none, not closed yet, or another tenant's), with whether it
   * is intact: the stream's hash chain verifies and the stored archive hashes to the hash the stream recorded.
   */
  async archive(tenant: string, incidentId: string): Promise<IncidentArchiveView | null> {
    const { rows } = await this.db.pool.query<{
      archive_hash: string;
      format: string;
      bundle: string;
      archived_at: Date;
      event_id: string;
      actor: { id: string; role?: string } | null;
    }>(
      `SELECT a.archive_hash, a.format, a.bundle, a.archived_at, e.event_id, e.data->'actor' AS actor
         FROM incident_archives a
         JOIN es_events e ON e.stream_id = $3 AND e.type = 'IncidentArchived'
        WHERE a.tenant = $1 AND a.incident_id = $2`,
      [tenant, incidentId, incidentStream(incidentId)],
    );
    const row = rows[0];
    if (!row) return null;
    const verification = await verifyIncidentAudit(this.store, this.db.pool, incidentStream(incidentId));
    return {
      incidentId,
      format: row.format,
      algorithm: 'sha-256',
      archiveHash: row.archive_hash,
      archivedAt: row.archived_at.toISOString(),
      archivedBy: { id: row.actor?.id ?? 'unknown', role: row.actor?.role ?? null },
      eventId: row.event_id,
      intact: verification.ok,
      archive: JSON.parse(row.bundle) as Record<string, unknown>,
    };
  }

  /** Knowledge-base entries of `tenant`, latest closures first, by category and/or product. */
  async knowledgeBase(tenant: string, filter: KnowledgeBaseFilter): Promise<KnowledgeBasePageView> {
    const conditions = ['tenant = $1'];
    const values: unknown[] = [tenant];
    const where = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (filter.category) where((p) => `category = ${p}`, filter.category);
    if (filter.product) where((p) => `product = ${p}`, filter.product.trim().toUpperCase());
    if (filter.after) {
      values.push(filter.after.closedAt, filter.after.incidentId);
      const n = values.length;
      conditions.push(`(closed_at, incident_id) < ($${n - 1}::timestamptz, $${n}::text)`);
    }
    values.push(filter.limit + 1);
    const { rows } = await this.db.pool.query<{
      incident_id: string;
      category: IncidentCategory;
      product: string | null;
      level: IncidentLevel;
      problem: string;
      cause: string;
      solution: string;
      prevention: string[];
      closed_at: Date;
    }>(
      `SELECT incident_id, category, product, level, problem, cause, solution, prevention, closed_at
         FROM incident_knowledge_base WHERE ${conditions.join(' AND ')}
        ORDER BY closed_at DESC, incident_id DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit);
    const last = page.at(-1);
    const items = page.map((row): KnowledgeEntryView => ({
      incidentId: row.incident_id,
      category: row.category,
      product: row.product,
      level: row.level,
      problem: row.problem,
      cause: row.cause,
      solution: row.solution,
      prevention: row.prevention,
      closedAt: row.closed_at.toISOString(),
    }));
    const nextCursor =
      rows.length > filter.limit && last
        ? encodeKnowledgeCursor({ closedAt: last.closed_at.toISOString(), incidentId: last.incident_id })
        : null;
    return { items, nextCursor };
  }

  /**
   * Recurrence (seed 004 §7(二) 「復發率」) of the tenant's incidents resolved in `[from, to)`, by category and by product:
   * an incident resolved at `t` recurred when another incident of the tenant with the same category (product) was
   * opened in `(t, t + recurrenceWindowDays]` (the tenant policy's window). Merged duplicates count on neither side.
   */
  async recurrence(tenant: string, from: Date, to: Date): Promise<RecurrenceKpis> {
    const windowDays = await this.recurrenceWindowDays(tenant);
    const { rows } = await this.db.pool.query<{
      dimension: 'category' | 'product';
      key: string;
      resolved: number;
      recurred: number;
    }>(
      `WITH incidents AS (
         SELECT incident_id, category, product, opened_at, resolved_at
           FROM incidents_view WHERE tenant = $1 AND status <> 'merged'
       ), resolved AS (
         SELECT * FROM incidents WHERE resolved_at >= $2 AND resolved_at < $3
       )
       SELECT 'category' AS dimension, r.category AS key, count(*)::int AS resolved,
              count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM incidents n
                 WHERE n.category = r.category AND n.incident_id <> r.incident_id
                   AND n.opened_at > r.resolved_at AND n.opened_at <= r.resolved_at + make_interval(days => $4::int)
              ))::int AS recurred
         FROM resolved r GROUP BY r.category
       UNION ALL
       SELECT 'product', r.product, count(*)::int,
              count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM incidents n
                 WHERE n.product = r.product AND n.incident_id <> r.incident_id
                   AND n.opened_at > r.resolved_at AND n.opened_at <= r.resolved_at + make_interval(days => $4::int)
              ))::int
         FROM resolved r WHERE r.product IS NOT NULL GROUP BY r.product
       ORDER BY 1, 2`,
      [tenant, from, to, windowDays],
    );
    const rate = (row: { key: string; resolved: number; recurred: number }): RecurrenceRate => ({
      key: row.key,
      resolved: row.resolved,
      recurred: row.recurred,
      ratePercent: row.resolved === 0 ? null : Math.round((10_000 * row.recurred) / row.resolved) / 100,
    });
    return {
      windowDays,
      byCategory: rows.filter((row) => row.dimension === 'category').map(rate),
      byProduct: rows.filter((row) => row.dimension === 'product').map(rate),
    };
  }

  /** The tenant policy's recurrence window (the defaults' when the tenant has no policy of its own). */
  private async recurrenceWindowDays(tenant: string): Promise<number> {
    const { rows } = await this.db.pool.query<{ overrides: IncidentPolicyOverrides }>(
      'SELECT overrides FROM incidents_tenant_policies WHERE tenant = $1',
      [tenant],
    );
    return resolvePolicy(rows[0]?.overrides ?? {}).recurrenceWindowDays;
  }

  /** Response KPIs per level over the tenant's incidents opened in `[from, to)`. */
  async kpis(tenant: string, from: Date, to: Date): Promise<IncidentKpisView> {
    const seconds = (column: string) => `extract(epoch FROM ${column} - opened_at)`;
    const stats = (name: string, column: string) => `
      count(${column})::int AS ${name}_measured,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${seconds(column)}) AS ${name}_median,
      avg(${seconds(column)}) AS ${name}_avg`;
    const { rows } = await this.db.pool.query<Record<string, string | number | null> & { level: IncidentLevel }>(
      `SELECT level, count(*)::int AS incidents,
              ${stats('page', 'first_paged_at')},
              ${stats('contact', 'first_contact_at')},
              ${stats('resolve', 'resolved_at')},
              count(*) FILTER (WHERE breached)::int AS breached_incidents,
              coalesce(sum(breach_count), 0)::int AS breaches
         FROM incidents_view
        WHERE tenant = $1 AND opened_at >= $2 AND opened_at < $3 AND status <> 'merged'
        GROUP BY level`,
      [tenant, from, to],
    );
    const byLevel = new Map(rows.map((row) => [row.level, row]));
    const durations = (row: Record<string, string | number | null> | undefined, name: string): DurationStats => ({
      measured: Number(row?.[`${name}_measured`] ?? 0),
      medianSeconds: roundedOrNull(row?.[`${name}_median`]),
      averageSeconds: roundedOrNull(row?.[`${name}_avg`]),
    });
    // Most severe first, every level present even without incidents.
    const levels = [...incidentLevels].reverse().map((level) => {
      const row = byLevel.get(level);
      return {
        level,
        incidents: Number(row?.incidents ?? 0),
        timeToPage: durations(row, 'page'),
        timeToFirstContact: durations(row, 'contact'),
        timeToResolve: durations(row, 'resolve'),
        breachedIncidents: Number(row?.breached_incidents ?? 0),
        breaches: Number(row?.breaches ?? 0),
      };
    });
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      levels,
      recurrence: await this.recurrence(tenant, from, to),
    };
  }
}

function roundedOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value) * 1000) / 1000;
}

function auditFieldsOf(event: StoredEvent): { at: string; actor?: { id?: unknown; role?: unknown } } {
  const data = (event.data ?? {}) as { at?: unknown; actor?: { id?: unknown; role?: unknown } };
  return { at: typeof data.at === 'string' ? data.at : event.recordedAt.toISOString(), actor: data.actor };
}

/** The actor the event records (`actor {id, role}`), or the metadata's actor for an event without one. */
function actorOf(event: StoredEvent): ActorView {
  const { actor } = auditFieldsOf(event);
  if (actor && typeof actor.id === 'string') {
    return { id: actor.id, role: typeof actor.role === 'string' ? actor.role : null };
  }
  return { id: event.metadata.actor.id, role: event.metadata.actor.roles?.[0] ?? null };
}

function snapshotOf(state: IncidentState): IncidentSnapshot {
  if (state.status === 'none')
    return { phase: 'none', level: null, contactDueAt: null, contactDeadlineBreached: false };
  const { level, contactDueAt, contactDeadlineBreached } = state.incident;
  return { phase: state.status, level, contactDueAt, contactDeadlineBreached };
}

/**
 * The domain's `evolve` for one stored event. An event type the domain does not know (one the write side added
 * since, or another aggregate's) leaves the state as it is rather than breaking the audit trail.
 */
function evolveSafely(state: IncidentState, event: StoredEvent): IncidentState {
  try {
    return evolveIncident(state, { type: event.type, data: event.data } as IncidentEvent);
  } catch {
    return state;
  }
}
