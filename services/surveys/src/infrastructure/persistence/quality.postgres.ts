import { Inject, Injectable } from '@nestjs/common';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type {
  KpiGrouping,
  KpiWindow,
  QualityRepository,
  RepeatRateRow,
  SatisfactionKpiRow,
} from '../../application/quality.port';
import type { SampleCandidate } from '../../domain/quality-sampling';
import type { QualityReviewRecorded } from '../../domain/quality-review.decider';

/** Local period label: `IYYY-"W"IW` for weeks (ISO), `YYYY-MM` for months. */
const periodLabel = (column: string, period: KpiWindow['period']) =>
  period === 'week'
    ? `to_char(${column} AT TIME ZONE $4, 'IYYY-"W"IW')`
    : `to_char(${column} AT TIME ZONE $4, 'YYYY-MM')`;

const groupColumn: Record<KpiGrouping, string> = { tenant: 'NULL::text', team: 'team', agent: 'agent_id' };

/**
 * {@link QualityRepository} on `surveys_case_register` (the draw, the repeat rate), `surveys_case_survey_view` (the
 * satisfaction KPIs) and `surveys_quality_reviews`. Weeks and months are those of the tenant calendar's time zone.
 */
@Injectable()
export class PostgresQualityRepository implements QualityRepository {
  constructor(@Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase) {}

  async resolvedInWeek(tenant: string, week: string, timeZone: string): Promise<SampleCandidate[]> {
    const { rows } = await this.db.pool.query<{ case_id: string; agent_id: string }>(
      `SELECT case_id, agent_id FROM surveys_case_register
        WHERE tenant = $1 AND agent_id IS NOT NULL AND resolved_at IS NOT NULL
          AND to_char(resolved_at AT TIME ZONE $3, 'IYYY-"W"IW') = $2`,
      [tenant, week, timeZone],
    );
    return rows.map((r) => ({ caseId: r.case_id, agentId: r.agent_id }));
  }

  async reviewsOf(tenant: string, week: string): Promise<Array<QualityReviewRecorded['data']>> {
    const { rows } = await this.db.pool.query<{
      case_id: string;
      agent_id: string;
      score: number;
      notes: string | null;
      reviewed_by: string;
      reviewed_at: Date;
    }>(
      `SELECT case_id, agent_id, score, notes, reviewed_by, reviewed_at FROM surveys_quality_reviews
        WHERE tenant = $1 AND week = $2 ORDER BY reviewed_at, case_id`,
      [tenant, week],
    );
    return rows.map((r) => ({
      tenant,
      week,
      caseId: r.case_id,
      agentId: r.agent_id,
      score: r.score,
      ...(r.notes ? { notes: r.notes } : {}),
      reviewedBy: r.reviewed_by,
      reviewedAt: r.reviewed_at.toISOString(),
    }));
  }

  async recordReview(tx: Queryable, r: QualityReviewRecorded['data']): Promise<void> {
    await tx.query(
      `INSERT INTO surveys_quality_reviews (tenant, week, case_id, agent_id, score, notes, reviewed_by, reviewed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, week, case_id) DO NOTHING`,
      [r.tenant, r.week, r.caseId, r.agentId, r.score, r.notes ?? null, r.reviewedBy, r.reviewedAt],
    );
  }

  async satisfaction(tenant: string, window: KpiWindow, groupBy: KpiGrouping): Promise<SatisfactionKpiRow[]> {
    const group = groupColumn[groupBy];
    const { rows } = await this.db.pool.query<{
      period: string;
      grp: string | null;
      responses: string;
      satisfied: string;
      avg_speed: string;
      avg_result: string;
      avg_attitude: string;
      low_speed: string;
      low_result: string;
      low_attitude: string;
    }>(
      `SELECT ${periodLabel('answered_at', window.period)} AS period, ${group} AS grp,
              count(*) AS responses, count(*) FILTER (WHERE satisfied) AS satisfied,
              round(avg(response_speed), 2) AS avg_speed, round(avg(result), 2) AS avg_result,
              round(avg(attitude), 2) AS avg_attitude,
              count(*) FILTER (WHERE 'responseSpeed' = ANY(unsatisfied_dimensions)) AS low_speed,
              count(*) FILTER (WHERE 'result' = ANY(unsatisfied_dimensions)) AS low_result,
              count(*) FILTER (WHERE 'attitude' = ANY(unsatisfied_dimensions)) AS low_attitude
         FROM surveys_case_survey_view
        WHERE tenant = $1 AND answered_at >= $2 AND answered_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
      [tenant, window.from, window.to, window.timeZone],
    );
    return rows.map((r) => ({
      period: r.period,
      group: r.grp,
      responses: Number(r.responses),
      satisfied: Number(r.satisfied),
      avgResponseSpeed: Number(r.avg_speed),
      avgResult: Number(r.avg_result),
      avgAttitude: Number(r.avg_attitude),
      unsatisfiedResponseSpeed: Number(r.low_speed),
      unsatisfiedResult: Number(r.low_result),
      unsatisfiedAttitude: Number(r.low_attitude),
    }));
  }

  async repeatRate(tenant: string, window: KpiWindow, windowDays: number): Promise<RepeatRateRow[]> {
    // A case repeats a problem (domain/quality-sampling.ts `isRepeatOf`): same customer, order and problem type as
    // another case, opened within the window after that one was resolved.
    const { rows } = await this.db.pool.query<{ period: string; cases: string; repeats: string }>(
      `SELECT ${periodLabel('c.opened_at', window.period)} AS period, count(*) AS cases,
              count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM surveys_case_register p
                 WHERE p.tenant = c.tenant AND p.customer_id = c.customer_id AND p.order_id = c.order_id
                   AND p.problem_type = c.problem_type AND p.case_id <> c.case_id AND p.resolved_at IS NOT NULL
                   AND c.opened_at >= p.resolved_at AND c.opened_at <= p.resolved_at + make_interval(days => $5))) AS repeats
         FROM surveys_case_register c
        WHERE c.tenant = $1 AND c.opened_at >= $2 AND c.opened_at < $3
        GROUP BY 1 ORDER BY 1`,
      [tenant, window.from, window.to, window.timeZone, windowDays],
    );
    return rows.map((r) => ({ period: r.period, cases: Number(r.cases), repeats: Number(r.repeats) }));
  }
}
