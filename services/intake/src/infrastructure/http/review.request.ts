import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '@aftersales/contracts';
import { ReviewSentiments } from '../../domain/review.events';

/** Body of `POST /reviews`: a review of an order, as the shop platform shows it. */
export const RegisterReviewRequest = Type.Object(
  {
    shopReviewId: Type.String({
      minLength: 1,
      maxLength: 128,
      description: "The review's id on the shop platform: registering it again returns the same review",
    }),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    productSku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    customerId: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Opaque customer reference (no personal data)',
    }),
    rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'Stars, 1 to 5' })),
    sentiment: Type.Optional(
      StringEnum(ReviewSentiments, {
        description: "The platform's own grade; without it the stars decide (1–2 negative, 3 medium, 4–5 positive)",
      }),
    ),
    summary: Type.String({ minLength: 1, maxLength: 2000, description: 'What the review says' }),
  },
  { additionalProperties: false },
);
export type RegisterReviewRequest = Static<typeof RegisterReviewRequest>;

/** Body of `POST /reviews/:reviewId/malicious-flags`. */
export const FlagMaliciousReviewRequest = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: '\\S',
      description: 'Why the review is malicious, objectively (no personal data)',
    }),
    evidenceRefs: Type.Array(Type.String({ format: 'uri', maxLength: 2000 }), {
      minItems: 1,
      maxItems: 20,
      description: 'Where the collected evidence is stored (chat transcripts, order records, screenshots)',
    }),
  },
  { additionalProperties: false },
);
export type FlagMaliciousReviewRequest = Static<typeof FlagMaliciousReviewRequest>;
