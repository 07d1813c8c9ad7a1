import { assertNever } from '@aftersales/domain';
import {
  projectionSubscription,
  type DurableSubscription,
  type ProjectionDefinition,
  type Queryable,
  type StoredEvent,
} from '@aftersales/eventstore';
import type { BackgroundWorker, WorkerContext } from '@aftersales/service-runtime';
import type { Pool } from 'pg';
import { productOfClusterKey, type IncidentEvent } from '../../domain';
import { foldIncidentStream } from './incidents.fold';

/** Name (and checkpoint key) of the subscription that feeds the incidents read model. */
export const INCIDENTS_READ_MODEL = 'incidents-read-model';

// A Record, not a list: a new incident event type is a compile error here until the projection knows it.
const projectedTypes: Record<IncidentEvent['type'], true> = {
  IncidentOpened: true,
  ResponseTeamPaged: true,
  ContactDeadlineSet: true,
  LevelOneProposed: true,
  RetrospectiveOverdue: true,
  QualityCheckRecorded: true,
  RecallComplianceChecked: true,
  PrStatementRecorded: true,
  IncidentUpgraded: true,
  IncidentDowngraded: true,
  IncidentMerged: true,
  DuplicateAbsorbed: true,
  CustomersContacted: true,
  TemporaryMeasureRecorded: true,
  ContactDeadlineBreached: true,
  RootCauseRecorded: true,
  SolutionApproved: true,
  ImplementationRecorded: true,
  CustomerConfirmationRecorded: true,
  IncidentResolved: true,
  SatisfactionRecorded: true,
  FollowUpRequired: true,
  FollowUpRecorded: true,
  RetrospectiveRecorded: true,
  IncidentClosed: true,
  ComplaintAttached: true,
  IncidentArchived: true,
};

/** Whether a stored event is one of the Incident aggregate's (the store also holds complaint-cluster events). */
export function isProjectedIncidentEvent(event: Pick<StoredEvent, 'type'>): boolean {
  return Object.prototype.hasOwnProperty.call(projectedTypes, event.type);
}

/** Which row an event updates, and from which stream version on. */
interface Target {
  readonly incidentId: string;
  readonly version: number;
  readonly at: string;
}

/**
 * Applies `assignments` (SQL using `$4`, `$5`, … for `values`) to the incident's row, unless the row already
 * reflects this stream version. `$1` is the incident id, `$2` the version, `$3` the event's decision time.
 */
async function update(tx: Queryable, target: Target, assignments = '', values: unknown[] = []): Promise<void> {
  await tx.query(
    `UPDATE incidents_view
        SET ${assignments ? `${assignments}, ` : ''}version = $2::bigint, updated_at = $3::timestamptz
      WHERE incident_id = $1 AND version < $2::bigint`,
    [target.incidentId, target.version, target.at, ...values],
  );
}

/**
 * Applies one stored event to the read model, inside the subscription's transaction. Idempotent: rows are inserted
 * with `ON CONFLICT DO NOTHING`, and `incidents_view` changes only for a stream version it has not seen yet, so a
 * replayed event (reset checkpoint, rebuilt projection) leaves every table as it was.
 */
