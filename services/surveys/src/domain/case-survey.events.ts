import type { CaseChannel, CasePriority, ProblemType } from '@aftersales/contracts';
import type { SatisfiedRule, ScoreName, Scores, SurveyChannel } from './survey-policy';

/**
 * How the customer asked to be contacted back (name, phone, e-mail) as stored: sealed under the customer's data key
 * (`@aftersales/privacy`, seed 000 §2.5 信息保密標準), never in plaintext in an event, a view or a message. Erasing the
 * customer's key makes every copy unreadable.
 */
export interface SealedContact {
  readonly ciphertext: string;
  readonly keyVersion: number;
}

/** What the survey of a resolved case knows of the case (intake's events, as the case register kept them). */
export interface SurveyedCase {
  readonly caseId: string;
  /** Opaque customer reference (never personal data). */
  readonly customerRef: string;
  readonly orderId: string;
  readonly problemType: ProblemType;
  readonly caseChannel: CaseChannel;
  readonly priority: CasePriority;
  /** The agent and team the case was last assigned to; `null` when never assigned. */
  readonly agentId: string | null;
  readonly team: string | null;
}

/** Why a case gets a proactive follow-up call. */
export type FollowUpCallReason = 'priority' | 'escalated' | 'reopened' | 'problem-type';

/** A resolved case is to be surveyed: when the invitation goes out, when it is reminded and when it expires. */
export type CaseSurveyScheduled = {
  readonly type: 'CaseSurveyScheduled';
  readonly data: SurveyedCase & {
    readonly surveyId: string;
    readonly tenant: string;
    readonly channel: SurveyChannel;
    readonly resolvedAt: string;
    readonly sendAt: string;
    /** `null`: the policy sends no reminder. */
    readonly remindAt: string | null;
    readonly expiresAt: string;
    readonly scheduledAt: string;
  };
};

/** A significant or complex case gets a proactive call by `dueBy` (X working days of the tenant's calendar). */
export type FollowUpCallScheduled = {
  readonly type: 'FollowUpCallScheduled';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly reasons: readonly FollowUpCallReason[];
    readonly workingDays: number;
    readonly dueBy: string;
  };
};

/** The invitation went out (delivered through the notifier port; the delivery is recorded beside). */
export type CaseSurveyInvited = {
  readonly type: 'CaseSurveyInvited';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly invitedAt: string;
  };
};

/** The one reminder of an unanswered survey went out. */
export type CaseSurveyReminded = {
  readonly type: 'CaseSurveyReminded';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly remindedAt: string;
  };
};

/** The survey went unanswered until it expired; no answer is taken after. */
export type CaseSurveyExpired = {
  readonly type: 'CaseSurveyExpired';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly expiredAt: string;
  };
};

/** The customer's answer: the verdict and the dimensions found unsatisfied, under the rules in force then. */
export type CaseSurveyAnswered = {
  readonly type: 'CaseSurveyAnswered';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly customerRef: string;
    readonly agentId: string | null;
    readonly team: string | null;
    readonly scores: Scores;
    readonly averageScore: number;
    readonly satisfied: boolean;
    readonly satisfiedRule: SatisfiedRule;
    /** Dimensions scored at or below `unsatisfiedAtOrBelow`. */
    readonly unsatisfiedDimensions: readonly ScoreName[];
    readonly unsatisfiedAtOrBelow: number;
    /** Free text; internal (read through the API by the roles allowed to), never published. */
    readonly suggestion?: string;
    /** The contact the customer left for a call back, sealed. */
    readonly contact?: SealedContact;
    readonly answeredVia: SurveyChannel;
    readonly answeredAt: string;
    readonly answeredBy: string;
  };
};

/** Where improvement input goes: a follow-up case (an unsatisfied customer) or a quality review (a suggestion). */
export type ImprovementRoute = 'follow-up-case' | 'quality-review';

/**
 * An unsatisfied answer or a suggestion, routed to the responsible department as improvement input (seed 000 §3.4
 * 「反饋處理」): published as `aftersales.surveys.improvement-input-raised.v1`, which intake turns into a case.
 */
export type ImprovementInputRaised = {
  readonly type: 'ImprovementInputRaised';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly customerRef: string;
    readonly orderId: string;
    readonly problemType: ProblemType;
    readonly agentId: string | null;
    /** The responsible department: the team that handled the case (`null`: never assigned). */
    readonly team: string | null;
    readonly reasons: ReadonlyArray<'unsatisfied' | 'suggestion'>;
    readonly unsatisfiedDimensions: readonly ScoreName[];
    readonly scores: Scores;
    readonly route: ImprovementRoute;
    readonly raisedAt: string;
  };
};

/** The proactive call was made (or tried), by whom, when, and whether after its due time. */
export type FollowUpCallMade = {
  readonly type: 'FollowUpCallMade';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly outcome: FollowUpCallOutcome;
    readonly note?: string;
    readonly calledAt: string;
    readonly calledBy: string;
    readonly late: boolean;
  };
};

export const followUpCallOutcomes = ['reached', 'unreachable', 'declined'] as const;
export type FollowUpCallOutcome = (typeof followUpCallOutcomes)[number];

/** The call's due time passed without it: the supervisor is notified. */
export type FollowUpCallOverdue = {
  readonly type: 'FollowUpCallOverdue';
  readonly data: {
    readonly surveyId: string;
    readonly tenant: string;
    readonly caseId: string;
    readonly dueBy: string;
    readonly overdueAt: string;
  };
};

/** Domain events of the CaseSurvey aggregate (one per resolution of a case). */
export type CaseSurveyEvent =
  | CaseSurveyScheduled
  | FollowUpCallScheduled
  | CaseSurveyInvited
  | CaseSurveyReminded
  | CaseSurveyExpired
  | CaseSurveyAnswered
  | ImprovementInputRaised
  | FollowUpCallMade
  | FollowUpCallOverdue;
