import { createHash } from 'node:crypto';
import { historyOf, stateOf } from '@aftersales/testing/decider';
import type { ScanStatus } from '../domain/scan-status';
import { shipmentDecider, type ShipmentCommand, type ShipmentState } from '../domain/shipment.decider';
import { registration, scanOf } from '../domain/testing/shipment.builder';
import { defaultLogisticsPolicy } from '../domain/tracking-policy';
import { shipmentSnapshots } from './shipment-snapshots';

const HOUR = 3_600_000;
const t0 = new Date('2026-12-01T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);
const command = (type: ShipmentCommand['type'], data: unknown, hours: number): ShipmentCommand =>
  ({ type, data, context: { tenant: 'shop-1', actor: { id: 'agent-7', roles: ['agent'] }, now: at(hours) } }) as never;
const scan = (n: number, status: ScanStatus, hours: number, location: string, received = hours): ShipmentCommand =>
  command('RecordScan', { scan: scanOf(`ev-${n}`, status, location, at(hours), at(received)) }, received);
const check = (hours: number) =>
  command(
    'CheckTracking',
    {
      rules: defaultLogisticsPolicy.tracking,
      reshipmentId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      reshipCarrier: 'JD Logistics',
      claimId: 'claim-1',
    },
    hours,
  );

/** A parcel's life with every kind of fold step: booked, late for pickup, scanned (one scan late), stalled, lost, reshipped. */
const life = historyOf(shipmentDecider, [
  command('RegisterShipment', registration('0b7e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d', null), 0),
  check(30), // not picked up within 24 h of booking
  scan(1, 'picked_up', 31, 'Hangzhou hub'),
  scan(2, 'in_transit', 35, 'Wuhan hub'),
  scan(3, 'in_transit', 33, 'Nanchang hub', 36),
  scan(4, 'exception', 38, 'Wuhan hub'),
  check(87),
  check(111),
]);
const fold = (events: typeof life) => stateOf(shipmentDecider, events);
/** The state as a snapshot carries it: encoded, written as JSON by Postgres, read back and decoded. */
const throughSnapshot = (state: ShipmentState) =>
  shipmentSnapshots.decode(JSON.parse(JSON.stringify(shipmentSnapshots.encode(state))));

describe('shipment snapshots (ADR 37)', () => {
  it('the history covers what the fold does: a timeout, scans (one late), a stall, a loss, a claim, a reshipment, compensation', () => {
    expect(new Set(life.map((e) => e.type))).toEqual(
      new Set([
        'ShipmentRegistered',
        'CarrierBooked',
        'ScanRecorded',
        'ShipmentStatusChanged',
        'ShipmentDeparted',
        'TrackingTimeoutReached',
        'ShipmentStalled',
        'ShipmentLost',
        'CarrierClaimFiled',
        'ReshipmentArranged',
        'CompensationRequested',
      ]),
    );
  });

  it('a state read from its snapshot at any version, then folded on, is the state folded from the start', () => {
    const whole = fold(life);
    for (let version = 0; version <= life.length; version++) {
      const resumed = life.slice(version).reduce(shipmentDecider.evolve, throughSnapshot(fold(life.slice(0, version))));
      expect(JSON.stringify(resumed)).toBe(JSON.stringify(whole));
      expect(resumed).toEqual(whole);
    }
  });

  it('decides the same on a snapshot: a scan recorded before it is a duplicate, a new one is recorded', () => {
    const resumed = throughSnapshot(fold(life));
    expect(shipmentDecider.decide(scan(2, 'in_transit', 35, 'Wuhan hub'), resumed)).toEqual([]);
    const found = shipmentDecider.decide(scan(9, 'in_transit', 112, 'Guangzhou hub'), resumed);
    expect(found.map((e) => e.type)).toEqual(['ScanRecorded', 'ShipmentStatusChanged']);
    expect(found).toEqual(shipmentDecider.decide(scan(9, 'in_transit', 112, 'Guangzhou hub'), fold(life)));
  });

  it("names the fold's shape: a change to the fold or the state fails here until the snapshot name is bumped", () => {
    // The state this history folds to, as a snapshot writes it. When this fails, the fold now builds another state
    // from the same events: snapshots written by the old fold must not be read by the new one. Bump the version in
    // `shipmentSnapshots.name` (shipment@1 → shipment@2) and put the new digest and name here.
    const digest = createHash('sha256')
      .update(JSON.stringify(shipmentSnapshots.encode(fold(life))))
      .digest('hex');
    expect({ name: shipmentSnapshots.name, digest }).toEqual({
      name: 'shipment@1',
      digest: '968c2cff1405f36bb3b150b0e7e40a1282202b88fac54f202cac98d90516e48c',
    });
  });
});
