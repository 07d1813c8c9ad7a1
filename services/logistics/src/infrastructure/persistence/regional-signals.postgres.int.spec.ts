import { randomUUID } from 'node:crypto';
import { Client, type PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@aftersales/testing';
import { regionalTallyKey, type RegionalSignal } from '../../application/regional-signals.port';
import { alarmWindowOf } from '../../domain/regional-alarm';
import { RegionalSignals1796156478720 } from './1796156478720-regional-signals';
import { PostgresRegionalSignals } from './regional-signals.postgres';

// A transaction of stalled shipments records its regional signals at once: one statement for all of them, each region's
// window counted once after all of them — the same tallies as recording them one by one.

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

describe('PostgresRegionalSignals (real Postgres)', () => {
  let db: TestDatabase;
  let client: Client;
  const signals = new PostgresRegionalSignals();
  const tx = () => client as unknown as PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase('logistics_regional_signals');
    client = new Client({ connectionString: db.url });
    await client.connect();
    await new RegionalSignals1796156478720().up({
      query: (sql: string) => client.query(sql),
    } as unknown as QueryRunner);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('records many signals in one call and answers each region and window’s tally after all of them', async () => {
    const caseId = randomUUID();
    const before = signal('CN-01');
    await signals.record(tx(), 'shop-a', before);
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
      stalledShipments: 2,
      lostShipments: 1,
      shipments: 3,
      affectedCustomers: 3,
      carriers: ['SF Express', 'ZTO Express'],
      caseIds: [caseId],
    });
    expect(tallies.get(regionalTallyKey('CN-02', window))).toMatchObject({ stalledShipments: 1, shipments: 1 });
    expect(tallies.get(regionalTallyKey('CN-01', later))).toMatchObject({ stalledShipments: 1, shipments: 1 });
    // Another tenant's signals in the same region and window are not counted.
    const other = await signals.recordAll(tx(), 'shop-b', [signal('CN-01')]);
    expect(other.get(regionalTallyKey('CN-01', window))).toMatchObject({ shipments: 1 });
    expect(await signals.record(tx(), 'shop-a', signal('CN-02'))).toMatchObject({ shipments: 2 });
  });

  it('nothing to record: no statement, no tally', async () => {
    expect((await signals.recordAll(tx(), 'shop-a', [])).size).toBe(0);
  });
});
