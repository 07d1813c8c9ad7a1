import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { inTransaction, isTransientConflict } from './transaction';

// CONTEXT (issue 9, CI): a case command cancelling a case's timers while intake's timer worker, holding those timers'
// row locks, waited to append to the same case: Postgres aborted the command as a deadlock victim and the agent got a
// 500. The victim of a deadlock committed nothing, so inTransaction runs it again like a lost concurrency race.
describe('inTransaction and lost races', () => {
  let testDb: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    testDb = await createTestDatabase('transaction_conflicts');
    pool = new Pool({ connectionString: testDb.url, max: 4 });
    await pool.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counters VALUES (1, 0), (2, 0)');
  });
  afterAll(async () => {
    await pool.end();
    await testDb.drop();
  });

  it('runs a deadlock victim again, so both transactions of a lock-order inversion commit', async () => {
    // Each transaction locks one row, waits until the other holds its first row too, then takes the other's: a
    // deadlock on the first attempt, whichever Postgres aborts.
    let holding = 0;
    const bothHolding = async () => {
      holding += 1;
      while (holding < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const attempts = { a: 0, b: 0 };
    const crossed = (first: number, second: number, name: 'a' | 'b') =>
      inTransaction(pool, async (tx) => {
        attempts[name] += 1;
        await tx.query('UPDATE counters SET n = n + 1 WHERE id = $1', [first]);
        if (attempts[name] === 1) await bothHolding();
        await tx.query('UPDATE counters SET n = n + 1 WHERE id = $1', [second]);
        return name;
      });

    await expect(Promise.all([crossed(1, 2, 'a'), crossed(2, 1, 'b')])).resolves.toEqual(['a', 'b']);

    // One of them was the victim and ran again; both increments of both rows committed exactly once.
    expect(attempts.a + attempts.b).toBe(3);
    const { rows } = await pool.query<{ id: number; n: number }>('SELECT id, n FROM counters ORDER BY id');
    expect(rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  it('does not run again what failed for another reason', async () => {
    let runs = 0;
    await expect(
      inTransaction(pool, async (tx) => {
        runs += 1;
        await tx.query('INSERT INTO counters VALUES (1, 0)'); // unique violation (23505): a real error
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(runs).toBe(1);
  });

  it('tells lost races from other errors', () => {
    expect(isTransientConflict(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(true);
    expect(isTransientConflict(Object.assign(new Error('could not serialize'), { code: '40001' }))).toBe(true);
    expect(isTransientConflict(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isTransientConflict(undefined)).toBe(false);
  });
});
