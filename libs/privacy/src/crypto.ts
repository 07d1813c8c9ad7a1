import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * The cryptography of crypto-shredding, free of any storage: AES-256-GCM with a 96-bit random IV, the
 * 128-bit tag and additional authenticated data (AAD) that binds every ciphertext to its tenant and customer.
 *
 * Two layers:
 * - a **data key** per customer (random 32 bytes) encrypts the customer's personal data;
 * - the **master key** (`PRIVACY_MASTER_KEY`) wraps the data keys at rest, so a database dump alone
 *   reveals nothing. Destroying a customer's wrapped data key makes every ciphertext ever sealed for them
 *   unreadable, wherever copies of it live (event store, Kafka, backups): that is the erasure.
 */

const ALGORITHM = 'aes-256-gcm';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Name of the environment variable holding the base64 master key. */
export const MASTER_KEY_ENV = 'PRIVACY_MASTER_KEY';

/** Personal data of a customer, as accepted by a service and sealed before it is stored anywhere. */
export interface PersonalData {
  readonly name?: string;
  readonly phone?: string;
  readonly email?: string;
  readonly address?: string;
}

const PERSONAL_DATA_FIELDS = ['name', 'phone', 'email', 'address'] as const satisfies ReadonlyArray<keyof PersonalData>;

/** Whose data a ciphertext holds: part of the AAD, so a ciphertext moved to another tenant or customer fails. */
export interface CiphertextBinding {
  readonly tenant: string;
  readonly customerId: string;
  readonly keyVersion: number;
}

/** A ciphertext or a wrapped key that does not authenticate: tampered with, truncated, or bound to someone else. */
export class CiphertextRejected extends Error {
  readonly code = 'PRIVACY.CIPHERTEXT_REJECTED';
  constructor(what: string) {
    super(`${what} does not authenticate: it was altered, or it belongs to another tenant or customer`);
    this.name = 'CiphertextRejected';
  }
}

/**
 * Decodes the master key: standard base64 of exactly 32 bytes. The error names the variable and how to make
 * a key, never the value.
 *
 * @example
 * ```ts
 * const masterKey = parseMasterKey(process.env.PRIVACY_MASTER_KEY); // `openssl rand -base64 32`
 * ```
 */
export function parseMasterKey(base64: string | undefined, name = MASTER_KEY_ENV): Buffer {
  const hint = `generate one with \`openssl rand -base64 32\` (or \`node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"\`)`;
  const value = base64?.trim();
  if (!value) throw new Error(`${name} is not set: the base64 master key that wraps customers' data keys; ${hint}`);
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value)) {
    throw new Error(
      `${name} must be standard base64 of exactly ${KEY_BYTES} bytes (44 characters ending in '='); ${hint}`,
    );
  }
  return Buffer.from(value, 'base64');
}

/** The master key from `PRIVACY_MASTER_KEY`; throws a startup-friendly error when missing or malformed. */
export function masterKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer {
  return parseMasterKey(env[MASTER_KEY_ENV]);
}

/** A fresh random data key for one customer. */
export function generateDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** AES-256-GCM: `iv | tag | ciphertext`. */
export function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]);
}

/** Inverse of {@link encrypt}; {@link CiphertextRejected} when the blob, the key or the AAD do not match. */
export function decrypt(key: Buffer, blob: Buffer, aad: string, what = 'The ciphertext'): Buffer {
  assertKey(key);
  if (blob.length < IV_BYTES + TAG_BYTES) throw new CiphertextRejected(what);
  const decipher = createDecipheriv(ALGORITHM, key, blob.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new CiphertextRejected(what);
  }
}

// JSON arrays as AAD: unambiguous whatever characters tenants and customer ids contain.
const keyAad = (tenant: string, customerId: string) =>
  JSON.stringify(['aftersales.privacy.data-key', tenant, customerId]);
const dataAad = (b: CiphertextBinding) =>
  JSON.stringify(['aftersales.privacy.personal-data', b.tenant, b.customerId, b.keyVersion]);

/** Wraps a customer's data key with the master key, bound to the tenant and customer. */
export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, tenant: string, customerId: string): Buffer {
  return encrypt(masterKey, dataKey, keyAad(tenant, customerId));
}

/** Unwraps a data key; {@link CiphertextRejected} if it was wrapped for someone else or altered. */
export function unwrapDataKey(masterKey: Buffer, wrapped: Buffer, tenant: string, customerId: string): Buffer {
  return decrypt(masterKey, wrapped, keyAad(tenant, customerId), "The customer's wrapped data key");
}

/**
 * Encrypts personal data under a customer's data key: base64 of `iv | tag | ciphertext`.
 *
 * @example
 * ```ts
 * const binding = { tenant: 'shop-1', customerId: 'cus-1', keyVersion: 1 };
 * const ciphertext = encryptPersonalData(dataKey, { name: 'Li Wei' }, binding);
 * decryptPersonalData(dataKey, ciphertext, binding); // { name: 'Li Wei' }
 * ```
 */
export function encryptPersonalData(dataKey: Buffer, data: PersonalData, binding: CiphertextBinding): string {
  return encrypt(dataKey, Buffer.from(JSON.stringify(pickPersonalData(data)), 'utf8'), dataAad(binding)).toString(
    'base64',
  );
}

/** Inverse of {@link encryptPersonalData}. */
export function decryptPersonalData(dataKey: Buffer, ciphertext: string, binding: CiphertextBinding): PersonalData {
  const plaintext = decrypt(
    dataKey,
    Buffer.from(ciphertext, 'base64'),
    dataAad(binding),
    'The personal data ciphertext',
  );
  return pickPersonalData(JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>);
}

/** Only the known string fields, so nothing else ever rides along in a ciphertext or out of one. */
export function pickPersonalData(data: PersonalData | Record<string, unknown>): PersonalData {
  const out: Record<string, string> = {};
  for (const field of PERSONAL_DATA_FIELDS) {
    const value = (data as Record<string, unknown>)[field];
    if (typeof value === 'string') out[field] = value;
  }
  return out;
}

/** True when there is at least one field to protect. */
export function hasPersonalData(data: PersonalData): boolean {
  return Object.keys(pickPersonalData(data)).length > 0;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length} bytes`);
}
