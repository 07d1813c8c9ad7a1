import { Inject, Injectable } from '@nestjs/common';
import { assertNever } from '@aftersales/domain';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type {
  CaseSurveyRow,
  CaseSurveyViewRepository,
  FollowUpCallFilter,
} from '../../application/case-survey-view.port';
import type { CaseSurveyEvent } from '../../domain/case-survey.events';

/**
 * {@link CaseSurveyViewRepository} on `surveys_case_survey_view`: written in the caller's transaction (the one that
 * appended the events), read on the service's pool.
 */
@Injectable()
export class PostgresCaseSurveyView implements CaseSurveyViewRepository {
  constructor(@Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase) {}

  async apply(tx: Queryable, events: readonly CaseSurveyEvent[]): Promise<void> {
    for (const event of events) {
      const d = event.data;
      const set = (assignments: string, values: unknown[]) =>
        tx.query(`UPDATE surveys_case_survey_view SET ${assignments} WHERE tenant = $1 AND survey_id = $2`, [
          d.tenant,
          d.surveyId,
          ...values,
        ]);
      switch (event.type) {
        case 'CaseSurveyScheduled': {
          const s = event.data;
          await tx.query(
            `INSERT INTO surveys_case_survey_view (tenant, survey_id, case_id, customer_ref, order_id, problem_type,
                agent_id, team, channel, status, resolved_at, send_at, remind_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'scheduled', $10, $11, $12, $13)
             ON CONFLICT (tenant, survey_id) DO NOTHING`,
            [
              s.tenant,
              s.surveyId,
              s.caseId,
              s.customerRef,
              s.orderId,
              s.problemType,
              s.agentId,
              s.team,
              s.channel,
              s.resolvedAt,
              s.sendAt,
              s.remindAt,
              s.expiresAt,
            ],
          );
          break;
        }
        case 'FollowUpCallScheduled':
          await set(`follow_up_due_by = $3, follow_up_reasons = $4, follow_up_status = 'open'`, [
            event.data.dueBy,
            event.data.reasons,
          ]);
          break;
        case 'CaseSurveyInvited':
          await set(`status = 'invited', invited_at = $3`, [event.data.invitedAt]);
          break;
        case 'CaseSurveyReminded':
          await set('reminded_at = $3', [event.data.remindedAt]);
          break;
        case 'CaseSurveyExpired':
          await set(`status = 'expired', expired_at = $3`, [event.data.expiredAt]);
          break;
        case 'CaseSurveyAnswered': {
          const a = event.data;
          await set(
            `status = 'answered', answered_at = $3, answered_via = $4, answered_by = $5, response_speed = $6,
             result = $7, attitude = $8, average_score = $9, satisfied = $10, unsatisfied_dimensions = $11,
             suggestion = $12, contact = $13`,
            [
              a.answeredAt,
              a.answeredVia,
              a.answeredBy,
              a.scores.responseSpeed,
              a.scores.result,
              a.scores.attitude,
              a.averageScore,
              a.satisfied,
              a.unsatisfiedDimensions,
              a.suggestion ?? null,
              a.contact ? JSON.stringify(a.contact) : null,
            ],
          );
          break;
        }
        case 'ImprovementInputRaised':
          await set('improvement_route = $3', [event.data.route]);
          break;
        case 'FollowUpCallMade':
          await set(
            `follow_up_status = 'made', follow_up_outcome = $3, follow_up_called_at = $4, follow_up_called_by = $5,
             follow_up_late = $6`,
            [event.data.outcome, event.data.calledAt, event.data.calledBy, event.data.late],
          );
          break;
        case 'FollowUpCallOverdue':
          await set(`follow_up_status = 'overdue'`, []);
          break;
        default:
          assertNever(event);
      }
    }
  }

  async surveysOfCase(tenant: string, caseId: string): Promise<CaseSurveyRow[]> {
    const { rows } = await this.db.pool.query<CaseSurveyRow>(
      `SELECT * FROM surveys_case_survey_view WHERE tenant = $1 AND case_id = $2 ORDER BY resolved_at, survey_id`,
      [tenant, caseId],
    );
    return rows;
  }

  async followUpCalls(tenant: string, filter: FollowUpCallFilter, limit: number): Promise<CaseSurveyRow[]> {
    const statuses =
      filter === 'due' ? ['open', 'overdue'] : filter === 'overdue' ? ['overdue'] : ['open', 'overdue', 'made'];
    const { rows } = await this.db.pool.query<CaseSurveyRow>(
      `SELECT * FROM surveys_case_survey_view
        WHERE tenant = $1 AND follow_up_status = ANY($2::text[])
        ORDER BY follow_up_due_by, survey_id LIMIT $3`,
      [tenant, statuses, limit],
    );
    return rows;
  }
}
