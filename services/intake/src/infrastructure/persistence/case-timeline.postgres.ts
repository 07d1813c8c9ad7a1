import { Inject, Injectable } from '@nestjs/common';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { IntakeCaseEvent, PublishedCaseEvent } from '../../application/case-timeline.entries';
import type { CaseTimelineSources, Positioned, TimelinePosition } from '../../application/case-timeline.port';
import { caseStream } from '../../application/cases.service';

/** Another service's event naming cases, as the `case-timeline` consumer records it. */
export interface PublishedEventRecord {
  readonly tenant: string;
  readonly caseIds: readonly string[];
  /** `ce_source` and `ce_id`: together they identify the event (a redelivery is the same pair). */
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly subject: string | undefined;
  readonly occurredAt: Date;
  readonly payload: unknown;
}

type IntakeRow = {
  position: string;
  event_id: string;
  stream_id: string;
  type: string;
  data: Record<string, unknown>;
  actor: { id: string; roles?: string[] } | null;
  at_ms: string;
  recorded_at: Date;
};

type PublishedRow = {
  sequence: string;
  event_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  at_ms: string;
  occurred_at: Date;
};

/**
 * The case timeline in Postgres: intake's own events read from its event store (`es_events`: the case stream, and any
 * stream's event whose `data.caseId` names the case, through the `es_events_case_id` index), and other services' events
 * from `intake_case_timeline` (one row per event and case it names, keyed by tenant, case, `ce_source` and `ce_id`).
 * Every read is limited to the caller's tenant. Positions compare as (millisecond, origin, sequence), in SQL as in
 * `comparePositions`.
 */
@Injectable()
export class PostgresCaseTimeline implements CaseTimelineSources {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase) {}

  async caseExists(tenant: string, caseId: string): Promise<boolean> {
    const { rowCount } = await this.database.pool.query(
      `SELECT 1 FROM es_events WHERE stream_id = $1 AND stream_version = 1 AND metadata->>'tenant' = $2`,
      [caseStream(caseId), tenant],
    );
    return (rowCount ?? 0) > 0;
  }

  async intakeEvents(
    tenant: string,
    caseId: string,
    after: TimelinePosition | null,
    limit: number,
  ): Promise<Array<Positioned<IntakeCaseEvent>>> {
    const { rows } = await this.database.pool.query<IntakeRow>(
      `SELECT position::text AS position, event_id::text AS event_id, stream_id, type, data,
              metadata->'actor' AS actor, recorded_at,
              floor(extract(epoch FROM recorded_at) * 1000)::bigint::text AS at_ms
         FROM es_events
        WHERE (stream_id = $1 OR (data ? 'caseId' AND data->>'caseId' = $2))
          AND metadata->>'tenant' = $3
          AND ($4::bigint IS NULL
               OR (floor(extract(epoch FROM recorded_at) * 1000)::bigint, 0, position) > ($4::bigint, $5::int, $6::bigint))
        ORDER BY floor(extract(epoch FROM recorded_at) * 1000)::bigint, position
        LIMIT $7`,
      [caseStream(caseId), caseId, tenant, ...cursorParameters(after), limit],
    );
    return rows.map((row) => ({
      position: { atMs: Number(row.at_ms), origin: 0, sequence: row.position },
      event: {
        id: row.event_id,
        streamId: row.stream_id,
        type: row.type,
        data: row.data,
        actor: row.actor ?? { id: 'unknown' },
        // The store keeps microseconds; the timeline (and its cursor) counts milliseconds.
        recordedAt: new Date(Number(row.at_ms)),
      },
    }));
  }

  async publishedEvents(
    tenant: string,
    caseId: string,
    after: TimelinePosition | null,
    limit: number,
  ): Promise<Array<Positioned<PublishedCaseEvent>>> {
    const { rows } = await this.database.pool.query<PublishedRow>(
      `SELECT sequence::text AS sequence, event_id, event_type, payload, occurred_at,
              floor(extract(epoch FROM occurred_at) * 1000)::bigint::text AS at_ms
         FROM intake_case_timeline
        WHERE tenant = $1 AND case_id = $2
          AND ($3::bigint IS NULL
               OR (floor(extract(epoch FROM occurred_at) * 1000)::bigint, 1, sequence) > ($3::bigint, $4::int, $5::bigint))
        ORDER BY occurred_at, sequence
        LIMIT $6`,
      [tenant, caseId, ...cursorParameters(after), limit],
    );
    return rows.map((row) => ({
      position: { atMs: Number(row.at_ms), origin: 1, sequence: row.sequence },
      event: { id: row.event_id, type: row.event_type, occurredAt: row.occurred_at, payload: row.payload },
    }));
  }

  /**
   * Records a published event on the timeline of every case it names, in the consumer's inbox transaction. A
   * redelivery (same `ce_source` and `ce_id`) adds nothing.
   */
  async record(tx: Queryable, event: PublishedEventRecord): Promise<void> {
    if (event.caseIds.length === 0) return;
    await tx.query(
      `INSERT INTO intake_case_timeline (tenant, case_id, event_source, event_id, event_type, subject, occurred_at, payload)
       SELECT $1, case_id, $3, $4, $5, $6, $7, $8 FROM unnest($2::uuid[]) AS case_id
       ON CONFLICT (tenant, case_id, event_source, event_id) DO NOTHING`,
      [
        event.tenant,
        event.caseIds,
        event.source,
        event.id,
        event.type,
        event.subject ?? null,
        event.occurredAt,
        JSON.stringify(event.payload),
      ],
    );
  }
}

/** `$n` parameters of a position (all null when reading from the start). */
function cursorParameters(after: TimelinePosition | null): [string | null, number | null, string | null] {
  return after ? [String(after.atMs), after.origin, after.sequence] : [null, null, null];
}
