import { Controller, Inject } from '@nestjs/common';
import { SatisfactionMeasuredV1 } from '@aftersales/contracts';
import { Handles, type InboxEvent } from '@aftersales/messaging';
import { SatisfactionHandler } from '../../application/satisfaction.handler';

/**
 * Inbox consumer `satisfaction` (topic `aftersales.surveys.events`): satisfaction measured by surveys is recorded on
 * the incident. `SatisfactionBelowTargetV1` needs no handler: the incident derives "below target" from the
 * measurement itself. Dead letters: `aftersales.incidents.satisfaction.dlq`.
 */
@Controller()
export class SatisfactionMeasuredConsumer {
  constructor(@Inject(SatisfactionHandler) private readonly satisfaction: SatisfactionHandler) {}

  @Handles(SatisfactionMeasuredV1)
  async onSatisfactionMeasured({ tx, origin, data, id }: InboxEvent<SatisfactionMeasuredV1>): Promise<void> {
    await this.satisfaction.onSatisfactionMeasured(tx, origin, {
      incidentId: data.incidentId,
      percent: data.satisfactionPercent,
      responses: data.responses,
      belowTarget: data.belowTarget,
      surveyRef: id,
    });
  }
}
