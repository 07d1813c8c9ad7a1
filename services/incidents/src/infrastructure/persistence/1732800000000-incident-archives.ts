import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `incident_archives`: the archive of each closed incident (seed 004 §4(四)4, the guide's seven forms), as the canonical
 * JSON text that was hashed; the hash is also in the incident's hash-chained stream (`IncidentArchived`), which is what
 * proves the text unchanged (`npm run audit:verify`, `GET /incidents/:id/audit/verify`). Rows are written once: a
 * trigger refuses every update and delete, so the application cannot rewrite an archive either.
 */
export class IncidentArchives1732800000000 implements MigrationInterface {
  name = 'IncidentArchives1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incident_archives (
        incident_id  text        PRIMARY KEY,
        tenant       text        NOT NULL,
        archive_hash text        NOT NULL CHECK (archive_hash ~ '^[0-9a-f]{64}$'),
        format       text        NOT NULL,
        bundle       text        NOT NULL,
        archived_at  timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION incident_archives_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'incident archives are immutable (% of incident %)', TG_OP, OLD.incident_id;
      END $$`);
    await q.query(`
      CREATE TRIGGER incident_archives_immutable BEFORE UPDATE OR DELETE ON incident_archives
        FOR EACH ROW EXECUTE FUNCTION incident_archives_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE incident_archives');
    await q.query('DROP FUNCTION incident_archives_immutable()');
  }
}
