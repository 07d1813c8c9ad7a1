import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on each page for the new versions of rows that are updated over and over: `es_streams` (its version and hash,
 * at every append to the stream) and `es_snapshots` (a stream's state, every few events). With full pages (the default
 * fillfactor 100) nearly every update lands on another page and adds an index entry for the moved row; with room,
 * Postgres writes it on the same page as a heap-only tuple (HOT), no index entry, and prunes the old versions as it
 * goes (ADR 39). Applies to pages written from now on; `VACUUM FULL` or a rewrite applies it to the old ones.
 */
export class UpdateHeavyFillfactor1732500800000 implements MigrationInterface {
  name = 'UpdateHeavyFillfactor1732500800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE es_streams SET (fillfactor = 80)`);
    await q.query(`ALTER TABLE es_snapshots SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE es_streams RESET (fillfactor)`);
    await q.query(`ALTER TABLE es_snapshots RESET (fillfactor)`);
  }
}
