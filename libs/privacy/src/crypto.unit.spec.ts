import { randomBytes } from 'node:crypto';
import {
  CiphertextRejected,
  decryptPersonalData,
  encryptPersonalData,
  generateDataKey,
  masterKeyFromEnv,
  parseMasterKey,
  unwrapDataKey,
  wrapDataKey,
  type CiphertextBinding,
} from './crypto';

const pii = {
  name: 'Li Wei',
  phone: '+86 138 0013 8000',
  email: 'li.wei@example.com',
  address: '1 Nanjing Rd, Shanghai',
};
const binding: CiphertextBinding = { tenant: 'shop-1', customerId: 'cus-1', keyVersion: 1 };

/** Flips one bit of the decoded blob at `index` and re-encodes it. */
function flipBit(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

describe('personal data encryption (AES-256-GCM)', () => {
  const dataKey = generateDataKey();

  it('round-trips the known fields and drops anything else', () => {
    const ciphertext = encryptPersonalData(dataKey, { ...pii, ssn: '123' } as typeof pii, binding);
    expect(decryptPersonalData(dataKey, ciphertext, binding)).toEqual(pii);
  });

  it('never shows the plaintext in the ciphertext, and never repeats a ciphertext (random IV)', () => {
    const a = encryptPersonalData(dataKey, pii, binding);
    const b = encryptPersonalData(dataKey, pii, binding);
    expect(a).not.toBe(b);
    const decoded = Buffer.from(a, 'base64').toString('latin1');
    for (const value of Object.values(pii)) {
      expect(a).not.toContain(value);
      expect(decoded).not.toContain(value);
    }
  });

  it('lays the blob out as iv (12) | tag (16) | data', () => {
    const ciphertext = encryptPersonalData(dataKey, { name: 'A' }, binding);
    // '{"name":"A"}' is 12 bytes; GCM adds no padding.
    expect(Buffer.from(ciphertext, 'base64')).toHaveLength(12 + 16 + 12);
  });

  it.each([
    ['the IV', 0],
    ['the tag', 12],
    ['the data', 30],
  ])('detects a single flipped bit in %s', (_where, index) => {
    const ciphertext = encryptPersonalData(dataKey, pii, binding);
    expect(() => decryptPersonalData(dataKey, flipBit(ciphertext, index), binding)).toThrow(CiphertextRejected);
  });

  it('rejects a truncated ciphertext', () => {
    const ciphertext = encryptPersonalData(dataKey, pii, binding);
    const truncated = Buffer.from(ciphertext, 'base64').subarray(0, 20).toString('base64');
    expect(() => decryptPersonalData(dataKey, truncated, binding)).toThrow(CiphertextRejected);
  });

  it.each([
    ['another tenant', { ...binding, tenant: 'shop-2' }],
    ['another customer', { ...binding, customerId: 'cus-2' }],
    ['another key version', { ...binding, keyVersion: 2 }],
  ])('refuses to decrypt as %s, even with the right key', (_who, other) => {
    const ciphertext = encryptPersonalData(dataKey, pii, binding);
    expect(() => decryptPersonalData(dataKey, ciphertext, other)).toThrow(CiphertextRejected);
  });

  it('refuses another key', () => {
    const ciphertext = encryptPersonalData(dataKey, pii, binding);
    expect(() => decryptPersonalData(generateDataKey(), ciphertext, binding)).toThrow(CiphertextRejected);
  });
});

describe('data key wrapping', () => {
  const masterKey = randomBytes(32);

  it('unwraps what it wrapped', () => {
    const dataKey = generateDataKey();
    const wrapped = wrapDataKey(masterKey, dataKey, 'shop-1', 'cus-1');
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(unwrapDataKey(masterKey, wrapped, 'shop-1', 'cus-1').equals(dataKey)).toBe(true);
  });

  // CONTEXT: a wrapped key copied onto another tenant's or customer's row must not open that row's data.
  it.each([
    ['another tenant', 'shop-2', 'cus-1'],
    ['another customer', 'shop-1', 'cus-2'],
  ])('does not unwrap a key for %s', (_who, tenant, customerId) => {
    const wrapped = wrapDataKey(masterKey, generateDataKey(), 'shop-1', 'cus-1');
    expect(() => unwrapDataKey(masterKey, wrapped, tenant, customerId)).toThrow(CiphertextRejected);
  });

  it('does not unwrap with another master key', () => {
    const wrapped = wrapDataKey(masterKey, generateDataKey(), 'shop-1', 'cus-1');
    expect(() => unwrapDataKey(randomBytes(32), wrapped, 'shop-1', 'cus-1')).toThrow(CiphertextRejected);
  });

  it('keeps ids that would collide if simply concatenated apart', () => {
    const wrapped = wrapDataKey(masterKey, generateDataKey(), 'shop|1', 'cus');
    expect(() => unwrapDataKey(masterKey, wrapped, 'shop', '1|cus')).toThrow(CiphertextRejected);
  });
});

describe('master key configuration', () => {
  const valid = randomBytes(32).toString('base64');

  it('decodes a base64 32-byte key', () => {
    expect(parseMasterKey(valid).equals(Buffer.from(valid, 'base64'))).toBe(true);
    expect(masterKeyFromEnv({ PRIVACY_MASTER_KEY: ` ${valid}\n` })).toHaveLength(32);
  });

  it('explains how to set a missing key', () => {
    expect(() => masterKeyFromEnv({})).toThrow(/PRIVACY_MASTER_KEY is not set.*openssl rand -base64 32/);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
    ['garbage', 'not-a-key'],
  ])('refuses a key of %s without echoing it', (_what, value) => {
    let message = '';
    try {
      parseMasterKey(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PRIVACY_MASTER_KEY must be standard base64 of exactly 32 bytes/);
    expect(message).not.toContain(value);
  });
});
