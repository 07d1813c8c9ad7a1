import { randomBytes, randomUUID } from 'node:crypto';
import { CaseOpenedV1, ReviewFlaggedMaliciousV1, Topics, validateEvent } from '@aftersales/contracts';
import { readTopicWithKcat, uniqueName } from '@aftersales/testing';
import { startTestService, type TestService } from '@aftersales/test-kit';
import { reviewStream } from '../src/application/register-review.handler';
import { defaultSlaPolicy } from '../src/domain/sla-policy';
import { intakeService } from '../src/intake.module';
import { aroundTheClock } from '../src/testing/around-the-clock';

interface Review {
  reviewId: string;
  shopReviewId: string;
  sentiment: string;
  sentimentFrom: string;
  followUpCaseId?: string;
  status: string;
  maliciousFlags: Array<{ reason: string; evidenceRefs: string[]; flaggedBy: string }>;
}

// CONTEXT: intake runs in-process on real Postgres and Kafka. Seed 001 §8 (中差评处理): medium and negative reviews are
// followed up with the customer; for a malicious review, the evidence is collected for the appeal. A shop integration
// retries what it sends, so one review must open exactly one case however often it arrives.
describe('intake reviews: medium and negative reviews open one follow-up case; malicious ones are flagged with evidence', () => {
  const tenant = uniqueName('shop');
  const otherTenant = uniqueName('shop');
  const integrator = { tenant, roles: ['integrator'], subject: 'shop-connector' };
  const agent = { tenant, roles: ['agent'], subject: 'agent-7' };
  let intake: TestService;

  const aReview = (overrides: Record<string, unknown> = {}) => ({
    shopReviewId: `TB-REV-${randomUUID().slice(0, 8)}`,
    orderId: 'ORD-2026-0042',
    productSku: 'KT-900',
    customerId: 'cus-42',
    rating: 2,
    summary: 'Kettle arrived dented and the seller did not answer for two days',
    ...overrides,
  });
  const post = (body: unknown, caller: { tenant: string; roles: string[] } = integrator, headers = {}) =>
    intake.call<Review>('POST', '/reviews', { caller, body, headers });
  const eventsOf = async (streamId: string) =>
    (
      await intake.pool.query<{ type: string; event_id: string }>(
        'SELECT type, event_id::text FROM es_events WHERE stream_id = $1 ORDER BY stream_version',
        [streamId],
      )
    ).rows;

  beforeAll(async () => {
    intake = await startTestService(intakeService, {
      env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    // The tenant runs no SLA targets, around the clock: a follow-up case holds what this test records, whatever the
    // time of the run (clocks and the off-hours acknowledgement are proven in sla-clocks.int.spec.ts).
    const policy = await intake.call('PUT', '/sla-policies', {
      caller: { tenant, roles: ['cs-manager'] },
      body: {
        ...defaultSlaPolicy,
        calendar: aroundTheClock,
        targets: [],
      },
    });
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    await intake?.close();
  });

  let negative: Review;

  it('a negative review opens its follow-up case with a real OpenCase (201)', async () => {
    const res = await post(aReview());
    expect(res.status).toBe(201);
    negative = res.body;
    expect(res.headers.get('location')).toBe(`/reviews/${negative.reviewId}`);
    expect(negative).toMatchObject({
      sentiment: 'negative',
      sentimentFrom: 'rating',
      status: 'registered',
      followUpCaseId: expect.any(String),
      maliciousFlags: [],
    });
    const followUp = await intake.call('GET', `/cases/${negative.followUpCaseId}`, { caller: agent });
    expect(followUp.status).toBe(200);
    expect(followUp.body).toMatchObject({
      caseId: negative.followUpCaseId,
      channel: 'order-page',
      orderId: 'ORD-2026-0042',
      customerId: 'cus-42',
      problemType: 'complaint',
      openedBy: 'shop-connector',
    });
    expect(followUp.body.description).toContain('negative review (2/5)');
  });

  it('opens exactly one case across retries, sequential and concurrent, with or without Idempotency-Key', async () => {
    const review = aReview();
    const first = await post(review);
    expect(first.status).toBe(201);
    const retries = await Promise.all([
      post(review),
      post(review),
      post(review, integrator, { 'idempotency-key': randomUUID() }),
      post(review, agent),
    ]);
    expect(retries.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    for (const retry of retries) {
      expect(retry.body).toMatchObject({ reviewId: first.body.reviewId, followUpCaseId: first.body.followUpCaseId });
    }
    const caseId = first.body.followUpCaseId as string;
    expect((await eventsOf(reviewStream(first.body.reviewId))).map((e) => e.type)).toEqual(['ReviewRegistered']);
    const caseEvents = await eventsOf(`case-${caseId}`);
    expect(caseEvents.map((e) => e.type)).toEqual(['CaseOpened']);
    // Published once (the relay is at-least-once: one event id, whatever the number of messages).
    const published = await readTopicWithKcat(Topics.intake, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === CaseOpenedV1.type && m.headers.ce_subject === caseId,
    });
    expect(new Set(published.map((m) => m.headers.ce_id))).toEqual(new Set([caseEvents[0]?.event_id]));
  });

  it('opens exactly one case when the first deliveries of a review race each other', async () => {
    const review = aReview();
    const racing = await Promise.all(Array.from({ length: 5 }, () => post(review)));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const [caseId] = new Set(racing.map((r) => r.body.followUpCaseId));
    expect(new Set(racing.map((r) => r.body.followUpCaseId)).size).toBe(1);
    expect((await eventsOf(`case-${caseId}`)).map((e) => e.type)).toEqual(['CaseOpened']);
    expect((await eventsOf(reviewStream(racing[0]!.body.reviewId))).map((e) => e.type)).toEqual(['ReviewRegistered']);
  });

  it('a medium review opens a follow-up case too; a positive one opens none', async () => {
    const medium = await post(aReview({ rating: undefined, sentiment: 'medium' }));
    expect(medium.status).toBe(201);
    expect(medium.body).toMatchObject({ sentiment: 'medium', sentimentFrom: 'shop' });
    const followUp = await intake.call('GET', `/cases/${medium.body.followUpCaseId}`, { caller: agent });
    expect(followUp.body).toMatchObject({ problemType: 'suggestion', channel: 'order-page' });

    const positive = await post(aReview({ rating: 5 }));
    expect(positive.status).toBe(201);
    expect(positive.body.sentiment).toBe('positive');
    expect(positive.body).not.toHaveProperty('followUpCaseId');
  });

  it('refuses other content under a registered shop review (409), a review without a grade (422), bad fields (400)', async () => {
    const changed = await post(aReview({ shopReviewId: negative.shopReviewId, rating: 1 }));
    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({ code: 'REVIEW.ALREADY_REGISTERED' });

    const ungraded = await post(aReview({ rating: undefined }));
    expect(ungraded.status).toBe(422);
    expect(ungraded.body).toMatchObject({ code: 'REVIEW.GRADE_MISSING' });

    const invalid = await post({ ...aReview({ rating: 7, sentiment: 'furious' }), summary: '' });
    expect(invalid.status).toBe(400);
    expect(
      (invalid.body as unknown as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer).sort(),
    ).toEqual(['/rating', '/sentiment', '/summary']);
    expect((await post(aReview(), { tenant, roles: ['logistics'] })).status).toBe(403);
  });

  it('flags a malicious review with its evidence (201), once per report (200), published for the appeal', async () => {
    const flag = {
      reason: 'Buyer demanded a refund in exchange for removing the review',
      evidenceRefs: ['https://media.example.com/evidence/chat-88123.png'],
    };
    const path = `/reviews/${negative.reviewId}/malicious-flags`;
    const flagged = await intake.call<Review>('POST', path, { caller: agent, body: flag });
    expect(flagged.status).toBe(201);
    expect(flagged.body).toMatchObject({
      reviewId: negative.reviewId,
      status: 'flagged-malicious',
      maliciousFlags: [{ ...flag, flaggedBy: 'agent-7' }],
    });
    const again = await intake.call<Review>('POST', path, { caller: agent, body: flag });
    expect(again.status).toBe(200);
    expect(again.body.maliciousFlags).toHaveLength(1);

    const [message] = await readTopicWithKcat(Topics.intake, {
      count: 1,
      timeoutMs: 30_000,
      until: (m) => m.headers.ce_type === ReviewFlaggedMaliciousV1.type && m.headers.ce_subject === negative.reviewId,
    });
    expect(message?.headers).toMatchObject({ ce_tenantid: tenant, ce_source: '/aftersales/intake' });
    const payload = JSON.parse(message?.payload ?? '{}') as ReviewFlaggedMaliciousV1;
    expect(validateEvent(ReviewFlaggedMaliciousV1.type, payload)).toMatchObject({ ok: true });
    expect(payload).toEqual({
      reviewId: negative.reviewId,
      tenantId: tenant,
      shopReviewId: negative.shopReviewId,
      orderId: 'ORD-2026-0042',
      reason: flag.reason,
      evidenceRefs: flag.evidenceRefs,
      caseId: negative.followUpCaseId,
      flaggedAt: expect.any(String),
    });
  });

  it("the follow-up case's timeline tells its story: opened for the review, the review, the malicious flag", async () => {
    const page = await intake.call<{ entries: Array<Record<string, unknown>> }>(
      'GET',
      `/cases/${negative.followUpCaseId}/timeline`,
      { caller: agent },
    );
    expect(page.status).toBe(200);
    expect(page.body.entries.map((e) => [e.eventType, e.link, e.actor])).toEqual([
      ['ReviewRegistered', `/reviews/${negative.reviewId}`, { kind: 'integration', id: 'shop-connector' }],
      ['CaseOpened', `/cases/${negative.followUpCaseId}`, { kind: 'integration', id: 'shop-connector' }],
      ['ReviewFlaggedMalicious', `/reviews/${negative.reviewId}`, { kind: 'user', id: 'agent-7' }],
    ]);
    expect(page.body.entries[0]).toMatchObject({ summary: 'Review registered: negative, rated 2/5' });
  });

  it("keeps tenants apart: another tenant's review is not found, nor flaggable", async () => {
    const other = { tenant: otherTenant, roles: ['agent'] };
    expect((await intake.call('GET', `/reviews/${negative.reviewId}`, { caller: other })).status).toBe(404);
    const flag = await intake.call('POST', `/reviews/${negative.reviewId}/malicious-flags`, {
      caller: other,
      body: { reason: 'Looks fake', evidenceRefs: ['https://media.example.com/e.png'] },
    });
    expect(flag.status).toBe(404);
    expect(flag.body).toMatchObject({ code: 'REVIEW.NOT_FOUND' });
    // The same shop review id in another tenant is another review.
    const theirs = await post(aReview({ shopReviewId: negative.shopReviewId }), {
      tenant: otherTenant,
      roles: ['integrator'],
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.reviewId).not.toBe(negative.reviewId);
    expect(theirs.body.followUpCaseId).not.toBe(negative.followUpCaseId);
  });
});
