import type { IncidentLevelValue } from '@aftersales/contracts';
import type { SatisfiedRule, Scores, SurveyChannel } from './survey-policy';

/** A satisfaction survey was sent to one affected customer of a resolved incident (domain §6). */
export type SurveySent = {
  readonly type: 'SurveySent';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly incidentId: string;
    /** Opaque customer reference (never personal data). */
    readonly customerRef: string;
    readonly level: IncidentLevelValue;
    /** The incident's satisfaction target, percent of satisfied respondents. */
    readonly targetPercent: number;
    readonly channel: SurveyChannel;
    readonly sentAt: string;
    readonly sentBy: string;
  };
};

/** The customer's answer, recorded by the customer-service group (or an integrator) after a call, SMS or app form. */
export type SurveyAnswered = {
  readonly type: 'SurveyAnswered';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly incidentId: string;
    readonly customerRef: string;
    readonly scores: Scores;
    readonly averageScore: number;
    /** The verdict under {@link SurveyAnswered.data.satisfiedRule}, the tenant's rule when the answer was recorded. */
    readonly satisfied: boolean;
    readonly satisfiedRule: SatisfiedRule;
    readonly suggestion?: string;
    /** How the answer came back (defaults to the channel the survey was sent on). */
    readonly answeredVia: SurveyChannel;
    readonly answeredAt: string;
    readonly answeredBy: string;
  };
};

/** Domain events of the Survey aggregate (internal; none is published as such). */
export type SurveyEvent = SurveySent | SurveyAnswered;
