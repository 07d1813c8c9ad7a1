import type { Pool } from 'pg';
import { openServicePool } from './service-pool';
import { masterKeyProviderFromEnv, rotateMasterKey, wrappedKeyCounts, type RotationResult } from '@aftersales/privacy';

/** A read-write pool on a service database, `null` when the database does not exist. */
export async function openPrivacyStore(url: string): Promise<Pool | null> {
  const pool = await openServicePool(url, { application: 'ops privacy', max: 2 });
  if (!pool) return null;
  try {
    const { rows } = await pool.query<{ present: boolean }>(
      `SELECT to_regclass('privacy_customer_keys') IS NOT NULL AS present`,
    );
    if (!rows[0]?.present)
      throw new Error('this database has no privacy_customer_keys (the service keeps no personal data)');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Re-wraps every data key of a service's store under `PRIVACY_MASTER_KEY`, unwrapping with the keys of
 * `PRIVACY_PREVIOUS_MASTER_KEYS` (the local key provider; a KMS adapter of the same port plugs in the same way).
 */
export async function rotateServiceMasterKey(
  pool: Pool,
  env: NodeJS.ProcessEnv,
  options: { batchSize?: number; dryRun?: boolean; onProgress?: (done: number, total: number) => void },
): Promise<{
  result: RotationResult;
  currentKeyId: string;
  before: Record<string, number>;
  after: Record<string, number>;
}> {
  const keys = masterKeyProviderFromEnv(env);
  const before = await wrappedKeyCounts(pool);
  const result = await rotateMasterKey(pool, keys, options);
  const after = await wrappedKeyCounts(pool);
  return { result, currentKeyId: keys.currentKeyId, before, after };
}
