import { describeHttpKit } from '@aftersales/test-kit';
import { returnsService } from '../src/returns.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with a return a shop
// integration requested in tenant A (its order id carries the marker).
describeHttpKit(returnsService, {
  seed: async ({ marker, request }) => {
    const res = await request('POST', '/returns', {
      role: 'integrator',
      body: {
        orderId: marker.slice(0, 64),
        kind: 'return',
        reason: 'quality',
        severity: 'unusable',
        items: [
          {
            sku: 'KETTLE-1L',
            quantity: 1,
            unitPrice: { amountMinor: 19_900, currency: 'CNY' },
            specialPrice: false,
            deliveredAt: new Date().toISOString(),
            condition: { unused: false, tagsAttached: false, packagingIntact: false },
          },
        ],
        orderPaid: { amountMinor: 19_900, currency: 'CNY' },
        evidenceRefs: [],
      },
    });
    if (res.status !== 201) throw new Error(`seed: POST /returns answered ${res.status}`);
    return { resources: { returnId: (res.json as { returnId: string }).returnId } };
  },
});
