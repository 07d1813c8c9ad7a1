import { DomainError } from '@aftersales/domain';
import { decryptPersonalData, encryptPersonalData, generateDataKey, type PersonalData } from './crypto';
import { LocalMasterKeyProvider, type MasterKeyProvider } from './key-provider';

/** Anything that runs a parameterised query: a `pg` Pool, or a client inside the caller's transaction. */
export interface SqlClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/** Personal data as it may be stored and published: ciphertext only. */
export interface SealedPersonalData {
  readonly customerId: string;
  /** base64 of `iv | tag | AES-256-GCM ciphertext`, bound to tenant, customer and key version. */
  readonly ciphertext: string;
  /** Version of the customer's data key the ciphertext was sealed with. */
  readonly keyVersion: number;
}

/** Who reads personal data and why: recorded for every {@link PersonalDataVault.open}. */
export interface DataAccess {
  /** Subject of the authenticated principal. */
  readonly actor: string;
  readonly roles: readonly string[];
  /** Why the data is needed, as the reader stated it (e.g. "call back about the refund"). */
  readonly purpose: string;
  /** What was read, e.g. `complaint/<id>`. */
  readonly resource?: string;
}

/**
 * Outcome of one access: `opened` (the key was released and the data decrypted), `erased` (the customer's
 * key was destroyed), `no-key` (nothing was ever sealed for this tenant and customer), `key-retired` (sealed
 * with a key version that is no longer held).
 */
export type AccessOutcome = 'opened' | 'erased' | 'no-key' | 'key-retired';

export interface AccessLogEntry {
  readonly id: string;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly purpose: string;
  readonly resource: string | null;
  readonly outcome: AccessOutcome;
  readonly accessedAt: Date;
}

/** State of a customer's key. Reading it discloses no personal data, so it is not logged. */
export type CustomerKeyStatus =
  | { readonly state: 'none' }
  | { readonly state: 'active'; readonly keyVersion: number; readonly createdAt: Date }
  | { readonly state: 'erased'; readonly erasedAt: Date; readonly erasedBy: string };

export interface Erasure {
  readonly erasedAt: Date;
  readonly erasedBy: string;
  /** True when the key had been destroyed before (the first erasure's time and actor are returned). */
  readonly alreadyErased: boolean;
}

/** Sealing is refused once a customer was erased: their data is not collected under the old identity again. */
export class CustomerDataErased extends DomainError {
  constructor(customerId: string) {
    super(
      'PRIVACY.CUSTOMER_ERASED',
      'conflict',
      `The personal data of customer ${customerId} was erased; it is not stored again under this customer reference`,
      'Personal data of an erased customer is never collected again under the same reference; omit it or use a new reference',
    );
  }
}

/** An access without a stated purpose or actor: refused before any key is touched. */
export class AccessPurposeRequired extends DomainError {
  constructor(what: 'purpose' | 'actor') {
    super(
      'PRIVACY.PURPOSE_REQUIRED',
      'invalid',
      `Opening personal data needs a ${what}`,
      'Every view of personal data records who looked at it and why',
    );
  }
}

export interface PersonalDataVaultOptions {
  /** Pool of the service database holding `privacy_*` (see {@link PrivacyMigrations}). */
  readonly db: SqlClient;
  /** 32-byte master key wrapping the customers' data keys (see `masterKeyFromEnv`); or give `keys`. */
  readonly masterKey?: Buffer;
  /** The master-key provider (a KMS adapter, or `masterKeyProviderFromEnv()`); wins over `masterKey`. */
  readonly keys?: MasterKeyProvider;
  readonly clock?: () => Date;
}

const MAX_PURPOSE = 500;

/**
 * Crypto-shredding of customers' personal data.
 *
 * Each (tenant, customer) gets a random data key, stored wrapped by the master key. {@link seal} encrypts
 * personal data under it so events and messages carry ciphertext only; {@link open} decrypts and ALWAYS
 * records the access (who, when, why, on what); {@link erase} destroys the key, after which every copy of
 * every ciphertext of that customer is unreadable, without rewriting the event store. Data keys are never
 * cached, so an erasure takes effect at once in every instance.
 *
 * @example
 * ```ts
 * const vault = new PersonalDataVault({ db: pool, masterKey: masterKeyFromEnv() });
 * const sealed = await vault.seal(tx, 'shop-1', 'cus-1', { name: 'Li Wei', phone: '+86 138 0000 0000' });
 * await vault.open('shop-1', 'cus-1', sealed, { actor: 'agent-7', roles: ['agent'], purpose: 'call back' }); // { name, phone }
 * await vault.erase('shop-1', 'cus-1', 'supervisor-2');
 * await vault.open('shop-1', 'cus-1', sealed, { actor: 'agent-7', roles: ['agent'], purpose: 'call back' }); // null
 * ```
 */
