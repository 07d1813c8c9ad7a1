import { Controller, Inject } from '@nestjs/common';
import { ComplaintRegisteredV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { ComplaintClusteringProcessManager } from '../../application/complaint-clustering.process-manager';

/**
 * Inbox consumer `complaint-clustering` (topic `aftersales.intake.events`): every registered complaint goes through
 * the clustering process manager in the inbox transaction. Dead letters: `aftersales.incidents.complaint-clustering.dlq`.
 */
@Controller()
export class ComplaintRegisteredConsumer {
  constructor(
    @Inject(ComplaintClusteringProcessManager) private readonly clustering: ComplaintClusteringProcessManager,
  ) {}

  @Handles(ComplaintRegisteredV1)
  async onComplaintRegistered(event: InboxEvent<ComplaintRegisteredV1>): Promise<void> {
    await this.clustering.onComplaintRegistered(event.tx, event.session, event.origin, event.data);
  }
}
