import { PrivacyMasterKeyId1796200000000 } from './1796200000000-master-key-id';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Crypto-shredding storage of one service's database:
 *
 * - `privacy_customer_keys`: one data key per (tenant, customer), wrapped by the master key. Erasure sets
 *   `key` to NULL and records who erased it and when; the row stays as the tombstone that stops the key
 *   from being re-created. `key_version` is carried in every sealed value so a later rotation can tell
 *   ciphertexts apart.
 * - `privacy_access_log`: every attempt to open a customer's personal data, with who (actor, roles), why
 *   (purpose), on what (resource) and the outcome. Append-only by convention; nothing updates or deletes it.
 */
export class CreatePrivacy1732500300000 implements MigrationInterface {
  name = 'CreatePrivacy1732500300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE privacy_customer_keys (
        tenant       text        NOT NULL,
        customer_id  text        NOT NULL,
        key          bytea       NULL,
        key_version  integer     NOT NULL DEFAULT 1,
        created_at   timestamptz NOT NULL DEFAULT now(),
        erased_at    timestamptz NULL,
        erased_by    text        NULL,
        PRIMARY KEY (tenant, customer_id),
        CONSTRAINT privacy_customer_keys_erased CHECK (
          (key IS NULL AND erased_at IS NOT NULL AND erased_by IS NOT NULL)
          OR (key IS NOT NULL AND erased_at IS NULL AND erased_by IS NULL))
      )`);
    await q.query(`
      CREATE TABLE privacy_access_log (
        id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant       text        NOT NULL,
        customer_id  text        NOT NULL,
        actor        text        NOT NULL,
        roles        text[]      NOT NULL,
        purpose      text        NOT NULL,
        resource     text        NULL,
        outcome      text        NOT NULL,
        accessed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX privacy_access_log_customer ON privacy_access_log (tenant, customer_id, accessed_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS privacy_access_log, privacy_customer_keys');
  }
}

/** The privacy tables; a service adds them to its `migrations` beside the event store's. */
export const PrivacyMigrations = [CreatePrivacy1732500300000, PrivacyMasterKeyId1796200000000];
