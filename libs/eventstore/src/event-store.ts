import { createHash } from 'node:crypto';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { noteEventsStored } from './commit-signal';
import { ConcurrencyError } from './errors';
import type {
  AppendResult,
  Checkpoint,
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  Queryable,
  StoredEvent,
} from './types';

const tracer = trace.getTracer('@aftersales/eventstore');

/** A stream's persisted snapshot of one fold (ADR 37): the state it encodes folds the stream's events 1…version. */
export interface StreamSnapshot {
  readonly streamId: string;
  readonly version: number;
  /** The fold's state as its snapshot policy encodes it (JSON). */
  readonly state: unknown;
  /** The ids of the events 1…version. */
  readonly eventIds: readonly string[];
}

/** A stream as {@link PostgresEventStore.readStreamsFromSnapshots} reads it: its snapshot, then the events after it. */
export interface SnapshotAndEvents {
  snapshot: Omit<StreamSnapshot, 'streamId'> | undefined;
  readonly events: Array<Pick<StoredEvent, 'id' | 'type' | 'data'>>;
}

/** A row of `es_events` as {@link EVENT_COLUMNS} selects it. */
export interface EventRow extends Record<string, unknown> {
  position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

/** The columns of `es_events` that make a {@link StoredEvent} (see {@link toStoredEvent}). */
export const EVENT_COLUMNS = `position, transaction_id::text AS transaction_id, event_id, stream_id, stream_version, type,
  data, metadata, recorded_at`;

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: BigInt(row.position),
    transactionId: row.transaction_id,
    id: row.event_id,
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

/**
 * The metadata with the active trace context (`traceparent`, `tracestate`) unless it carries one already: stored
 * with the event, it lets the relay's publish span continue the trace of the command that decided the event.
 */
/**
 * The read horizon of this database's event log, as SQL (an xid8): the oldest transaction that may still commit
 * events into this database. Readers of the global order (relay, subscriptions) take only events of transactions
 * below it, so an event committed later never lands behind a checkpoint already handed out (ADR 1).
 *
 * Transaction ids are server-wide, so the snapshot's xmin (the oldest transaction in flight on the whole server)
 * would do, but on a server shared by several services (one database each, as in development, CI and many
 * deployments) every write transaction of every service then holds back every relay: a timer transaction of one
 * service delayed the events of all the others by hundreds of milliseconds. So an in-flight transaction is passed
 * over only when it is known to belong to a session of another database (`pg_stat_activity`), which can never
 * write into this one. Everything else in flight holds the horizon: this database's transactions, a transaction
 * that ended between the snapshot and the look at the sessions (it may have written here; the next read takes it),
 * prepared transactions and sessions whose database or transaction id is not shown. Both looks belong to the same
 * statement, and the sessions are read after its snapshot was taken, so no transaction can slip between them.
 */
export const READ_HORIZON_SQL = `(SELECT coalesce(
    (SELECT min(x.xid) FROM pg_snapshot_xip(pg_current_snapshot()) AS x(xid)
      WHERE (x.xid::text::bigint % 4294967296) NOT IN (
              SELECT a.backend_xid::text::bigint FROM pg_stat_get_activity(NULL) AS a
               WHERE a.backend_xid IS NOT NULL AND a.datid IS NOT NULL
                 AND a.datid <> (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))),
    pg_snapshot_xmax(pg_current_snapshot())))`;

/**
 * The rows after checkpoint `$1`/`$2` in (transaction id, position) order, at most `$3`, never past the read horizon:
 * what {@link PostgresEventStore.readAll} and {@link PostgresEventStore.readAllOf} read.
 */
const AFTER_CHECKPOINT_SQL = `WHERE (es_events.transaction_id, es_events.position) > ($1::text::xid8, $2::bigint)
    AND es_events.transaction_id < ${READ_HORIZON_SQL}
  ORDER BY es_events.transaction_id, es_events.position
  LIMIT $3`;

export function withTraceContext(metadata: EventMetadata): EventMetadata {
  if (metadata.traceparent) return metadata;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { ...metadata, traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

function expectedToSql(expected: ExpectedVersion): number {
  if (expected === 'any') return -2;
  if (expected === 'no_stream') return -1;
  return expected;
}

/** Result of {@link PostgresEventStore.verifyStream}. */
export type StreamVerification =
  | { readonly ok: true; readonly streamId: string; readonly events: number }
  | {
      readonly ok: false;
      readonly streamId: string;
      readonly events: number;
      /** The first event whose stored hash does not match its recomputed content. */
      readonly firstInvalid: { readonly eventId: string; readonly streamVersion: number; readonly position: bigint };
      readonly reason: string;
    };

/**
 * Event store on Postgres.
 *
 * @example
 * ```ts
 * const store = new PostgresEventStore(pool);
 * await store.append('case-42', 'no_stream', [{ id: randomUUID(), type: 'CaseOpened', data, metadata }]);
 * const events = await store.readStream('case-42');
 * ```
 */
export class PostgresEventStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Appends events to a stream in one round trip. A stale `expected` version throws
   * {@link ConcurrencyError}; re-appending events whose ids are already stored is a no-op.
   * Pass `tx` to append inside a caller's transaction (e.g. an inbox handler's).
   */
  async append(
    streamId: string,
    expected: ExpectedVersion,
    events: readonly NewEvent[],
    tx: Queryable = this.db,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    return tracer.startActiveSpan(
      'eventstore.append',
      { kind: SpanKind.INTERNAL, attributes: { 'eventstore.stream_id': streamId, 'eventstore.events': events.length } },
      async (span) => {
        try {
          const payload = events.map((e) => ({
            id: e.id,
            type: e.type,
            data: e.data,
            metadata: withTraceContext(e.metadata),
          }));
          const { rows } = await tx.query<{
            status: string;
            next_version: string;
            first_position: string | null;
            last_position: string | null;
          }>('SELECT * FROM es_append($1, $2, $3::jsonb)', [
            streamId,
            expectedToSql(expected),
            JSON.stringify(payload),
          ]);
          const row = rows[0];
          if (!row) throw new Error('es_append returned no row');
          const actual = Number(row.next_version);
          if (row.status === 'conflict') throw new ConcurrencyError(streamId, expected, actual);
          if (row.status === 'reordered')
            throw new ConcurrencyError(
              streamId,
              expected,
              actual,
              `Stream ${streamId} was written by a newer transaction; retry in a new transaction`,
              false,
            );
          span.setAttribute('eventstore.duplicate', row.status === 'duplicate');
          if (row.status !== 'duplicate') noteEventsStored(tx);
          return {
            nextVersion: actual,
            duplicate: row.status === 'duplicate',
            firstPosition: row.first_position === null ? null : BigInt(row.first_position),
            lastPosition: row.last_position === null ? null : BigInt(row.last_position),
          };
        } catch (error) {
          span.recordException(error as Error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /**
   * Appends to several streams in one round trip (`es_append_many`, set-based: ADR 33), each with its own expected
   * version, the events inserted in the order given. All or nothing: when a stream cannot be appended nothing is
   * written and it throws a {@link ConcurrencyError} that only a new transaction can resolve (conflict, reordering, or
   * events stored meanwhile by someone else — a duplicate); the caller rolls `tx` back.
   */
  async appendMany(
    appends: ReadonlyArray<{
      readonly streamId: string;
      readonly expected: ExpectedVersion;
      readonly events: readonly NewEvent[];
    }>,
    tx: Queryable,
  ): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    if (appends.some((a) => a.events.length === 0)) throw new Error('appendMany needs at least one event per stream');
    return tracer.startActiveSpan(
      'eventstore.append_many',
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          'eventstore.streams': appends.length,
          'eventstore.events': appends.reduce((n, a) => n + a.events.length, 0),
        },
      },
      async (span) => {
        try {
          const batch = appends.map((a) => ({
            stream: a.streamId,
            expected: expectedToSql(a.expected),
            events: a.events.map((e) => ({
              id: e.id,
              type: e.type,
              data: e.data,
              metadata: withTraceContext(e.metadata),
            })),
          }));
          const { rows } = await tx.query<{
            stream_id: string;
            status: string;
            next_version: string;
            first_position: string | null;
            last_position: string | null;
          }>('SELECT * FROM es_append_many($1::jsonb)', [JSON.stringify(batch)]);
          // Not appended: the row of the first item that failed (set-based, nothing was written; or the last row of
          // an item-by-item append whose earlier items the caller's rollback undoes).
          const failed = rows.find((row) => row.status !== 'appended');
          if (failed) {
            const a = appends.find((item) => item.streamId === failed.stream_id);
            const streamId = failed.stream_id;
            const why =
              failed.status === 'duplicate'
                ? `Events for stream ${streamId} were stored concurrently; retry in a new transaction`
                : failed.status === 'reordered'
                  ? `Stream ${streamId} was written by a newer transaction; retry in a new transaction`
                  : undefined;
            throw new ConcurrencyError(streamId, a?.expected ?? 'any', Number(failed.next_version), why, false);
          }
          noteEventsStored(tx);
          return appends.map((a, i) => {
            const row = rows[i];
            if (row?.stream_id !== a.streamId)
              throw new Error(`es_append_many returned no row for stream ${a.streamId}`);
            const actual = Number(row.next_version);
            return {
              nextVersion: actual,
              duplicate: false,
              firstPosition: row.first_position === null ? null : BigInt(row.first_position),
              lastPosition: row.last_position === null ? null : BigInt(row.last_position),
            };
          });
        } catch (error) {
          span.recordException(error as Error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /**
   * Locks the streams' rows to the end of `tx`, in stream-id order (the order appends lock them in, so the two cannot
   * deadlock), waiting for any transaction appending to them; answers each stream's version as committed now (0: no
   * events yet). Nobody else can append to them until `tx` ends.
   */
  async lockStreams(streamIds: readonly string[], tx: Queryable): Promise<Map<string, number>> {
    const ids = [...new Set(streamIds)];
    const versions = new Map<string, number>(ids.map((id) => [id, 0]));
    if (ids.length === 0) return versions;
    const { rows } = await tx.query<{ stream_id: string; version: string }>(
      `SELECT stream_id, version FROM es_streams WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE`,
      [ids],
    );
    for (const row of rows) versions.set(row.stream_id, Number(row.version));
    return versions;
  }

  /** Events of one stream in version order, after `afterVersion` (0 = from the start). */
  async readStream(streamId: string, afterVersion = 0, tx: Queryable = this.db): Promise<StoredEvent[]> {
    const { rows } = await tx.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`,
      [streamId, afterVersion],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Several whole streams in one round trip (a command's policies): each stream's events in version order, an empty
   * list for a stream that does not exist.
   */
  async readStreams(streamIds: readonly string[], tx: Queryable = this.db): Promise<Map<string, StoredEvent[]>> {
    const streams = new Map<string, StoredEvent[]>(streamIds.map((id) => [id, []]));
    if (streamIds.length === 0) return streams;
    const { rows } = await tx.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`,
      [[...new Set(streamIds)]],
    );
    for (const row of rows) {
      const event = toStoredEvent(row);
      streams.get(event.streamId)?.push(event);
    }
    return streams;
  }

  /**
   * {@link readStreams} for folding only: each event's id, type and data (no metadata, time, position or version to
   * read, parse and convert), in version order per stream, an empty list for a stream that does not exist. A batch of
   * scans folds hundreds of shipment streams read in one query; their other columns were most of its parsing.
   */
  async readStreamsToFold(
    streamIds: readonly string[],
    tx: Queryable = this.db,
    /** Per stream, the version already folded (a cached fold, ADR 32): only its later events are read. */
    after?: ReadonlyMap<string, number>,
  ): Promise<Map<string, Array<Pick<StoredEvent, 'id' | 'type' | 'data'>>>> {
    const streams = new Map<string, Array<Pick<StoredEvent, 'id' | 'type' | 'data'>>>(streamIds.map((id) => [id, []]));
    if (streamIds.length === 0) return streams;
    const ids = [...new Set(streamIds)];
    const { rows } =
      after && after.size > 0
        ? await tx.query<{ event_id: string; stream_id: string; type: string; data: unknown }>(
            `SELECT e.event_id, e.stream_id, e.type, e.data
               FROM unnest($1::text[], $2::int[]) AS s(stream_id, after_version)
               JOIN es_events e ON e.stream_id = s.stream_id AND e.stream_version > s.after_version
              ORDER BY e.stream_id, e.stream_version`,
            [ids, ids.map((id) => after.get(id) ?? 0)],
          )
        : await tx.query<{ event_id: string; stream_id: string; type: string; data: unknown }>(
            `SELECT event_id, stream_id, type, data FROM es_events WHERE stream_id = ANY($1::text[])
              ORDER BY stream_id, stream_version`,
            [ids],
          );
    for (const row of rows) streams.get(row.stream_id)?.push({ id: row.event_id, type: row.type, data: row.data });
    return streams;
  }

  /**
   * The streams to fold, each from its newest snapshot of `fold` when it has one (ADR 37): the snapshot (version,
   * encoded state, the ids of the events it folds) and the events after it, in one round trip. A stream without a
   * snapshot comes whole, as {@link readStreamsToFold} reads it.
   */
  async readStreamsFromSnapshots(
    streamIds: readonly string[],
    fold: string,
    tx: Queryable = this.db,
  ): Promise<Map<string, SnapshotAndEvents>> {
    const ids = [...new Set(streamIds)];
    const streams = new Map<string, SnapshotAndEvents>(ids.map((id) => [id, { snapshot: undefined, events: [] }]));
    if (ids.length === 0) return streams;
    const { rows } = await tx.query<{
      stream_id: string;
      snapshot_version: string | null;
      state: unknown;
      event_ids: string[] | null;
      event_id: string | null;
      type: string | null;
      data: unknown;
    }>(
      `WITH s AS (
         SELECT ids.stream_id, sn.version, sn.state, sn.event_ids
           FROM unnest($1::text[]) AS ids(stream_id)
           LEFT JOIN es_snapshots sn ON sn.stream_id = ids.stream_id AND sn.fold = $2)
       SELECT stream_id, version::text AS snapshot_version, state, event_ids,
              NULL::uuid AS event_id, NULL::text AS type, NULL::jsonb AS data, 0::bigint AS stream_version
         FROM s WHERE version IS NOT NULL
       UNION ALL
       SELECT e.stream_id, NULL, NULL, NULL, e.event_id, e.type, e.data, e.stream_version
         FROM s JOIN es_events e ON e.stream_id = s.stream_id AND e.stream_version > coalesce(s.version, 0)
        ORDER BY stream_id, stream_version`,
      [ids, fold],
    );
    for (const row of rows) {
      const stream = streams.get(row.stream_id);
      if (!stream) continue;
      if (row.snapshot_version !== null) {
        stream.snapshot = { version: Number(row.snapshot_version), state: row.state, eventIds: row.event_ids ?? [] };
      } else {
        stream.events.push({ id: row.event_id as string, type: row.type as string, data: row.data });
      }
    }
    return streams;
  }

  /**
   * Persists snapshots of `fold` (ADR 37), in `tx` — the transaction that appended the events they fold, so a
   * snapshot is never of an event rolled back. A stream's snapshot is replaced only by a newer one.
   */
  async saveSnapshots(fold: string, snapshots: readonly StreamSnapshot[], tx: Queryable): Promise<void> {
    if (snapshots.length === 0) return;
    const rows = [...snapshots]
      .sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0))
      .map((s) => ({ stream_id: s.streamId, version: s.version, state: s.state, event_ids: s.eventIds }));
    await tx.query(
      `INSERT INTO es_snapshots (stream_id, fold, version, state, event_ids)
       SELECT x.stream_id, $2, x.version, x.state, x.event_ids
         FROM jsonb_to_recordset($1::jsonb) AS x(stream_id text, version bigint, state jsonb, event_ids text[])
       ON CONFLICT (stream_id, fold) DO UPDATE
          SET version = EXCLUDED.version, state = EXCLUDED.state, event_ids = EXCLUDED.event_ids, taken_at = now()
        WHERE es_snapshots.version < EXCLUDED.version`,
      [JSON.stringify(rows), fold],
    );
  }

  /**
   * Events of all streams after `checkpoint`, in (transaction id, position) order, never past an
   * in-flight transaction that may write here: only transactions below {@link READ_HORIZON_SQL} are read, so an
   * event committed later can never land behind a checkpoint already handed out.
   */
  async readAll(after: Checkpoint, limit = 500, tx: Queryable = this.db): Promise<StoredEvent[]> {
    const { rows } = await tx.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM es_events ${AFTER_CHECKPOINT_SQL}`, [
      after.transactionId,
      after.position.toString(),
      limit,
    ]);
    return rows.map(toStoredEvent);
  }

  /**
   * {@link readAll} for a reader that needs the events of some types only (the outbox relay of a service that
   * publishes a few of its event types, ADR 36): the same rows in the same order, but only the events of `types` are
   * returned whole; the others are passed with only their position and type read (their payloads, ids and times are
   * neither sent by Postgres nor parsed here).
   * `through` is the position of the last row read, whatever its type (the reader's next checkpoint), `read` how many
   * rows were read (a full batch means more may follow).
   */
  async readAllOf(
    after: Checkpoint,
    types: readonly string[],
    limit = 500,
    tx: Queryable = this.db,
  ): Promise<{ readonly events: StoredEvent[]; readonly through: Checkpoint | undefined; readonly read: number }> {
    const { rows } = await tx.query<EventRow>(
      `SELECT position, transaction_id::text AS transaction_id, type, w.event_id, w.stream_id, w.stream_version,
              w.data, w.metadata, w.recorded_at
         FROM es_events
         LEFT JOIN LATERAL (SELECT es_events.event_id, es_events.stream_id, es_events.stream_version,
                                   es_events.data, es_events.metadata, es_events.recorded_at
                             WHERE es_events.type = ANY($4::text[])) AS w ON true
        ${AFTER_CHECKPOINT_SQL}`,
      [after.transactionId, after.position.toString(), limit, types],
    );
    const events: StoredEvent[] = [];
    // An event passed has no metadata (nothing but its position and type is read); a wanted one always has.
    for (const row of rows) if (row.metadata) events.push(toStoredEvent(row));
    const last = rows.at(-1);
    const through = last ? { transactionId: last.transaction_id, position: BigInt(last.position) } : undefined;
    return { events, through, read: rows.length };
  }

  /** Highest position stored (committed or not yet visible), for lag metrics. */
  async headPosition(tx: Queryable = this.db): Promise<bigint> {
    const { rows } = await tx.query<{ head: string | null }>('SELECT max(position) AS head FROM es_events');
    return BigInt(rows[0]?.head ?? 0);
  }

  /** Recomputes the stream's hash chain and names the first event that does not match. */
  async verifyStream(streamId: string, tx: Queryable = this.db): Promise<StreamVerification> {
    const { rows } = await tx.query<{
      position: string;
      event_id: string;
      stream_version: string;
      type: string;
      data_text: string;
      metadata_text: string;
      recorded_us: string;
      hash: Buffer;
    }>(
      `SELECT position, event_id, stream_version, type, data::text AS data_text, metadata::text AS metadata_text,
              ((extract(epoch FROM recorded_at) * 1000000)::bigint)::text AS recorded_us, hash
         FROM es_events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    let previous: Buffer = Buffer.alloc(0);
    let expectedVersion = 1;
    for (const row of rows) {
      const version = Number(row.stream_version);
      const firstInvalid = { eventId: row.event_id, streamVersion: version, position: BigInt(row.position) };
      if (version !== expectedVersion) {
        return { ok: false, streamId, events: rows.length, firstInvalid, reason: `version ${expectedVersion} missing` };
      }
      const recomputed = eventHash(previous, {
        eventId: row.event_id,
        streamId,
        streamVersion: version,
        type: row.type,
        dataText: row.data_text,
        metadataText: row.metadata_text,
        recordedMicros: row.recorded_us,
      });
      if (!recomputed.equals(row.hash)) {
        return {
          ok: false,
          streamId,
          events: rows.length,
          firstInvalid,
          reason: 'stored content does not match its hash (edited, or a previous event was)',
        };
      }
      previous = row.hash;
      expectedVersion += 1;
    }
    return { ok: true, streamId, events: rows.length };
  }
}

/** The same function as SQL `es_event_hash`: sha256(previous hash || canonical event text). */
export function eventHash(
  previous: Buffer,
  e: {
    eventId: string;
    streamId: string;
    streamVersion: number;
    type: string;
    dataText: string;
    metadataText: string;
    recordedMicros: string;
  },
): Buffer {
  const text = [
    e.eventId,
    e.streamId,
    String(e.streamVersion),
    e.type,
    e.dataText,
    e.metadataText,
    e.recordedMicros,
  ].join('\n');
  return createHash('sha256').update(previous).update(text, 'utf8').digest();
}
