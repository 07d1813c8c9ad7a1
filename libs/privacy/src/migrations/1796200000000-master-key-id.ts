import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which master key wraps each customer's data key (`master_key_id`, the key provider's id), so a rotation re-wraps
 * exactly the rows the old key still wraps and a KMS is asked for the key it wrapped with. NULL: wrapped before key ids
 * were recorded (by the `PRIVACY_MASTER_KEY` of that time); the provider tries each key it holds.
 */
export class PrivacyMasterKeyId1796200000000 implements MigrationInterface {
  name = 'PrivacyMasterKeyId1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE privacy_customer_keys ADD COLUMN master_key_id text NULL`);
    await q.query(
      `CREATE INDEX privacy_customer_keys_master_key ON privacy_customer_keys (master_key_id) WHERE key IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS privacy_customer_keys_master_key');
    await q.query('ALTER TABLE privacy_customer_keys DROP COLUMN IF EXISTS master_key_id');
  }
}
