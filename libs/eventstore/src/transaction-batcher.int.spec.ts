import { Pool, type PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { ConcurrencyError } from './errors';
import { TransactionBatcher } from './transaction-batcher';

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

// CONTEXT (issue 12): the payment provider's webhooks are recorded many per transaction (group commit). Each item runs
// in its own savepoint; what fails stays with its item, and nothing is committed twice.
describe('TransactionBatcher (group commit)', () => {
  let testDb: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    testDb = await createTestDatabase('transaction_batcher');
    pool = new Pool({ connectionString: testDb.url, max: 4 });
    // n = -1 breaks its statement; an n taken already breaks the commit (a deferred constraint), not the statement.
    await pool.query(`CREATE TABLE items (id text PRIMARY KEY, n int NOT NULL, tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
      CONSTRAINT items_not_minus_one CHECK (n <> -1), CONSTRAINT items_n UNIQUE (n) DEFERRABLE INITIALLY DEFERRED)`);
  });
  afterAll(async () => {
    await pool.end();
    await testDb.drop();
  });
  beforeEach(() => pool.query('TRUNCATE items'));

  const insert = (tx: PoolClient, id: string, n: number) =>
    tx.query('INSERT INTO items (id, n) VALUES ($1, $2)', [id, n]);
  const stored = async () =>
    (await pool.query<{ id: string; tx: string }>('SELECT id, tx::text FROM items ORDER BY id')).rows;

  it('runs the items submitted while a transaction runs together in the next one, and answers each after its commit', async () => {
    const first = gate();
    const prepared: string[][] = [];
    const batcher = new TransactionBatcher<string, string, string[]>({
      pool,
      prepare: async (items) => {
        prepared.push([...items]);
        return [...items];
      },
      run: async (id, tx) => {
        if (id === 'a') await first.opened;
        await insert(tx, id, id.charCodeAt(0));
        return `${id} done`;
      },
    });
    const a = batcher.submit('a');
    // `a`'s transaction is running (waiting on the gate): these three wait and go together.
    const rest = ['b', 'c', 'd'].map((id) => batcher.submit(id));
    first.open();
    await expect(Promise.all([a, ...rest])).resolves.toEqual(['a done', 'b done', 'c done', 'd done']);
    expect(prepared).toEqual([['a'], ['b', 'c', 'd']]);
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(new Set(rows.slice(1).map((r) => r.tx)).size).toBe(1);
    expect(rows[0]!.tx).not.toBe(rows[1]!.tx);
  });

  it('an item that fails is undone alone and gets its error; the others of its transaction commit once', async () => {
    const first = gate();
    const batcher = new TransactionBatcher<string, void, undefined>({
      pool,
      run: async (id, tx) => {
        if (id === 'a') await first.opened;
        await insert(tx, `${id}-1`, 100 + id.charCodeAt(0));
        if (id === 'c') await insert(tx, `${id}-2`, -1); // CHECK violation, after a write of its own
      },
    });
    const a = batcher.submit('a');
    const [b, c, d] = ['b', 'c', 'd'].map((id) => batcher.submit(id));
    first.open();
    await a;
    await expect(c).rejects.toMatchObject({ code: '23514' });
    await expect(Promise.all([b, d])).resolves.toEqual([undefined, undefined]);
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(['a-1', 'b-1', 'd-1']);
    expect(rows[1]!.tx).toBe(rows[2]!.tx);
  });

  it('items that only read run without savepoints: a failed one leaves its share out, a failed statement reruns each alone', async () => {
    const first = gate();
    const second = gate();
    const statements: string[] = [];
    const batcher = new TransactionBatcher<string, string, string[]>({
      pool,
      itemsOnlyRead: true,
      prepare: async (_items, tx) => {
        if (!jest.isMockFunction(tx.query)) {
          const query = tx.query.bind(tx) as (...args: unknown[]) => Promise<unknown>;
          jest.spyOn(tx, 'query').mockImplementation(((text: string, ...rest: unknown[]) => {
            statements.push(text);
            return query(text, ...rest);
          }) as never);
        }
        return [];
      },
      run: async (id, tx, gathered) => {
        if (id === 'a') await first.opened;
        if (id === 'e') await second.opened;
        await tx.query('SELECT $1::text', [id]);
        if (id === 'c') throw new Error('c refused');
        // A read that breaks aborts the transaction: no item of it can commit.
        if (id === 'x') await tx.query('SELECT 1/0');
        gathered.push(id);
        return `${id} done`;
      },
      finish: async (tx, gathered) => {
        for (const id of gathered) await insert(tx, id, 300 + id.charCodeAt(0));
      },
    });
    const a = batcher.submit('a');
    const [b, c, d] = ['b', 'c', 'd'].map((id) => batcher.submit(id));
    first.open();
    await a;
    await expect(c).rejects.toThrow('c refused');
    await expect(Promise.all([b, d])).resolves.toEqual(['b done', 'd done']);
    expect((await stored()).map((r) => r.id)).toEqual(['a', 'b', 'd']);
    expect(statements.filter((q) => q.includes('SAVEPOINT'))).toEqual([]);

    await pool.query('TRUNCATE items');
    const e = batcher.submit('e');
    const [f, x, g] = ['f', 'x', 'g'].map((id) => batcher.submit(id));
    second.open();
    await expect(e).resolves.toBe('e done');
    // The transaction of f, x and g failed as a whole (x's statement); run again each alone, only x fails.
    await expect(x).rejects.toMatchObject({ code: '22012' });
    await expect(Promise.all([f, g])).resolves.toEqual(['f done', 'g done']);
    expect((await stored()).map((r) => r.id).sort()).toEqual(['e', 'f', 'g']);
  });

  it('items that only read: a statement of one that loses a race (a deadlock) runs the whole transaction again together', async () => {
    const first = gate();
    let deadlocks = 1;
    const batcher = new TransactionBatcher<string, string, string[]>({
      pool,
      itemsOnlyRead: true,
      prepare: async () => [],
      run: async (id, tx, gathered) => {
        if (id === 'a') await first.opened;
        // The deadlock Postgres reports when two transactions wait on each other's rows (SQLSTATE 40P01), once.
        if (id === 'c' && deadlocks-- > 0)
          await tx.query(`DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`);
        gathered.push(id);
        return `${id} done`;
      },
      finish: async (tx, gathered) => {
        for (const id of gathered) await insert(tx, id, 400 + id.charCodeAt(0));
      },
    });
    const a = batcher.submit('a');
    const rest = ['b', 'c', 'd'].map((id) => batcher.submit(id));
    first.open();
    await expect(Promise.all([a, ...rest])).resolves.toEqual(['a done', 'b done', 'c done', 'd done']);
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    // b, c and d committed together by the transaction after the one the deadlock broke: not each alone.
    expect(new Set(rows.slice(1).map((r) => r.tx)).size).toBe(1);
  });

  it('an item that lost a race goes into the next transaction; the others are not run again', async () => {
    const first = gate();
    const runs = new Map<string, number>();
    const batcher = new TransactionBatcher<string, void, undefined>({
      pool,
      run: async (id, tx) => {
        runs.set(id, (runs.get(id) ?? 0) + 1);
        if (id === 'a') await first.opened;
        if (id === 'c' && runs.get(id) === 1) throw new ConcurrencyError(`stream-${id}`, 1, 2, 'lost', false);
        await insert(tx, id, 200 + id.charCodeAt(0));
      },
    });
    const all = ['a', 'b', 'c', 'd'].map((id) => batcher.submit(id));
    first.open();
    await Promise.all(all);
    expect(Object.fromEntries(runs)).toEqual({ a: 1, b: 1, c: 2, d: 1 });
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(rows[1]!.tx).toBe(rows[3]!.tx);
    expect(rows[2]!.tx).not.toBe(rows[1]!.tx);
  });

  it('a transaction that fails as a whole (its commit) runs its items again each alone: only the culprit fails, nothing twice', async () => {
    const first = gate();
    const runs = new Map<string, number>();
    const finished: string[][] = [];
    const batcher = new TransactionBatcher<string, void, string[]>({
      pool,
      prepare: async () => [],
      run: async (id, tx, done) => {
        runs.set(id, (runs.get(id) ?? 0) + 1);
        if (id === 'a') await first.opened;
        // `c` takes the n of `x` (committed before): the commit of `c`'s transaction breaks, whoever else is in it.
        await insert(tx, id, id === 'c' ? 7 : 300 + id.charCodeAt(0));
        done.push(id);
      },
      finish: async (_tx, done) => {
        finished.push([...done]);
      },
    });
    await pool.query(`INSERT INTO items (id, n) VALUES ('x', 7)`);
    const a = batcher.submit('a');
    const [b, c, d] = ['b', 'c', 'd'].map((id) => batcher.submit(id));
    first.open();
    await a;
    await expect(c).rejects.toMatchObject({ code: '23505' });
    await expect(Promise.all([b, d])).resolves.toEqual([undefined, undefined]);
    expect(Object.fromEntries(runs)).toEqual({ a: 1, b: 2, c: 2, d: 2 });
    expect(finished).toEqual([['a'], ['b', 'c', 'd'], ['b'], ['c'], ['d']]);
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'd', 'x']);
  });
});
