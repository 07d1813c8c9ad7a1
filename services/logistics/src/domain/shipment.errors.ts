import { DomainError } from '@aftersales/domain';

export class ShipmentAlreadyOpened extends DomainError {
  constructor(id: string) {
    super('SHIPMENT.ALREADY_OPENED', 'conflict', `Shipment ${id} is already open`, 'An id opens one shipment');
  }
}

export class ShipmentCaseUnknown extends DomainError {
  constructor(caseId: string) {
    super(
      'SHIPMENT.CASE_UNKNOWN',
      'invalid',
      `No case ${caseId} has reached this service`,
      'A shipment is opened for an after-sales case intake opened (retry once the case has arrived)',
    );
  }
}

export class ShipmentNotFound extends DomainError {
  constructor(id: string) {
    super('SHIPMENT.NOT_FOUND', 'not_found', `No shipment ${id} in your tenant`);
  }
}
