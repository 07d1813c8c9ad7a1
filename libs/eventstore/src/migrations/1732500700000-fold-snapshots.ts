import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `es_snapshots`: a stream's state under one fold, persisted every so many events (ADR 37), so a transaction reads
 * the newest snapshot and the events after it instead of the whole stream. Keyed by stream and fold — the fold's name
 * carries its shape version (`shipment@1`), so a changed fold never reads an older shape: it starts from the events
 * again and writes its own. `event_ids` are the ids of the events the state folds (the session's idempotency checks).
 * Written in the transaction that appended the events it folds, so a snapshot never holds an event rolled back.
 */
export class FoldSnapshots1732500700000 implements MigrationInterface {
  name = 'FoldSnapshots1732500700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS es_snapshots (
        stream_id  text        NOT NULL,
        fold       text        NOT NULL,
        version    bigint      NOT NULL,
        state      jsonb       NOT NULL,
        event_ids  text[]      NOT NULL,
        taken_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, fold)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS es_snapshots`);
  }
}
