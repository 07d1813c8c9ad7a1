import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { Type, type Static } from '@sinclair/typebox';
import { satisfactionPercent, StringEnum } from '@aftersales/contracts';
import type { CommandOrigin } from '@aftersales/eventstore';
import {
  CurrentPrincipal,
  DateTime,
  Nullable,
  ReadonlyList,
  RequestOrigin,
  Responds,
  Role,
  Roles,
  SchemaPipe,
  ValidationProblem,
  type Principal,
} from '@aftersales/platform-http';
import { QualityService } from '../../application/quality.service';
import { isoWeekPattern } from '../../domain/quality-sampling';

const Week = Type.String({ pattern: isoWeekPattern.source, description: 'ISO week, e.g. 2026-W48 (tenant time zone)' });

export const SampleQuery = Type.Object({ week: Week }, { additionalProperties: false });
export type SampleQuery = Static<typeof SampleQuery>;

export const ReviewBody = Type.Object(
  {
    week: Week,
    caseId: Type.String({ format: 'uuid', description: 'A case of the week’s sample' }),
    score: Type.Integer({ minimum: 0, maximum: 100, description: 'How well the case met the service standard' }),
    notes: Type.Optional(Type.String({ maxLength: 2000, description: 'What the reviewer found (no personal data)' })),
  },
  { additionalProperties: false },
);
export type ReviewBody = Static<typeof ReviewBody>;

const Review = Type.Object({
  caseId: Type.String({ format: 'uuid' }),
  agentId: Type.String(),
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  notes: Nullable(Type.String()),
  reviewedBy: Type.String(),
  reviewedAt: DateTime(),
});

export const SampleView = Type.Object(
  {
    week: Type.String(),
    perAgent: Type.Integer({ minimum: 0 }),
    agents: ReadonlyList(
      Type.Object({
        agentId: Type.String(),
        population: Type.Integer({ minimum: 0, description: 'Cases the agent resolved that week' }),
        caseIds: ReadonlyList(Type.String({ format: 'uuid' }), { description: 'The drawn cases' }),
        reviews: ReadonlyList(Review),
      }),
    ),
  },
  { title: 'QualitySampleView' },
);
export type SampleView = Static<typeof SampleView>;
export const ReviewView = Type.Object(Review.properties, { title: 'QualityReviewView' });
export type ReviewView = Static<typeof ReviewView>;

