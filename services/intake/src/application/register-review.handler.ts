import { Inject, Injectable } from '@nestjs/common';
import {
  Commands,
  deterministicUuid,
  fold,
  inTransaction,
  type CommandOrigin,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { OpenCase } from '../domain/case.decider';
import {
  reviewDecider,
  type FlagReviewMalicious,
  type RegisterReview,
  type ReviewState,
} from '../domain/review.decider';
import { ReviewNotFound } from '../domain/review.errors';
import type { ReviewRegistered } from '../domain/review.events';
import { CasesService } from './cases.service';

export const reviewStream = (reviewId: string) => `review-${reviewId}`;

/** A shop review's id in the platform: one review per shop review id and tenant, whoever sends it and however often. */
export const reviewIdFor = (tenant: string, shopReviewId: string) =>
  deterministicUuid(`review|${tenant}|${shopReviewId}`);

/** The id of a review's follow-up case: derived from the review, so no retry can open a second one. */
export const followUpCaseIdOf = (reviewId: string) => deterministicUuid(`review-follow-up|${reviewId}`);

export type RegisteredReview = Extract<ReviewState, { status: 'registered' }>;

/** What `POST /reviews` hands over. */
export type RegisterReviewInput = Omit<RegisterReview['data'], 'reviewId' | 'followUpCaseId'>;

/**
 * The follow-up case of a medium or negative review (seed 001 §8, 中差评处理: find out why, solve it, and the customer
 * often revises the review). Opened on the channel the review was written on (the order's page); a negative review is a
 * declared dissatisfaction (`complaint`), a medium one improvement input (`suggestion`) until an agent classifies it.
 */
export function followUpCaseOf(review: ReviewRegistered['data'], caseId: string): OpenCase['data'] {
  const stars = review.rating === undefined ? '' : ` (${review.rating}/5)`;
  return {
    caseId,
    channel: 'order-page',
    orderId: review.orderId,
    customerId: review.customerId,
    problemType: review.sentiment === 'negative' ? 'complaint' : 'suggestion',
    description:
      `Follow-up of a ${review.sentiment} review${stars} of order ${review.orderId}: ${review.summary}`.slice(0, 4000),
    evidence: [],
  };
}

/** Application service of the Review aggregate: registration (with its follow-up case) and malicious flags. */
@Injectable()
export class ReviewsService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
    @Inject(CasesService) private readonly cases: CasesService,
  ) {}

  /**
   * Registers a review and, for a medium or negative one, opens its follow-up case with a real `OpenCase`, in one
   * transaction. The review id derives from the shop's review id and the case id from the review, and the case is opened
   * under a key of its own: a retry (any number, with or without `Idempotency-Key`) finds both and appends nothing.
   */
  async register(
    origin: CommandOrigin,
    input: RegisterReviewInput,
  ): Promise<{ readonly review: RegisteredReview; readonly created: boolean }> {
    const reviewId = reviewIdFor(origin.tenant, input.shopReviewId);
    const followUpCaseId = followUpCaseIdOf(reviewId);
    return inTransaction(this.database.pool, async (tx) => {
      const registered = await this.commands.handle(
        reviewDecider,
        reviewStream(reviewId),
        origin,
        { type: 'RegisterReview', data: { ...input, reviewId, followUpCaseId } },
        { tx },
      );
      const review = registered.state;
      if (review.status !== 'registered' || review.registered.tenant !== origin.tenant) {
        throw new ReviewNotFound(reviewId);
      }
      const { caseId } = review.registered;
      if (caseId) {
        // Opened like any case (its SLA clocks, off hours its automatic acknowledgement), in this transaction.
        await this.cases.openIn(
          tx,
          // The case is caused by the review's registration (its event id), and done by whoever registered it.
          { ...origin, causationId: registered.eventIds[0] ?? origin.causationId },
          followUpCaseOf(review.registered, caseId),
          { idempotencyKey: `review-follow-up|${reviewId}` },
        );
      }
      return { review, created: registered.newEvents.length > 0 };
    });
  }

  /** Records a malicious flag with its evidence; the same report again records nothing (`created: false`). */
  async flagMalicious(
    origin: CommandOrigin,
    data: FlagReviewMalicious['data'],
  ): Promise<{ readonly review: RegisteredReview; readonly created: boolean }> {
    const result = await this.commands.handle(reviewDecider, reviewStream(data.reviewId), origin, {
      type: 'FlagReviewMalicious',
      data,
    });
    if (result.state.status !== 'registered' || result.state.registered.tenant !== origin.tenant) {
      throw new ReviewNotFound(data.reviewId);
    }
    return { review: result.state, created: result.newEvents.length > 0 };
  }

  /** A review of the tenant; another tenant's review is indistinguishable from none. */
  async get(tenant: string, reviewId: string): Promise<RegisteredReview> {
    const state = fold(reviewDecider, await this.commands.store.readStream(reviewStream(reviewId)));
    if (state.status !== 'registered' || state.registered.tenant !== tenant) throw new ReviewNotFound(reviewId);
    return state;
  }
}
