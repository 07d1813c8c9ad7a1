import { DomainError } from '@aftersales/domain';

/** No survey with this id in the caller's tenant (another tenant's survey is indistinguishable from none). */
export class SurveyNotFound extends DomainError {
  constructor(surveyId: string) {
    super(
      'SURVEY.NOT_FOUND',
      'not_found',
      `No survey ${surveyId} in your tenant`,
      'A survey is answered only after it was sent',
    );
  }
}

export class SurveyAlreadyAnswered extends DomainError {
  constructor(surveyId: string, answeredAt: string) {
    super(
      'SURVEY.ALREADY_ANSWERED',
      'conflict',
      `Survey ${surveyId} was already answered at ${answeredAt}`,
      'A customer answers a survey once; the first answer stands',
    );
  }
}

export class InvalidSurveyAnswer extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'SURVEY.INVALID_ANSWER',
      'invalid',
      `Invalid answer: ${problems.join('; ')}`,
      'Response speed, result and attitude are whole scores from 1 to 5; the suggestion is optional text',
    );
  }
}

export class InvalidSurvey extends DomainError {
  constructor(readonly problems: readonly string[]) {
    super(
      'SURVEY.INVALID',
      'invalid',
      `Invalid survey: ${problems.join('; ')}`,
      'A survey names its incident, customer and a target within 0–100 %',
    );
  }
}

/** The survey id is already used for another incident or customer: ids are derived from both, so this is a bug. */
export class SurveyIdTaken extends DomainError {
  constructor(surveyId: string) {
    super(
      'SURVEY.ID_TAKEN',
      'conflict',
      `Survey ${surveyId} already belongs to another incident or customer`,
      'One survey per incident and customer',
    );
  }
}

/** The case survey's invitation has not gone out yet: there is nothing to answer. */
export class CaseSurveyNotSent extends DomainError {
  constructor(surveyId: string, sendAt: string) {
    super(
      'SURVEY.NOT_SENT',
      'conflict',
      `Survey ${surveyId} is sent at ${sendAt}; it cannot be answered before`,
      'A survey is answered after its invitation went out',
    );
  }
}

/** The case survey expired unanswered. */
export class CaseSurveyExpired extends DomainError {
  constructor(surveyId: string, expiredAt: string) {
    super(
      'SURVEY.EXPIRED',
      'conflict',
      `Survey ${surveyId} expired unanswered at ${expiredAt}`,
      'Answers are taken until the survey expires (the tenant policy’s cases.expiresAfterHours)',
    );
  }
}

/** No follow-up call is due for this survey's case (not significant or complex under the policy of its resolution). */
export class NoFollowUpCall extends DomainError {
  constructor(surveyId: string) {
    super(
      'SURVEY.NO_FOLLOW_UP_CALL',
      'conflict',
      `No follow-up call is due for survey ${surveyId}`,
      'Significant or complex cases get a proactive follow-up call (policy cases.followUpCall)',
    );
  }
}

/** The follow-up call was recorded already. */
export class FollowUpCallAlreadyMade extends DomainError {
  constructor(surveyId: string, calledAt: string) {
    super(
      'SURVEY.FOLLOW_UP_CALL_MADE',
      'conflict',
      `The follow-up call of survey ${surveyId} was recorded at ${calledAt}`,
      'A follow-up call is recorded once',
    );
  }
}

/** No survey of this case in the caller's tenant (another tenant's case is indistinguishable from none). */
export class CaseNotSurveyed extends DomainError {
  constructor(caseId: string) {
    super(
      'SURVEY.CASE_NOT_SURVEYED',
      'not_found',
      `No survey of case ${caseId} in your tenant`,
      'A case is surveyed once resolved, when the tenant policy covers it',
    );
  }
}
