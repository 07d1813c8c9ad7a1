import { randomUUID } from 'node:crypto';
import { Client, type PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { regionalTallyKey, type RegionalSignal } from '../../application/regional-signals.port';
import { alarmWindowOf } from '../../domain/regional-alarm';
import { RegionalSignals1796156478720 } from './1796156478720-regional-signals';
import { RegionalTallies1796156478722 } from './1796156478722-regional-tallies';
import { PostgresRegionalSignals } from './regional-signals.postgres';

// A transaction of stalled shipments records its regional signals and moves its windows' tallies in two statements
// (ADR 29): the counters must always equal a count of the signals themselves, however the signals arrive — one by one,
// many at once, repeated, or from transactions running side by side.

const window = alarmWindowOf('2026-12-02T10:00:00.000Z', 6);
const later = alarmWindowOf('2026-12-02T16:00:00.000Z', 6);
const signal = (region: string, w = window, over: Partial<RegionalSignal> = {}): RegionalSignal => ({
  region,
  window: w,
  shipmentId: randomUUID(),
  kind: 'stalled',
  carrier: 'SF Express',
  orderId: `ORD-${randomUUID().slice(0, 8)}`,
  caseId: null,
  ...over,
});

const migrate = async (client: Client, ...migrations: Array<{ up(q: QueryRunner): Promise<void> }>) => {
  for (const m of migrations) await m.up({ query: (sql: string) => client.query(sql) } as unknown as QueryRunner);
};

/** Every window's tally counted again from its signals, the way the tally was counted before ADR 29. */
async function recount(client: Client) {
  const { rows } = await client.query(
    `SELECT tenant, region, window_start,
            count(DISTINCT shipment_id) FILTER (WHERE kind = 'stalled')::int AS stalled,
            count(DISTINCT shipment_id) FILTER (WHERE kind = 'lost')::int AS lost,
            count(DISTINCT shipment_id)::int AS shipments,
            count(DISTINCT order_id)::int AS orders,
            array_agg(DISTINCT carrier ORDER BY carrier) AS carriers,
            coalesce(array_agg(DISTINCT case_id ORDER BY case_id) FILTER (WHERE case_id IS NOT NULL), '{}') AS cases
       FROM regional_signals GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return rows;
}

async function counters(client: Client) {
  const { rows } = await client.query(
    `SELECT tenant, region, window_start, stalled_shipments AS stalled, lost_shipments AS lost, shipments,
            affected_customers AS orders, carriers, ARRAY(SELECT c FROM unnest(case_ids) c ORDER BY c) AS cases
       FROM regional_tallies ORDER BY 1, 2, 3`,
  );
  return rows;
}

describe('PostgresRegionalSignals (real Postgres)', () => {
  let db: TestDatabase;
  let client: Client;
  const signals = new PostgresRegionalSignals();
  const tx = () => client as unknown as PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase('logistics_regional_signals');
    client = new Client({ connectionString: db.url });
    await client.connect();
    await migrate(client, new RegionalSignals1796156478720(), new RegionalTallies1796156478722());
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('records many signals in one call and answers each region and window’s tally after all of them', async () => {
    const caseId = randomUUID();
    const before = signal('CN-01');
    await signals.recordAll(tx(), 'shop-a', [before]);
    const batch = [
      signal('CN-01'),
      signal('CN-02'),
      signal('CN-01', window, { kind: 'lost', carrier: 'ZTO Express', caseId }),
      signal('CN-01', later),
      // The same shipment again (a timer fired twice): counted once.
      { ...before },
    ];
    const tallies = await signals.recordAll(tx(), 'shop-a', batch);
    expect(tallies.size).toBe(3);
    expect(tallies.get(regionalTallyKey('CN-01', window))).toEqual({
      tally: {
        stalledShipments: 2,
        lostShipments: 1,
        shipments: 3,
        affectedCustomers: 3,
        carriers: ['SF Express', 'ZTO Express'],
        caseIds: [caseId],
      },
      alarmRaised: false,
    });
    expect(tallies.get(regionalTallyKey('CN-02', window))?.tally).toMatchObject({ stalledShipments: 1, shipments: 1 });
    expect(tallies.get(regionalTallyKey('CN-01', later))?.tally).toMatchObject({ stalledShipments: 1, shipments: 1 });
    // Another tenant's signals in the same region and window are not counted.
    const other = await signals.recordAll(tx(), 'shop-b', [signal('CN-01')]);
    expect(other.get(regionalTallyKey('CN-01', window))?.tally).toMatchObject({ shipments: 1 });
    const again = await signals.recordAll(tx(), 'shop-a', [signal('CN-02')]);
    expect(again.get(regionalTallyKey('CN-02', window))?.tally).toMatchObject({ shipments: 2 });
    // Only repeats: nothing new is counted, the tally is still answered.
    const repeated = await signals.recordAll(tx(), 'shop-a', [{ ...before }]);
    expect(repeated.get(regionalTallyKey('CN-01', window))?.tally).toMatchObject({ shipments: 3, stalledShipments: 2 });
  });

  it('keeps counters equal to a count of the signals: a shipment stalled then lost, orders and cases shared', async () => {
    const orders = Array.from({ length: 6 }, (_, i) => `ORD-shared-${i}`);
    const cases = Array.from({ length: 4 }, () => randomUUID());
    const shipments = Array.from({ length: 30 }, (_, i) => ({
      id: randomUUID(),
      orderId: orders[i % orders.length] as string,
      caseId: i % 3 === 0 ? (cases[i % cases.length] as string) : null,
      region: `CN-${10 + (i % 4)}`,
      carrier: i % 2 === 0 ? 'SF Express' : 'YTO Express',
    }));
    // Deterministic pseudo-random transactions of 1–8 signals each: stalls, losses, repeats.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 16) % n;
    };
    for (let t = 0; t < 40; t++) {
      const batch: RegionalSignal[] = [];
      for (let k = 0, n = 1 + next(8); k < n; k++) {
        const s = shipments[next(shipments.length)]!;
        batch.push(
          signal(s.region, next(4) === 0 ? later : window, {
            shipmentId: s.id,
            kind: next(3) === 0 ? 'lost' : 'stalled',
            orderId: s.orderId,
            caseId: s.caseId,
            carrier: s.carrier,
          }),
        );
      }
      await signals.recordAll(tx(), 'shop-random', batch);
    }
    const counted = (await counters(client)).filter((r) => r.tenant === 'shop-random');
    expect(counted.length).toBeGreaterThan(4);
    expect(counted).toEqual((await recount(client)).filter((r) => r.tenant === 'shop-random'));
  });

  it('counts exactly when two transactions record the same window side by side: the second waits for the first', async () => {
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      const first = signal('CN-30', window, { orderId: 'ORD-together' });
      const second = signal('CN-30', window, { orderId: 'ORD-together' });
      await client.query('BEGIN');
      await other.query('BEGIN');
      await signals.recordAll(tx(), 'shop-c', [first]);
      let answered = false;
      const pending = signals
        .recordAll(other as unknown as PoolClient, 'shop-c', [second, { ...first, kind: 'lost' }])
        .then((tallies) => {
          answered = true;
          return tallies;
        });
      // It is waiting on the window's tally, not counting from a snapshot without the first transaction's signal.
      await new Promise((r) => setTimeout(r, 300));
      const { rows } = await client.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      expect(rows[0]?.waiting).toBe(1);
      expect(answered).toBe(false);
      await client.query('COMMIT');
      const tallies = await pending;
      await other.query('COMMIT');
      expect(tallies.get(regionalTallyKey('CN-30', window))?.tally).toMatchObject({
        stalledShipments: 2,
        lostShipments: 1,
        shipments: 2,
        affectedCustomers: 1,
      });
      expect((await counters(client)).filter((r) => r.tenant === 'shop-c')).toEqual(
        (await recount(client)).filter((r) => r.tenant === 'shop-c'),
      );
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  });

  it('remembers the windows whose alarm was raised; their signals still count', async () => {
    await signals.recordAll(tx(), 'shop-d', [signal('CN-40'), signal('CN-41')]);
    await signals.alarmsRaised(tx(), 'shop-d', [{ region: 'CN-40', window }]);
    const tallies = await signals.recordAll(tx(), 'shop-d', [signal('CN-40'), signal('CN-41')]);
    expect(tallies.get(regionalTallyKey('CN-40', window))).toMatchObject({
      alarmRaised: true,
      tally: { shipments: 2 },
    });
    expect(tallies.get(regionalTallyKey('CN-41', window))).toMatchObject({
      alarmRaised: false,
      tally: { shipments: 2 },
    });
    // Another tenant's window of the same region is its own.
    const other = await signals.recordAll(tx(), 'shop-e', [signal('CN-40')]);
    expect(other.get(regionalTallyKey('CN-40', window))?.alarmRaised).toBe(false);
  });

  it('nothing to record: no statement, no tally', async () => {
    expect((await signals.recordAll(tx(), 'shop-a', [])).size).toBe(0);
    await signals.alarmsRaised(tx(), 'shop-a', []);
  });
});

describe('RegionalTallies migration (real Postgres)', () => {
  it('backfills the tallies of the windows counted before it from their signals', async () => {
    const db = await createTestDatabase('logistics_regional_tallies_migration');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await migrate(client, new RegionalSignals1796156478720());
      const caseId = randomUUID();
      const stalled = signal('CN-50', window, { caseId, orderId: 'ORD-1' });
      const rows = [
        stalled,
        { ...stalled, kind: 'lost' as const },
        signal('CN-50', window, { orderId: 'ORD-1', carrier: 'ZTO Express' }),
        signal('CN-51', later),
      ];
      for (const s of rows)
        await client.query(
          `INSERT INTO regional_signals (tenant, region, window_start, shipment_id, kind, carrier, order_id, case_id)
           VALUES ('shop-m', $1, $2, $3, $4, $5, $6, $7)`,
          [s.region, s.window.startedAt, s.shipmentId, s.kind, s.carrier, s.orderId, s.caseId],
        );
      await migrate(client, new RegionalTallies1796156478722());
      expect(await counters(client)).toEqual(await recount(client));
      const tallies = await new PostgresRegionalSignals().recordAll(client as unknown as PoolClient, 'shop-m', [
        signal('CN-50', window, { orderId: 'ORD-2' }),
      ]);
      expect(tallies.get(regionalTallyKey('CN-50', window))?.tally).toEqual({
        stalledShipments: 3,
        lostShipments: 1,
        shipments: 3,
        affectedCustomers: 2,
        carriers: ['SF Express', 'ZTO Express'],
        caseIds: [caseId],
      });
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
