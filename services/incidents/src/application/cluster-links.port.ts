import type { PoolClient } from 'pg';

/** Which incident an episode of a complaint cluster opened. */
export interface ClusterLink {
  readonly tenant: string;
  readonly clusterId: string;
  /** The cluster stream's version of the crossing that opened the episode. */
  readonly episode: number;
  readonly incidentId: string;
  readonly linkedAt: Date;
}

/**
 * Port: the links from complaint clusters to their incidents (`incidents_cluster_links`), read and written in the
 * caller's transaction (the inbox's, or a merge command's). Adapter: `infrastructure/persistence/cluster-links.postgres.ts`.
 */
export interface ClusterLinkRepository {
  /** The incident linked to the cluster's latest episode; `null` when the cluster never opened one. */
  latestIncident(tx: PoolClient, tenant: string, clusterId: string): Promise<string | null>;
  /** Links an episode to its incident; linking the same episode again changes nothing. */
  link(tx: PoolClient, link: ClusterLink): Promise<void>;
  /** Points every link to `fromIncidentId` at `toIncidentId` (a merge: the duplicate's clusters feed the survivor). */
  relink(tx: PoolClient, tenant: string, fromIncidentId: string, toIncidentId: string): Promise<void>;
}

/** DI token of the {@link ClusterLinkRepository}. */
export const CLUSTER_LINK_REPOSITORY = Symbol('CLUSTER_LINK_REPOSITORY');
