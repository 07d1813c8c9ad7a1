import { randomBytes } from 'node:crypto';
import { CiphertextRejected, wrapDataKey } from './crypto';
import { LocalMasterKeyProvider, localKeyId, masterKeyProviderFromEnv } from './key-provider';

describe('LocalMasterKeyProvider (the local adapter of the master-key port)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const context = { tenant: 'shop-1', customerId: 'cus-1' };
  const dataKey = randomBytes(32);

  it('wraps with the current key, naming it, and unwraps by the key id', async () => {
    const keys = new LocalMasterKeyProvider(newKey, [oldKey]);
    const { keyId, wrapped } = await keys.wrap(dataKey, context);
    expect(keyId).toBe(localKeyId(newKey));
    expect(keys.keyIds).toEqual([localKeyId(newKey), localKeyId(oldKey)]);
    expect(await keys.unwrap(keyId, wrapped, context)).toEqual(dataKey);
    const legacy = wrapDataKey(oldKey, dataKey, context.tenant, context.customerId);
    expect(await keys.unwrap(null, legacy, context)).toEqual(dataKey);
    expect(await keys.unwrap(localKeyId(oldKey), legacy, context)).toEqual(dataKey);
  });

  it('refuses a key it does not hold, and a wrapped key bound to another customer', async () => {
    const old = new LocalMasterKeyProvider(oldKey);
    const { keyId, wrapped } = await new LocalMasterKeyProvider(newKey).wrap(dataKey, context);
    await expect(old.unwrap(keyId, wrapped, context)).rejects.toThrow(
      /does not hold: set it in PRIVACY_PREVIOUS_MASTER_KEYS/,
    );
    const both = new LocalMasterKeyProvider(newKey, [oldKey]);
    await expect(both.unwrap(keyId, wrapped, { ...context, customerId: 'cus-2' })).rejects.toThrow(CiphertextRejected);
  });

  it('reads PRIVACY_MASTER_KEY and PRIVACY_PREVIOUS_MASTER_KEYS, naming a malformed one', () => {
    const keys = masterKeyProviderFromEnv({
      PRIVACY_MASTER_KEY: newKey.toString('base64'),
      PRIVACY_PREVIOUS_MASTER_KEYS: ` ${oldKey.toString('base64')} ,`,
    });
    expect(keys.keyIds).toEqual([localKeyId(newKey), localKeyId(oldKey)]);
    expect(() =>
      masterKeyProviderFromEnv({
        PRIVACY_MASTER_KEY: newKey.toString('base64'),
        PRIVACY_PREVIOUS_MASTER_KEYS: 'short',
      }),
    ).toThrow(/PRIVACY_PREVIOUS_MASTER_KEYS \(key 1\) must be standard base64 of exactly 32 bytes/);
  });
});