export async function projectIncidentEvent(stored: StoredEvent, tx: Queryable): Promise<void> {
  if (!isProjectedIncidentEvent(stored)) return;
  const event = { type: stored.type, data: stored.data } as IncidentEvent;
  const { incidentId, at } = event.data;
  const target: Target = { incidentId, version: stored.streamVersion, at };
  const tenant = stored.metadata.tenant;
  switch (event.type) {
    case 'IncidentOpened': {
      const { category, level, summary, source } = event.data;
      await tx.query(
        `INSERT INTO incidents_view (tenant, incident_id, category, level, status, summary, cluster_key, product,
                                     opened_at, version, updated_at)
         VALUES ($1, $2, $3, $4, 'activation', $5, $6, $9, $7::timestamptz, $8::bigint, $7::timestamptz)
         ON CONFLICT (incident_id) DO NOTHING`,
        [
          event.data.tenant,
          incidentId,
          category,
          level,
          summary,
          source.clusterKey ?? null,
          at,
          stored.streamVersion,
          productOfClusterKey(source.clusterKey),
        ],
      );
      return;
    }
    case 'ResponseTeamPaged': {
      const { level, team, trigger } = event.data;
      await tx.query(
        `INSERT INTO incident_pages (event_id, tenant, incident_id, level, trigger, team, paged_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz) ON CONFLICT (event_id) DO NOTHING`,
        [stored.id, tenant, incidentId, level, trigger, JSON.stringify(team), at],
      );
      // A level-1 proposal asks leadership to decide: the incident's team is the one of its level until then.
      // So do retrospective reminders and escalations, after the incident's handling.
      if (trigger === 'level-one-proposal' || trigger.startsWith('retrospective-')) return update(tx, target);
      // The level's team answers the incident; an escalation rung paged on a breach joins it as `escalatedTo`.
      const teamChange =
        trigger === 'contact-deadline-breach'
          ? `coalesce(team, '{}'::jsonb) || jsonb_build_object('escalatedTo', $4::text)`
          : `$4::jsonb`;
      const value = trigger === 'contact-deadline-breach' ? team.lead : JSON.stringify({ level, ...team });
      return update(tx, target, `first_paged_at = coalesce(first_paged_at, $3::timestamptz), team = ${teamChange}`, [
        value,
      ]);
    }
    case 'ContactDeadlineSet':
      return update(tx, target, 'contact_due_at = $4::timestamptz', [event.data.dueAt]);
    case 'IncidentUpgraded':
    case 'IncidentDowngraded':
      return update(tx, target, 'level = $4::text', [event.data.to]);
    case 'IncidentMerged':
      return update(tx, target, `status = 'merged', merged_into = $4::text`, [event.data.survivorId]);
    case 'CustomersContacted':
      return update(
        tx,
        target,
        `first_contact_at = coalesce(first_contact_at, $3::timestamptz),
         status = CASE WHEN status = 'activation' THEN 'containment' ELSE status END`,
      );
    case 'ContactDeadlineBreached':
      return update(tx, target, 'breached = true, breach_count = breach_count + 1');
    case 'RootCauseRecorded':
      return update(tx, target, `status = CASE WHEN status = 'containment' THEN 'resolution' ELSE status END`);
    case 'IncidentResolved':
      return update(
        tx,
        target,
        `status = CASE WHEN status = 'resolution' THEN 'follow-up' ELSE status END,
         resolved_at = $3::timestamptz, retrospective_due_at = $4::timestamptz,
         satisfaction_target = coalesce($5::numeric, satisfaction_target)`,
        // Events stored before the target was recorded on resolution have none.
        [event.data.retrospectiveDueAt, event.data.satisfactionTargetPercent ?? null],
      );
    case 'SatisfactionRecorded': {
      const { percent, targetPercent, meetsTarget } = event.data;
      // The latest measurement governs (as in the decider): at target it lifts an earlier follow-up requirement.
      return update(
        tx,
        target,
        `satisfaction = $4::numeric, satisfaction_target = $5::numeric,
         follow_up_required = CASE WHEN $6::boolean THEN false ELSE follow_up_required END`,
        [percent, targetPercent, meetsTarget],
      );
    }
    case 'FollowUpRequired':
      return update(tx, target, 'follow_up_required = true');
    case 'FollowUpRecorded':
      return update(tx, target, 'follow_up_required = false');
    case 'RetrospectiveRecorded':
      return update(tx, target, 'retrospective_at = $3::timestamptz');
    case 'IncidentClosed':
      return update(tx, target, `status = 'closed', closed_at = $3::timestamptz`);
    case 'ComplaintAttached': {
      // One statement: the complaint row, and the count moved by what was inserted (a replay inserts nothing, and the
      // version guard would skip it anyway). O(1) per complaint, however many an incident has.
      const { complaintId, customerRef } = event.data;
      await tx.query(
        `WITH attached AS (
           INSERT INTO incident_complaints (tenant, incident_id, complaint_id, customer_ref, attached_at)
           VALUES ($4, $1, $5, $6, $3::timestamptz) ON CONFLICT (incident_id, complaint_id) DO NOTHING
           RETURNING 1)
         UPDATE incidents_view
            SET complaint_count = complaint_count + (SELECT count(*) FROM attached)::int,
                version = $2::bigint, updated_at = $3::timestamptz
          WHERE incident_id = $1 AND version < $2::bigint`,
        [incidentId, target.version, at, tenant, complaintId, customerRef],
      );
      return;
    }
    case 'IncidentArchived': {
      // The knowledge-base entry of the closed incident; its level and closing time are the view's.
      const { category, product, problem, cause, solution, prevention } = event.data.knowledge;
      await tx.query(
        `INSERT INTO incident_knowledge_base (incident_id, tenant, category, product, level, problem, cause, solution,
                                              prevention, closed_at)
         SELECT $1, $2, $3, $4, v.level, $5, $6, $7, $8::jsonb, coalesce(v.closed_at, $9::timestamptz)
           FROM incidents_view v WHERE v.incident_id = $1
         ON CONFLICT (incident_id) DO NOTHING`,
        [incidentId, tenant, category, product, problem, cause, solution, JSON.stringify(prevention), at],
      );
      return update(tx, target);
    }
    case 'DuplicateAbsorbed':
    case 'LevelOneProposed':
    case 'RetrospectiveOverdue':
    case 'QualityCheckRecorded':
    case 'RecallComplianceChecked':
    case 'PrStatementRecorded':
    case 'TemporaryMeasureRecorded':
    case 'SolutionApproved':
    case 'ImplementationRecorded':
    case 'CustomerConfirmationRecorded':
      return update(tx, target);
    default:
      return assertNever(event);
  }
}

