import type { CommandContext } from '@aftersales/domain';
import type { ComplaintFlags, IncidentCategory } from './incident.values';

/**
 * What the incident service knows of a complaint (from intake's `ComplaintRegistered`, or a logistics/regional
 * alarm). `customerRef` is an opaque reference, never personal data.
 */
export interface ComplaintFacts {
  readonly complaintId: string;
  readonly customerRef: string;
  /** The after-sales case the complaint arose from, when it did: the incident's events name it (`caseIds`). */
  readonly caseId?: string;
  /** The order the complaint is about, when known (the customer problem information form's order number). */
  readonly orderId?: string;
  readonly category: IncidentCategory;
  /** Product SKU; product-quality complaints cluster on it (without it, a complaint stays single). */
  readonly sku?: string;
  /** Production batch; clusters product-quality complaints finer than the SKU when known. */
  readonly batch?: string;
  /** Region; service failures and special scenarios cluster on it (without it, a complaint stays single). */
  readonly region?: string;
  readonly flags: ComplaintFlags;
  /** When the customer complained (ISO 8601); the sliding window is measured on it. */
  readonly receivedAt: string;
}

/**
 * Adds a complaint to its cluster. Redelivering the same `complaintId` adds nothing.
 *
 * @example
 * ```ts
 * complaintClusterDecider.decide({ type: 'RegisterComplaint', context, data: complaint }, state);
 * ```
 */
export type RegisterComplaint = {
  readonly type: 'RegisterComplaint';
  readonly context: CommandContext;
  readonly data: ComplaintFacts;
};

/**
 * Ends the cluster's episode because its incident closed: counting starts again, so the next complaint opens a new
 * incident (the fix did not hold) instead of being clustered into a finished one. Ending it again for the same incident,
 * or with nothing counted, adds nothing.
 */
export type EndClusterEpisode = {
  readonly type: 'EndClusterEpisode';
  readonly context: CommandContext;
  readonly data: { readonly incidentId: string; readonly reason: string };
};

/** Every command of the ComplaintCluster aggregate. */
export type ComplaintClusterCommand = RegisterComplaint | EndClusterEpisode;
