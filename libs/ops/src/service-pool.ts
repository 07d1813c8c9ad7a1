import { Pool } from 'pg';

/**
 * A pool on one service's database for an ops command; `null` when that database does not exist (the command says
 * which service has not run here yet). `readOnly`: every transaction is read-only (verifying must never be able to change
 * what it verifies).
 */
export async function openServicePool(
  url: string,
  options: { readonly application: string; readonly max: number; readOnly?: boolean },
): Promise<Pool | null> {
  const pool = new Pool({
    connectionString: url,
    max: options.max,
    application_name: options.application,
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // A pooled connection that breaks while idle fails the next query, not the process.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    if ((error as { code?: string }).code === '3D000') return null; // invalid_catalog_name: no such database
    throw error;
  }
}