export class PersonalDataVault {
  private readonly db: SqlClient;
  private readonly keys: MasterKeyProvider;
  private readonly clock: () => Date;

  constructor(options: PersonalDataVaultOptions) {
    if (options.keys) this.keys = options.keys;
    else if (options.masterKey?.length === 32) this.keys = new LocalMasterKeyProvider(options.masterKey);
    else throw new Error('PersonalDataVault needs a 32-byte master key or a master-key provider');
    this.db = options.db;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Encrypts personal data under the customer's data key, creating the key on first use. Run it in the
   * transaction that stores the result: the key row is share-locked until then, so a concurrent erasure
   * waits and then destroys the key of what was just stored.
   *
   * @throws {@link CustomerDataErased} when the customer's key was destroyed.
   */
  async seal(tx: SqlClient, tenant: string, customerId: string, data: PersonalData): Promise<SealedPersonalData> {
    const known = await tx.query<{ present: boolean }>(
      `SELECT true AS present FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2`,
      [tenant, customerId],
    );
    if (known.rows.length === 0) {
      // A new customer: wrap a fresh key (a provider call: skipped for customers who have one).
      const candidate = generateDataKey();
      try {
        const { keyId, wrapped } = await this.keys.wrap(candidate, { tenant, customerId });
        await tx.query(
          `INSERT INTO privacy_customer_keys (tenant, customer_id, key, key_version, created_at, master_key_id)
           VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT (tenant, customer_id) DO NOTHING`,
          [tenant, customerId, wrapped, this.clock(), keyId],
        );
      } finally {
        candidate.fill(0);
      }
    }
    const { rows } = await tx.query<{ key: Buffer | null; key_version: number; master_key_id: string | null }>(
      `SELECT key, key_version, master_key_id FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2 FOR SHARE`,
      [tenant, customerId],
    );
    const row = rows[0];
    if (!row) throw new Error(`privacy_customer_keys has no row for ${tenant}/${customerId} right after creating it`);
    if (row.key === null) throw new CustomerDataErased(customerId);
    const dataKey = await this.keys.unwrap(row.master_key_id, row.key, { tenant, customerId });
    try {
      const keyVersion = Number(row.key_version);
      return {
        customerId,
        keyVersion,
        ciphertext: encryptPersonalData(dataKey, data, { tenant, customerId, keyVersion }),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Decrypts sealed personal data, recording the access first (in the same statement that reads the key):
   * no plaintext leaves the vault without a log row. Returns `null` when the customer was erased (or the
   * key is otherwise gone); the attempt is logged all the same.
   *
   * @throws {@link AccessPurposeRequired} without an actor or a purpose (nothing is read or logged).
   * @throws `CiphertextRejected` when the ciphertext was altered or belongs to another tenant or customer.
   */
  async open(
    tenant: string,
    customerId: string,
    sealed: Pick<SealedPersonalData, 'ciphertext' | 'keyVersion'>,
    access: DataAccess,
  ): Promise<PersonalData | null> {
    const purpose = access.purpose.trim();
    if (!access.actor.trim()) throw new AccessPurposeRequired('actor');
    if (!purpose) throw new AccessPurposeRequired('purpose');
    const { rows } = await this.db.query<{ outcome: AccessOutcome; key: Buffer | null; master_key_id: string | null }>(
      `WITH k AS (
         SELECT key, key_version, master_key_id FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2
       ), logged AS (
         INSERT INTO privacy_access_log (tenant, customer_id, actor, roles, purpose, resource, outcome, accessed_at)
         SELECT $1::text, $2::text, $3::text, $4::text[], $5::text, $6::text,
                CASE WHEN NOT EXISTS (SELECT 1 FROM k) THEN 'no-key'
                     WHEN (SELECT key FROM k) IS NULL THEN 'erased'
                     WHEN (SELECT key_version FROM k) <> $7::integer THEN 'key-retired'
                     ELSE 'opened' END,
                $8::timestamptz
         RETURNING outcome
       )
       SELECT logged.outcome, CASE WHEN logged.outcome = 'opened' THEN (SELECT key FROM k) END AS key,
              (SELECT master_key_id FROM k) AS master_key_id
         FROM logged`,
      [
        tenant,
        customerId,
        access.actor,
        [...access.roles],
        purpose.slice(0, MAX_PURPOSE),
        access.resource ?? null,
        sealed.keyVersion,
        this.clock(),
      ],
    );
    const row = rows[0];
    if (!row || row.outcome !== 'opened' || row.key === null) return null;
    const dataKey = await this.keys.unwrap(row.master_key_id, row.key, { tenant, customerId });
    try {
      return decryptPersonalData(dataKey, sealed.ciphertext, { tenant, customerId, keyVersion: sealed.keyVersion });
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Destroys the customer's data key (crypto-shredding) and records who did it and when. Idempotent: a
   * second erasure changes nothing and returns the first one. Erasing a customer who never had a key leaves
   * a tombstone, so nothing is sealed for them afterwards either. Pass `tx` to erase in the transaction that
   * records the erasure elsewhere (e.g. an event).
   */
  async erase(tenant: string, customerId: string, actor: string, tx: SqlClient = this.db): Promise<Erasure> {
    if (!actor.trim()) throw new AccessPurposeRequired('actor');
    const now = this.clock();
    const { rows } = await tx.query<{ erased_at: Date; erased_by: string; already_erased: boolean }>(
      `WITH previous AS (
         SELECT erased_at FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2
       ), erased AS (
         INSERT INTO privacy_customer_keys AS k (tenant, customer_id, key, created_at, erased_at, erased_by)
         VALUES ($1, $2, NULL, $3, $3, $4)
         ON CONFLICT (tenant, customer_id) DO UPDATE
           SET key = NULL,
               erased_at = coalesce(k.erased_at, EXCLUDED.erased_at),
               erased_by = coalesce(k.erased_by, EXCLUDED.erased_by)
         RETURNING k.erased_at, k.erased_by
       )
       SELECT e.erased_at, e.erased_by,
              (SELECT erased_at FROM previous) IS NOT NULL OR e.erased_at <> $3 OR e.erased_by <> $4 AS already_erased
         FROM erased e`,
      [tenant, customerId, now, actor],
    );
    const row = rows[0];
    if (!row) throw new Error(`erasing ${tenant}/${customerId} returned no row`);
    return { erasedAt: row.erased_at, erasedBy: row.erased_by, alreadyErased: row.already_erased };
  }

  /** Whether the customer has a key, and when and by whom it was erased. */
  async status(tenant: string, customerId: string, tx: SqlClient = this.db): Promise<CustomerKeyStatus> {
    const { rows } = await tx.query<{
      has_key: boolean;
      key_version: number;
      created_at: Date;
      erased_at: Date | null;
      erased_by: string | null;
    }>(
      `SELECT key IS NOT NULL AS has_key, key_version, created_at, erased_at, erased_by
         FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2`,
      [tenant, customerId],
    );
    const row = rows[0];
    if (!row) return { state: 'none' };
    if (row.has_key) return { state: 'active', keyVersion: Number(row.key_version), createdAt: row.created_at };
    return { state: 'erased', erasedAt: row.erased_at as Date, erasedBy: row.erased_by as string };
  }

  /** Who opened the customer's personal data, newest first. */
  async accessLog(tenant: string, customerId: string, options: { limit?: number } = {}): Promise<AccessLogEntry[]> {
    const limit = Math.min(Math.max(options.limit ?? 200, 1), 1000);
    const { rows } = await this.db.query<{
      id: string;
      actor: string;
      roles: string[];
      purpose: string;
      resource: string | null;
      outcome: AccessOutcome;
      accessed_at: Date;
    }>(
      `SELECT id::text AS id, actor, roles, purpose, resource, outcome, accessed_at
         FROM privacy_access_log WHERE tenant = $1 AND customer_id = $2
        ORDER BY accessed_at DESC, id DESC LIMIT $3`,
      [tenant, customerId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      actor: r.actor,
      roles: r.roles,
      purpose: r.purpose,
      resource: r.resource,
      outcome: r.outcome,
      accessedAt: r.accessed_at,
    }));
  }
}
