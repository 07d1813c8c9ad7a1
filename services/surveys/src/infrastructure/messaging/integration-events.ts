import { ImprovementInputRaisedV1, SatisfactionBelowTargetV1, SatisfactionMeasuredV1 } from '@aftersales/contracts';
import type { IntegrationEventMapper } from '@aftersales/messaging';
import type { CaseSurveyEvent } from '../../domain/case-survey.events';
import type { IncidentSatisfactionEvent } from '../../domain/incident-satisfaction.events';
import type { SurveyEvent } from '../../domain/survey.events';

/**
 * Domain → contract mapping at the edge: the improvement input of a case survey (keyed by the survey, naming the case: intake opens its
 * follow-up case; no free text, no contact); integrators see an incident's satisfaction (every measurement, with the survey
 * whose answer moved it, and each fall below the target) and the after-sales cases it concerns, keyed by the incident id. Surveys and answers stay internal: answers carry customer references and
 * free text, which are read through the API by the roles allowed to.
 */
export const surveysIntegrationEvents: IntegrationEventMapper = (stored) => {
  const event = { type: stored.type, data: stored.data } as SurveyEvent | IncidentSatisfactionEvent | CaseSurveyEvent;
  switch (event.type) {
    case 'SatisfactionMeasured': {
      const d = event.data;
      const data: SatisfactionMeasuredV1 = {
        incidentId: d.incidentId,
        tenantId: d.tenant,
        satisfactionPercent: d.satisfactionPercent,
        targetPercent: d.targetPercent,
        responses: d.responses,
        surveyed: d.surveyed,
        belowTarget: d.belowTarget,
        measuredAt: d.measuredAt,
        surveyId: d.surveyId,
        ...(d.caseIds && d.caseIds.length > 0 ? { caseIds: [...d.caseIds] } : {}),
      };
      return { type: SatisfactionMeasuredV1.type, subject: d.incidentId, data };
    }
    case 'SatisfactionBelowTarget': {
      const d = event.data;
      const data: SatisfactionBelowTargetV1 = {
        incidentId: d.incidentId,
        tenantId: d.tenant,
        satisfactionPercent: d.satisfactionPercent,
        targetPercent: d.targetPercent,
        responses: d.responses,
        measuredAt: d.measuredAt,
        ...(d.caseIds && d.caseIds.length > 0 ? { caseIds: [...d.caseIds] } : {}),
      };
      return { type: SatisfactionBelowTargetV1.type, subject: d.incidentId, data };
    }
    case 'ImprovementInputRaised': {
      const d = event.data;
      const data: ImprovementInputRaisedV1 = {
        caseId: d.caseId,
        tenantId: d.tenant,
        surveyId: d.surveyId,
        customerId: d.customerRef,
        orderId: d.orderId,
        problemType: d.problemType,
        ...(d.team ? { team: d.team } : {}),
        ...(d.agentId ? { agentId: d.agentId } : {}),
        reasons: [...d.reasons],
        unsatisfiedDimensions: [...d.unsatisfiedDimensions],
        scores: { ...d.scores },
        route: d.route,
        raisedAt: d.raisedAt,
      };
      return { type: ImprovementInputRaisedV1.type, subject: d.surveyId, data };
    }
    default:
      return null;
  }
};
