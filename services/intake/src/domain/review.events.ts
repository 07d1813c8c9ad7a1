/**
 * How the customer judged the order: the shop platform's own grading of a review (好评 / 中评 / 差评), or derived from
 * the star rating when the platform gives none (seed 001 §8: medium and negative reviews are followed up).
 */
export const ReviewSentiments = ['positive', 'medium', 'negative'] as const;
export type ReviewSentiment = (typeof ReviewSentiments)[number];

/** A review of an order, registered by a shop integration or an agent. Internal; not published (see integration-events). */
export type ReviewRegistered = {
  readonly type: 'ReviewRegistered';
  readonly data: {
    readonly reviewId: string;
    readonly tenant: string;
    /** The review's id in the shop platform: one review per shop review id and tenant. */
    readonly shopReviewId: string;
    readonly orderId: string;
    readonly productSku?: string;
    /** Opaque customer reference (no personal data). */
    readonly customerId: string;
    /** Stars, 1 to 5, when the platform rates. */
    readonly rating?: number;
    readonly sentiment: ReviewSentiment;
    /** `shop`: the platform graded it; `rating`: derived from the stars (1–2 negative, 3 medium, 4–5 positive). */
    readonly sentimentFrom: 'shop' | 'rating';
    /** What the review says, as the shop platform shows it. */
    readonly summary: string;
    /** The follow-up case a medium or negative review opened; absent for a positive one. */
    readonly caseId?: string;
    readonly registeredAt: string;
    readonly registeredBy: string;
  };
};

/** A review was reported as malicious (written to extort or harm), with the evidence collected for the appeal. */
export type ReviewFlaggedMalicious = {
  readonly type: 'ReviewFlaggedMalicious';
  readonly data: {
    readonly reviewId: string;
    readonly tenant: string;
    /** The review on the shop platform, and its order: what an appeal names. */
    readonly shopReviewId: string;
    readonly orderId: string;
    /** Why it is malicious, as the reporter states it (objective; no personal data). */
    readonly reason: string;
    /** Where the collected evidence is stored (chat transcripts, order records, screenshots). */
    readonly evidenceRefs: readonly string[];
    /** The review's follow-up case, when it has one: the flag is part of its story. */
    readonly caseId?: string;
    readonly flaggedAt: string;
    readonly flaggedBy: string;
  };
};

/** Domain events of the Review aggregate (internal; the flag is published as `ReviewFlaggedMaliciousV1`). */
export type ReviewEvent = ReviewRegistered | ReviewFlaggedMalicious;
