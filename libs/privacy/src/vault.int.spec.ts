import { randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import { openServiceDatabase, type ServiceDatabase } from '@aftersales/eventstore';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import {
  AccessPurposeRequired,
  CiphertextRejected,
  CustomerDataErased,
  PersonalDataVault,
  PrivacyMigrations,
  type DataAccess,
} from './index';

const pii = { name: 'Li Wei', phone: '+86 138 0013 8000', email: 'li.wei@example.com', address: '1 Nanjing Rd' };
const agent: DataAccess = {
  actor: 'agent-7',
  roles: ['agent'],
  purpose: 'call back about the refund',
  resource: 'complaint/c-1',
};

describe('PersonalDataVault on Postgres', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;
  let vault: PersonalDataVault;
  const masterKey = randomBytes(32);
  let n = 0;
  const aCustomer = () => `cus-${++n}`;

  beforeAll(async () => {
    testDb = await createTestDatabase('privacy');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name, migrations: PrivacyMigrations });
    vault = new PersonalDataVault({ db: db.pool, masterKey });
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  async function inTransaction<T>(fn: (tx: PoolClient) => Promise<T>): Promise<T> {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  const keyRow = async (tenant: string, customerId: string) =>
    (
      await db.pool.query<{ key: Buffer | null; erased_at: Date | null; erased_by: string | null }>(
        'SELECT key, erased_at, erased_by FROM privacy_customer_keys WHERE tenant = $1 AND customer_id = $2',
        [tenant, customerId],
      )
    ).rows;

  const logRows = async (tenant: string, customerId: string) =>
    (
      await db.pool.query('SELECT * FROM privacy_access_log WHERE tenant = $1 AND customer_id = $2 ORDER BY id', [
        tenant,
        customerId,
      ])
    ).rows;

  it('creates the key on first use, reuses it, and stores it wrapped', async () => {
    const customer = aCustomer();
    const first = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
    const second = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, { name: 'Li W.' }));
    expect(first).toEqual({ customerId: customer, keyVersion: 1, ciphertext: expect.any(String) });
    expect(second.keyVersion).toBe(1);
    const rows = await keyRow('shop-1', customer);
    expect(rows).toHaveLength(1);
    // iv (12) | tag (16) | wrapped 32-byte key: never the raw key.
    expect(rows[0]?.key).toHaveLength(60);
    for (const value of Object.values(pii)) expect(first.ciphertext).not.toContain(value);
    expect(await vault.open('shop-1', customer, second, agent)).toEqual({ name: 'Li W.' });
  });

  it('opens sealed data and records who, when, why and on what', async () => {
    const customer = aCustomer();
    const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
    const before = Date.now();
    expect(await vault.open('shop-1', customer, sealed, agent)).toEqual(pii);

    const log = await vault.accessLog('shop-1', customer);
    expect(log).toEqual([
      {
        id: expect.any(String),
        actor: 'agent-7',
        roles: ['agent'],
        purpose: 'call back about the refund',
        resource: 'complaint/c-1',
        outcome: 'opened',
        accessedAt: expect.any(Date),
      },
    ]);
    expect(log[0]?.accessedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('refuses an access without a purpose, and opens nothing', async () => {
    const customer = aCustomer();
    const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
    await expect(vault.open('shop-1', customer, sealed, { ...agent, purpose: '  ' })).rejects.toThrow(
      AccessPurposeRequired,
    );
    expect(await logRows('shop-1', customer)).toEqual([]);
  });

  it('leaves no key behind when the sealing transaction rolls back', async () => {
    const customer = aCustomer();
    await expect(
      inTransaction(async (tx) => {
        await vault.seal(tx, 'shop-1', customer, pii);
        throw new Error('the append failed');
      }),
    ).rejects.toThrow('the append failed');
    expect(await keyRow('shop-1', customer)).toEqual([]);
  });

  describe('another tenant', () => {
    it('gets nothing for a customer it never sealed data for (and the attempt is logged)', async () => {
      const customer = aCustomer();
      const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
      expect(await vault.open('shop-2', customer, sealed, agent)).toBeNull();
      expect(await logRows('shop-2', customer)).toEqual([
        expect.objectContaining({ outcome: 'no-key', actor: 'agent-7' }),
      ]);
    });

    it("cannot open one tenant's ciphertext with its own key of the same customer id", async () => {
      const customer = aCustomer();
      const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
      await inTransaction((tx) => vault.seal(tx, 'shop-2', customer, { name: 'Someone else' }));
      await expect(vault.open('shop-2', customer, sealed, agent)).rejects.toThrow(CiphertextRejected);
    });
  });

  it('detects a tampered ciphertext', async () => {
    const customer = aCustomer();
    const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x80;
    await expect(
      vault.open('shop-1', customer, { ...sealed, ciphertext: bytes.toString('base64') }, agent),
    ).rejects.toThrow(CiphertextRejected);
  });

  it('is useless without the master key: a copy of the database opens nothing', async () => {
    const customer = aCustomer();
    const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));
    const thief = new PersonalDataVault({ db: db.pool, masterKey: randomBytes(32) });
    await expect(thief.open('shop-1', customer, sealed, agent)).rejects.toThrow(CiphertextRejected);
  });

  describe('erasure', () => {
    it('destroys the key: open returns null (logged), sealing again is refused, a second erasure changes nothing', async () => {
      const customer = aCustomer();
      const sealed = await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii));

      const erasure = await vault.erase('shop-1', customer, 'supervisor-2');
      expect(erasure).toEqual({ erasedAt: expect.any(Date), erasedBy: 'supervisor-2', alreadyErased: false });
      expect(await keyRow('shop-1', customer)).toEqual([
        { key: null, erased_at: erasure.erasedAt, erased_by: 'supervisor-2' },
      ]);
      expect(await vault.status('shop-1', customer)).toEqual({
        state: 'erased',
        erasedAt: erasure.erasedAt,
        erasedBy: 'supervisor-2',
      });

      expect(await vault.open('shop-1', customer, sealed, agent)).toBeNull();
      expect((await vault.accessLog('shop-1', customer))[0]).toMatchObject({ outcome: 'erased', actor: 'agent-7' });

      await expect(inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii))).rejects.toThrow(CustomerDataErased);

      const again = await vault.erase('shop-1', customer, 'admin-1');
      expect(again).toEqual({ erasedAt: erasure.erasedAt, erasedBy: 'supervisor-2', alreadyErased: true });
    });

    it('of a customer without data leaves a tombstone that stops later sealing', async () => {
      const customer = aCustomer();
      expect(await vault.status('shop-1', customer)).toEqual({ state: 'none' });
      expect((await vault.erase('shop-1', customer, 'supervisor-2')).alreadyErased).toBe(false);
      await expect(inTransaction((tx) => vault.seal(tx, 'shop-1', customer, pii))).rejects.toThrow(CustomerDataErased);
    });

    it("erases one tenant's customer only", async () => {
      const customer = aCustomer();
      const other = await inTransaction((tx) => vault.seal(tx, 'shop-2', customer, pii));
      await vault.erase('shop-1', customer, 'supervisor-2');
      expect(await vault.open('shop-2', customer, other, agent)).toEqual(pii);
    });

    // CONTEXT: the sealing transaction share-locks the key row, so an erasure issued while a complaint is being
    // stored waits for it and then destroys the key of what was just stored: nothing slips through readable.
    it('waits for a transaction that is sealing, then makes its ciphertext unreadable', async () => {
      const customer = aCustomer();
      await inTransaction((tx) => vault.seal(tx, 'shop-1', customer, { name: 'first' }));
      const client = await db.pool.connect();
      try {
        await client.query('BEGIN');
        const sealed = await vault.seal(client, 'shop-1', customer, pii);
        let erasedYet = false;
        const erasing = vault.erase('shop-1', customer, 'supervisor-2').then((e) => ((erasedYet = true), e));
        // The erasure is blocked on the sealing transaction's lock (seen by Postgres), not merely slow to start.
        const deadline = Date.now() + 30_000;
        const waitingOnLock = async () =>
          (
            await db.pool.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%privacy_customer_keys%'`,
            )
          ).rows[0]?.n === 1;
        while (!(await waitingOnLock()) && !erasedYet && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 20));
        expect(erasedYet).toBe(false);
        expect(await waitingOnLock()).toBe(true);
        await client.query('COMMIT');
        expect((await erasing).alreadyErased).toBe(false);
        expect(await vault.open('shop-1', customer, sealed, agent)).toBeNull();
      } finally {
        client.release();
      }
    });
  });
});
