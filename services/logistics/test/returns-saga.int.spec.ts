import { randomUUID } from 'node:crypto';
import {
  ReplacementShipmentRequestedV1,
  ReturnCancelledV1,
  ReturnShipmentRequestedV1,
  Topics,
  validateEvent,
} from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { carrierSignature } from '../src/infrastructure/http/carrier-events.http.controller';
import { logisticsService } from '../src/logistics.module';

interface ShipmentBody {
  shipmentId: string;
  returnId: string | null;
  purpose: string;
  state: string;
  carrier: string | null;
  trackingNumber: string | null;
}

// CONTEXT: ADR 14's conversation, logistics' side: returns is played by the test kit's ContractPublisher with its
// published contracts; the carrier by signed webhook batches; what returns would consume is read back with kcat.
describe('logistics: the return and replacement shipments returns asks for (ADR 14)', () => {
  const tenant = uniqueName('shop');
  const logistics = { tenant, roles: ['logistics'], subject: 'ops-1' };
  const secret = 's'.repeat(40);
  const integrationId = `sf-${randomUUID().slice(0, 8)}`;
  let service: TestService;
  let returns: ContractPublisher;

  beforeAll(async () => {
    service = await startTestService(logisticsService);
    returns = await ContractPublisher.connect();
    await service.call('PUT', `/carrier-integrations/${integrationId}`, {
      caller: { tenant, roles: ['admin'] },
      body: { carrier: 'SF Express', secret },
    });
  });

  afterAll(async () => {
    await returns?.close();
    await service?.close();
  });

  const shipmentFor = (caseId: string, purpose: string) =>
    eventually(async () => {
      const res = await service.call<{ shipments: Array<{ shipmentId: string; purpose: string }> }>(
        'GET',
        `/shipments?caseId=${caseId}`,
        { caller: logistics },
      );
      const found = res.body.shipments.find((s) => s.purpose === purpose);
      return found ? found.shipmentId : undefined;
    }, `the ${purpose} shipment`);
  const read = (id: string) => service.call<ShipmentBody>('GET', `/shipments/${id}`, { caller: logistics });
  const label = (id: string, trackingNumber: string) =>
    service.call<ShipmentBody>('POST', `/shipments/${id}/label`, {
      caller: logistics,
      body: { carrier: 'SF Express', trackingNumber },
    });
  const scans = async (events: object[]) => {
    const raw = JSON.stringify({ events });
    const res = await service.call('POST', '/carrier-events', {
      body: raw,
      headers: {
        'content-type': 'application/json',
        'x-carrier-integration': integrationId,
        'x-carrier-signature': carrierSignature(secret, raw),
      },
    });
    expect(res.status).toBe(200);
  };
  const published = (shipmentId: string, type: string) =>
    readTopicWithKcat(Topics.logistics, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_subject === shipmentId && m.headers.ce_type === type,
    });
  const requested = (returnId: string, caseId: string) => ({
    returnId,
    tenantId: tenant,
    caseId,
    orderId: 'ORD-5',
    items: [{ sku: 'KETTLE-1L', quantity: 2 }],
    pickupAddressRef: 'order:ORD-5:delivery-address',
    returnAddressRef: 'warehouse:shanghai-1',
    method: 'carrier_pickup',
    packaging: 'Original box',
    shippingPaidBy: 'merchant' as const,
    requestedAt: new Date().toISOString(),
  });

  it('a return parcel: made once for the return, delivered with what was counted → shipment-delivered.v1', async () => {
    const returnId = randomUUID();
    const caseId = randomUUID();
    await returns.publish(ReturnShipmentRequestedV1, requested(returnId, caseId));
    await returns.publish(ReturnShipmentRequestedV1, requested(returnId, caseId)); // a redelivery: one shipment
    const id = await shipmentFor(caseId, 'return');
    expect((await read(id)).body).toMatchObject({
      returnId,
      purpose: 'return',
      state: 'awaiting_pickup',
      carrier: 'SF Express',
    });

    const trackingNumber = `RT${Date.now()}`;
    expect((await label(id, trackingNumber)).status).toBe(200);
    const at = (minutes: number) => new Date(Date.now() - (60 - minutes) * 60_000).toISOString();
    await scans([
      {
        eventId: `${trackingNumber}-2`,
        trackingNumber,
        status: 'delivered',
        location: 'Shanghai warehouse',
        occurredAt: at(30),
        counted: [{ sku: 'KETTLE-1L', quantity: 1 }],
      },
      { eventId: `${trackingNumber}-1`, trackingNumber, status: 'picked_up', location: 'Customer', occurredAt: at(0) },
    ]);
    expect((await read(id)).body.state).toBe('delivered');

    const [delivered] = await published(id, 'aftersales.logistics.shipment-delivered.v1');
    const data = JSON.parse(delivered?.payload ?? '{}') as Record<string, unknown>;
    expect(validateEvent('aftersales.logistics.shipment-delivered.v1', data)).toMatchObject({ ok: true });
    expect(data).toMatchObject({
      returnId,
      caseId,
      purpose: 'return',
      items: [{ sku: 'KETTLE-1L', quantity: 1 }],
      trackingNumber,
    });
    const all = await service.pool.query("SELECT count(*)::int AS n FROM es_events WHERE type = 'ShipmentRegistered'");
    expect(all.rows[0]).toEqual({ n: 1 });
  });

  it('a replacement: when it leaves, replacement-shipped.v1 with its tracking number and the return id', async () => {
    const returnId = randomUUID();
    const caseId = randomUUID();
    await returns.publish(ReplacementShipmentRequestedV1, {
      returnId,
      tenantId: tenant,
      caseId,
      orderId: 'ORD-6',
      items: [{ sku: 'KETTLE-1L', quantity: 1 }],
      deliveryAddressRef: 'order:ORD-6:delivery-address',
      shippingPaidBy: 'platform',
      shipBy: new Date(Date.now() + 24 * 3_600_000).toISOString(),
      requestedAt: new Date().toISOString(),
    });
    const id = await shipmentFor(caseId, 'replacement');
    const trackingNumber = `RP${Date.now()}`;
    await label(id, trackingNumber);
    await scans([
      {
        eventId: `${trackingNumber}-1`,
        trackingNumber,
        status: 'PickedUp',
        location: 'Warehouse',
        occurredAt: new Date().toISOString(),
      },
    ]);
    const [shipped] = await published(id, 'aftersales.logistics.replacement-shipped.v1');
    expect(JSON.parse(shipped?.payload ?? '{}')).toMatchObject({
      returnId,
      caseId,
      carrier: 'SF Express',
      trackingNumber,
    });
  });

  it('a cancelled return cancels its return shipment while not picked up', async () => {
    const returnId = randomUUID();
    const caseId = randomUUID();
    await returns.publish(ReturnShipmentRequestedV1, requested(returnId, caseId));
    const id = await shipmentFor(caseId, 'return');
    await returns.publish(ReturnCancelledV1, {
      returnId,
      tenantId: tenant,
      caseId,
      reason: 'customer_withdrew',
      cancelledAt: new Date().toISOString(),
    });
    await eventually(async () => ((await read(id)).body.state === 'cancelled' ? true : undefined), 'the cancellation');
  });
});
