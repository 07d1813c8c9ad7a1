/** Prefix of every Incident aggregate's stream in the incidents service's event store. */
export const INCIDENT_STREAM_PREFIX = 'incident-';

/**
 * The event-store stream of one incident. The write side appends with it and the read side reads the audit trail
 * with it, so the convention lives in exactly one place.
 *
 * @example
 * ```ts
 * incidentStreamId('6f1c…'); // 'incident-6f1c…'
 * ```
 */
export function incidentStreamId(incidentId: string): string {
  return `${INCIDENT_STREAM_PREFIX}${incidentId}`;
}

/** The incident id of an incident stream; `null` for any other stream (complaint clusters, …). */
export function incidentIdOfStream(streamId: string): string | null {
  return streamId.startsWith(INCIDENT_STREAM_PREFIX) ? streamId.slice(INCIDENT_STREAM_PREFIX.length) : null;
}