/**
 * The incidents read model as a projection: its tables, its live handler, and its set-based rebuild (each incident
 * stream folded in memory, `incidents.fold.ts`) for `npm run ops -- projection rebuild incidents incidents-read-model`.
 */
export const incidentsReadModel: ProjectionDefinition = {
  name: INCIDENTS_READ_MODEL,
  description:
    'incidents: one row per incident (lists, detail, KPIs), its complaints, its pages, its knowledge-base entry',
  tables: ['incidents_view', 'incident_complaints', 'incident_pages', 'incident_knowledge_base'],
  handle: projectIncidentEvent,
  rebuild: { eventTypes: Object.keys(projectedTypes), foldStream: foldIncidentStream, metadataKeys: ['tenant'] },
};

/**
 * The checkpointed subscription that keeps the read model up to date: every event of the service's store, in global
 * order, each batch applied in one transaction with its checkpoint.
 */
export function incidentsProjection(
  pool: Pool,
  options: {
    readonly onError?: (error: unknown) => void;
    readonly idleMs?: number;
    readonly batchSize?: number;
    readonly minPollIntervalMs?: number;
  } = {},
): DurableSubscription {
  return projectionSubscription(pool, incidentsReadModel, {
    // Under load, one transaction per 25 ms rather than per commit: the read model lags by at most that much more,
    // and its bookkeeping (lock, checkpoint, commit) is paid once per batch.
    minPollIntervalMs: 25,
    ...options,
  });
}

/**
 * The read side's background workers, for the service definition's `workers`.
 *
 * @example
 * ```ts
 * export const incidentsService: ServiceDefinition = {
 *   service: 'incidents', module: IncidentsModule, migrations: [...writeMigrations, ...readModelMigrations],
 *   workers: (context) => [...writeWorkers(context), ...incidentReadWorkers(context)],
 * };
 * ```
 */
export function incidentReadWorkers(context: WorkerContext): BackgroundWorker[] {
  const projection = incidentsProjection(context.database.pool, {
    onError: (error) =>
      context.logger.error({ err: error, subscription: INCIDENTS_READ_MODEL }, 'incidents read model: batch failed'),
  });
  return [projection];
}
