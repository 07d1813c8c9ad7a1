import { createHash } from 'node:crypto';

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

/**
 * A UUID (RFC 9562 layout, version 8) derived from `key`: the same key always gives the same id, so a redelivered
 * message or a retried request cannot create a second aggregate.
 *
 * @example
 * ```ts
 * deterministicUuid('incident|shop-1/product-quality/sku:BAT-100|2'); // always the same UUID
 * ```
 */
export function deterministicUuid(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
