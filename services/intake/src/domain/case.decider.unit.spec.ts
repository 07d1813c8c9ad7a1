import { historyOf, specOf } from '@aftersales/testing/decider';
import { caseDecider, type OpenCase } from './case.decider';
import { CaseAlreadyOpened, PurchaseInTheFuture } from './case.errors';

const now = new Date('2026-11-25T10:00:00.000Z');
const anOpenCase = (overrides: Partial<OpenCase['data']> = {}): OpenCase => ({
  type: 'OpenCase',
  context: { tenant: 'shop-1', actor: { id: 'agent-7', roles: ['agent'] }, now },
  data: {
    caseId: '8d2f7a1e-2b9c-4c3d-9e8f-1a2b3c4d5e6f',
    channel: 'chat',
    orderId: 'ORD-1',
    customerId: 'cus-1',
    problemType: 'quality',
    description: 'Battery swells after two days',
    evidence: [],
    ...overrides,
  },
});

const given = specOf(caseDecider);

describe('Case decider', () => {
  it('opens a case with the tenant, the actor and the injected time', () => {
    given([])
      .when(anOpenCase())
      .then([
        {
          type: 'CaseOpened',
          data: { ...anOpenCase().data, tenant: 'shop-1', openedBy: 'agent-7', openedAt: '2026-11-25T10:00:00.000Z' },
        },
      ]);
  });

  it('refuses to open the same case twice', () => {
    given(historyOf(caseDecider, [anOpenCase()]))
      .when(anOpenCase())
      .thenThrows(CaseAlreadyOpened, { kind: 'conflict', code: 'CASE.ALREADY_OPENED' });
  });

  it('refuses a purchase dated after now', () => {
    given([])
      .when(anOpenCase({ purchasedAt: '2026-11-26T00:00:00.000Z' }))
      .thenThrows(PurchaseInTheFuture, { kind: 'invalid', code: 'CASE.PURCHASE_IN_FUTURE' });
  });
});
