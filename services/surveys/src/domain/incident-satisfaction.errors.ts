import { DomainError } from '@aftersales/domain';

/** No surveys of this incident in the caller's tenant. */
export class IncidentNotSurveyed extends DomainError {
  constructor(incidentId: string) {
    super(
      'SATISFACTION.NOT_SURVEYED',
      'not_found',
      `No surveys of incident ${incidentId} in your tenant`,
      'Satisfaction is measured from the surveys of a resolved incident',
    );
  }
}

/** An answer to a survey the incident never sent. */
export class SurveyNotOfIncident extends DomainError {
  constructor(surveyId: string, incidentId: string) {
    super(
      'SATISFACTION.UNKNOWN_SURVEY',
      'not_found',
      `Survey ${surveyId} was not sent for incident ${incidentId}`,
      "Only answers to the incident's own surveys count",
    );
  }
}

export class AnswerAlreadyCounted extends DomainError {
  constructor(surveyId: string) {
    super(
      'SATISFACTION.ANSWER_ALREADY_COUNTED',
      'conflict',
      `The answer to survey ${surveyId} is already counted`,
      'Each customer counts once',
    );
  }
}

/** A second resolution of the same incident with a different target: the target of the first one stands. */
export class SatisfactionTargetChanged extends DomainError {
  constructor(incidentId: string, current: number, requested: number) {
    super(
      'SATISFACTION.TARGET_CHANGED',
      'conflict',
      `Incident ${incidentId} is surveyed against ${current} %, not ${requested} %`,
      'An incident is measured against the target it was resolved with',
    );
  }
}

/** The incident id is already surveyed for another tenant (ids come from the incidents service: a bug or a forgery). */
export class IncidentOfAnotherTenant extends DomainError {
  constructor(incidentId: string) {
    super(
      'SATISFACTION.OTHER_TENANT',
      'conflict',
      `Incident ${incidentId} belongs to another tenant`,
      'An incident belongs to one tenant',
    );
  }
}
