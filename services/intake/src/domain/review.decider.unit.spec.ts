import { historyOf, specOf, stateOf } from '@aftersales/testing/decider';
import { reviewDecider, type FlagReviewMalicious, type RegisterReview } from './review.decider';
import {
  MaliciousFlagIncomplete,
  ReviewAlreadyRegistered,
  ReviewGradeMissing,
  ReviewNotFound,
  ReviewRatingOutOfRange,
} from './review.errors';

const now = new Date('2026-11-25T10:00:00.000Z');
const context = { tenant: 'shop-1', actor: { id: 'shop-connector', roles: ['integrator'] }, now };
const reviewId = '0b8e9f8e-7a43-4c1e-9f7e-2f4b1f1d9a10';
const followUpCaseId = '5d3c1b2a-9e8f-4a7b-8c6d-1e2f3a4b5c6d';

const aReview = (data: Partial<RegisterReview['data']> = {}): RegisterReview => ({
  type: 'RegisterReview',
  context,
  data: {
    reviewId,
    shopReviewId: 'TB-REV-88123',
    orderId: 'ORD-1',
    productSku: 'KT-900',
    customerId: 'cus-1',
    rating: 2,
    summary: 'Kettle arrived dented, seller slow to answer',
    followUpCaseId,
    ...data,
  },
});

const aFlag = (data: Partial<FlagReviewMalicious['data']> = {}, tenant = 'shop-1'): FlagReviewMalicious => ({
  type: 'FlagReviewMalicious',
  context: { ...context, tenant, actor: { id: 'agent-7', roles: ['agent'] } },
  data: {
    reviewId,
    reason: 'Buyer demanded a refund in exchange for removing the review',
    evidenceRefs: ['https://media.example.com/evidence/chat-1.png'],
    ...data,
  },
});

const given = specOf(reviewDecider);

