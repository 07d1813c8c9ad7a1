import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { IncidentArchiveStore, StoredIncidentArchive } from '../../application/incident-archives.port';

/** {@link IncidentArchiveStore} on `incident_archives` (insert only; a trigger refuses updates and deletes). */
@Injectable()
export class PostgresIncidentArchiveStore implements IncidentArchiveStore {
  async save(tx: PoolClient, archive: StoredIncidentArchive): Promise<void> {
    await tx.query(
      `INSERT INTO incident_archives (incident_id, tenant, archive_hash, format, bundle, archived_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id) DO NOTHING`,
      [archive.incidentId, archive.tenant, archive.archiveHash, archive.format, archive.canonical, archive.archivedAt],
    );
  }
}
