import { randomBytes, randomUUID } from 'node:crypto';
import { describeHttpKit } from '@aftersales/test-kit';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';
import { aroundTheClock } from '../src/testing/around-the-clock';

// The inherited HTTP suites (OpenAPI, tokens, authorization grid, hostile input), seeded in tenant A with a case taken
// into execution (acknowledged, classified, assigned, investigated, a solution accepted, a collaboration requested, the
// customer verified, a communication with sealed contact data), a complaint, a review (and its follow-up case) and
// their customer.
describeHttpKit(intakeService, {
  env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
  seed: async ({ request, marker }) => {
    // A customer id is a reference any tenant may hold (and echo), so it carries no marker.
    const customerId = `cus-${randomUUID()}`;
    // A desk staffed around the clock: the case is acknowledged by the seed below whatever the time of the run (off
    // hours intake would acknowledge it on its own).
    const policy = await request('PUT', '/sla-policies', {
      role: 'cs-manager',
      body: {
        ...defaultSlaPolicy,
        calendar: aroundTheClock,
      },
    });
    if (policy.status !== 200) throw new Error(`seed: sla-policies answered ${policy.status} ${policy.text}`);
    const opened = await request('POST', '/cases', {
      role: 'agent',
      body: { channel: 'chat', orderId: 'ORD-1', customerId, problemType: 'quality', description: marker },
    });
    const caseId = (opened.json as { caseId: string }).caseId;
    const collaborationId = randomUUID();
    const step = async (path: string, body?: unknown) => {
      const res = await request('POST', `/cases/${caseId}/${path}`, { role: 'supervisor', body });
      if (res.status !== 200) throw new Error(`seed: ${path} answered ${res.status} ${res.text}`);
    };
    await step('acknowledgement', { message: marker, expectedCycle: '3 days' });
    await step('classification', { category: 'quality' });
    await step('assignment', { queue: 'q-1', team: 't-1', agentId: 'agent-1' });
    await step('investigation');
    await step('facts', { kind: 'product', summary: marker, source: 'product data' });
    await step('responsibility', { party: 'merchant', basis: marker });
    await step('solutions', {
      solutions: [
        { kind: 'exchange', description: marker, basis: marker, expectedTime: '2 days', customerActions: 'none' },
      ],
    });
    await step('solutions/acceptance', { option: 1 });
    await step('collaborations', {
      collaborationId,
      party: 'warehouse',
      requirement: marker,
      deadline: new Date(Date.now() + 86_400_000).toISOString(),
      owner: 'wh-1',
    });
    await step('identity-verification', { method: 'sms_code' });
    await step('communications', {
      channel: 'chat',
      direction: 'inbound',
      author: { kind: 'customer' },
      summary: marker,
      contact: { phone: '+86 139 0000 0000' },
    });
    // The agent answers: the next-response clock the customer's message started is met, so no timer changes the case
    // while the suites run.
    await step('communications', {
      channel: 'chat',
      direction: 'outbound',
      author: { kind: 'agent' },
      summary: marker,
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
    const complaintId = (registered.json as { complaintId: string }).complaintId;
    const reviewId = (reviewed.json as { reviewId: string }).reviewId;
    return { resources: { caseId, collaborationId, complaintId, reviewId }, references: { customerId } };
  },
});
