import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `es_event_hash` calls STABLE functions (`concat_ws`, `convert_to`, `extract` on timestamptz), so labelling it
 * IMMUTABLE stopped the planner from inlining it: every event paid a parse/plan through fmgr_sql (≈ 20 % of
 * es_append's CPU). STABLE is the honest label and lets it inline; the hash values are unchanged.
 */
export class StableEventHash1732500300000 implements MigrationInterface {
  name = 'StableEventHash1732500300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION es_event_hash(bytea, uuid, text, bigint, text, jsonb, jsonb, timestamptz) STABLE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION es_event_hash(bytea, uuid, text, bigint, text, jsonb, jsonb, timestamptz) IMMUTABLE`);
  }
}
