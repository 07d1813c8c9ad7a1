import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  type Principal,
} from '@aftersales/platform-http';
import { ReviewsService, type RegisteredReview } from '../../application/register-review.handler';
import { FlagMaliciousReviewRequest, RegisterReviewRequest } from './review.request';
import { ReviewView } from './review.views';

function view({ registered, maliciousFlags }: RegisteredReview): ReviewView {
  const { tenant: _tenant, caseId, ...review } = registered;
  return {
    ...review,
    ...(caseId ? { followUpCaseId: caseId } : {}),
    status: maliciousFlags.length > 0 ? 'flagged-malicious' : 'registered',
    maliciousFlags: maliciousFlags.map(({ reason, evidenceRefs, flaggedAt, flaggedBy }) => ({
      reason,
      evidenceRefs,
      flaggedAt,
      flaggedBy,
    })),
  };
}

/** Reviews arrive from shop integrations (by API) or from agents (by hand). */
const REGISTER_ROLES = [Role.Agent, Role.Integrator] as const;
/** Who reports a malicious review: the agents who collect the evidence, their supervisors, the shop's integration. */
const FLAG_ROLES = [Role.Agent, Role.Supervisor, Role.Integrator] as const;
const READ_ROLES = [Role.Agent, Role.Supervisor, Role.CsManager, Role.Integrator] as const;

type StatusResponse = { status(code: number): unknown; setHeader(k: string, v: string): void };

@Controller('reviews')
export class ReviewsHttpController {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(ReviewsService) private readonly reviews: ReviewsService) {}

  /**
   * Registers a review of an order (seed 001 §8). A medium or negative one opens a follow-up case
   * (`followUpCaseId`). The shop's review id makes it idempotent: sending it again returns the same review and case
   * (200), nothing is recorded twice; other content under the same shop review id is a conflict (409).
   */
  @Post()
  @Roles(...REGISTER_ROLES)
  @Responds(201, ReviewView, { description: 'Registered now', headers: { Location: '/reviews/{reviewId}' } })
  @Responds(200, ReviewView, { description: 'Registered before: the same review, nothing recorded again' })
  async register(
    @RequestOrigin() origin: CommandOrigin,
    @Body(new SchemaPipe(RegisterReviewRequest)) body: RegisterReviewRequest,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<ReviewView> {
    const { review, created } = await this.reviews.register(origin, body);
    res.status(created ? 201 : 200);
    res.setHeader('Location', `/reviews/${review.registered.reviewId}`);
    return view(review);
  }

  @Get(':reviewId')
  @Roles(...READ_ROLES)
  @Responds(200, ReviewView)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('reviewId', new ParseUUIDPipe()) reviewId: string,
  ): Promise<ReviewView> {
    return view(await this.reviews.get(principal.tenant, reviewId));
  }

  /**
   * Flags the review as malicious, with the reason and the evidence collected for the appeal (seed 001 §8); published as
   * `review-flagged-malicious.v1` for the shop's integration. The same report again records nothing (200).
   */
  @Post(':reviewId/malicious-flags')
  @Roles(...FLAG_ROLES)
  @Responds(201, ReviewView, { description: 'Flag recorded' })
  @Responds(200, ReviewView, { description: 'The same report was recorded before: nothing recorded again' })
  async flag(
    @RequestOrigin() origin: CommandOrigin,
    @Param('reviewId', new ParseUUIDPipe()) reviewId: string,
    @Body(new SchemaPipe(FlagMaliciousReviewRequest)) body: FlagMaliciousReviewRequest,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<ReviewView> {
    const { review, created } = await this.reviews.flagMalicious(origin, { reviewId, ...body });
    res.status(created ? 201 : 200);
    return view(review);
  }
}
