import { CaseOpenedV1 } from '@aftersales/contracts';
import { describeHttpKit, freshSample } from '@aftersales/test-kit';
import { logisticsService } from '../src/logistics.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with a case from intake and a
// shipment opened for it in tenant A.
describeHttpKit(logisticsService, {
  seed: async ({ tenant, marker, publish, request, eventually }) => {
    const { caseId, ...opened } = freshSample(CaseOpenedV1, tenant);
    await publish(CaseOpenedV1, { ...opened, caseId, description: marker });
    const id = await eventually(async () => {
      const res = await request('POST', '/shipments', { role: 'agent', body: { caseId, note: marker } });
      return res.status === 201 ? (res.json as { shipmentId: string }).shipmentId : undefined;
    }, 'the shipment of the registered case');
    return { resources: { shipmentId: id } };
  },
});
