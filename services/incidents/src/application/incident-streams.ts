/**
 * The event-store streams and timer ids of the incidents service. The write side appends with them; the read side
 * (projection, audit verification, published events) and the CLI find incidents by them, importing them from here:
 * the convention has one home, and it is not an adapter.
 */

/** Prefix of every Incident aggregate's stream in the incidents service's event store. */
export const INCIDENT_STREAM_PREFIX = 'incident-';

/**
 * The stream of one incident.
 *
 * @example
 * ```ts
 * incidentStream('6f1c…'); // 'incident-6f1c…'
 * ```
 */
export function incidentStream(incidentId: string): string {
  return `${INCIDENT_STREAM_PREFIX}${incidentId}`;
}

/** The incident id of an incident stream; `null` for any other stream (complaint clusters, …). */
export function incidentIdOfStream(streamId: string): string | null {
  return streamId.startsWith(INCIDENT_STREAM_PREFIX) ? streamId.slice(INCIDENT_STREAM_PREFIX.length) : null;
}

/**
 * The stream of one ComplaintCluster (`clusterId` from the domain's `clusterIdOf`, which includes the tenant):
 * `complaint-cluster-shop-1/product-quality/sku:BAT-100|batch:B-7`.
 */
export const clusterStream = (clusterId: string) => `complaint-cluster-${clusterId}`;

/** The durable timer that fires an incident's contact deadline; rescheduled (never duplicated) when it tightens. */
export const contactDeadlineTimerId = (incidentId: string) => `incident:${incidentId}:contact-deadline`;

/** The durable timer that delivers one page to the tenant's pager (`pageId` = the `ResponseTeamPaged` event id). */
/** The retrospective's reminder and overdue timers of an incident. */
export const retrospectiveReminderTimerId = (incidentId: string) => `incident:${incidentId}:retrospective-reminder`;
export const retrospectiveOverdueTimerId = (incidentId: string) => `incident:${incidentId}:retrospective-overdue`;

export const pageDeliveryTimerId = (pageId: string) => `page:${pageId}`;
