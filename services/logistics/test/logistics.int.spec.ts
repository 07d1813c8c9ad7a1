import { randomUUID } from 'node:crypto';
import { CaseOpenedV1 } from '@aftersales/contracts';
import { uniqueName } from '@aftersales/testing';
import { ContractPublisher, eventually, startTestService, type TestService } from '@aftersales/test-kit';
import { logisticsService } from '../src/logistics.module';

// CONTEXT: logistics in-process on real Postgres and Kafka; intake is played by publishing its CaseOpened.
describe('logistics: a shipment opened for a case from intake', () => {
  const tenant = uniqueName('shop');
  const agent = { tenant, roles: ['agent'] };
  let service: TestService;
  let intake: ContractPublisher;

  beforeAll(async () => {
    service = await startTestService(logisticsService);
    intake = await ContractPublisher.connect();
  });

  afterAll(async () => {
    await intake?.close();
    await service?.close();
  });

  const aCase = () => ({
    caseId: randomUUID(),
    tenantId: tenant,
    channel: 'chat' as const,
    orderId: 'ORD-7',
    customerId: 'cus-7',
    problemType: 'quality' as const,
    description: 'Battery swells',
    evidence: [],
    openedAt: new Date().toISOString(),
  });

  it('opens one for a registered case, once per Idempotency-Key, and reads it back in its tenant only', async () => {
    const opened = aCase();
    await intake.publish(CaseOpenedV1, opened);
    const open = () =>
      service.call<{ shipmentId: string }>('POST', '/shipments', {
        caller: agent,
        body: { caseId: opened.caseId, note: 'Customer asks' },
        headers: { 'idempotency-key': `open-${opened.caseId}` },
      });
    const first = await eventually(async () => {
      const res = await open();
      return res.status === 201 ? res : undefined;
    }, 'the case to reach logistics');
    expect(first.body).toMatchObject({ caseId: opened.caseId, customerId: 'cus-7', orderId: 'ORD-7', status: 'open' });
    const again = await open();
    expect(again.body).toEqual(first.body);
    const { rows } = await service.pool.query("SELECT count(*)::int AS n FROM es_events WHERE type = 'ShipmentOpened'");
    expect(rows[0]).toEqual({ n: 1 });

    const path = `/shipments/${first.body.shipmentId}`;
    expect(await service.call('GET', path, { caller: agent })).toMatchObject({ status: 200, body: first.body });
    const foreign = await service.call('GET', path, { caller: { tenant: `${tenant}-other`, roles: ['agent'] } });
    expect(foreign).toMatchObject({ status: 404, body: { code: 'SHIPMENT.NOT_FOUND' } });
  });

  it('refuses a case that has not reached it (422 naming the rule)', async () => {
    const res = await service.call('POST', '/shipments', { caller: agent, body: { caseId: randomUUID(), note: 'x' } });
    expect(res).toMatchObject({ status: 422, body: { code: 'SHIPMENT.CASE_UNKNOWN', rule: expect.any(String) } });
  });
});
