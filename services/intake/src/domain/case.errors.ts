import { DomainError } from '@aftersales/domain';

export class CaseAlreadyOpened extends DomainError {
  constructor(caseId: string) {
    super(
      'CASE.ALREADY_OPENED',
      'conflict',
      `Case ${caseId} is already open`,
      'A case is opened once; update it instead',
    );
  }
}

export class PurchaseInTheFuture extends DomainError {
  constructor(purchasedAt: string) {
    super(
      'CASE.PURCHASE_IN_FUTURE',
      'invalid',
      `purchasedAt ${purchasedAt} is later than now`,
      'A purchase precedes its after-sales case',
    );
  }
}
