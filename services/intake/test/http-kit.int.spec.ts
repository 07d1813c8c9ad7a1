import { randomBytes, randomUUID } from 'node:crypto';
import { describeHttpKit } from '@aftersales/test-kit';
import { intakeService } from '../src/intake.module';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded with a case, a complaint, a
// review (and its follow-up case) and their customer in tenant A.
describeHttpKit(intakeService, {
  env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
  seed: async ({ request, marker }) => {
    // A customer id is a reference any tenant may hold (and echo), so it carries no marker.
    const customerId = `cus-${randomUUID()}`;
    const opened = await request('POST', '/cases', {
      role: 'agent',
      body: { channel: 'chat', orderId: 'ORD-1', customerId, problemType: 'quality', description: marker },
    });
    const registered = await request('POST', '/complaints', {
      role: 'agent',
      body: {
        customer: { id: customerId, name: marker, email: 'li.wei@example.com' },
        orderId: 'ORD-1',
        productSku: 'SKU-1',
        batch: 'B-1',
        category: 'product-quality',
        description: marker,
      },
    });
    const reviewed = await request('POST', '/reviews', {
      role: 'integrator',
      body: { shopReviewId: `REV-${randomUUID()}`, orderId: 'ORD-1', customerId, rating: 2, summary: marker },
    });
    const caseId = (opened.json as { caseId: string }).caseId;
    const complaintId = (registered.json as { complaintId: string }).complaintId;
    const reviewId = (reviewed.json as { reviewId: string }).reviewId;
    return { resources: { caseId, complaintId, reviewId }, references: { customerId } };
  },
});
