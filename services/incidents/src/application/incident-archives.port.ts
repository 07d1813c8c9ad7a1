import type { PoolClient } from 'pg';

/** A closed incident's archive as stored: its canonical JSON text and the SHA-256 the incident's stream records. */
export interface StoredIncidentArchive {
  readonly tenant: string;
  readonly incidentId: string;
  /** SHA-256 (hex) of `canonical`, as `IncidentArchived.archiveHash` records it. */
  readonly archiveHash: string;
  readonly format: string;
  /** The archive's canonical JSON (`canonicalJson` of `@aftersales/eventstore`), byte for byte what was hashed. */
  readonly canonical: string;
  readonly archivedAt: Date;
}

/**
 * Port: the immutable archives of closed incidents (`incident_archives`), written in the transaction that closes the
 * incident. Adapter: `infrastructure/persistence/incident-archives.postgres.ts`.
 */
export interface IncidentArchiveStore {
  /** Stores an archive once; storing the same incident's archive again changes nothing (archives are immutable). */
  save(tx: PoolClient, archive: StoredIncidentArchive): Promise<void>;
}

/** DI token of the {@link IncidentArchiveStore}. */
export const INCIDENT_ARCHIVE_STORE = Symbol('INCIDENT_ARCHIVE_STORE');
