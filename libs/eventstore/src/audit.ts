import { PostgresEventStore } from './event-store';
import type { Queryable } from './types';

/** Where a stream's audit trail first fails. `eventId` and `position` are `null` when the event no longer exists. */
export interface InvalidEventRef {
  readonly eventId: string | null;
  readonly streamVersion: number;
  readonly position: number | null;
}

/** The outcome of checking one stream's tamper evidence; JSON-ready (positions as numbers). */
export type AuditVerification =
  | { readonly ok: true; readonly streamId: string; readonly events: number }
  | {
      readonly ok: false;
      readonly streamId: string;
      readonly events: number;
      readonly firstInvalid: InvalidEventRef;
      readonly reason: string;
    };

/**
 * Checks a stream's tamper evidence: the hash chain of its events (`PostgresEventStore.verifyStream`: an edited event
 * and every later one no longer match), then the stream head that `es_append` keeps beside the events, which catches
 * what the chain alone cannot: deleted trailing events and a chain recomputed after an edit. Any service's store.
 *
 * @example
 * ```ts
 * const result = await verifyStreamAudit(pool, 'incident-42');
 * if (!result.ok) console.log(result.firstInvalid.eventId, result.reason);
 * ```
 */
export async function verifyStreamAudit(db: Queryable, streamId: string): Promise<AuditVerification> {
  const chain = await new PostgresEventStore(db).verifyStream(streamId, db);
  if (!chain.ok) {
    const { eventId, streamVersion, position } = chain.firstInvalid;
    return {
      ok: false,
      streamId,
      events: chain.events,
      firstInvalid: { eventId, streamVersion, position: Number(position) },
      reason: chain.reason,
    };
  }
  const { rows } = await db.query<{ version: string; head_matches: boolean | null }>(
    `SELECT s.version,
            s.last_hash = (SELECT e.hash FROM es_events e WHERE e.stream_id = s.stream_id
                            ORDER BY e.stream_version DESC LIMIT 1) AS head_matches
       FROM es_streams s WHERE s.stream_id = $1`,
    [streamId],
  );
  const head = rows[0];
  if (!head) return { ok: true, streamId, events: chain.events };
  const recorded = Number(head.version);
  if (recorded !== chain.events) {
    return {
      ok: false,
      streamId,
      events: chain.events,
      firstInvalid: { eventId: null, streamVersion: chain.events + 1, position: null },
      reason: `the stream head records ${recorded} events but ${chain.events} are stored (events were deleted)`,
    };
  }
  if (head.head_matches === false) {
    const last = await lastEvent(db, streamId);
    return {
      ok: false,
      streamId,
      events: chain.events,
      firstInvalid: last ?? { eventId: null, streamVersion: recorded, position: null },
      reason: "the stream head's hash does not match the last event's (the hash chain was recomputed after an edit)",
    };
  }
  return { ok: true, streamId, events: chain.events };
}

async function lastEvent(db: Queryable, streamId: string): Promise<InvalidEventRef | null> {
  const { rows } = await db.query<{ event_id: string; stream_version: string; position: string }>(
    `SELECT event_id, stream_version, position FROM es_events WHERE stream_id = $1
      ORDER BY stream_version DESC LIMIT 1`,
    [streamId],
  );
  const row = rows[0];
  return row
    ? { eventId: row.event_id, streamVersion: Number(row.stream_version), position: Number(row.position) }
    : null;
}

/** The streams of a store (all, or those whose id starts with `prefix`), in a stable order. */
export async function streamIds(db: Queryable, prefix = ''): Promise<string[]> {
  const { rows } = await db.query<{ stream_id: string }>(
    `SELECT stream_id FROM es_streams WHERE starts_with(stream_id, $1) ORDER BY stream_id`,
    [prefix],
  );
  return rows.map((row) => row.stream_id);
}
