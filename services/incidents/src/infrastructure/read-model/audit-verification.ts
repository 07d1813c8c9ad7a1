import {
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
 * `@aftersales/eventstore`, the same check `npm run ops -- audit verify` runs on every service's store).
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
  return verifyStreamAudit(db, streamId);
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
