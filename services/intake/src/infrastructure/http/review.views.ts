import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '@aftersales/contracts';
import { DateTime, ReadonlyList } from '@aftersales/platform-http';
import { ReviewSentiments } from '../../domain/review.events';

/** `POST /reviews`, `GET /reviews/:reviewId`, `POST /reviews/:reviewId/malicious-flags`: the review and its flags. */
export const ReviewView = Type.Object(
  {
    reviewId: Type.String({ format: 'uuid' }),
    shopReviewId: Type.String(),
    orderId: Type.String(),
    productSku: Type.Optional(Type.String()),
    customerId: Type.String(),
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    sentiment: StringEnum(ReviewSentiments),
    sentimentFrom: StringEnum(['shop', 'rating'] as const, {
      description: 'shop: the platform graded it; rating: derived from the stars',
    }),
    summary: Type.String(),
    followUpCaseId: Type.Optional(
      Type.String({ format: 'uuid', description: 'The case a medium or negative review opened (GET /cases/{id})' }),
    ),
    registeredAt: DateTime(),
    registeredBy: Type.String(),
    status: StringEnum(['registered', 'flagged-malicious'] as const),
    maliciousFlags: ReadonlyList(
      Type.Object({
        reason: Type.String(),
        evidenceRefs: ReadonlyList(Type.String({ format: 'uri' })),
        flaggedAt: DateTime(),
        flaggedBy: Type.String(),
      }),
    ),
  },
  { title: 'ReviewView' },
);
export type ReviewView = Static<typeof ReviewView>;
