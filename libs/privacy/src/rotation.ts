import type { KeyContext, MasterKeyProvider } from './key-provider';

/** A connection that can run a transaction (a `pg` PoolClient). */
export interface TransactionalClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** A pool of such connections (a `pg` Pool). */
export interface ClientPool {
  connect(): Promise<TransactionalClient & { release(): void }>;
  query: TransactionalClient['query'];
}

/** Data keys per master key that wraps them (`(legacy)`: recorded before key ids were). */
export async function wrappedKeyCounts(db: TransactionalClient): Promise<Record<string, number>> {
  const { rows } = await db.query<{ master_key_id: string | null; keys: string }>(
    `SELECT master_key_id, count(*)::text AS keys FROM privacy_customer_keys WHERE key IS NOT NULL
      GROUP BY master_key_id ORDER BY master_key_id NULLS FIRST`,
  );
  return Object.fromEntries(rows.map((r) => [r.master_key_id ?? '(legacy)', Number(r.keys)]));
}

export interface RotationResult {
  /** Data keys wrapped by another master key when the run began (what a dry run would re-wrap). */
  readonly stale: number;
  /** Data keys re-wrapped under the current master key by this run. */
  readonly rewrapped: number;
  /** Data keys no key of the provider could unwrap (left as they are): the rotation is not done. */
  readonly failed: ReadonlyArray<KeyContext & { readonly masterKeyId: string | null; readonly reason: string }>;
  /** Data keys already under the current master key before this run. */
  readonly alreadyCurrent: number;
}

/**
 * Rotates the master key: every customer's data key wrapped by another master key is unwrapped (the provider still
 * holds that key) and wrapped again by the provider's current key, in batches, each batch in its own transaction with
 * its rows locked (a concurrent erasure waits, then destroys the re-wrapped key). The data keys themselves — and so
 * every ciphertext in events, Kafka and backups — do not change. Erased customers have no key and are left alone.
 * Idempotent: a second run finds nothing to do; an interrupted one continues where it stopped.
 *
 * @example
 * ```ts
 * const keys = new LocalMasterKeyProvider(newKey, [oldKey]);
 * const { rewrapped, failed } = await rotateMasterKey(pool, keys, { onProgress: (done, total) => … });
 * ```
 */
export async function rotateMasterKey(
  pool: ClientPool,
  keys: MasterKeyProvider,
  options: { batchSize?: number; dryRun?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 500;
  const { rows: countRows } = await pool.query<{ stale: string; current: string }>(
    `SELECT count(*) FILTER (WHERE master_key_id IS DISTINCT FROM $1)::text AS stale,
            count(*) FILTER (WHERE master_key_id = $1)::text AS current
       FROM privacy_customer_keys WHERE key IS NOT NULL`,
    [keys.currentKeyId],
  );
  const total = Number(countRows[0]?.stale ?? 0);
  const alreadyCurrent = Number(countRows[0]?.current ?? 0);
  const failed: Array<KeyContext & { masterKeyId: string | null; reason: string }> = [];
  options.onProgress?.(0, total);
  if (options.dryRun || total === 0) return { stale: total, rewrapped: 0, failed, alreadyCurrent };
  let rewrapped = 0;
  let after: [string, string] = ['', ''];
  for (;;) {
    const client = await pool.connect();
    let last: [string, string] | null = null;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        tenant: string;
        customer_id: string;
        key: Buffer;
        master_key_id: string | null;
      }>(
        `SELECT tenant, customer_id, key, master_key_id FROM privacy_customer_keys
          WHERE key IS NOT NULL AND master_key_id IS DISTINCT FROM $1 AND (tenant, customer_id) > ($2, $3)
          ORDER BY tenant, customer_id LIMIT $4 FOR UPDATE`,
        [keys.currentKeyId, after[0], after[1], batchSize],
      );
      for (const row of rows) {
        const context = { tenant: row.tenant, customerId: row.customer_id };
        let dataKey: Buffer | undefined;
        try {
          dataKey = await keys.unwrap(row.master_key_id, row.key, context);
          const { keyId, wrapped } = await keys.wrap(dataKey, context);
          await client.query(
            `UPDATE privacy_customer_keys SET key = $3, master_key_id = $4 WHERE tenant = $1 AND customer_id = $2`,
            [row.tenant, row.customer_id, wrapped, keyId],
          );
          rewrapped += 1;
        } catch (error) {
          failed.push({ ...context, masterKeyId: row.master_key_id, reason: (error as Error).message });
        } finally {
          dataKey?.fill(0);
        }
        last = [row.tenant, row.customer_id];
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    options.onProgress?.(rewrapped + failed.length, total);
    if (!last) break;
    after = last;
  }
  return { stale: total, rewrapped, failed, alreadyCurrent };
}