describe('Review decider', () => {
  describe('registering a review', () => {
    it('records the review with its grade, the actor and the time; a negative one opens the follow-up case', () => {
      given([])
        .when(aReview())
        .then([
          {
            type: 'ReviewRegistered',
            data: {
              reviewId,
              tenant: 'shop-1',
              shopReviewId: 'TB-REV-88123',
              orderId: 'ORD-1',
              productSku: 'KT-900',
              customerId: 'cus-1',
              rating: 2,
              sentiment: 'negative',
              sentimentFrom: 'rating',
              summary: 'Kettle arrived dented, seller slow to answer',
              caseId: followUpCaseId,
              registeredAt: '2026-11-25T10:00:00.000Z',
              registeredBy: 'shop-connector',
            },
          },
        ]);
    });

    // Seed 001 §8 (中差评处理): medium and negative reviews are followed up; a positive one is only recorded.
    it.each([
      [1, 'negative', true],
      [2, 'negative', true],
      [3, 'medium', true],
      [4, 'positive', false],
      [5, 'positive', false],
    ] as const)('grades %i stars as %s (follow-up: %s)', (rating, sentiment, followUp) => {
      const [registered] = given([])
        .when(aReview({ rating }))
        .thenMatches([{ data: { sentiment, sentimentFrom: 'rating' } }]);
      if (followUp) expect(registered?.data).toMatchObject({ caseId: followUpCaseId });
      else expect(registered?.data).not.toHaveProperty('caseId');
    });

    it("takes the shop platform's grade over the stars, and needs no stars with it", () => {
      given([])
        .when(aReview({ rating: 4, sentiment: 'medium' }))
        .thenMatches([{ data: { rating: 4, sentiment: 'medium', sentimentFrom: 'shop', caseId: followUpCaseId } }]);
      const [bare] = given([])
        .when(aReview({ rating: undefined, sentiment: 'positive' }))
        .thenMatches([{ data: { sentiment: 'positive', sentimentFrom: 'shop' } }]);
      expect(bare?.data).not.toHaveProperty('rating');
      expect(bare?.data).not.toHaveProperty('caseId');
    });

    it('refuses a review with neither stars nor a grade, and stars outside 1–5', () => {
      given([])
        .when(aReview({ rating: undefined }))
        .thenThrows(ReviewGradeMissing, { kind: 'invalid', code: 'REVIEW.GRADE_MISSING' });
      given([])
        .when(aReview({ rating: 6, sentiment: 'negative' }))
        .thenThrows(ReviewRatingOutOfRange, { kind: 'invalid', code: 'REVIEW.RATING_OUT_OF_RANGE' });
    });

    it('records nothing when the shop sends the same review again (a retry)', () => {
      given(historyOf(reviewDecider, [aReview()]))
        .when({ ...aReview(), context: { ...context, now: new Date('2026-11-25T11:00:00.000Z') } })
        .thenNothing();
    });

    it('refuses other content under the same shop review', () => {
      given(historyOf(reviewDecider, [aReview()]))
        .when(aReview({ rating: 1, summary: 'Worse than I said' }))
        .thenThrows(ReviewAlreadyRegistered, { kind: 'conflict', code: 'REVIEW.ALREADY_REGISTERED' });
    });
  });

  describe('flagging a malicious review', () => {
    const registered = () => historyOf(reviewDecider, [aReview()]);

    // Seed 001 §8: for a malicious review written to gain an undue benefit, collect the evidence for the appeal.
    it('records the reason and the evidence, attributed to the reporter, on the follow-up case', () => {
      given(registered())
        .when(aFlag())
        .then([
          {
            type: 'ReviewFlaggedMalicious',
            data: {
              reviewId,
              tenant: 'shop-1',
              shopReviewId: 'TB-REV-88123',
              orderId: 'ORD-1',
              reason: 'Buyer demanded a refund in exchange for removing the review',
              evidenceRefs: ['https://media.example.com/evidence/chat-1.png'],
              caseId: followUpCaseId,
              flaggedAt: '2026-11-25T10:00:00.000Z',
              flaggedBy: 'agent-7',
            },
          },
        ]);
    });

    it('keeps every report with new evidence, and records the same report once', () => {
      const flagged = historyOf(reviewDecider, [aFlag()], registered());
      given(flagged).when(aFlag()).thenNothing();
      given(flagged)
        .when(aFlag({ evidenceRefs: ['https://media.example.com/evidence/order-log.pdf'] }))
        .thenMatches([{ type: 'ReviewFlaggedMalicious' }]);
      const state = stateOf(
        reviewDecider,
        historyOf(reviewDecider, [aFlag({ evidenceRefs: ['https://e.example/2'] })], flagged),
      );
      expect(state.status === 'registered' && state.maliciousFlags.map((f) => f.evidenceRefs)).toEqual([
        ['https://media.example.com/evidence/chat-1.png'],
        ['https://e.example/2'],
      ]);
    });

    it('flags a review without a follow-up case without naming one', () => {
      const [flag] = given(historyOf(reviewDecider, [aReview({ rating: 5 })]))
        .when(aFlag())
        .thenMatches([{ type: 'ReviewFlaggedMalicious' }]);
      expect(flag?.data).not.toHaveProperty('caseId');
    });

    it('needs a reason and at least one piece of evidence', () => {
      given(registered())
        .when(aFlag({ reason: '  ' }))
        .thenThrows(MaliciousFlagIncomplete, { kind: 'invalid', code: 'REVIEW.FLAG_INCOMPLETE' });
      given(registered())
        .when(aFlag({ evidenceRefs: [] }))
        .thenThrows(MaliciousFlagIncomplete, { kind: 'invalid', code: 'REVIEW.FLAG_INCOMPLETE' });
    });

    it("refuses an unknown review, and another tenant's as if it did not exist", () => {
      given([]).when(aFlag()).thenThrows(ReviewNotFound, { kind: 'not_found', code: 'REVIEW.NOT_FOUND' });
      given(registered()).when(aFlag({}, 'shop-2')).thenThrows(ReviewNotFound, { kind: 'not_found' });
    });
  });
});
