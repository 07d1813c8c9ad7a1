import { historyOf, specOf } from '@aftersales/testing/decider';
import { complaintDecider, type RegisterComplaint } from './complaint.decider';
import { ComplaintAlreadyRegistered, ComplaintProductSkuRequired, ComplaintRegionRequired } from './complaint.errors';

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

  describe('special-scenario', () => {
    it('needs a region', () => {
      given([])
        .when(aComplaint().with({ category: 'special-scenario' }).without('productSku').build())
        .thenThrows(ComplaintRegionRequired, { kind: 'invalid', code: 'COMPLAINT.REGION_REQUIRED' });
    });

    it('does not accept a blank region', () => {
      given([])
        .when(aComplaint().with({ category: 'special-scenario', region: '  ' }).build())
        .thenThrows(ComplaintRegionRequired, { kind: 'invalid', code: 'COMPLAINT.REGION_REQUIRED' });
    });

    it('registers with a region and no product', () => {
      const command = aComplaint()
        .with({ category: 'special-scenario', region: 'east-china' })
        .without('productSku')
        .build();
      given([])
        .when(command)
        .thenMatches([{ type: 'ComplaintRegistered', data: { region: 'east-china' } }]);
    });
  });

  describe('product-quality', () => {
    it('needs a product SKU', () => {
      given([])
        .when(aComplaint().without('productSku').build())
        .thenThrows(ComplaintProductSkuRequired, { kind: 'invalid', code: 'COMPLAINT.PRODUCT_SKU_REQUIRED' });
    });
  });

  it('registers a service failure with a region and no product', () => {
    const command = aComplaint()
      .with({ category: 'service-failure', region: 'east-china' })
      .without('productSku')
      .without('batch')
      .build();
    given([])
      .when(command)
      .thenMatches([{ type: 'ComplaintRegistered', data: { category: 'service-failure', region: 'east-china' } }]);
  });

  it('needs a region for a service failure, since incidents cluster them by region', () => {
    const command = aComplaint().with({ category: 'service-failure' }).without('productSku').without('region').build();
    given([]).when(command).thenThrows(ComplaintRegionRequired, { kind: 'invalid', code: 'COMPLAINT.REGION_REQUIRED' });
  });
});
