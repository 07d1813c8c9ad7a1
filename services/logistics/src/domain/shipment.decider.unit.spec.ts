import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import { normaliseScanStatus, type ScanStatus } from './scan-status';
import {
  isLater,
  nextTrackingCheck,
  scanHistory,
  shipmentDecider,
  type OpenShipment,
  type Scan,
  type ShipmentCommand,
  type ShipmentEvent,
} from './shipment.decider';
import {
  EvidenceRequired,
  LargeOrderNotConfirmed,
  ShipmentEnded,
  ShipmentNotDelivered,
  ShipmentAlreadyPickedUp,
  ShipmentAlreadyRegistered,
  TrackingAlreadyBooked,
} from './shipment.errors';
import { defaultLogisticsPolicy, policyProblem, trackingRulesFor } from './tracking-policy';
import { registration } from './testing/shipment.builder';

const HOUR = 3_600_000;
const t0 = new Date('2026-12-01T00:00:00.000Z');
const at = (hours: number) => new Date(t0.getTime() + hours * HOUR);
const iso = (hours: number) => at(hours).toISOString();
const shipmentId = '0b7e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d';
const caseId = '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c';
const rules = defaultLogisticsPolicy.tracking;

const command = <C extends ShipmentCommand>(type: C['type'], data: C['data'], hours = 0): C =>
  ({
    type,
    data,
    context: { tenant: 'shop-1', actor: { id: 'agent-7', roles: ['agent'] }, now: at(hours) },
  }) as unknown as C;

const register = (changes: Record<string, unknown> = {}) =>
  command('RegisterShipment', registration(shipmentId, caseId, changes));

let eventCounter = 0;
const aScan = (status: ScanStatus, hours: number, location = 'Hangzhou hub', extra: Partial<Scan> = {}): Scan => ({
  eventId: `ev-${++eventCounter}`,
  status,
  carrierStatus: status,
  location,
  occurredAt: iso(hours),
  receivedAt: iso(hours),
  exceptionCode: null,
  counted: null,
  ...extra,
});
const scan = (s: Scan, receivedHours?: number) =>
  command('RecordScan', { scan: s }, receivedHours ?? (new Date(s.occurredAt).getTime() - t0.getTime()) / HOUR);
