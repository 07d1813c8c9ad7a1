import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { ClusterLink, ClusterLinkRepository } from '../../application/cluster-links.port';

/** {@link ClusterLinkRepository} on `incidents_cluster_links` (one row per cluster episode). */
@Injectable()
export class PostgresClusterLinkRepository implements ClusterLinkRepository {
  async latestIncident(tx: PoolClient, tenant: string, clusterId: string): Promise<string | null> {
    const { rows } = await tx.query<{ incident_id: string }>(
      `SELECT incident_id FROM incidents_cluster_links WHERE tenant = $1 AND cluster_id = $2
        ORDER BY episode DESC LIMIT 1`,
      [tenant, clusterId],
    );
    return rows[0]?.incident_id ?? null;
  }

  async link(tx: PoolClient, link: ClusterLink): Promise<void> {
    await tx.query(
      `INSERT INTO incidents_cluster_links (tenant, cluster_id, episode, incident_id, linked_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [link.tenant, link.clusterId, link.episode, link.incidentId, link.linkedAt],
    );
  }

  async relink(tx: PoolClient, tenant: string, fromIncidentId: string, toIncidentId: string): Promise<void> {
    await tx.query('UPDATE incidents_cluster_links SET incident_id = $3 WHERE tenant = $1 AND incident_id = $2', [
      tenant,
      fromIncidentId,
      toIncidentId,
    ]);
  }
}
