import { Controller, Inject } from '@nestjs/common';
import { RegionalAlarmRaisedV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { ComplaintClusteringProcessManager } from '../../application/complaint-clustering.process-manager';

/**
 * Inbox consumer `regional-alarms` (topic `aftersales.logistics.events`): every logistics regional alarm goes through
 * the clustering process manager as a special-scenario signal about its region, in the inbox transaction. Dead
 * letters: `aftersales.incidents.regional-alarms.dlq`.
 */
@Controller()
export class RegionalAlarmRaisedConsumer {
  constructor(
    @Inject(ComplaintClusteringProcessManager) private readonly clustering: ComplaintClusteringProcessManager,
  ) {}

  @Handles(RegionalAlarmRaisedV1)
  async onRegionalAlarmRaised(event: InboxEvent<RegionalAlarmRaisedV1>): Promise<void> {
    await this.clustering.onRegionalAlarmRaised(event.tx, event.session, event.origin, event.data);
  }
}
