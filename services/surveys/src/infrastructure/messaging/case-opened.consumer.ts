import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseOpenedV1 } from '@aftersales/contracts';
import { InboxContext } from '@aftersales/messaging';

/**
 * Registers every opened case so it can be surveyed once resolved. Runs inside the inbox
 * transaction: a redelivered event is skipped before it gets here, so the counter is exact.
 */
@Controller()
export class CaseOpenedConsumer {
  @EventPattern(CaseOpenedV1.type)
  async onCaseOpened(@Payload() data: CaseOpenedV1, @Ctx() ctx: InboxContext): Promise<void> {
    await ctx.tx.query(
      `INSERT INTO surveys_case_register (tenant, case_id, channel, problem_type, order_id, customer_id, opened_at, source_event)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant, case_id) DO NOTHING`,
      [ctx.event.tenant, data.caseId, data.channel, data.problemType, data.orderId, data.customerId, data.openedAt, ctx.event.id],
    );
    await ctx.tx.query(
      `INSERT INTO surveys_channel_stats (tenant, channel, cases) VALUES ($1, $2, 1)
       ON CONFLICT (tenant, channel) DO UPDATE SET cases = surveys_channel_stats.cases + 1`,
      [ctx.event.tenant, data.channel],
    );
  }
}
