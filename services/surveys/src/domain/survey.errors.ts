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
