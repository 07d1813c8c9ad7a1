import type { Timer } from '@aftersales/eventstore';
import { historyOf, stateOf } from '@aftersales/testing/decider';
import type { ScanStatus } from '../domain/scan-status';
import {
  shipmentDecider,
  type OpenShipment,
  type ShipmentCommand,
  type ShipmentState,
} from '../domain/shipment.decider';
import { registration, scanOf } from '../domain/testing/shipment.builder';
import { defaultLogisticsPolicy } from '../domain/tracking-policy';
import { rearmTracking, trackingTimerId, writeTracking } from './tracking-timers';

const HOUR = 3_600_000;
const t0 = new Date('2026-12-01T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);
const shipmentId = '0b7e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d';
const rules = defaultLogisticsPolicy.tracking;

const command = (type: ShipmentCommand['type'], data: unknown, hours: number) =>
  ({
    type,
    data,
    context: { tenant: 'shop-1', actor: { id: 'agent-7', roles: ['agent'] }, now: at(hours) },
  }) as unknown as ShipmentCommand;

const register = command('RegisterShipment', registration(shipmentId, null), 0);
const scan = (status: ScanStatus, hours: number, location = 'Hangzhou hub') =>
  command('RecordScan', { scan: scanOf(`ev-${status}-${hours}`, status, location, at(hours)) }, hours);

/** The shipment after each prefix of `commands`: [before any, after the first, …]. */
function states(...commands: ShipmentCommand[]): ShipmentState[] {
  const events = historyOf(shipmentDecider, commands);
  const out: ShipmentState[] = [shipmentDecider.initialState()];
  for (let i = 1; i <= commands.length; i++)
    out.push(stateOf(shipmentDecider, historyOf(shipmentDecider, commands.slice(0, i))));
  expect(stateOf(shipmentDecider, events)).toEqual(out.at(-1));
  return out;
}

/** What a transaction that took the shipment from `before` to `after` writes to its tracking timer. */
function written(before: ShipmentState, after: ShipmentState) {
  const writes: Array<{ rearm: Timer } | { cancel: string }> = [];
  writeTracking(
    { rearm: (timer) => writes.push({ rearm: timer }), cancel: (id) => writes.push({ cancel: id }) },
    'shop-1',
    after as OpenShipment,
    rules,
    before,
  );
  return writes;
}

const armedAt = (hours: number) => [
  { rearm: expect.objectContaining({ id: trackingTimerId(shipmentId), dueAt: at(hours) }) as Timer },
];

describe('tracking timer writes (moved only when the next rule comes earlier, ADR 33)', () => {
  const [none, registered, pickedUp, hub, outForDelivery, delivered, late] = states(
    register,
    scan('picked_up', 1),
    scan('in_transit', 10, 'Guangzhou hub'),
    scan('out_for_delivery', 20, 'Shenzhen depot'),
    scan('delivered', 22, 'Shenzhen'),
    scan('in_transit', 23, 'Shenzhen'),
  ) as [ShipmentState, ShipmentState, ShipmentState, ShipmentState, ShipmentState, ShipmentState, ShipmentState];

  it('a new shipment is armed at its first rule (the pickup timeout, 24 h after booking)', () => {
    expect(written(none, registered)).toEqual(armedAt(24));
  });

  it('scans that put the next rule later leave the timer where it was: it fires early and is re-armed', () => {
    expect(written(registered, pickedUp)).toEqual([]); // 49 h (stalled) is after 24 h
    expect(written(pickedUp, hub)).toEqual([]); // 58 h is after 49 h
    expect(written(registered, hub)).toEqual([]); // a batch with both: compared with the state it found
  });

  it('a scan that brings the next rule earlier moves it (out for delivery: a signature within 24 h)', () => {
    expect(written(hub, outForDelivery)).toEqual(armedAt(44));
  });

  it('no rule any more cancels it; a late scan of a delivered parcel writes nothing', () => {
    expect(written(outForDelivery, delivered)).toEqual([{ cancel: trackingTimerId(shipmentId) }]);
    expect(written(delivered, late)).toEqual([]);
  });

  it('re-arming (a check that found nothing due) puts it at the rule of the state as it is', () => {
    const writes: Array<{ rearm: Timer } | { cancel: string }> = [];
    const sink = {
      rearm: (timer: Timer) => writes.push({ rearm: timer }),
      cancel: (id: string) => writes.push({ cancel: id }),
    };
    rearmTracking(sink, 'shop-1', hub as OpenShipment, rules);
    rearmTracking(sink, 'shop-1', delivered as OpenShipment, rules);
    expect(writes).toEqual([...armedAt(58), { cancel: trackingTimerId(shipmentId) }]);
  });
});
