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
