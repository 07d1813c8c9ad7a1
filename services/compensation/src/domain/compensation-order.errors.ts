import { DomainError } from '@aftersales/domain';

/** Stable codes of the compensation rules; each refusal names its rule (409 problem details, dead letters). */
export class CompensationRuleBroken extends DomainError {
  constructor(code: string, message: string, rule: string, kind: 'conflict' | 'invalid' | 'forbidden' = 'conflict') {
    super(`COMPENSATION.${code}`, kind, message, rule);
  }
}

export class CompensationNotFound extends DomainError {
  constructor(id: string) {
    super('COMPENSATION.NOT_FOUND', 'not_found', `No compensation order ${id} in your tenant`);
  }
}

export class InvoiceRequestNotFound extends DomainError {
  constructor(id: string) {
    super('COMPENSATION.INVOICE_NOT_FOUND', 'not_found', `No invoice request ${id} in your tenant`);
  }
}
