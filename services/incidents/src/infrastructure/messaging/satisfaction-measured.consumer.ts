import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { SatisfactionMeasuredV1 } from '@aftersales/contracts';
import { InboxContext, type ConsumedEvent } from '@aftersales/messaging';
import { SatisfactionHandler } from '../../application/satisfaction.handler';

/**
 * Inbox consumer `satisfaction` (topic `aftersales.surveys.events`): satisfaction measured by surveys is recorded on
 * the incident. `SatisfactionBelowTargetV1` needs no handler: the incident derives "below target" from the
 * measurement itself. Dead letters: `aftersales.incidents.satisfaction.dlq`.
 */
@Controller()
export class SatisfactionMeasuredConsumer {
  constructor(@Inject(SatisfactionHandler) private readonly satisfaction: SatisfactionHandler) {}

  @EventPattern(SatisfactionMeasuredV1.type)
  async onSatisfactionMeasured(@Payload() data: SatisfactionMeasuredV1, @Ctx() ctx: InboxContext): Promise<void> {
    await this.satisfaction.onSatisfactionMeasured(
      { ...ctx.event, data } as ConsumedEvent<SatisfactionMeasuredV1>,
      ctx.tx,
    );
  }
}