const check = (hours: number, reshipCarrier: string | null = 'JD Logistics') =>
  command(
    'CheckTracking',
    { rules, reshipmentId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', reshipCarrier, claimId: 'claim-1' },
    hours,
  );

const given = specOf(shipmentDecider);
const history = (...commands: ShipmentCommand[]) => historyOf(shipmentDecider, commands);
const stateAfter = (events: ShipmentEvent[]) => stateOf(shipmentDecider, events) as OpenShipment;

describe('Shipment decider', () => {
  describe('registering', () => {
    it('registers with the tenant, the actor and the time; a given carrier and tracking number book it at once', () => {
      const events = given([])
        .when(register())
        .thenMatches([
          {
            type: 'ShipmentRegistered',
            data: { shipmentId, caseId, tenant: 'shop-1', largeOrder: false, registeredBy: 'agent-7' },
          },
          { type: 'CarrierBooked', data: { carrier: 'SF Express', trackingNumber: 'SF1', bookedAt: iso(0) } },
        ]);
      expect(stateAfter(events)).toMatchObject({ status: 'awaiting_pickup', shipment: { trackingNumber: 'SF1' } });
    });

    it('refuses a second registration of the same id', () => {
      given(history(register())).when(register()).thenThrows(ShipmentAlreadyRegistered, { kind: 'conflict' });
    });

    it('a large order (5 items or more) is booked only once its address and packing are confirmed', () => {
      const large = register({ carrier: null, trackingNumber: null, items: [{ sku: 'MUG', quantity: 5 }] });
      const registered = history(large);
      expect(registered).toMatchObject([{ type: 'ShipmentRegistered', data: { largeOrder: true } }]);
      const book = command('BookCarrier', { carrier: 'SF Express', trackingNumber: 'SF9' });
      given(registered)
        .when(book)
        .thenThrows(LargeOrderNotConfirmed, { kind: 'conflict', code: 'SHIPMENT.LARGE_ORDER_UNCONFIRMED' });
      const confirm = command('ConfirmLargeOrder', { addressConfirmed: true, packing: 'separately' });
      given(history(large, confirm))
        .when(book)
        .thenMatches([{ type: 'CarrierBooked' }]);
    });

    it('a tracking number changes only before the first scan', () => {
      const scanned = history(register(), scan(aScan('created', 1)));
      given(scanned)
        .when(command('BookCarrier', { carrier: 'SF Express', trackingNumber: 'SF2' }))
        .thenThrows(TrackingAlreadyBooked, { kind: 'conflict' });
    });
  });

  describe('scans', () => {
    it('a pickup scan moves the parcel in transit and reports it left, once', () => {
      const registered = history(register());
      const pickup = aScan('picked_up', 2);
      const events = given(registered)
        .when(scan(pickup))
        .thenMatches([
          { type: 'ScanRecorded', data: { scan: pickup, current: true } },
          { type: 'ShipmentStatusChanged', data: { from: 'awaiting_pickup', to: 'in_transit' } },
          { type: 'ShipmentDeparted', data: { carrier: 'SF Express', trackingNumber: 'SF1', departedAt: iso(2) } },
        ]);
      given([...registered, ...events])
        .when(scan(aScan('in_transit', 5, 'Guangzhou hub')))
        .thenMatches([{ type: 'ScanRecorded', data: { current: true } }]);
    });

    it('a scan delivered twice (same carrier event id) is recorded once', () => {
      const pickup = aScan('picked_up', 2);
      given(history(register(), scan(pickup)))
        .when(scan(pickup))
        .thenNothing();
    });

    it('an older scan arriving late joins the history in its place but moves nothing and resets no timer', () => {
      const events = history(register(), scan(aScan('picked_up', 2)), scan(aScan('out_for_delivery', 30, 'Shenzhen')));
      const late = aScan('in_transit', 10, 'Guangzhou hub');
      const more = given(events)
        .when(scan(late, 31))
        .thenMatches([{ type: 'ScanRecorded', data: { current: false } }]);
      const state = stateAfter([...events, ...more]);
      expect(state.status).toBe('out_for_delivery');
      expect(scanHistory([...events, ...more]).map((s) => s.occurredAt)).toEqual([iso(2), iso(10), iso(30)]);
      expect(state.tracking.lastScanAt).toBe(iso(30));
    });

    it('late scans are filed in time order, scans of one instant in the order they arrived', () => {
      const first30 = aScan('in_transit', 30, 'Shenzhen');
      const second30 = aScan('in_transit', 30, 'Shenzhen');
      const events = history(
        register(),
        scan(aScan('picked_up', 2)),
        scan(first30),
        scan(aScan('in_transit', 10, 'Guangzhou hub'), 31),
        scan(aScan('in_transit', 5, 'Hangzhou hub'), 32),
        scan(second30, 33),
        scan(aScan('in_transit', 2, 'Hangzhou hub'), 34),
      );
      const scans = scanHistory(events);
      expect(scans.map((s) => s.occurredAt)).toEqual([iso(2), iso(2), iso(5), iso(10), iso(30), iso(30)]);
      expect(scans.filter((s) => s.occurredAt === iso(30)).map((s) => s.eventId)).toEqual([
        first30.eventId,
        second30.eventId,
      ]);
      expect(scans[0]?.status).toBe('picked_up');
      // The state keeps only which scans were recorded, in the order they arrived.
      expect([...stateAfter(events).tracking.scanIds]).toEqual(
        events.flatMap((e) => (e.type === 'ScanRecorded' ? [e.data.scan.eventId] : [])),
      );
    });

    it('delivery ends the shipment even when it arrives before earlier scans; later scans are history only', () => {
      const delivered = aScan('delivered', 40, 'Shenzhen', { counted: [{ sku: 'KETTLE-1L', quantity: 1 }] });
      const events = history(register(), scan(aScan('picked_up', 2)), scan(delivered));
      expect(events.map((e) => e.type)).toContain('ShipmentDelivered');
      given(events)
        .when(scan(aScan('out_for_delivery', 38, 'Shenzhen'), 41))
        .thenMatches([{ type: 'ScanRecorded', data: { current: false } }]);
    });

    it('a return parcel delivered names its return and what the warehouse counted', () => {
      const returnId = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
      const events = history(
        register({ purpose: 'return', returnId, items: [{ sku: 'KETTLE-1L', quantity: 2 }] }),
        scan(aScan('picked_up', 2)),
      );
      given(events)
        .when(scan(aScan('delivered', 20, 'Warehouse', { counted: [{ sku: 'KETTLE-1L', quantity: 1 }] })))
        .thenMatches([
          { type: 'ScanRecorded' },
          { type: 'ShipmentStatusChanged', data: { to: 'delivered' } },
          {
            type: 'ShipmentDelivered',
            data: { purpose: 'return', returnId, items: [{ sku: 'KETTLE-1L', quantity: 1 }] },
          },
        ]);
    });

    it('instants written with an offset or without milliseconds are ordered by the instant they name, not as text', () => {
      // 10:00 at +08:00 is 02:00 UTC: earlier than 05:00 UTC although its text sorts later.
      const offset = (hours: number, text: string) => ({
        ...aScan('in_transit', hours, 'Shanghai hub'),
        occurredAt: text,
      });
      const events = history(
        register(),
        scan(aScan('picked_up', 1)),
        scan(aScan('in_transit', 5, 'Hangzhou hub')),
        scan(offset(2, '2026-12-01T10:00:00+08:00'), 6),
      );
      const state = stateAfter(events);
      expect(events.filter((e) => e.type === 'ScanRecorded').map((e) => e.data.current)).toEqual([true, true, false]);
      expect(scanHistory(events).map((s) => s.location)).toEqual(['Hangzhou hub', 'Shanghai hub', 'Hangzhou hub']);
      expect(state.tracking.lastScanAt).toBe(iso(5));
      // A later one with an offset is the newest: it moves the parcel's clocks.
      const later = history(
        ...[register(), scan(aScan('picked_up', 1)), scan(offset(9, '2026-12-01T17:00:00+08:00'), 9)],
      );
      expect(stateAfter(later).tracking.lastScanAt).toBe('2026-12-01T17:00:00+08:00');
      expect(nextTrackingCheck(stateAfter(later), rules)).toEqual(at(9 + rules.stalledHours));

      expect(isLater('2026-12-01T10:00:00+08:00', '2026-12-01T05:00:00.000Z')).toBe(false);
      expect(isLater('2026-12-01T05:00:00.001Z', '2026-12-01T05:00:00.000Z')).toBe(true);
      expect(isLater('2026-12-01T05:00:00Z', '2026-12-01T05:00:00.000Z')).toBe(false);
      expect(isLater('2026-12-01T05:00:00.000Z', '2026-12-01T05:00:00Z')).toBe(false);
      expect(isLater('2026-12-01T05:00:01Z', '2026-12-01T05:00:00.999Z')).toBe(true);
    });

    it("normalises carriers' words to the seven statuses and refuses unknown ones", () => {
      expect(normaliseScanStatus('InTransit')).toBe('in_transit');
      expect(normaliseScanStatus('PickedUp')).toBe('picked_up');
      expect(normaliseScanStatus('OutForDelivery')).toBe('out_for_delivery');
      expect(normaliseScanStatus('签收')).toBe('delivered');
      expect(normaliseScanStatus('Return to sender')).toBe('returned_to_sender');
      expect(normaliseScanStatus('FailedAttempt')).toBe('exception');
      expect(normaliseScanStatus('teleported')).toBeNull();
    });
  });

  describe('tracking rules (24 h normal, 48 h stalled, 72 h lost)', () => {
    const travelling = () =>
      history(register(), scan(aScan('picked_up', 0)), scan(aScan('in_transit', 10, 'Guangzhou hub')));

    it('within 48 h of the last scan nothing happens; the next check is due at 48 h after it', () => {
      given(travelling()).when(check(57)).thenNothing();
      expect(nextTrackingCheck(stateAfter(travelling()), rules)).toEqual(at(58));
    });

    it('48 h without a scan: stalled, once', () => {
      const events = given(travelling())
        .when(check(58))
        .thenMatches([
          { type: 'ShipmentStatusChanged', data: { from: 'in_transit', to: 'stalled' } },
          {
            type: 'ShipmentStalled',
            data: { reason: 'no_scan', lastScanAt: iso(10), stalledAt: iso(58), destinationRegion: 'CN-GD' },
          },
        ]);
      given([...travelling(), ...events])
        .when(check(60))
        .thenNothing();
      expect(nextTrackingCheck(stateAfter([...travelling(), ...events]), rules)).toEqual(at(82));
    });

    it('a scan resets the clocks: stalled no more, the next check 48 h after it', () => {
      const stalled = history(...[register(), scan(aScan('picked_up', 0)), check(48)]);
      const events = given(stalled)
        .when(scan(aScan('in_transit', 50, 'Guangzhou hub')))
        .thenMatches([
          { type: 'ScanRecorded' },
          { type: 'ShipmentStatusChanged', data: { from: 'stalled', to: 'in_transit' } },
        ]);
      expect(nextTrackingCheck(stateAfter([...stalled, ...events]), rules)).toEqual(at(98));
    });

    it('scans that keep coming from one place: stuck at that location for 48 h is stalled', () => {
      const stuck = history(
        register(),
        scan(aScan('picked_up', 0, 'Hangzhou hub')),
        scan(aScan('in_transit', 1, 'Wuhan hub')),
        scan(aScan('exception', 20, 'Wuhan hub')),
        scan(aScan('exception', 40, 'Wuhan hub')),
      );
      given(stuck)
        .when(check(49))
        .thenMatches([
          { type: 'ShipmentStatusChanged', data: { to: 'stalled' } },
          { type: 'ShipmentStalled', data: { reason: 'stuck_at_location', location: 'Wuhan hub' } },
        ]);
    });

    it('72 h without a scan: lost → a carrier claim, a reshipment with another carrier, compensation requested once', () => {
      given(history(register(), scan(aScan('picked_up', 0)), check(48)))
        .when(check(72))
        .thenMatches([
          { type: 'ShipmentStatusChanged', data: { from: 'stalled', to: 'lost' } },
          { type: 'ShipmentLost', data: { lastScanAt: iso(0), lostAt: iso(72) } },
          { type: 'CarrierClaimFiled', data: { cause: 'lost', kind: 'find_and_return', carrier: 'SF Express' } },
          { type: 'ReshipmentArranged', data: { previousCarrier: 'SF Express', carrier: 'JD Logistics' } },
          {
            type: 'CompensationRequested',
            data: {
              reason: 'lost_in_transit',
              proposedInstrument: 'coupon',
              idempotencyKey: `lost_in_transit:${shipmentId}`,
            },
          },
        ]);
      const lost = history(register(), scan(aScan('picked_up', 0)), check(72));
      given(lost).when(check(100)).thenNothing();
    });

    it('lost with no other carrier: no reshipment, the goods refunded', () => {
      given(history(register(), scan(aScan('picked_up', 0))))
        .when(check(72, null))
        .thenMatches([
          { type: 'ShipmentStatusChanged' },
          { type: 'ShipmentLost' },
          { type: 'CarrierClaimFiled' },
          { type: 'CompensationRequested', data: { proposedInstrument: 'full_refund' } },
        ]);
    });

    it('pickup timeout: booked and not picked up within 24 h, reported once', () => {
      given(history(register()))
        .when(check(24))
        .thenMatches([
          { type: 'TrackingTimeoutReached', data: { timeout: 'pickup', since: iso(0), reachedAt: iso(24) } },
        ]);
      given(history(register(), check(24)))
        .when(check(30))
        .thenNothing();
    });

    it('awaiting signature: out for delivery 24 h without delivery', () => {
      const out = history(register(), scan(aScan('picked_up', 0)), scan(aScan('out_for_delivery', 5, 'Shenzhen')));
      given(out)
        .when(check(29))
        .thenMatches([{ type: 'TrackingTimeoutReached', data: { timeout: 'awaiting_signature', since: iso(5) } }]);
    });

    it('transit timeout: still travelling 120 h after pickup although scans keep coming', () => {
      const cities = ['A', 'B', 'C', 'D', 'E', 'F'];
      const moving = history(
        register(),
        scan(aScan('picked_up', 0)),
        ...cities.map((c, i) => scan(aScan('in_transit', 20 * (i + 1), c))),
      );
      given(moving)
        .when(check(120))
        .thenMatches([{ type: 'TrackingTimeoutReached', data: { timeout: 'transit' } }]);
    });

    it('a delivered or cancelled shipment has no timer left', () => {
      const delivered = history(register(), scan(aScan('picked_up', 0)), scan(aScan('delivered', 5, 'Shenzhen')));
      expect(nextTrackingCheck(stateAfter(delivered), rules)).toBeNull();
      given(delivered).when(check(200)).thenNothing();
    });
  });

  describe('cancelling', () => {
    it('cancels before pickup, refuses after', () => {
      given(history(register()))
        .when(command('CancelShipment', { reason: 'return cancelled' }))
        .thenMatches([{ type: 'ShipmentCancelled', data: { reason: 'return cancelled' } }]);
      given(history(register(), scan(aScan('picked_up', 1))))
        .when(command('CancelShipment', { reason: 'too late' }))
        .thenThrows(ShipmentAlreadyPickedUp, { kind: 'conflict' });
    });
  });

  describe('policy per carrier and lane', () => {
    it('the most specific override wins over the defaults', () => {
      const policy = {
        ...defaultLogisticsPolicy,
        overrides: [
          {
            carrier: 'SF Express',
            originRegion: null,
            destinationRegion: null,
            rules: { stalledHours: 36, lostHours: 60 },
          },
          { carrier: 'SF Express', originRegion: 'CN-ZJ', destinationRegion: 'CN-XZ', rules: { lostHours: 120 } },
        ],
      };
      expect(
        trackingRulesFor(policy, { carrier: 'SF Express', originRegion: 'CN-ZJ', destinationRegion: 'CN-XZ' }),
      ).toMatchObject({
        stalledHours: 36,
        lostHours: 120,
      });
      expect(
        trackingRulesFor(policy, { carrier: 'SF Express', originRegion: 'CN-ZJ', destinationRegion: 'CN-GD' }),
      ).toMatchObject({
        stalledHours: 36,
        lostHours: 60,
      });
      expect(
        trackingRulesFor(policy, { carrier: 'ZTO Express', originRegion: 'CN-ZJ', destinationRegion: 'CN-GD' }),
      ).toEqual(defaultLogisticsPolicy.tracking);
    });

    it('refuses a policy where lost comes before stalled', () => {
      expect(policyProblem({ ...defaultLogisticsPolicy, tracking: { ...rules, lostHours: 40 } })).toEqual({
        field: '/tracking/lostHours',
        rule: 'lost after stalled',
      });
    });
  });
});

describe('Shipment decider: workflows', () => {
  const money = (amountMinor: number) => ({ amountMinor, currency: 'CNY' });
  const remedy = {
    reshipmentId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    reshipCarrier: 'SF Express',
    claimId: 'claim-2',
  };
  const delivered = () => history(register(), scan(aScan('picked_up', 1)), scan(aScan('delivered', 20, 'Shenzhen')));

  describe('urge-shipping (shipping deadline)', () => {
    const urge = (hours: number) => command('UrgeShipping', { investigationId: 'inv-1' }, hours);
    const unshipped = () => history(register({ shipBy: iso(24) }));

    it('within the deadline: the customer is reassured', () => {
      given(unshipped())
        .when(urge(10))
        .thenMatches([{ type: 'ShippingUrged', data: { outcome: 'within_deadline', shipBy: iso(24) } }]);
    });

    it('missed: a follow-up with an investigation and a goodwill gift requested, once', () => {
      const missed = given(unshipped())
        .when(urge(30))
        .thenMatches([
          { type: 'ShippingUrged', data: { outcome: 'deadline_missed' } },
          { type: 'ShippingDeadlineMissed', data: { shipBy: iso(24), investigationId: 'inv-1' } },
          {
            type: 'CompensationRequested',
            data: {
              reason: 'shipping_deadline_missed',
              proposedInstrument: 'gift',
              idempotencyKey: `shipping_deadline_missed:${shipmentId}`,
            },
          },
        ]);
      given([...unshipped(), ...missed])
        .when(urge(40))
        .thenMatches([{ type: 'ShippingUrged' }]);
    });

    it('already shipped: reassured with its tracking', () => {
      given(history(register({ shipBy: iso(24) }), scan(aScan('picked_up', 30))))
        .when(urge(31))
        .thenMatches([{ type: 'ShippingUrged', data: { outcome: 'already_shipped' } }]);
    });
  });

  describe('order changes', () => {
    const change = (data: { deliveryAddressRef?: string; items?: { sku: string; quantity: number }[] }) =>
      command('ChangeOrder', {
        deliveryAddressRef: data.deliveryAddressRef ?? null,
        items: data.items ?? null,
        reshipmentId: remedy.reshipmentId,
        reshipCarrier: 'SF Express',
      });

    it('before pickup: the details change and go to the customer to confirm', () => {
      const events = given(history(register()))
        .when(change({ items: [{ sku: 'KETTLE-2L', quantity: 1 }] }))
        .thenMatches([{ type: 'OrderChangeProposed', data: { items: [{ sku: 'KETTLE-2L', quantity: 1 }] } }]);
      expect(stateAfter([...history(register()), ...events]).shipment.items).toEqual([
        { sku: 'KETTLE-2L', quantity: 1 },
      ]);
    });

    it('after pickup: only the address, through the carrier', () => {
      given(history(register(), scan(aScan('picked_up', 1))))
        .when(change({ deliveryAddressRef: 'addr:2' }))
        .thenMatches([
          { type: 'CarrierAddressChangeRequested', data: { carrier: 'SF Express', deliveryAddressRef: 'addr:2' } },
        ]);
    });

    it('other goods after pickup: interception, and on the return to sender a new shipment with them', () => {
      const moving = history(register(), scan(aScan('picked_up', 1)));
      const intercepted = given(moving)
        .when(change({ items: [{ sku: 'KETTLE-2L', quantity: 1 }] }))
        .thenMatches([{ type: 'InterceptionRequested', data: { items: [{ sku: 'KETTLE-2L', quantity: 1 }] } }]);
      given([...moving, ...intercepted])
        .when(scan(aScan('returned_to_sender', 10, 'Hangzhou')))
        .thenMatches([
          { type: 'ScanRecorded' },
          { type: 'ShipmentStatusChanged', data: { to: 'returned_to_sender' } },
          { type: 'ShipmentReturnedToSender' },
          { type: 'ReshipmentArranged', data: { cause: 'order_change', items: [{ sku: 'KETTLE-2L', quantity: 1 }] } },
        ]);
    });

    it('refuses a delivered order', () => {
      given(delivered())
        .when(change({ deliveryAddressRef: 'addr:2' }))
        .thenThrows(ShipmentEnded, { kind: 'conflict' });
    });
  });

  describe('wrong or missing item', () => {
    const report = (changes: Record<string, unknown> = {}) =>
      command('ReportWrongItem', {
        kind: 'wrong_item',
        labelRef: 'photo:label',
        photoRefs: ['photo:1'],
        affectedValue: money(2_000),
        returnShippingCost: money(1_500),
        customerKeeps: false,
        valuableGoodsMinor: 50_000,
        remedy,
        ...changes,
      } as never);

    it('needs the label and a photo', () => {
      given(delivered())
        .when(report({ labelRef: null }))
        .thenThrows(EvidenceRequired, { kind: 'invalid' });
      given(delivered())
        .when(report({ photoRefs: [] }))
        .thenThrows(EvidenceRequired, { kind: 'invalid' });
    });

    it('kept with compensation: a partial refund requested, the platform paying the extra shipping', () => {
      given(delivered())
        .when(report({ customerKeeps: true }))
        .thenMatches([
          {
            type: 'WrongItemReported',
            data: { resolution: 'keep_with_compensation', extraShippingPaidBy: 'platform' },
          },
          {
            type: 'CompensationRequested',
            data: {
              reason: 'wrong_item',
              proposedInstrument: 'partial_refund',
              idempotencyKey: `wrong_item:${shipmentId}`,
            },
          },
        ]);
    });

    it('return shipping dearer than the goods: reshipped without return', () => {
      given(delivered())
        .when(report({ returnShippingCost: money(2_500) }))
        .thenMatches([
          { type: 'WrongItemReported', data: { resolution: 'reship_without_return' } },
          { type: 'ReshipmentArranged', data: { cause: 'wrong_item', carrier: 'SF Express' } },
        ]);
    });

    it('valuable goods come back first, then are exchanged (even when return shipping is dear)', () => {
      given(delivered())
        .when(report({ affectedValue: money(80_000), returnShippingCost: money(90_000) }))
        .thenMatches([{ type: 'WrongItemReported', data: { resolution: 'return_then_exchange' } }]);
    });

    it('a missing item is reshipped; reported on a parcel that has not arrived: refused', () => {
      given(delivered())
        .when(report({ kind: 'missing_item' }))
        .thenMatches([
          { type: 'WrongItemReported', data: { kind: 'missing_item', resolution: 'reship_without_return' } },
          { type: 'ReshipmentArranged', data: { cause: 'missing_item' } },
        ]);
      given(history(register())).when(report()).thenThrows(ShipmentNotDelivered, { kind: 'conflict' });
    });
  });

  describe('transit damage', () => {
    const damage = (responsibility: 'carrier' | 'packaging', customerChoice: 'reship' | 'refund') =>
      command('ReportTransitDamage', {
        responsibility,
        evidenceRefs: ['photo:box'],
        customerChoice,
        remedy: { ...remedy, reshipCarrier: 'JD Logistics' },
      });

    it('the carrier at fault: an indemnity claim; the customer chose a refund: compensation requested', () => {
      given(delivered())
        .when(damage('carrier', 'refund'))
        .thenMatches([
          { type: 'TransitDamageRecorded', data: { responsibility: 'carrier', customerChoice: 'refund' } },
          { type: 'CarrierClaimFiled', data: { cause: 'transit_damage', kind: 'indemnity' } },
          {
            type: 'CompensationRequested',
            data: {
              reason: 'transit_damage',
              proposedInstrument: 'full_refund',
              idempotencyKey: `transit_damage:${shipmentId}`,
            },
          },
        ]);
    });

    it('packaging at fault, reshipment chosen: no claim, the goods reshipped with another carrier, once', () => {
      const events = given(delivered())
        .when(damage('packaging', 'reship'))
        .thenMatches([
          { type: 'TransitDamageRecorded' },
          { type: 'ReshipmentArranged', data: { cause: 'transit_damage', carrier: 'JD Logistics' } },
        ]);
      given([...delivered(), ...events])
        .when(damage('packaging', 'reship'))
        .thenNothing();
    });
  });
});
