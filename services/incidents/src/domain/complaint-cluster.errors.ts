import { DomainError } from '@aftersales/domain';

/** A complaint dated after `now`, or not dated at all. */
export class ComplaintReceivedAtInvalid extends DomainError {
  constructor(receivedAt: string, now: Date) {
    super(
      'CLUSTER.RECEIVED_AT_INVALID',
      'invalid',
      `receivedAt ${receivedAt} is not a time at or before ${now.toISOString()}`,
      'A complaint is clustered after it was received',
    );
  }
}

/** A complaint routed to a cluster of another category or key (a routing bug upstream). */
export class ComplaintOfAnotherCluster extends DomainError {
  constructor(expected: string, actual: string) {
    super(
      'CLUSTER.KEY_MISMATCH',
      'conflict',
      `Complaint belongs to cluster ${actual}, not ${expected}`,
      'A cluster holds complaints of one tenant, category and cluster key only',
    );
  }
}
