import type { Queryable } from '@aftersales/eventstore';
import { assertNever } from '@aftersales/domain';
import type { SurveyEvent } from '../../domain/survey.events';

/**
 * Applies a Survey's new events to `surveys_survey_view` in the caller's transaction (the one that appended them), so
 * lists and suggestions are exactly as current as the event store.
 */
export async function projectSurveyEvents(tx: Queryable, events: readonly SurveyEvent[]): Promise<void> {
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