const windowProperties = {
  period: Type.Optional(StringEnum(['week', 'month'] as const, { description: 'Trend buckets (default week)' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (default 90 days before `to`)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End, exclusive (default now)' })),
};
export const SatisfactionKpiQuery = Type.Object(
  {
    ...windowProperties,
    groupBy: Type.Optional(StringEnum(['tenant', 'team', 'agent'] as const, { description: 'Default tenant' })),
  },
  { additionalProperties: false },
);
export type SatisfactionKpiQuery = Static<typeof SatisfactionKpiQuery>;
export const RepeatRateQuery = Type.Object(windowProperties, { additionalProperties: false });
export type RepeatRateQuery = Static<typeof RepeatRateQuery>;

const Dimension = Type.Object({
  average: Type.Number({ minimum: 1, maximum: 5 }),
  unsatisfied: Type.Integer({ minimum: 0, description: 'Answers at or below the unsatisfied threshold' }),
});
export const SatisfactionKpiView = Type.Object(
  {
    period: StringEnum(['week', 'month'] as const),
    groupBy: StringEnum(['tenant', 'team', 'agent'] as const),
    from: DateTime(),
    to: DateTime(),
    rows: ReadonlyList(
      Type.Object({
        period: Type.String({ description: 'ISO week (2026-W48) or month (2026-11), tenant time zone' }),
        group: Nullable(Type.String({ description: 'Team or agent; null for the tenant, or cases never assigned' })),
        responses: Type.Integer({ minimum: 1 }),
        satisfied: Type.Integer({ minimum: 0 }),
        satisfactionPercent: Type.Number({ minimum: 0, maximum: 100 }),
        responseSpeed: Dimension,
        result: Dimension,
        attitude: Dimension,
      }),
    ),
  },
  { title: 'SatisfactionKpiView' },
);
export type SatisfactionKpiView = Static<typeof SatisfactionKpiView>;
export const RepeatRateView = Type.Object(
  {
    period: StringEnum(['week', 'month'] as const),
    windowDays: Type.Integer({ minimum: 1 }),
    from: DateTime(),
    to: DateTime(),
    rows: ReadonlyList(
      Type.Object({
        period: Type.String(),
        cases: Type.Integer({ minimum: 1, description: 'Cases opened in the period' }),
        repeats: Type.Integer({ minimum: 0, description: 'Of them, repeats of a problem resolved within the window' }),
        repeatPercent: Type.Number({ minimum: 0, maximum: 100 }),
      }),
    ),
  },
  { title: 'RepeatRateView' },
);
export type RepeatRateView = Static<typeof RepeatRateView>;

const KPI_ROLES = [Role.Supervisor, Role.CsManager, Role.CsDirector, Role.Quality] as const;
const DAY_MS = 86_400_000;

/** The window of a KPI query: `to` defaults to now, `from` to 90 days before; 400 unless `from` < `to` within 2 years. */
function windowOf(query: { from?: string; to?: string; period?: 'week' | 'month' }) {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 90 * DAY_MS);
  if (
    Number.isNaN(from.getTime()) ||
    Number.isNaN(to.getTime()) ||
    !(from < to) ||
    to.getTime() - from.getTime() > 731 * DAY_MS
  ) {
    throw new ValidationProblem([{ pointer: '/from', detail: 'from must be before to, at most two years apart' }]);
  }
  return { from, to, period: query.period ?? 'week' };
}

/**
 * Service quality (seed 000 §5): the weekly quality sample per agent with the reviewers' scores, and the survey KPIs —
 * satisfaction per dimension, team and agent, and the repeat rate of the same problem, per week or month.
 */
@Controller()
export class QualityHttpController {
  // Explicit token: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
  constructor(@Inject(QualityService) private readonly quality: QualityService) {}

  /** The week's sample: up to the policy's number of resolved cases per agent, drawn reproducibly (seeded). */
  @Get('quality-samples')
  @Roles(Role.Quality, Role.Supervisor, Role.CsManager)
  @Responds(200, SampleView)
  async sample(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(SampleQuery)) query: SampleQuery,
  ): Promise<SampleView> {
    const sample = await this.quality.sample(principal, query.week);
    return {
      week: sample.week,
      perAgent: sample.perAgent,
      agents: sample.agents.map((a) => ({
        agentId: a.agentId,
        population: a.population,
        caseIds: [...a.caseIds],
        reviews: a.reviews.map(reviewView),
      })),
    };
  }

  /** A reviewer's score of a sampled case (409 `QUALITY.NOT_IN_SAMPLE` for a case the draw did not pick; once). */
  @Post('quality-samples/reviews')
  @HttpCode(201)
  @Roles(Role.Quality)
  @Responds(201, ReviewView)
  async review(
    @RequestOrigin() origin: CommandOrigin,
    @CurrentPrincipal() principal: Principal,
    @Body(new SchemaPipe(ReviewBody)) body: ReviewBody,
  ): Promise<ReviewView> {
    return reviewView(await this.quality.review(origin, principal, body));
  }

  /** Satisfaction of answered case surveys per week or month, for the tenant, per team or per agent. */
  @Get('kpis/satisfaction')
  @Roles(...KPI_ROLES)
  @Responds(200, SatisfactionKpiView)
  async satisfaction(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(SatisfactionKpiQuery)) query: SatisfactionKpiQuery,
  ): Promise<SatisfactionKpiView> {
    const window = windowOf(query);
    const groupBy = query.groupBy ?? 'tenant';
    const rows = await this.quality.satisfaction(principal, window, groupBy);
    return {
      period: window.period,
      groupBy,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      rows: rows.map((r) => ({
        period: r.period,
        group: r.group,
        responses: r.responses,
        satisfied: r.satisfied,
        satisfactionPercent: satisfactionPercent(r.satisfied, r.responses),
        responseSpeed: { average: r.avgResponseSpeed, unsatisfied: r.unsatisfiedResponseSpeed },
        result: { average: r.avgResult, unsatisfied: r.unsatisfiedResult },
        attitude: { average: r.avgAttitude, unsatisfied: r.unsatisfiedAttitude },
      })),
    };
  }

  /** Repeat rate of the same problem (same customer, order and problem type within the policy window) per period. */
  @Get('kpis/repeat-rate')
  @Roles(...KPI_ROLES)
  @Responds(200, RepeatRateView)
  async repeatRate(
    @CurrentPrincipal() principal: Principal,
    @Query(new SchemaPipe(RepeatRateQuery)) query: RepeatRateQuery,
  ): Promise<RepeatRateView> {
    const window = windowOf(query);
    const { windowDays, rows } = await this.quality.repeatRate(principal, window);
    return {
      period: window.period,
      windowDays,
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      rows: rows.map((r) => ({ ...r, repeatPercent: satisfactionPercent(r.repeats, r.cases) })),
    };
  }
}

function reviewView(r: {
  caseId: string;
  agentId: string;
  score: number;
  notes?: string;
  reviewedBy: string;
  reviewedAt: string;
}): ReviewView {
  return {
    caseId: r.caseId,
    agentId: r.agentId,
    score: r.score,
    notes: r.notes ?? null,
    reviewedBy: r.reviewedBy,
    reviewedAt: r.reviewedAt,
  };
}
