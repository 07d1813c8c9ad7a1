import {
  contentHash,
  streamIds,
  verifyStreamAudit,
  type AuditVerification,
  type PostgresEventStore,
  type Queryable,
} from '@aftersales/eventstore';
import { INCIDENT_STREAM_PREFIX } from '../../application/incident-streams';

export type { AuditVerification, InvalidEventRef } from '@aftersales/eventstore';

/**
 * Checks an incident stream's tamper evidence: the hash chain and the stream head (`verifyStreamAudit` of
 * `@aftersales/eventstore`, the same check `npm run ops -- audit verify` runs on every service's store), then, for a
 * closed incident, its archive: the stored archive must hash to the `archiveHash` that `IncidentArchived` recorded in
 * the (verified) chain, so an archive changed after closing is reported against that event.
 *
 * @example
 * ```ts
 * const result = await verifyIncidentAudit(store, pool, incidentStream(id));
 * if (!result.ok) console.log(result.firstInvalid.eventId, result.reason);
 * ```
 */
export async function verifyIncidentAudit(
  _store: PostgresEventStore,
  db: Queryable,
  streamId: string,
): Promise<AuditVerification> {
  const chain = await verifyStreamAudit(db, streamId);
  if (!chain.ok) return chain;
  return (await archiveProblem(db, streamId, chain.events)) ?? chain;
}

/** Why the stream's archive does not match what the stream recorded; `null` when it matches or there is none. */
async function archiveProblem(db: Queryable, streamId: string, events: number): Promise<AuditVerification | null> {
  const recorded = await db.query<{
    event_id: string;
    stream_version: string;
    position: string;
    incident_id: string;
    hash: string;
  }>(
    `SELECT event_id, stream_version, position, data->>'incidentId' AS incident_id, data->>'archiveHash' AS hash
       FROM es_events WHERE stream_id = $1 AND type = 'IncidentArchived' ORDER BY stream_version`,
    [streamId],
  );
  // Streams without an archive (open incidents, or closed before archives) need nothing more.
  if (recorded.rows.length === 0) return null;
  const stored = await db.query<{ incident_id: string; bundle: string }>(
    'SELECT incident_id, bundle FROM incident_archives WHERE incident_id = ANY($1::text[])',
    [recorded.rows.map((row) => row.incident_id)],
  );
  const bundles = new Map(stored.rows.map((row) => [row.incident_id, row.bundle]));
  const rows = recorded.rows.map((row) => ({
    ...row,
    recorded: row.hash,
    bundle: bundles.get(row.incident_id) ?? null,
  }));
  for (const row of rows) {
    const reason =
      row.bundle === null
        ? 'the archive IncidentArchived records is missing from incident_archives'
        : contentHash(row.bundle) !== row.recorded
          ? 'the stored archive does not hash to the archiveHash IncidentArchived recorded (the archive was changed)'
          : null;
    if (reason) {
      const firstInvalid = {
        eventId: row.event_id,
        streamVersion: Number(row.stream_version),
        position: Number(row.position),
      };
      return { ok: false, streamId, events, firstInvalid, reason };
    }
  }
  return null;
}

/** The tenant a stream belongs to (its first stored event's), or `null` when the stream has no events. */
export async function streamTenant(db: Queryable, streamId: string): Promise<string | null> {
  const { rows } = await db.query<{ tenant: string | null }>(
    `SELECT metadata->>'tenant' AS tenant FROM es_events WHERE stream_id = $1 ORDER BY stream_version LIMIT 1`,
    [streamId],
  );
  return rows[0]?.tenant ?? null;
}

/** Every incident stream of the store, in a stable order. */
export function incidentStreams(db: Queryable): Promise<string[]> {
  return streamIds(db, INCIDENT_STREAM_PREFIX);
}
