import { describeHttpKit } from '@aftersales/test-kit';
import { logisticsService } from '../src/logistics.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with a shipment the logistics
// team registered in tenant A (its order id carries the marker).
describeHttpKit(logisticsService, {
  seed: async ({ marker, request }) => {
    const res = await request('POST', '/shipments', {
      role: 'logistics',
      body: {
        orderId: marker.slice(0, 64),
        carrier: 'SF Express',
        trackingNumber: `SF-${marker}`.slice(0, 64),
        originRegion: 'CN-ZJ',
        destinationRegion: 'CN-GD',
        items: [{ sku: 'KETTLE-1L', quantity: 1 }],
      },
    });
    if (res.status !== 201) throw new Error(`seed: POST /shipments answered ${res.status}`);
    return { resources: { shipmentId: (res.json as { shipmentId: string }).shipmentId } };
  },
});
