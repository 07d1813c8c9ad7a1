import { createHash } from 'node:crypto';
import { CiphertextRejected, MASTER_KEY_ENV, parseMasterKey, unwrapDataKey, wrapDataKey } from './crypto';

/** Whose data key is wrapped: bound into the wrapping (AES-GCM AAD locally; a KMS's encryption context). */
export interface KeyContext {
  readonly tenant: string;
  readonly customerId: string;
}

/**
 * The port to the master key that wraps customers' data keys — shaped like a KMS (AWS KMS `Encrypt`/`Decrypt`, Google
 * Cloud KMS, Azure Key Vault wrap/unwrap, Vault transit): the master key never leaves the provider, each wrapped key
 * records the id of the key that wrapped it, and unwrapping is asked of that key. A rotation re-wraps every data key
 * under {@link MasterKeyProvider.currentKeyId} while the provider still holds the previous key.
 */
export interface MasterKeyProvider {
  /** The key new data keys are wrapped with. */
  readonly currentKeyId: string;
  /** Every key id this provider can unwrap with (current first). */
  readonly keyIds: readonly string[];
  /** Wraps a data key with the current master key, bound to `context`. */
  wrap(dataKey: Buffer, context: KeyContext): Promise<{ readonly keyId: string; readonly wrapped: Buffer }>;
  /**
   * Unwraps with the key `keyId` names; `null`: recorded before key ids were (each key held is tried).
   * @throws `CiphertextRejected` when no key held opens it (altered, another customer's, or a key no longer held).
   */
  unwrap(keyId: string | null, wrapped: Buffer, context: KeyContext): Promise<Buffer>;
}

/** A local key's id: `local:` and the first 16 hex digits of SHA-256 of the key (names the key, reveals nothing). */
export function localKeyId(key: Buffer): string {
  return `local:${createHash('sha256').update('aftersales.privacy.master-key-id').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * The local adapter: master keys held in memory (from `PRIVACY_MASTER_KEY`, and `PRIVACY_PREVIOUS_MASTER_KEYS` during a
 * rotation), AES-256-GCM wrapping bound to tenant and customer. A KMS adapter implements the same port.
 *
 * @example
 * ```ts
 * const keys = new LocalMasterKeyProvider(newKey, [oldKey]); // wraps with newKey, still opens what oldKey wrapped
 * ```
 */
export class LocalMasterKeyProvider implements MasterKeyProvider {
  private readonly keys: ReadonlyArray<{ readonly id: string; readonly key: Buffer }>;
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    const seen = new Set<string>();
    this.keys = [current, ...previous]
      .map((key) => {
        if (key.length !== 32) throw new Error('a master key is 32 bytes');
        return { id: localKeyId(key), key: Buffer.from(key) };
      })
      .filter((k) => !seen.has(k.id) && seen.add(k.id));
    this.currentKeyId = this.keys[0]?.id as string;
    this.keyIds = this.keys.map((k) => k.id);
  }

  async wrap(dataKey: Buffer, context: KeyContext): Promise<{ keyId: string; wrapped: Buffer }> {
    const current = this.keys[0] as { id: string; key: Buffer };
    return { keyId: current.id, wrapped: wrapDataKey(current.key, dataKey, context.tenant, context.customerId) };
  }

  async unwrap(keyId: string | null, wrapped: Buffer, context: KeyContext): Promise<Buffer> {
    const candidates = keyId === null ? this.keys : this.keys.filter((k) => k.id === keyId);
    if (candidates.length === 0) {
      throw new CiphertextRejected(
        `The customer's data key (wrapped by master key ${keyId}, which this instance does not hold: set it in PRIVACY_PREVIOUS_MASTER_KEYS until the rotation is done)`,
      );
    }
    let rejected: unknown;
    for (const { key } of candidates) {
      try {
        return unwrapDataKey(key, wrapped, context.tenant, context.customerId);
      } catch (error) {
        rejected = error;
      }
    }
    throw rejected;
  }
}

/** Name of the variable holding the previous master keys while a rotation runs. */
export const PREVIOUS_MASTER_KEYS_ENV = 'PRIVACY_PREVIOUS_MASTER_KEYS';

/**
 * The local key provider from the environment: `PRIVACY_MASTER_KEY` (wraps new keys) and, during a rotation,
 * `PRIVACY_PREVIOUS_MASTER_KEYS` (comma-separated base64 keys it still unwraps with).
 */
export function masterKeyProviderFromEnv(env: NodeJS.ProcessEnv = process.env): LocalMasterKeyProvider {
  const current = parseMasterKey(env[MASTER_KEY_ENV]);
  const previous = (env[PREVIOUS_MASTER_KEYS_ENV] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k, i) => parseMasterKey(k, `${PREVIOUS_MASTER_KEYS_ENV} (key ${i + 1})`));
  return new LocalMasterKeyProvider(current, previous);
}
