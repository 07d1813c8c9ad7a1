import { historyOf, specOf } from '@aftersales/testing/decider';
import { customerDataDecider, type EraseCustomerData } from './customer-data.decider';

const now = new Date('2026-11-25T10:00:00.000Z');
const anErasure = (actor = 'supervisor-2', reason = 'Erasure request ER-17'): EraseCustomerData => ({
  type: 'EraseCustomerData',
  context: { tenant: 'shop-1', actor: { id: actor, roles: ['supervisor'] }, now },
  data: { customerId: 'cus-1', reason },
});

const given = specOf(customerDataDecider);

describe('CustomerData decider', () => {
  it('records the erasure, attributable to the actor, with the reason and the injected time', () => {
    given([])
      .when(anErasure())
      .then([
        {
          type: 'CustomerDataErased',
          data: {
            tenant: 'shop-1',
            customerId: 'cus-1',
            reason: 'Erasure request ER-17',
            erasedAt: '2026-11-25T10:00:00.000Z',
            erasedBy: 'supervisor-2',
          },
        },
      ]);
  });

  it('records nothing for a repeated erasure (the first one stands)', () => {
    given(historyOf(customerDataDecider, [anErasure()]))
      .when(anErasure('admin-1', 'again'))
      .thenNothing();
  });
});
