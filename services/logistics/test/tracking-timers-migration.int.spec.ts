import { openServiceDatabase, type ServiceDatabase } from '@aftersales/eventstore';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { TrackingTimersInPlace1796156478721 } from '../src/infrastructure/persistence/1796156478721-tracking-timers-in-place';

// CONTEXT (issue 11): tracking timers were one row per shipment state (`tracking:<id>:<version>`); they are one row per
// shipment now (`tracking:<id>`), moved in place. A database of the old code keeps its pending timers, renamed.
describe('migration: tracking timers in place', () => {
  let testDb: TestDatabase;
  let db: ServiceDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase('logistics_timers_migration');
    db = await openServiceDatabase({ serverUrl: testDb.url, database: testDb.name });
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it("renames each shipment's pending timer, keeps the fired and cancelled ones' names, cancels a stray second", async () => {
    const a = 'a0000000-0000-4000-8000-000000000001';
    const b = 'b0000000-0000-4000-8000-000000000002';
    const row = (id: string, due: string, state: 'pending' | 'fired' | 'cancelled', kind = 'shipment-tracking') =>
      db.pool.query(
        `INSERT INTO es_timers (timer_id, tenant, kind, due_at, payload, fired_at, cancelled_at)
         VALUES ($1, 't', $2, $3, '{}', $4, $5)`,
        [id, kind, due, state === 'fired' ? due : null, state === 'cancelled' ? due : null],
      );
    await row(`tracking:${a}:1`, '2026-12-01T00:00:00Z', 'cancelled');
    await row(`tracking:${a}:2`, '2026-12-02T00:00:00Z', 'fired');
    await row(`tracking:${a}:3`, '2026-12-04T00:00:00Z', 'pending');
    await row(`tracking:${b}:4`, '2026-12-03T00:00:00Z', 'pending');
    await row(`tracking:${b}:5`, '2026-12-05T00:00:00Z', 'pending');
    await row(`notice:${a}:customer`, '2026-12-01T00:00:00Z', 'pending', 'shipment-notice');

    await new TrackingTimersInPlace1796156478721().up({ query: (sql: string) => db.pool.query(sql) } as never);

    const { rows } = await db.pool.query<{ timer_id: string; armed: boolean; due_at: Date }>(
      `SELECT timer_id, fired_at IS NULL AND cancelled_at IS NULL AS armed, due_at FROM es_timers ORDER BY timer_id`,
    );
    expect(rows.map((r) => [r.timer_id, r.armed, r.due_at.toISOString()])).toEqual([
      [`notice:${a}:customer`, true, '2026-12-01T00:00:00.000Z'],
      [`tracking:${a}`, true, '2026-12-04T00:00:00.000Z'],
      [`tracking:${a}:1`, false, '2026-12-01T00:00:00.000Z'],
      [`tracking:${a}:2`, false, '2026-12-02T00:00:00.000Z'],
      [`tracking:${b}`, true, '2026-12-05T00:00:00.000Z'],
      [`tracking:${b}:4`, false, '2026-12-03T00:00:00.000Z'],
    ]);
  });
});
