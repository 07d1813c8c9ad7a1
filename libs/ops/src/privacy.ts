import { Pool } from 'pg';
import { masterKeyProviderFromEnv, rotateMasterKey, wrappedKeyCounts, type RotationResult } from '@aftersales/privacy';

/** A read-write pool on a service database, `null` when the database does not exist. */
export async function openPrivacyStore(url: string): Promise<Pool | null> {
  const pool = new Pool({ connectionString: url, max: 2, application_name: 'ops privacy' });
  try {
    const { rows } = await pool.query<{ present: boolean }>(
      `SELECT to_regclass('privacy_customer_keys') IS NOT NULL AS present`,
    );
    if (!rows[0]?.present) {
      await pool.end();
      throw new Error('this database has no privacy_customer_keys (the service keeps no personal data)');
    }
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    if ((error as { code?: string }).code === '3D000') return null;
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
