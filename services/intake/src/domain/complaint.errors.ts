import { DomainError } from '@aftersales/domain';

export class ComplaintAlreadyRegistered extends DomainError {
  constructor(complaintId: string) {
    super(
      'COMPLAINT.ALREADY_REGISTERED',
      'conflict',
      `Complaint ${complaintId} is already registered`,
      'A complaint is registered once; retry with the same Idempotency-Key to get it back',
    );
  }
}

export class ComplaintRegionRequired extends DomainError {
  constructor(category: 'special-scenario' | 'service-failure' = 'special-scenario') {
    super(
      'COMPLAINT.REGION_REQUIRED',
      'invalid',
      `A ${category} complaint needs the region it happened in`,
      'Special scenarios (storms, outages, staff shortages) and service failures are clustered by region',
    );
  }
}

export class ComplaintProductSkuRequired extends DomainError {
  constructor() {
    super(
      'COMPLAINT.PRODUCT_SKU_REQUIRED',
      'invalid',
      'A product-quality complaint needs the product SKU',
      'Product-quality complaints are clustered by product and batch',
    );
  }
}
