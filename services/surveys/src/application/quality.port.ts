import type { Queryable } from '@aftersales/eventstore';
import type { SampleCandidate } from '../domain/quality-sampling';
import type { QualityReviewRecorded } from '../domain/quality-review.decider';

export type KpiPeriod = 'week' | 'month';
export type KpiGrouping = 'tenant' | 'team' | 'agent';

/** Satisfaction of answered case surveys in one period and group (the verdict recorded with each answer). */
export interface SatisfactionKpiRow {
  readonly period: string;
  readonly group: string | null;
  readonly responses: number;
  readonly satisfied: number;
  readonly avgResponseSpeed: number;
  readonly avgResult: number;
  readonly avgAttitude: number;
  readonly unsatisfiedResponseSpeed: number;
  readonly unsatisfiedResult: number;
  readonly unsatisfiedAttitude: number;
}

/** Cases opened in one period, and those repeating a problem resolved within the window before. */
export interface RepeatRateRow {
  readonly period: string;
  readonly cases: number;
  readonly repeats: number;
}

export interface KpiWindow {
  readonly from: Date;
  readonly to: Date;
  readonly period: KpiPeriod;
  /** The tenant calendar's time zone: weeks and months are local. */
  readonly timeZone: string;
}

/**
 * Port: what quality sampling and the survey KPIs read (the case register and the case survey view) and the quality
 * reviews' view. Adapter: `infrastructure/persistence/quality.postgres.ts`.
 */
export interface QualityRepository {
  /** Cases of the tenant resolved in the ISO week (local to `timeZone`) with the agent who handled them. */
  resolvedInWeek(tenant: string, week: string, timeZone: string): Promise<SampleCandidate[]>;
  /** The reviews recorded for the week. */
  reviewsOf(tenant: string, week: string): Promise<Array<QualityReviewRecorded['data']>>;
  /** Applies a recorded review, in `tx` (the transaction that appended it). */
  recordReview(tx: Queryable, review: QualityReviewRecorded['data']): Promise<void>;
  satisfaction(tenant: string, window: KpiWindow, groupBy: KpiGrouping): Promise<SatisfactionKpiRow[]>;
  repeatRate(tenant: string, window: KpiWindow, windowDays: number): Promise<RepeatRateRow[]>;
}

/** DI token of the {@link QualityRepository}. */
export const QUALITY_REPOSITORY = Symbol('QUALITY_REPOSITORY');
