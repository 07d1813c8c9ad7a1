/**
 * The stream of one incident. The convention is shared with the read side (which reads the audit trail by it) and
 * lives in one place, `infrastructure/read-model/streams.ts`.
 *
 * @example
 * ```ts
 * incidentStream('6f1c…'); // 'incident-6f1c…'
 * ```
 */
export { incidentStreamId as incidentStream, incidentIdOfStream } from '../infrastructure/read-model/streams';

/**
 * The stream of one ComplaintCluster (`clusterId` from the domain's `clusterIdOf`, which includes the tenant):
 * `complaint-cluster-shop-1/product-quality/sku:BAT-100|batch:B-7`.
 */
export const clusterStream = (clusterId: string) => `complaint-cluster-${clusterId}`;

/** The durable timer that fires an incident's contact deadline; rescheduled (never duplicated) when it tightens. */
export const contactDeadlineTimerId = (incidentId: string) => `incident:${incidentId}:contact-deadline`;

/** The durable timer that delivers one page to the tenant's pager (`pageId` = the `ResponseTeamPaged` event id). */
export const pageDeliveryTimerId = (pageId: string) => `page:${pageId}`;
