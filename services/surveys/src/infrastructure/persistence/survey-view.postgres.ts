import { Inject, Injectable } from '@nestjs/common';
import { assertNever } from '@aftersales/domain';
import type { Queryable, ServiceDatabase } from '@aftersales/eventstore';
import { SERVICE_DATABASE } from '@aftersales/service-runtime';
import type { SurveyRow, SurveyViewRepository } from '../../application/survey-view.port';
import type { SurveyEvent } from '../../domain/survey.events';

const COLUMNS = `survey_id, incident_id, customer_ref, level, target_percent, channel, sent_at, answered_at, answered_via,
              response_speed, result, attitude, average_score, satisfied, suggestion`;

/**
 * {@link SurveyViewRepository} on `surveys_survey_view`: written in the caller's transaction (the one that appended
 * the events), so lists and suggestions are exactly as current as the event store; read on the service's pool.
 */
@Injectable()
export class PostgresSurveyViewRepository implements SurveyViewRepository {
  constructor(@Inject(SERVICE_DATABASE) private readonly db: ServiceDatabase) {}

  async apply(tx: Queryable, events: readonly SurveyEvent[]): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case 'SurveySent': {
          const d = event.data;
          await tx.query(
            `INSERT INTO surveys_survey_view (tenant, survey_id, incident_id, customer_ref, level, target_percent, channel, sent_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, survey_id) DO NOTHING`,
            [d.tenant, d.surveyId, d.incidentId, d.customerRef, d.level, d.targetPercent, d.channel, d.sentAt],
          );
          break;
        }
        case 'SurveyAnswered': {
          const d = event.data;
          await tx.query(
            `UPDATE surveys_survey_view
                SET answered_at = $3, answered_via = $4, answered_by = $5, response_speed = $6, result = $7, attitude = $8,
                    average_score = $9, satisfied = $10, suggestion = $11
              WHERE tenant = $1 AND survey_id = $2`,
            [
              d.tenant,
              d.surveyId,
              d.answeredAt,
              d.answeredVia,
              d.answeredBy,
              d.scores.responseSpeed,
              d.scores.result,
              d.scores.attitude,
              d.averageScore,
              d.satisfied,
              d.suggestion ?? null,
            ],
          );
          break;
        }
        default:
          assertNever(event);
      }
    }
  }

  async surveysOf(tenant: string, incidentId: string): Promise<SurveyRow[]> {
    const { rows } = await this.db.pool.query<SurveyRow>(
      `SELECT ${COLUMNS}
         FROM surveys_survey_view WHERE tenant = $1 AND incident_id = $2 ORDER BY sent_at, customer_ref`,
      [tenant, incidentId],
    );
    return rows;
  }

  async suggestionsOf(tenant: string, incidentId: string): Promise<SurveyRow[]> {
    const { rows } = await this.db.pool.query<SurveyRow>(
      `SELECT ${COLUMNS}
         FROM surveys_survey_view WHERE tenant = $1 AND incident_id = $2
          AND answered_at IS NOT NULL AND (satisfied = false OR suggestion IS NOT NULL)
        ORDER BY answered_at DESC, customer_ref`,
      [tenant, incidentId],
    );
    return rows;
  }
}
