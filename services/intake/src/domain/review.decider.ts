import { assertNever, type Command, type Decider } from '@aftersales/domain';
import {
  MaliciousFlagIncomplete,
  ReviewAlreadyRegistered,
  ReviewGradeMissing,
  ReviewNotFound,
  ReviewRatingOutOfRange,
} from './review.errors';
import type { ReviewEvent, ReviewFlaggedMalicious, ReviewRegistered, ReviewSentiment } from './review.events';

/**
 * Registers a review of an order. `followUpCaseId` is the id the follow-up case gets if the review needs one (derived
 * from the review by the caller, so a retry opens no second case); the decider decides whether it does.
 */
export type RegisterReview = Command<
  'RegisterReview',
  {
    readonly reviewId: string;
    readonly shopReviewId: string;
    readonly orderId: string;
    readonly productSku?: string;
    readonly customerId: string;
    readonly rating?: number;
    readonly sentiment?: ReviewSentiment;
    readonly summary: string;
    readonly followUpCaseId: string;
  }
>;

/** Reports a review as malicious, with the evidence collected. */
export type FlagReviewMalicious = Command<
  'FlagReviewMalicious',
  { readonly reviewId: string; readonly reason: string; readonly evidenceRefs: readonly string[] }
>;

export type ReviewCommand = RegisterReview | FlagReviewMalicious;

export type ReviewState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered';
      readonly registered: ReviewRegistered['data'];
      /** Every malicious flag, oldest first; the review is flagged once there is one. */
      readonly maliciousFlags: ReadonlyArray<ReviewFlaggedMalicious['data']>;
    };

export const initialState = (): ReviewState => ({ status: 'none' });

/**
 * The grade of a review: the shop platform's when it gives one (its own 好评/中评/差评, which the stars do not override),
 * else from the stars: 1–2 negative, 3 medium, 4–5 positive.
 */
export function sentimentOf(
  review: Pick<RegisterReview['data'], 'rating' | 'sentiment'>,
): Pick<ReviewRegistered['data'], 'sentiment' | 'sentimentFrom'> {
  const { rating } = review;
  if (rating !== undefined && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) {
    throw new ReviewRatingOutOfRange(rating);
  }
  if (review.sentiment) return { sentiment: review.sentiment, sentimentFrom: 'shop' };
  if (rating === undefined) throw new ReviewGradeMissing();
  return { sentiment: rating <= 2 ? 'negative' : rating === 3 ? 'medium' : 'positive', sentimentFrom: 'rating' };
}

/** Seed 001 §8 (中差评处理): a medium or negative review is followed up with the customer. */
export const needsFollowUp = (sentiment: ReviewSentiment): boolean => sentiment !== 'positive';

function register(command: RegisterReview, state: ReviewState): ReviewEvent[] {
  const { followUpCaseId, rating, sentiment: _given, productSku, ...review } = command.data;
  const graded = sentimentOf(command.data);
  const registered: ReviewRegistered['data'] = {
    ...review,
    tenant: command.context.tenant,
    ...(productSku ? { productSku } : {}),
    ...(rating !== undefined ? { rating } : {}),
    ...graded,
    ...(needsFollowUp(graded.sentiment) ? { caseId: followUpCaseId } : {}),
    registeredAt: command.context.now.toISOString(),
    registeredBy: command.context.actor.id,
  };
  if (state.status === 'registered') {
    if (state.registered.tenant !== command.context.tenant) throw new ReviewNotFound(review.reviewId);
    // The shop sent the same review again (a retry): nothing new. Other content under the same id is a conflict.
    if (sameReview(state.registered, registered)) return [];
    throw new ReviewAlreadyRegistered(review.shopReviewId);
  }
  return [{ type: 'ReviewRegistered', data: registered }];
}

const reviewFields = ['shopReviewId', 'orderId', 'productSku', 'customerId', 'rating', 'sentiment', 'summary'] as const;

function sameReview(a: ReviewRegistered['data'], b: ReviewRegistered['data']): boolean {
  return reviewFields.every((field) => a[field] === b[field]);
}

function flag(command: FlagReviewMalicious, state: ReviewState): ReviewEvent[] {
  const { reviewId, evidenceRefs } = command.data;
  if (state.status !== 'registered' || state.registered.tenant !== command.context.tenant) {
    throw new ReviewNotFound(reviewId);
  }
  const reason = command.data.reason.trim();
  if (!reason) throw new MaliciousFlagIncomplete('reason');
  if (evidenceRefs.length === 0) throw new MaliciousFlagIncomplete('evidence');
  // The same report again (a retry without Idempotency-Key): recorded once.
  const repeated = state.maliciousFlags.some(
    (f) => f.reason === reason && f.evidenceRefs.join('\n') === evidenceRefs.join('\n'),
  );
  if (repeated) return [];
  const { caseId, shopReviewId, orderId } = state.registered;
  return [
    {
      type: 'ReviewFlaggedMalicious',
      data: {
        reviewId,
        tenant: command.context.tenant,
        shopReviewId,
        orderId,
        reason,
        evidenceRefs: [...evidenceRefs],
        ...(caseId ? { caseId } : {}),
        flaggedAt: command.context.now.toISOString(),
        flaggedBy: command.context.actor.id,
      },
    },
  ];
}

export function decide(command: ReviewCommand, state: ReviewState): ReviewEvent[] {
  switch (command.type) {
    case 'RegisterReview':
      return register(command, state);
    case 'FlagReviewMalicious':
      return flag(command, state);
    default:
      return assertNever(command);
  }
}

export function evolve(state: ReviewState, event: ReviewEvent): ReviewState {
  switch (event.type) {
    case 'ReviewRegistered':
      return { status: 'registered', registered: event.data, maliciousFlags: [] };
    case 'ReviewFlaggedMalicious':
      return state.status === 'registered'
        ? { ...state, maliciousFlags: [...state.maliciousFlags, event.data] }
        : state;
    default:
      return assertNever(event);
  }
}

/** The Review aggregate (one per shop review and tenant): pure; clock, ids and actor come with the command. */
export const reviewDecider = { decide, evolve, initialState } satisfies Decider<
  ReviewState,
  ReviewCommand,
  ReviewEvent
>;
