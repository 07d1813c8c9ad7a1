import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ComplaintRegisteredV1 } from '@aftersales/contracts';
import { InboxContext, type ConsumedEvent } from '@aftersales/messaging';
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

  @EventPattern(ComplaintRegisteredV1.type)
  async onComplaintRegistered(@Payload() data: ComplaintRegisteredV1, @Ctx() ctx: InboxContext): Promise<void> {
    await this.clustering.onComplaintRegistered(
      { ...ctx.event, data } as ConsumedEvent<ComplaintRegisteredV1>,
      ctx.tx,
      ctx.session,
    );
  }
}
