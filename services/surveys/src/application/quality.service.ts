import { Inject, Injectable } from '@nestjs/common';
import {
  Commands,
  deterministicUuid,
  inTransaction,
  type CommandOrigin,
  type ServiceDatabase,
} from '@aftersales/eventstore';
import type { Principal } from '@aftersales/platform-http';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import { drawQualitySample, type AgentSample } from '../domain/quality-sampling';
import { qualityReviewDecider, type QualityReviewRecorded } from '../domain/quality-review.decider';
import {
  QUALITY_REPOSITORY,
  type KpiGrouping,
  type KpiWindow,
  type QualityRepository,
  type RepeatRateRow,
  type SatisfactionKpiRow,
} from './quality.port';
import { SurveyPolicies } from './survey-policies';

export const qualityReviewStream = (tenant: string, week: string, caseId: string) =>
  `quality-review-${deterministicUuid(`quality-review|${tenant}|${week}|${caseId}`)}`;

export interface WeeklySample {
  readonly week: string;
  readonly perAgent: number;
  readonly agents: ReadonlyArray<AgentSample & { readonly reviews: ReadonlyArray<QualityReviewRecorded['data']> }>;
}

/**
 * Quality sampling and the survey KPIs (seed 000 §5.1 日常抽檢 and KPI考核, §5.2 每周/每月復盤; domain §6): the week's
 * sample drawn from the case register under the tenant's sampling rule, reviewers' scores on the drawn cases only, and
 * satisfaction per dimension, team and agent and the repeat rate per week or month.
 */
@Injectable()
export class QualityService {
  constructor(
    // Explicit tokens: services also run under transpilers that emit no decorator metadata (tsx/esbuild).
    @Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase,
    @Inject(Commands) private readonly commands: Commands,
    @Inject(SurveyPolicies) private readonly policies: SurveyPolicies,
    @Inject(QUALITY_REPOSITORY) private readonly quality: QualityRepository,
  ) {}

  async sample(principal: Principal, week: string): Promise<WeeklySample> {
    const { policy } = await this.policies.settings(principal.tenant);
    const candidates = await this.quality.resolvedInWeek(principal.tenant, week, policy.calendar.timeZone);
    const { perAgentPerWeek, seed } = policy.sampling;
    const drawn = drawQualitySample(candidates, { seed, tenant: principal.tenant, week, perAgent: perAgentPerWeek });
    const reviews = await this.quality.reviewsOf(principal.tenant, week);
    return {
      week,
      perAgent: perAgentPerWeek,
      agents: drawn.map((agent) => ({
        ...agent,
        reviews: reviews.filter((r) => agent.caseIds.includes(r.caseId)),
      })),
    };
  }

  /** Records a reviewer's score on a case of the week's sample (`QUALITY.NOT_IN_SAMPLE` otherwise), once. */
  async review(
    origin: CommandOrigin,
    principal: Principal,
    data: { readonly week: string; readonly caseId: string; readonly score: number; readonly notes?: string },
  ): Promise<QualityReviewRecorded['data']> {
    const sample = await this.sample(principal, data.week);
    const agentId = sample.agents.find((a) => a.caseIds.includes(data.caseId))?.agentId ?? null;
    return inTransaction(this.db.pool, async (tx) => {
      const result = await this.commands.handle(
        qualityReviewDecider,
        qualityReviewStream(origin.tenant, data.week, data.caseId),
        origin,
        { type: 'RecordQualityReview', data: { ...data, agentId } },
        { tx, now: this.commands.now() },
      );
      for (const event of result.newEvents) await this.quality.recordReview(tx, event.data);
      if (result.state.status !== 'reviewed') throw new Error('a recorded review folds to a reviewed state');
      return result.state.review;
    });
  }

  async satisfaction(
    principal: Principal,
    window: Omit<KpiWindow, 'timeZone'>,
    groupBy: KpiGrouping,
  ): Promise<SatisfactionKpiRow[]> {
    const { policy } = await this.policies.settings(principal.tenant);
    return this.quality.satisfaction(principal.tenant, { ...window, timeZone: policy.calendar.timeZone }, groupBy);
  }

  async repeatRate(
    principal: Principal,
    window: Omit<KpiWindow, 'timeZone'>,
  ): Promise<{ windowDays: number; rows: RepeatRateRow[] }> {
    const { policy } = await this.policies.settings(principal.tenant);
    const rows = await this.quality.repeatRate(
      principal.tenant,
      { ...window, timeZone: policy.calendar.timeZone },
      policy.repeatWindowDays,
    );
    return { windowDays: policy.repeatWindowDays, rows };
  }
}
