import { randomUUID } from 'node:crypto';
import { CarrierScansReportedV1, CaseOpenedV1, Topics, validateEvent } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { carrierSignature } from '../src/infrastructure/http/carrier-events.http.controller';
import { logisticsService } from '../src/logistics.module';

interface ShipmentBody {
  shipmentId: string;
  caseId: string | null;
  state: string;
  carrier: string | null;
  trackingNumber: string | null;
  lastScanAt: string | null;
  stall: { reason: string } | null;
  lostAt: string | null;
  reshipmentId: string | null;
  replaces: string | null;
  claims: Array<{ cause: string; kind: string }>;
  compensationKeys: string[];
  scans: Array<{ eventId: string; status: string; occurredAt: string }>;
}

const HOUR = 3_600_000;

// CONTEXT: logistics in-process on real Postgres and Kafka with the test's clock, moved by hand and never slept on: its
// own timer worker fires the 48 h and 72 h rules when the clock reaches them. Intake is played by publishing its
// CaseOpened; the carrier by signed webhook batches and by the Kafka ingress; what logistics publishes is read back
// from its topic with kcat.
describe('logistics: scans in, 48 h stalled, 72 h lost, reshipped and compensation requested', () => {
  const tenant = uniqueName('shop');
  const logistics = { tenant, roles: ['logistics'], subject: 'ops-1' };
  const admin = { tenant, roles: ['admin'], subject: 'admin-1' };
  const secret = 'k'.repeat(40);
  const integrationId = `sf-${uniqueName('int')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')}`.slice(0, 60);
  let now = new Date('2026-12-01T00:00:00.000Z');
  let service: TestService;
  let publisher: ContractPublisher;

  beforeAll(async () => {
    service = await startTestService(
      { ...logisticsService, clock: () => new Date(now) },
      { env: { LOGISTICS_TIMER_POLL_MS: '50' } },
    );
    publisher = await ContractPublisher.connect();
    const saved = await service.call('PUT', `/carrier-integrations/${integrationId}`, {
      caller: admin,
      body: { carrier: 'SF Express', secret },
    });
    expect(saved.status).toBe(200);
  });

  afterAll(async () => {
    await publisher?.close();
    await service?.close();
  });

  const hoursAfter = (base: Date, hours: number) => new Date(base.getTime() + hours * HOUR).toISOString();
  const post = (events: object[], sign: (raw: string) => Record<string, string>) => {
    const raw = JSON.stringify({ events });
    return service.call<{ results: Array<{ eventId: string; outcome: string }> }>('POST', '/carrier-events', {
      body: raw,
      headers: { 'content-type': 'application/json', ...sign(raw) },
    });
  };
  const signed = (raw: string) => ({
    'x-carrier-integration': integrationId,
    'x-carrier-signature': carrierSignature(secret, raw),
  });
  const read = (id: string) => service.call<ShipmentBody>('GET', `/shipments/${id}`, { caller: logistics });
  /** A lamp shipped with SF Express under a tracking number of its own, and its scans: the n-th `n` hours after `now`. */
  const lampShipment = async (orderId: string) => {
    const trackingNumber = `SF-${randomUUID()}`;
    const created = await service.call<ShipmentBody>('POST', '/shipments', {
      caller: logistics,
      body: {
        orderId,
        carrier: 'SF Express',
        trackingNumber,
        originRegion: 'CN-ZJ',
        destinationRegion: 'CN-GD',
        items: [{ sku: 'LAMP', quantity: 1 }],
      },
    });
    const id = created.body.shipmentId;
    const scanAt = (n: number, status: string) => ({
      eventId: `${id}-${n}`,
      trackingNumber,
      status,
      location: `Hub ${n}`,
      occurredAt: hoursAfter(now, n),
    });
    return { id, scanAt };
  };
  const stateOf = (id: string, state: string) =>
    eventually(async () => {
      const res = await read(id);
      return res.body.state === state ? res.body : undefined;
    }, `shipment ${id} ${state}`);

  it('a parcel for a case: signed scans recorded once in order, then silence: stalled at 48 h, lost at 72 h', async () => {
    const caseId = randomUUID();
    await publisher.publish(CaseOpenedV1, {
      caseId,
      tenantId: tenant,
      channel: 'chat',
      orderId: 'ORD-9',
      customerId: 'cus-9',
      problemType: 'logistics',
      description: 'Where is my parcel',
      evidence: [],
      openedAt: now.toISOString(),
    });
    const trackingNumber = `SF${Date.now()}`;
    const registered = await eventually(async () => {
      const res = await service.call<ShipmentBody>('POST', '/shipments', {
        caller: logistics,
        body: {
          orderId: 'ORD-9',
          caseId,
          carrier: 'SF Express',
          trackingNumber,
          originRegion: 'CN-ZJ',
          destinationRegion: 'CN-GD',
          items: [{ sku: 'KETTLE-1L', quantity: 1 }],
          goodsValue: { amountMinor: 19_900, currency: 'CNY' },
        },
      });
      return res.status === 201 ? res.body : undefined;
    }, 'the case to reach logistics');
    const id = registered.shipmentId;
    expect(registered).toMatchObject({ state: 'awaiting_pickup', carrier: 'SF Express', trackingNumber });

    const t0 = now;
    const scan = (eventId: string, status: string, hours: number, location: string) => ({
      eventId,
      trackingNumber,
      status,
      location,
      occurredAt: hoursAfter(t0, hours),
    });
    const pickup = scan(`${trackingNumber}-1`, 'PickedUp', 1, 'Hangzhou hub');
    const hub = scan(`${trackingNumber}-3`, 'InTransit', 10, 'Guangzhou hub');
    const between = scan(`${trackingNumber}-2`, 'in_transit', 5, 'Wuhan hub');

    // A wrong signature, a missing one, an unknown integration: 401, nothing stored.
    const wrong = await post([pickup], () => ({
      'x-carrier-integration': integrationId,
      'x-carrier-signature': 'sha256=00',
    }));
    const missing = await post([pickup], () => ({ 'x-carrier-integration': integrationId }));
    const stranger = await post([pickup], (raw) => ({
      'x-carrier-integration': 'nobody',
      'x-carrier-signature': carrierSignature(secret, raw),
    }));
    for (const res of [wrong, missing, stranger]) expect(res.status).toBe(401);
    expect((await read(id)).body.scans).toEqual([]);

    now = new Date(t0.getTime() + 11 * HOUR);
    const batch = await post([pickup, hub, pickup, scan(`${trackingNumber}-x`, 'teleported', 2, 'Nowhere')], signed);
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r) => r.outcome)).toEqual(['recorded', 'recorded', 'duplicate', 'unknown_status']);
    // The scan between them arrives late, on the Kafka ingress: it joins the history in its place, moves nothing.
    await publisher.publish(CarrierScansReportedV1, {
      batchId: randomUUID(),
      tenantId: tenant,
      carrier: 'SF Express',
      scans: [between],
    });
    const tracked = await eventually(async () => {
      const body = (await read(id)).body;
      return body.scans.length === 3 ? body : undefined;
    }, 'the ingress scan');
    expect(tracked.scans.map((s) => s.eventId)).toEqual([pickup.eventId, between.eventId, hub.eventId]);
    expect(tracked).toMatchObject({ state: 'in_transit', lastScanAt: hub.occurredAt });
    const listed = await service.call<{ shipments: Array<{ shipmentId: string }> }>(
      'GET',
      `/shipments?state=in_transit&caseId=${caseId}`,
      { caller: logistics },
    );
    expect(listed.body.shipments.map((s) => s.shipmentId)).toEqual([id]);

    // One tracking timer for the parcel (not a row per scan). The scans put the next rule later (48 h after the last,
    // where the pickup timeout was 24 h after booking), so they left it where it was (ADR 33): it fires early, finds
    // nothing due and is armed again at the rule's instant, 48 h after the last scan.
    const trackingRows = async () =>
      (
        await service.pool.query<{ due_at: Date; armed: boolean }>(
          `SELECT due_at, fired_at IS NULL AND cancelled_at IS NULL AS armed FROM es_timers
            WHERE kind = 'shipment-tracking' AND payload->>'shipmentId' = $1`,
          [id],
        )
      ).rows;
    expect(await trackingRows()).toEqual([{ due_at: new Date(hoursAfter(t0, 24)), armed: true }]);
    now = new Date(t0.getTime() + 24 * HOUR);
    await eventually(async () => {
      const rows = await trackingRows();
      return rows[0]?.due_at.getTime() === new Date(hoursAfter(t0, 10 + 48)).getTime() ? rows : undefined;
    }, 'the early check to re-arm the timer');
    expect(await trackingRows()).toEqual([{ due_at: new Date(hoursAfter(t0, 10 + 48)), armed: true }]);
    expect((await read(id)).body).toMatchObject({ state: 'in_transit' });

    // Silence: 48 h after the last scan the parcel is stalled.
    now = new Date(t0.getTime() + (10 + 48) * HOUR);
    const stalled = await stateOf(id, 'stalled');
    expect(stalled.stall).toMatchObject({ reason: 'no_scan' });
    // The check that found it stalled moved the same timer to the lost rule (72 h after the last scan).
    expect(await trackingRows()).toEqual([{ due_at: new Date(hoursAfter(t0, 10 + 72)), armed: true }]);

    // At 72 h: lost, a claim with the carrier, a reshipment with another carrier, a compensation request.
    now = new Date(t0.getTime() + (10 + 72) * HOUR);
    const lost = await stateOf(id, 'lost');
    expect(lost).toMatchObject({
      claims: [{ cause: 'lost', kind: 'find_and_return' }],
      compensationKeys: [`lost_in_transit:${id}`],
    });
    const reshipment = (await read(lost.reshipmentId ?? '')).body;
    expect(reshipment).toMatchObject({ state: 'awaiting_pickup', carrier: 'JD Logistics', replaces: id, caseId });

    const published = await readTopicWithKcat(Topics.logistics, {
      count: 4,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_subject === id,
    });
    const types = published.map((m) => m.headers.ce_type);
    expect(types).toEqual([
      'aftersales.logistics.shipment-stalled.v1',
      'aftersales.logistics.shipment-lost.v1',
      'aftersales.logistics.shipment-reshipped.v1',
      'aftersales.logistics.compensation-requested.v1',
    ]);
    for (const m of published) {
      const data = JSON.parse(m.payload) as Record<string, unknown>;
      expect(validateEvent(m.headers.ce_type as never, data)).toMatchObject({ ok: true });
      expect(data).toMatchObject({ caseId, shipmentId: id, tenantId: tenant });
    }
    expect(JSON.parse(published[3]?.payload ?? '{}')).toMatchObject({
      reason: 'lost_in_transit',
      idempotencyKey: `lost_in_transit:${id}`,
      orderId: 'ORD-9',
    });
  });

  it('urge-shipping past the deadline and transit damage: compensation requested once each, on Kafka', async () => {
    const register = async (shipBy: string | undefined) =>
      (
        await service.call<ShipmentBody>('POST', '/shipments', {
          caller: logistics,
          body: {
            orderId: 'ORD-10',
            carrier: 'SF Express',
            trackingNumber: `SF-${randomUUID()}`,
            originRegion: 'CN-ZJ',
            destinationRegion: 'CN-BJ',
            items: [{ sku: 'MUG', quantity: 1 }],
            goodsValue: { amountMinor: 5_000, currency: 'CNY' },
            ...(shipBy ? { shipBy } : {}),
          },
        })
      ).body;
    const agent = { tenant, roles: ['agent'], subject: 'agent-3' };
    const late = await register(hoursAfter(now, -1));
    const urged = await service.call<ShipmentBody>('POST', `/shipments/${late.shipmentId}/urge`, {
      caller: agent,
      body: {},
    });
    expect(urged).toMatchObject({
      status: 200,
      body: { compensationKeys: [`shipping_deadline_missed:${late.shipmentId}`] },
    });
    await service.call('POST', `/shipments/${late.shipmentId}/urge`, { caller: agent, body: {} });

    const damaged = await register(undefined);
    const early = await service.call('POST', `/shipments/${damaged.shipmentId}/transit-damage`, {
      caller: agent,
      body: { responsibility: 'carrier', evidenceRefs: ['photo:1'], customerChoice: 'refund' },
    });
    expect(early).toMatchObject({ status: 409, body: { code: 'SHIPMENT.NOT_DELIVERED' } });
    const raw = (eventId: string, status: string) => ({
      eventId,
      trackingNumber: damaged.trackingNumber,
      status,
      location: 'Beijing',
      occurredAt: now.toISOString(),
    });
    await post([raw(`${damaged.shipmentId}-1`, 'picked_up'), raw(`${damaged.shipmentId}-2`, 'delivered')], signed);
    const noEvidence = await service.call('POST', `/shipments/${damaged.shipmentId}/transit-damage`, {
      caller: agent,
      body: { responsibility: 'carrier', evidenceRefs: [], customerChoice: 'refund' },
    });
    expect(noEvidence).toMatchObject({ status: 422, body: { code: 'SHIPMENT.EVIDENCE_REQUIRED' } });
    const recorded = await service.call<ShipmentBody>('POST', `/shipments/${damaged.shipmentId}/transit-damage`, {
      caller: agent,
      body: { responsibility: 'carrier', evidenceRefs: ['photo:1'], customerChoice: 'refund' },
    });
    expect(recorded.body).toMatchObject({ claims: [{ cause: 'transit_damage', kind: 'indemnity' }] });
    // A step answers the shipment with its scan history (read from its events; the state keeps only the scans' ids).
    expect(recorded.body.scans.map((s) => [s.eventId, s.status])).toEqual([
      [`${damaged.shipmentId}-1`, 'picked_up'],
      [`${damaged.shipmentId}-2`, 'delivered'],
    ]);

    for (const [shipmentId, reason, instrument] of [
      [late.shipmentId, 'shipping_deadline_missed', 'gift'],
      [damaged.shipmentId, 'transit_damage', 'full_refund'],
    ] as const) {
      const [message] = await readTopicWithKcat(Topics.logistics, {
        count: 1,
        timeoutMs: 30_000,
        until: (m) =>
          m.headers.ce_subject === shipmentId && m.headers.ce_type === 'aftersales.logistics.compensation-requested.v1',
      });
      expect(JSON.parse(message?.payload ?? '{}')).toMatchObject({
        reason,
        proposedInstrument: instrument,
        idempotencyKey: `${reason}:${shipmentId}`,
      });
    }
  });

  it('more stalled parcels in one region than the policy allows within its window: one regional alarm', async () => {
    const shop = uniqueName('shop');
    const manager = { tenant: shop, roles: ['cs-manager'], subject: 'mgr-1' };
    const policy = (
      await service.call<{ policy: Record<string, unknown> }>('GET', '/logistics-policies', { caller: manager })
    ).body.policy;
    const saved = await service.call('PUT', '/logistics-policies', {
      caller: manager,
      body: { ...policy, regionalAlarm: { threshold: 2, windowHours: 6 } },
    });
    expect(saved.status).toBe(200);
    const inShop = { tenant: shop, roles: ['logistics'] };
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await service.call<ShipmentBody>('POST', '/shipments', {
        caller: inShop,
        body: {
          orderId: `ORD-X${i}`,
          carrier: 'SF Express',
          trackingNumber: `SFX-${randomUUID()}`,
          originRegion: 'CN-ZJ',
          destinationRegion: 'CN-XZ',
          items: [{ sku: 'TENT', quantity: 1 }],
        },
      });
      ids.push(res.body.shipmentId);
    }
    // The scans arrive through the Kafka ingress (the integration of this tenant pushes).
    const t0 = now;
    for (const id of ids) {
      const { trackingNumber } = (await service.call<ShipmentBody>('GET', `/shipments/${id}`, { caller: inShop })).body;
      await publisher.publish(CarrierScansReportedV1, {
        batchId: randomUUID(),
        tenantId: shop,
        carrier: 'SF Express',
        scans: [
          {
            eventId: `${id}-1`,
            trackingNumber: trackingNumber ?? '',
            status: 'picked_up',
            location: 'Chengdu',
            occurredAt: t0.toISOString(),
          },
        ],
      });
    }
    for (const id of ids) {
      await eventually(async () => {
        const body = (await service.call<ShipmentBody>('GET', `/shipments/${id}`, { caller: inShop })).body;
        return body.state === 'in_transit' ? true : undefined;
      }, 'the pickup scans');
    }
    now = new Date(t0.getTime() + 48 * HOUR);
    for (const id of ids) {
      await eventually(async () => {
        const body = (await service.call<ShipmentBody>('GET', `/shipments/${id}`, { caller: inShop })).body;
        return body.state === 'stalled' ? true : undefined;
      }, `shipment ${id} stalled`);
    }
    const [alarm] = await readTopicWithKcat(Topics.logistics, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) =>
        m.headers.ce_type === 'aftersales.logistics.regional-alarm-raised.v1' && m.headers.ce_tenantid === shop,
    });
    const data = JSON.parse(alarm?.payload ?? '{}') as Record<string, unknown>;
    expect(validateEvent('aftersales.logistics.regional-alarm-raised.v1', data)).toMatchObject({ ok: true });
    expect(data).toMatchObject({ region: 'CN-XZ', stalledShipments: 3, threshold: 2, carriers: ['SF Express'] });
    const raised = await service.pool.query(
      "SELECT count(*)::int AS n FROM es_events WHERE type = 'RegionalAlarmRaised' AND metadata->>'tenant' = $1",
      [shop],
    );
    expect(raised.rows[0]).toEqual({ n: 1 });
  });

  it('scans that leave the list row as it was neither rewrite nor lock it; a change of state does', async () => {
    const { id, scanAt } = await lampShipment('ORD-IDX');
    const row = async () =>
      // xmax: an upsert that changes nothing still locks the row it conflicts with (a write per scan).
      (
        await service.pool.query<{ version: string; locked: string; status: string }>(
          'SELECT xmin::text AS version, xmax::text AS locked, status FROM shipments_index WHERE shipment_id = $1',
          [id],
        )
      ).rows[0];
    expect((await post([scanAt(1, 'picked_up')], signed)).status).toBe(200);
    const moving = await row();
    expect(moving?.status).toBe('in_transit');
    expect((await post([scanAt(2, 'in_transit'), scanAt(3, 'in_transit')], signed)).status).toBe(200);
    expect(await row()).toEqual(moving);
    expect((await read(id)).body.scans).toHaveLength(3);
    expect((await post([scanAt(4, 'out_for_delivery')], signed)).status).toBe(200);
    const out = await row();
    expect(out?.status).toBe('out_for_delivery');
    expect(out?.version).not.toBe(moving?.version);
  });

  it('a parcel scanned past the snapshot interval is read from its snapshot (ADR 37) and decides as from its events', async () => {
    const { id, scanAt } = await lampShipment('ORD-SNAP');
    const snapshots = async () =>
      (
        await service.pool.query<{ fold: string; version: string; ids: number }>(
          'SELECT fold, version::text, cardinality(event_ids) AS ids FROM es_snapshots WHERE stream_id = $1',
          [`shipment-${id}`],
        )
      ).rows;
    // Registered and booked: two events, fewer than the interval of four, so no snapshot yet.
    expect(await snapshots()).toEqual([]);
    // Picked up (ScanRecorded, ShipmentStatusChanged, ShipmentDeparted): the fifth event, so the batch writes the
    // shipment's snapshot with them.
    expect((await post([scanAt(1, 'picked_up')], signed)).status).toBe(200);
    expect(await snapshots()).toEqual([{ fold: 'shipment@1', version: '5', ids: 5 }]);
    // Three scans in transit: three events after the snapshot, fewer than four, so it stays as it is.
    expect(
      (await post([scanAt(2, 'in_transit'), scanAt(3, 'in_transit'), scanAt(4, 'in_transit')], signed)).status,
    ).toBe(200);
    expect(await snapshots()).toEqual([{ fold: 'shipment@1', version: '5', ids: 5 }]);

    // Read from the snapshot and the three events after it: a scan the snapshot folded is still known (recorded
    // once), a new one moves the parcel on.
    const batch = await post([scanAt(1, 'picked_up'), scanAt(5, 'delivered')], signed);
    expect(batch.body.results.map((r) => r.outcome)).toEqual(['duplicate', 'recorded']);
    const shipment = (await read(id)).body;
    expect(shipment).toMatchObject({ state: 'delivered', lastScanAt: hoursAfter(now, 5) });
    expect(shipment.scans.map((s) => s.eventId)).toEqual([1, 2, 3, 4, 5].map((n) => `${id}-${n}`));
    const stored = await service.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM es_events WHERE stream_id = $1',
      [`shipment-${id}`],
    );
    // The snapshot's five, three scans in transit, then ScanRecorded, ShipmentStatusChanged and ShipmentDelivered.
    expect(stored.rows[0]?.n).toBe(11);
    // Six events after the snapshot: the delivery's batch took a newer one.
    expect(await snapshots()).toEqual([{ fold: 'shipment@1', version: '11', ids: 11 }]);
  });

  it('another tenant lists none of it', async () => {
    const res = await service.call('GET', '/shipments?state=lost', {
      caller: { tenant: `${tenant}-other`, roles: ['logistics'] },
    });
    expect(res.body).toEqual({ shipments: [] });
  });
});
