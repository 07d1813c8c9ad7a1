import { DomainError } from '@aftersales/domain';

/** Stable codes of the return rules; each refusal names its rule (409 problem details, dead letters). */
export class ReturnRuleBroken extends DomainError {
  constructor(code: string, message: string, rule: string, kind: 'conflict' | 'invalid' | 'forbidden' = 'conflict') {
    super(`RETURN.${code}`, kind, message, rule);
  }
}

export class ReturnNotFound extends DomainError {
  constructor(id: string) {
    super('RETURN.NOT_FOUND', 'not_found', `No return ${id} in your tenant`);
  }
}

export class ReturnCaseUnknown extends DomainError {
  constructor(caseId: string) {
    super(
      'RETURN.CASE_UNKNOWN',
      'invalid',
      `No case ${caseId} has reached this service`,
      'A return for a case is requested for a case intake opened (retry once the case has arrived)',
    );
  }
}
