import { DomainError } from '@aftersales/domain';

export class ShipmentAlreadyRegistered extends DomainError {
  constructor(id: string) {
    super(
      'SHIPMENT.ALREADY_REGISTERED',
      'conflict',
      `Shipment ${id} is already registered`,
      'An id registers one shipment',
    );
  }
}

export class ShipmentCaseUnknown extends DomainError {
  constructor(caseId: string) {
    super(
      'SHIPMENT.CASE_UNKNOWN',
      'invalid',
      `No case ${caseId} has reached this service`,
      'A shipment names an after-sales case intake opened (retry once the case has arrived)',
    );
  }
}

export class ShipmentNotFound extends DomainError {
  constructor(id: string) {
    super('SHIPMENT.NOT_FOUND', 'not_found', `No shipment ${id} in your tenant`);
  }
}

export class ShipmentAlreadyPickedUp extends DomainError {
  constructor(id: string, status: string) {
    super(
      'SHIPMENT.ALREADY_PICKED_UP',
      'conflict',
      `Shipment ${id} is ${status}`,
      'Only a shipment the carrier has not picked up yet can be booked, confirmed or cancelled (domain.md §3)',
    );
  }
}

export class TrackingAlreadyBooked extends DomainError {
  constructor(id: string) {
    super(
      'SHIPMENT.TRACKING_ALREADY_SCANNED',
      'conflict',
      `Shipment ${id} has scans under its tracking number`,
      'A tracking number is changed only before the carrier scanned the parcel',
    );
  }
}

export class LargeOrderNotConfirmed extends DomainError {
  constructor(id: string) {
    super(
      'SHIPMENT.LARGE_ORDER_UNCONFIRMED',
      'conflict',
      `Shipment ${id} is a large order whose address and packing are not confirmed`,
      'A large order (5 items or more by default) ships only once its address and packing are confirmed (domain.md §3)',
    );
  }
}

export class ShipmentEnded extends DomainError {
  constructor(id: string, status: string) {
    super(
      'SHIPMENT.ENDED',
      'conflict',
      `Shipment ${id} is ${status}`,
      'A delivered, returned or cancelled shipment changes no more',
    );
  }
}

export class CarrierIntegrationNotFound extends DomainError {
  constructor(id: string) {
    super('CARRIER_INTEGRATION.NOT_FOUND', 'not_found', `No carrier integration ${id} in your tenant`);
  }
}

export class ShipmentNotDelivered extends DomainError {
  constructor(id: string, status: string) {
    super(
      'SHIPMENT.NOT_DELIVERED',
      'conflict',
      `Shipment ${id} is ${status}`,
      'A wrong, missing or damaged item is reported on goods that arrived (domain.md §3)',
    );
  }
}

export class EvidenceRequired extends DomainError {
  constructor(id: string, what: string) {
    super(
      'SHIPMENT.EVIDENCE_REQUIRED',
      'invalid',
      `Shipment ${id}: ${what} required`,
      `The customer submits ${what} (domain.md §3)`,
    );
  }
}

export class NoCarrierForReshipment extends DomainError {
  constructor(id: string) {
    super(
      'SHIPMENT.NO_CARRIER_FOR_RESHIPMENT',
      'conflict',
      `No carrier to reship shipment ${id} with`,
      "A reshipment goes with one of the tenant's carriers (logistics policy `carriers`)",
    );
  }
}

export class OrderChangeEmpty extends DomainError {
  constructor(id: string) {
    super(
      'SHIPMENT.ORDER_CHANGE_EMPTY',
      'invalid',
      `Order change of shipment ${id} changes nothing`,
      'An order change names a new address or new items',
    );
  }
}
