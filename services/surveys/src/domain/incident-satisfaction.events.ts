import type { IncidentLevelValue } from '@aftersales/contracts';

/** A surveyed customer of the incident: the survey sent and, once answered, whether the customer was satisfied. */
export interface SurveyedCustomer {
  readonly surveyId: string;
  readonly customerRef: string;
}

/** Surveys went out to (more of) the incident's affected customers; the first one fixes the level and target. */
export type CustomersSurveyed = {
  readonly type: 'CustomersSurveyed';
  readonly data: {
    readonly incidentId: string;
    readonly tenant: string;
    readonly level: IncidentLevelValue;
    readonly targetPercent: number;
    /** Only customers not surveyed before. */
    readonly surveys: readonly SurveyedCustomer[];
    readonly surveyedAt: string;
  };
};

/** The incident's satisfaction after a new answer: the share of satisfied respondents against the target. */
export type SatisfactionMeasured = {
  readonly type: 'SatisfactionMeasured';
  readonly data: {
    readonly incidentId: string;
    readonly tenant: string;
    readonly level: IncidentLevelValue;
    /** The answer that moved the figure. */
    readonly surveyId: string;
    readonly answerSatisfied: boolean;
    /** Satisfied respondents so far. */
    readonly satisfied: number;
    /** Answers so far (the denominator). */
    readonly responses: number;
    /** Customers surveyed. */
    readonly surveyed: number;
    /** `satisfied / responses`, percent rounded to 2 decimals (`belowTarget` is decided on the exact ratio). */
    readonly satisfactionPercent: number;
    readonly targetPercent: number;
    readonly belowTarget: boolean;
    readonly measuredAt: string;
    /** The after-sales cases of the customer whose answer moved the figure; absent when none. */
    readonly caseIds?: readonly string[];
  };
};

/** The figure fell below the target (it was at or above it, or not measured yet): a follow-up is needed (§6). */
export type SatisfactionBelowTarget = {
  readonly type: 'SatisfactionBelowTarget';
  readonly data: {
    readonly incidentId: string;
    readonly tenant: string;
    readonly level: IncidentLevelValue;
    readonly satisfactionPercent: number;
    readonly targetPercent: number;
    readonly responses: number;
    readonly surveyed: number;
    readonly measuredAt: string;
    readonly reason: string;
    /** The after-sales cases of the incident's customers, which the follow-up concerns; absent when none. */
    readonly caseIds?: readonly string[];
  };
};

/** Domain events of the IncidentSatisfaction aggregate; the measurements are published (see the integration mapper). */
export type IncidentSatisfactionEvent = CustomersSurveyed | SatisfactionMeasured | SatisfactionBelowTarget;
