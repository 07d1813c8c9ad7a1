import { historyOf, specOf } from '@aftersales/testing/decider';
import { shipmentDecider, type OpenShipment } from './shipment.decider';
import { ShipmentAlreadyOpened, ShipmentCaseUnknown } from './shipment.errors';

const now = new Date('2026-12-01T10:00:00.000Z');
const known = { caseId: '6f1c2b8a-3d4e-4f5a-8b9c-0d1e2f3a4b5c', customerId: 'cus-1', orderId: 'ORD-1' };
const anOpen = (changes: Partial<OpenShipment['data']> = {}, tenant = 'shop-1'): OpenShipment => ({
  type: 'OpenShipment',
  context: { tenant, actor: { id: 'agent-7', roles: ['agent'] }, now },
  data: {
    shipmentId: '0b7e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d',
    caseId: known.caseId,
    note: 'Customer asks',
    case: known,
    ...changes,
  },
});
const given = specOf(shipmentDecider);

describe('Shipment decider', () => {
  it('opens for a known case, with the case facts, the tenant, the actor and the time', () => {
    given([])
      .when(anOpen())
      .then([
        {
          type: 'ShipmentOpened',
          data: {
            shipmentId: '0b7e3c1a-2d4f-4a6b-8c9d-1e2f3a4b5c6d',
            tenant: 'shop-1',
            ...known,
            note: 'Customer asks',
            openedAt: '2026-12-01T10:00:00.000Z',
            openedBy: 'agent-7',
          },
        },
      ]);
  });

  it('refuses a case this service has not registered', () => {
    given([])
      .when(anOpen({ case: null }))
      .thenThrows(ShipmentCaseUnknown, { kind: 'invalid' });
  });

  it('takes the same request again as a no-op, another one under the same id as a conflict', () => {
    const opened = historyOf(shipmentDecider, [anOpen()]);
    given(opened).when(anOpen()).thenNothing();
    given(opened).when(anOpen({}, 'shop-2')).thenThrows(ShipmentAlreadyOpened, { kind: 'conflict' });
  });
});
