import { historyOf, specOf } from '@aftersales/testing/decider';
import { complaintDecider, type RegisterComplaint } from './complaint.decider';
import { ComplaintAlreadyRegistered } from './complaint.errors';

const now = new Date('2026-11-25T10:00:00.000Z');
const context = { tenant: 'shop-1', actor: { id: 'agent-7', roles: ['agent'] }, now };

/** A product-quality complaint with sealed customer data; tweak it with the `with…` methods. */
function aComplaint() {
  let data: RegisterComplaint['data'] = {
    complaintId: '2a7c9e1f-5b3d-4f6a-9c8e-7d1b2a3c4e5f',
    customerId: 'cus-1',
    customerData: { ciphertext: 'c2VhbGVk', keyVersion: 1 },
    orderId: 'ORD-1',
    productSku: 'PB-20000',
    batch: 'B-7',
    category: 'product-quality',
    description: 'The power bank swelled while charging',
    evidenceRefs: ['https://media.example.com/evidence/1.jpg'],
  };
  const builder = {
    with: (changes: Partial<RegisterComplaint['data']>) => ((data = { ...data, ...changes }), builder),
    without: (field: 'productSku' | 'region' | 'batch' | 'customerData' | 'flags') => {
      const { [field]: _dropped, ...rest } = data;
      data = rest as RegisterComplaint['data'];
      return builder;
    },
    withInjury: () => builder.with({ flags: { ...data.flags, personalInjury: true } }),
    build: (): RegisterComplaint => ({ type: 'RegisterComplaint', context, data }),
  };
  return builder;
}

const given = specOf(complaintDecider);

const noFlags = { personalInjury: false, propertyLoss: false, mediaExposure: false, legalThreat: false };

describe('Complaint decider', () => {
  it('registers a complaint with the tenant, the actor, the injected time and every flag defaulted to false', () => {
    const command = aComplaint().build();
    given([])
      .when(command)
      .then([
        {
          type: 'ComplaintRegistered',
          data: {
            ...command.data,
            tenant: 'shop-1',
            flags: noFlags,
            registeredAt: '2026-11-25T10:00:00.000Z',
            registeredBy: 'agent-7',
          },
        },
      ]);
  });

  it('keeps the flags that were given and defaults the others', () => {
    given([])
      .when(aComplaint().withInjury().build())
      .thenMatches([{ data: { flags: { ...noFlags, personalInjury: true } } }]);
  });

  it('carries the sealed customer data as it came, and registers without any', () => {
    given([])
      .when(aComplaint().build())
      .thenMatches([{ data: { customerData: { ciphertext: 'c2VhbGVk', keyVersion: 1 } } }]);
    const [bare] = given([]).when(aComplaint().without('customerData').build()).thenMatches([{}]);
    expect(bare?.data).not.toHaveProperty('customerData');
  });

  it('refuses to register the same complaint twice', () => {
    given(historyOf(complaintDecider, [aComplaint().build()]))
      .when(aComplaint().build())
      .thenThrows(ComplaintAlreadyRegistered, { kind: 'conflict', code: 'COMPLAINT.ALREADY_REGISTERED' });
  });

  // Seed 000 §3.5.1: when a customer states they are dissatisfied and complains, the complaint process starts at once.
  // Nothing a channel could not tell us (the SKU, the region) stands in its way.
  describe('every complaint is taken on (seed 000 §3.5.1)', () => {
    it('registers a product-quality complaint without a product SKU', () => {
      const [registered] = given([])
        .when(aComplaint().without('productSku').without('batch').build())
        .thenMatches([{ type: 'ComplaintRegistered', data: { category: 'product-quality' } }]);
      expect(registered?.data).not.toHaveProperty('productSku');
    });

    it('registers a special scenario and a service failure without a region', () => {
      for (const category of ['special-scenario', 'service-failure'] as const) {
        const [registered] = given([])
          .when(aComplaint().with({ category }).without('productSku').without('batch').without('region').build())
          .thenMatches([{ type: 'ComplaintRegistered', data: { category } }]);
        expect(registered?.data).not.toHaveProperty('region');
      }
    });

    it('registers a special scenario with a region and no product', () => {
      given([])
        .when(aComplaint().with({ category: 'special-scenario', region: 'east-china' }).without('productSku').build())
        .thenMatches([{ type: 'ComplaintRegistered', data: { region: 'east-china' } }]);
    });
  });
});
