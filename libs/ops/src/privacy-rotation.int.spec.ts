import { randomBytes } from 'node:crypto';
import { openServiceDatabase, type ServiceDatabase } from '@aftersales/eventstore';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  CiphertextRejected,
  LocalMasterKeyProvider,
  localKeyId,
  PersonalDataVault,
  PrivacyMigrations,
  rotateMasterKey,
  wrappedKeyCounts,
  type DataAccess,
  type SealedPersonalData,
} from '@aftersales/privacy';
import { runOps } from './run-ops';

const agent: DataAccess = { actor: 'agent-7', roles: ['agent'], purpose: 'call back', resource: 'case/c-1' };

// CONTEXT: a master-key rotation on Postgres: data keys sealed under the old key (some before key ids were recorded),
// re-wrapped under the new one by the library and by `npm run ops -- privacy rotate-master-key`; what was sealed
// before opens with the new key alone, the old key alone opens nothing any more, erased customers stay erased.
describe('privacy master-key rotation', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const sealed = new Map<string, SealedPersonalData>();

  const inTransaction = async <T>(fn: (tx: import('pg').PoolClient) => Promise<T>) => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } finally {
      client.release();
    }
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('privacy_rotation');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, migrations: PrivacyMigrations });
    const before = new PersonalDataVault({ db: db.pool, keys: new LocalMasterKeyProvider(oldKey) });
    for (let i = 1; i <= 7; i++) {
      const customer = `cus-${i}`;
      sealed.set(customer, await inTransaction((tx) => before.seal(tx, 'shop-1', customer, { name: `Customer ${i}` })));
    }
    // Sealed before key ids were recorded (the column came with the rotation): the provider tries each key it holds.
    await db.pool.query(
      `UPDATE privacy_customer_keys SET master_key_id = NULL WHERE customer_id IN ('cus-1', 'cus-2')`,
    );
    await before.erase('shop-1', 'cus-7', 'supervisor-2');
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const opened = (vault: PersonalDataVault, customer: string) =>
    vault.open('shop-1', customer, sealed.get(customer) as SealedPersonalData, agent);

  it('re-wraps every live data key under the new key, in batches, without touching the ciphertexts', async () => {
    expect(await wrappedKeyCounts(db.pool)).toEqual({ '(legacy)': 2, [localKeyId(oldKey)]: 4 });
    const progress: Array<[number, number]> = [];
    const during = new LocalMasterKeyProvider(newKey, [oldKey]);

    // A service already running with both keys during the rotation opens everything and seals new customers
    // under the new key.
    const rotating = new PersonalDataVault({ db: db.pool, keys: during });
    expect(await opened(rotating, 'cus-1')).toEqual({ name: 'Customer 1' });
    sealed.set('cus-8', await inTransaction((tx) => rotating.seal(tx, 'shop-1', 'cus-8', { name: 'Customer 8' })));

    const result = await rotateMasterKey(db.pool, during, {
      batchSize: 4,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result).toEqual({ stale: 6, rewrapped: 6, failed: [], alreadyCurrent: 1 });
    expect(progress).toEqual([
      [0, 6],
      [4, 6],
      [6, 6],
      [6, 6],
    ]);
    expect(await wrappedKeyCounts(db.pool)).toEqual({ [localKeyId(newKey)]: 7 });

    const after = new PersonalDataVault({ db: db.pool, keys: new LocalMasterKeyProvider(newKey) });
    for (let i = 1; i <= 8; i++) {
      if (i !== 7) expect(await opened(after, `cus-${i}`)).toEqual({ name: `Customer ${i}` });
    }
    expect(await opened(after, 'cus-7')).toBeNull();
    const oldOnly = new PersonalDataVault({ db: db.pool, keys: new LocalMasterKeyProvider(oldKey) });
    await expect(opened(oldOnly, 'cus-3')).rejects.toThrow(CiphertextRejected);

    expect(await rotateMasterKey(db.pool, during)).toEqual({ stale: 0, rewrapped: 0, failed: [], alreadyCurrent: 7 });
  });

  it('npm run ops -- privacy rotate-master-key: dry run, rotation, refusal without the previous key', async () => {
    const third = randomBytes(32);
    const out: string[] = [];
    const err: string[] = [];
    const ops = (args: string[], keys: Record<string, string>) =>
      runOps(['privacy', args[0] as string, 'intake', ...args.slice(1), '--database', testDb.name], {
        env: { DATABASE_URL: testDb.url, ...keys },
        io: { out: (l) => out.push(l), err: (l) => err.push(l) },
      });
    const env = {
      PRIVACY_MASTER_KEY: third.toString('base64'),
      PRIVACY_PREVIOUS_MASTER_KEYS: `${oldKey.toString('base64')}, ${newKey.toString('base64')}`,
    };

    expect(await ops(['rotate-master-key', '--dry-run'], env)).toBe(0);
    expect(out).toContain(`would re-wrap 7 data key(s) under ${localKeyId(third)} (0 already under it)`);

    // Without the key that wraps them now, nothing can be re-wrapped: exit 1, every customer named, nothing changed.
    out.length = 0;
    expect(await ops(['rotate-master-key'], { PRIVACY_MASTER_KEY: third.toString('base64') })).toBe(1);
    expect(err.filter((l) => l.startsWith('could not re-wrap shop-1/'))).toHaveLength(7);
    expect(await wrappedKeyCounts(db.pool)).toEqual({ [localKeyId(newKey)]: 7 });

    out.length = 0;
    expect(await ops(['rotate-master-key', '--batch', '3'], env)).toBe(0);
    expect(out).toContain(`re-wrapped 7 data key(s) under ${localKeyId(third)} (0 already under it)`);
    expect(out).toContain(
      'done: every data key is wrapped by the new key; PRIVACY_PREVIOUS_MASTER_KEYS can be removed',
    );

    out.length = 0;
    expect(await ops(['key-status'], env)).toBe(0);
    expect(out).toEqual(['master key\tdata keys', `${localKeyId(third)}\t7`]);

    const last = new PersonalDataVault({ db: db.pool, keys: new LocalMasterKeyProvider(third) });
    expect(await opened(last, 'cus-8')).toEqual({ name: 'Customer 8' });
    expect(await ops(['rotate-master-key', '--batch', '0'], env)).toBe(2);
  });
});
